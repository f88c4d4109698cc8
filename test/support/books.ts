import { sql } from 'kysely';
import { expect } from 'vitest';
import { ledgerBalances } from '../../src/modules/ledger/balances.ts';
import type { PaymentWorld } from './payment-world.ts';

const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);

/**
 * "No money unaccounted", checked after every refund test (PAY-11, REF-4), per channel:
 * - every journal entry balances and the books sum to zero;
 * - every capture at the channel is recorded, and the channel refunded exactly what our refunds
 *   say succeeded (plus what a test refunded behind our back, `refundedOutside`);
 * - captured = kept for paid bills + refunded + in flight (refunds decided, not yet back);
 * - the ledger says the same: clearing = captured − refunded, refundable = − in flight, and the
 *   sittings' fees = − money kept;
 * - every settled capture paid exactly its bill, and every duplicate or late one is refunded in
 *   full (succeeded or in flight).
 * Used after every end-to-end payment and refund test.
 */
export async function expectBooksBalance(w: PaymentWorld, opts: { refundedOutside?: Record<string, bigint> } = {}): Promise<void> {
  const { accounts, unbalancedEntries, total } = await ledgerBalances(w.db);
  expect(unbalancedEntries).toEqual([]);
  expect(total).toBe(0n);
  const sandbox = w.sandbox.ledger();
  const captures = await w.db.selectFrom('channel_payment').select(['channel', 'amount_fen', 'outcome']).execute();
  const refunds = await w.db.selectFrom('refund').select(['channel', 'amount_fen', 'state', 'bill_item_id']).execute();
  let keptAll = 0n;
  for (const channel of new Set([...sandbox.merchants.map((m) => m.channel), ...captures.map((c) => c.channel)])) {
    const atChannel = sandbox.merchants.filter((m) => m.channel === channel);
    const captured = sum(atChannel.map((m) => m.capturedFen));
    const refundedAtChannel = sum(atChannel.map((m) => m.refundedFen)) - (opts.refundedOutside?.[channel] ?? 0n);
    const ours = captures.filter((c) => c.channel === channel);
    const theirRefunds = refunds.filter((r) => r.channel === channel);
    const succeeded = sum(theirRefunds.filter((r) => r.state === 'SUCCEEDED').map((r) => r.amount_fen));
    const inFlight = sum(theirRefunds.filter((r) => r.state !== 'SUCCEEDED').map((r) => r.amount_fen));
    const kept = sum(ours.filter((c) => c.outcome === 'SETTLED').map((c) => c.amount_fen)) - sum(theirRefunds.filter((r) => r.bill_item_id !== null).map((r) => r.amount_fen));
    keptAll += kept;
    expect(sum(ours.map((c) => c.amount_fen)), `${channel}: every capture recorded`).toBe(captured);
    expect(refundedAtChannel, `${channel}: refunded at the channel = refunds succeeded`).toBe(succeeded);
    expect(captured, `${channel}: captured = kept + refunded + in flight`).toBe(kept + refundedAtChannel + inFlight);
    expect(accounts.get(`clearing:${channel}`) ?? 0n, `${channel}: clearing`).toBe(captured - refundedAtChannel);
    expect(-(accounts.get(`refundable:${channel}`) ?? 0n), `${channel}: owed`).toBe(inFlight);
  }
  const fees = sum([...accounts].filter(([a]) => a.startsWith('fees:')).map(([, v]) => v));
  expect(-fees, 'fees = money kept for paid bills').toBe(keptAll);
  // The database's own counts agree with the refund rows (trigger of migration 015).
  const mismatched = await sql<{ id: bigint }>`
    SELECT i.id FROM bill_item i
     WHERE i.refunded_fen <> coalesce((SELECT sum(amount_fen) FROM refund r WHERE r.bill_item_id = i.id), 0)`.execute(w.db);
  expect(mismatched.rows).toEqual([]);

  const settledMismatch = await w.db.selectFrom('channel_payment as cp').innerJoin('bill as b', 'b.id', 'cp.bill_id')
    .select(['b.bill_no', 'cp.amount_fen', 'b.amount_fen as bill_amount', 'b.state'])
    .where('cp.outcome', '=', 'SETTLED')
    .where((eb) => eb.or([eb('cp.amount_fen', '<>', eb.ref('b.amount_fen')), eb('b.state', 'not in', ['PAID', 'PARTIALLY_REFUNDED', 'REFUNDED'])]))
    .execute();
  expect(settledMismatch, 'settled captures that did not pay exactly their bill').toEqual([]);
  const unrefunded = await w.db.selectFrom('channel_payment as cp').leftJoin('refund as r', (j) => j.onRef('r.channel_payment_id', '=', 'cp.id').on('r.state', '<>', 'FAILED'))
    .select(['cp.channel', 'cp.channel_trade_no', 'cp.amount_fen', sql<string>`coalesce(sum(r.amount_fen), 0)`.as('refunding')])
    .where('cp.outcome', 'in', ['DUPLICATE', 'LATE'])
    .groupBy(['cp.id', 'cp.channel', 'cp.channel_trade_no', 'cp.amount_fen'])
    .having(sql`coalesce(sum(r.amount_fen), 0)`, '<>', sql`cp.amount_fen`)
    .execute();
  expect(unrefunded, 'duplicate or late captures not refunded in full').toEqual([]);
}

import { sql } from 'kysely';
import { expect } from 'vitest';
import type { Db } from '../../src/db/database.ts';
import { ledgerBalances } from '../../src/modules/ledger/balances.ts';
import type { SandboxControl } from '../../src/sandbox/sandbox-control.ts';
import { queryIdOf } from '../../src/sandbox/unionpay/unionpay-context.ts';

/** The id a channel gives us for a capture: UnionPay reports a queryId, the others the capture's number. */
const tradeNoOf = (channel: string, captureNo: string): string => (channel === 'unionpay' ? queryIdOf(captureNo) : captureNo);

/**
 * The books after a test (issue "Payment channels", PAY-11): every journal entry balances, and
 * per channel
 *  - what the channel holds for us (its captures less its refunds, from the sandbox's own
 *    records) equals our clearing account, leaving out only captures we have not heard of yet
 *    (which reconciliation finds);
 *  - captured = paid + refunded (+ refunds in flight): every capture we settled paid exactly its
 *    bill, and every duplicate or late one is refunded in full (succeeded or in flight).
 */
export async function expectBooksAgree(db: Db, channel: SandboxControl): Promise<void> {
  const { accounts, unbalancedEntries, total } = await ledgerBalances(db);
  expect(unbalancedEntries, 'unbalanced journal entries').toEqual([]);
  expect(total, 'sum of all accounts').toBe(0n);

  const known = new Set((await db.selectFrom('channel_payment').select(['channel', 'channel_trade_no']).execute()).map((c) => `${c.channel}|${c.channel_trade_no}`));
  const held = new Map<string, bigint>();
  for (const m of channel.ledger().merchants) {
    for (const c of m.captures) {
      if (!known.has(`${m.channel}|${tradeNoOf(m.channel, c.captureNo)}`)) continue;
      held.set(m.channel, (held.get(m.channel) ?? 0n) + c.amountFen);
    }
    for (const r of m.refunds) held.set(m.channel, (held.get(m.channel) ?? 0n) - r.amountFen);
  }
  for (const ch of new Set([...held.keys(), ...[...accounts.keys()].filter((a) => a.startsWith('clearing:')).map((a) => a.slice('clearing:'.length))])) {
    expect(accounts.get(`clearing:${ch}`) ?? 0n, `clearing:${ch} against the channel's own records`).toBe(held.get(ch) ?? 0n);
  }

  const settledMismatch = await db.selectFrom('channel_payment as cp').innerJoin('bill as b', 'b.id', 'cp.bill_id')
    .select(['b.bill_no', 'cp.amount_fen', 'b.amount_fen as bill_amount', 'b.state'])
    .where('cp.outcome', '=', 'SETTLED')
    .where((eb) => eb.or([eb('cp.amount_fen', '<>', eb.ref('b.amount_fen')), eb('b.state', 'not in', ['PAID', 'PARTIALLY_REFUNDED', 'REFUNDED'])]))
    .execute();
  expect(settledMismatch, 'settled captures that did not pay exactly their bill').toEqual([]);
  const unrefunded = await db.selectFrom('channel_payment as cp').leftJoin('refund as r', (j) => j.onRef('r.channel_payment_id', '=', 'cp.id').on('r.state', '<>', 'FAILED'))
    .select(['cp.channel', 'cp.channel_trade_no', 'cp.amount_fen', sql<string>`coalesce(sum(r.amount_fen), 0)`.as('refunding')])
    .where('cp.outcome', 'in', ['DUPLICATE', 'LATE'])
    .groupBy(['cp.id', 'cp.channel', 'cp.channel_trade_no', 'cp.amount_fen'])
    .having(sql`coalesce(sum(r.amount_fen), 0)`, '<>', sql`cp.amount_fen`)
    .execute();
  expect(unrefunded, 'duplicate or late captures not refunded in full').toEqual([]);
}

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeExpiredBillsJob } from '../src/jobs/close-expired-bills.job.ts';
import { checkBillStatus } from '../src/modules/payments/check-bill-status.ts';
import { MINUTE } from '../src/shared/clock.ts';
import type { Bill } from '../src/db/schema.ts';
import { expectBooksBalance } from './support/books.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';

let w: PaymentWorld;
beforeAll(async () => {
  w = await startPaymentWorld();
});
afterAll(async () => w.close());
// Whatever a test did, the books agree with the channel afterwards.
afterEach(async () => expectBooksBalance(w));

const ROUNDS = 12;

async function books(bills: Bill[]) {
  const ids = bills.map((b) => b.id);
  const rows = await w.db.selectFrom('bill').select(['id', 'state', 'amount_fen']).where('id', 'in', ids).execute();
  const payments = await w.db.selectFrom('channel_payment').select(['bill_id', 'outcome', 'amount_fen', 'reported_by']).where('bill_id', 'in', ids).execute();
  const refunds = await w.db.selectFrom('refund').select(['bill_id', 'amount_fen', 'state']).where('bill_id', 'in', ids).execute();
  const paidTransitions = await w.db.selectFrom('bill_transition').select('bill_id').where('bill_id', 'in', ids).where('to_state', '=', 'PAID').execute();
  return { rows, payments, refunds, paidTransitions };
}

/** Money the sandbox took for these bills, net of what it gave back. */
function channelNet(bills: Bill[]): bigint {
  let net = 0n;
  for (const b of bills) {
    const order = w.sandbox.getOrder(b.bill_no);
    for (const c of order?.captures ?? []) net += c.amountFen - c.refunds.reduce((s, r) => s + r.amountFen, 0n);
  }
  return net;
}

describe('races between reports of one payment, outcome checked in the database', () => {
  it('the notify races the expiry job (money taken at minute 29, both arrive after minute 30)', async () => {
    const bills = await Promise.all(Array.from({ length: ROUNDS }, async () => (await w.payingBill()).bill));
    w.clock.advance(29 * MINUTE);
    for (const b of bills) expect((await w.sandbox.pay(b.bill_no)).ok).toBe(true);
    w.clock.advance(2 * MINUTE);
    await Promise.all([w.sandbox.deliverDueNotifications(), closeExpiredBillsJob.execute(w.ctx), closeExpiredBillsJob.execute(w.ctx)]);

    const { rows, payments, refunds, paidTransitions } = await books(bills);
    expect(rows.map((r) => r.state)).toEqual(bills.map(() => 'PAID'));
    expect(payments).toHaveLength(ROUNDS); // one capture each, whoever reported it first
    expect(payments.every((p) => p.outcome === 'SETTLED')).toBe(true);
    // Both paths reported every payment; whichever came second found it recorded and did nothing.
    const log = await w.db.selectFrom('channel_notification').select(['bill_no', 'outcome']).where('bill_no', 'in', bills.map((b) => b.bill_no)).execute();
    for (const b of bills) {
      const settledBy = payments.find((p) => p.bill_id === b.id)!.reported_by;
      expect(['notify', 'close']).toContain(settledBy);
      expect(log.filter((l) => l.bill_no === b.bill_no).map((l) => l.outcome)).toEqual([settledBy === 'notify' ? 'SETTLED' : 'ALREADY_RECORDED']);
    }
    expect(refunds).toHaveLength(0);
    expect(paidTransitions).toHaveLength(ROUNDS);
  });

  it('the notify races three 确认缴费状态 clicks and the poll job', async () => {
    const bills = await Promise.all(Array.from({ length: ROUNDS }, async () => (await w.payingBill()).bill));
    for (const b of bills) await w.sandbox.pay(b.bill_no);
    w.clock.advance(20_000);
    await Promise.all([
      w.sandbox.deliverDueNotifications(),
      w.runJobs(),
      ...bills.flatMap((b) => [1, 2, 3].map(() => checkBillStatus(w.ctx, { billId: b.id, actor: 'candidate:test', by: 'candidate' }))),
    ]);
    const { rows, payments, refunds, paidTransitions } = await books(bills);
    expect(rows.every((r) => r.state === 'PAID')).toBe(true);
    expect(payments).toHaveLength(ROUNDS);
    expect(refunds).toHaveLength(0);
    expect(paidTransitions).toHaveLength(ROUNDS);
    const log = await w.db.selectFrom('channel_notification').select('outcome').where('bill_no', 'in', bills.map((b) => b.bill_no)).execute();
    expect(log.every((l) => l.outcome === 'SETTLED' || l.outcome === 'ALREADY_RECORDED')).toBe(true);
  });

  it('the payer pays at the very moment the expiry job closes: either the close wins and no money moves, or the money wins and pays the bill', async () => {
    const bills = await Promise.all(Array.from({ length: ROUNDS }, async () => (await w.payingBill()).bill));
    for (const b of bills) w.sandbox.open(b.bill_no);
    w.clock.advance(30 * MINUTE - 1);
    await Promise.all([...bills.map((b) => w.sandbox.pay(b.bill_no)), (async () => {
      w.clock.advance(1);
      await closeExpiredBillsJob.execute(w.ctx);
    })()]);
    // Whatever interleaving happened, after the channel has spoken and the jobs have run:
    await w.sandbox.deliverDueNotifications();
    w.clock.advance(MINUTE);
    await w.runJobs();
    await w.runJobs();
    const { rows, payments, refunds } = await books(bills);
    for (const b of bills) {
      const row = rows.find((r) => r.id === b.id)!;
      expect(['PAID', 'CLOSED']).toContain(row.state);
      const mine = payments.filter((p) => p.bill_id === b.id);
      if (row.state === 'PAID') expect(mine.filter((p) => p.outcome === 'SETTLED')).toHaveLength(1);
      else expect(mine.every((p) => p.outcome === 'LATE')).toBe(true);
    }
    // No money unaccounted: what the channel kept is exactly what paid bills are worth.
    const paidValue = rows.filter((r) => r.state === 'PAID').reduce((s, r) => s + r.amount_fen, 0n);
    expect(channelNet(bills)).toBe(paidValue);
    expect(refunds.every((r) => r.state === 'SUCCEEDED')).toBe(true);
  });
});

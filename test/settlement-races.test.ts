import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmBill } from '../src/modules/billing/confirm-bill.ts';
import { settleCapture } from '../src/modules/payments/settle-capture.ts';
import { transitionBill, lockBill } from '../src/modules/billing/bill-transition.repo.ts';
import { ManualClock } from '../src/shared/clock.ts';
import type { Bill } from '../src/db/schema.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';
import { makeCandidate, makeExam, type ExamFixture } from './support/fixtures.ts';

let t: TestDatabase;
let exam: ExamFixture;
const clock = new ManualClock('2026-03-15T01:00:00Z');

beforeAll(async () => {
  t = await createTestDatabase({ poolSize: 24 });
  exam = await makeExam(t.db, { fees: [8000n] });
});
afterAll(async () => t.drop());

/** A PAYING bill with one open Alipay order, as startPayment would leave it. */
async function payingBill(): Promise<Bill> {
  const c = await makeCandidate(t.db, exam);
  const r = await confirmBill({ db: t.db, clock }, { candidateId: c.candidateId, registrationIds: c.registrationIds });
  if (!r.ok) throw new Error(r.error.code);
  return t.db.transaction().execute(async (trx) => {
    await trx.insertInto('payment_attempt').values({ bill_id: r.value.id, seq: 1, out_trade_no: r.value.bill_no, channel: 'alipay', pay_url: 'x', qr_content: 'x', created_at: clock.now() }).execute();
    const bill = (await lockBill(trx, { id: r.value.id }))!;
    return transitionBill(trx, bill, { to: 'PAYING', cause: 'PAYMENT_STARTED', actor: 'test', at: clock.now(), patch: { paying_since: clock.now(), next_query_at: clock.now(), channel: 'alipay' } });
  });
}

const capture = (bill: Bill, tradeNo: string) => ({ billNo: bill.bill_no, channelTradeNo: tradeNo, amountFen: bill.amount_fen, paidAt: clock.now() });

describe('settlement is exactly-once under racing reports (PAY-9)', () => {
  it('16 concurrent reports of the same capture settle it once', async () => {
    const bill = await payingBill();
    const sources = ['notify', 'query', 'close', 'notify'] as const;
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) =>
      settleCapture({ db: t.db, clock }, { channel: 'alipay', capture: capture(bill, 'T-SAME'), reportedBy: sources[i % 4]!, actor: `racer:${i}` })));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.filter((r) => r.ok && r.firstReport)).toHaveLength(1);
    expect(results.every((r) => r.ok && r.outcome === 'SETTLED')).toBe(true);
    const after = await t.db.selectFrom('bill').selectAll().where('id', '=', bill.id).executeTakeFirstOrThrow();
    expect(after.state).toBe('PAID');
    expect(after.channel_trade_no).toBe('T-SAME');
    expect(after.flagged_at).toBeNull();
    const transitions = await t.db.selectFrom('bill_transition').select('to_state').where('bill_id', '=', bill.id).execute();
    expect(transitions.filter((x) => x.to_state === 'PAID')).toHaveLength(1);
    const refunds = await t.db.selectFrom('refund').selectAll().where('bill_id', '=', bill.id).execute();
    expect(refunds).toHaveLength(0);
    const regs = await t.db.selectFrom('registration as r').innerJoin('bill_item as i', 'i.registration_id', 'r.id').select('r.paid_at').where('i.bill_id', '=', bill.id).execute();
    expect(regs.every((r) => r.paid_at !== null)).toBe(true);
  });

  it('two different captures racing for one bill: one pays it, the other is refunded in full', async () => {
    const bill = await payingBill();
    const results = await Promise.all(['T-A', 'T-B'].map((tn) =>
      settleCapture({ db: t.db, clock }, { channel: 'alipay', capture: capture(bill, tn), reportedBy: 'notify', actor: 'racer' })));
    const outcomes = results.map((r) => (r.ok ? r.outcome : r.reason)).sort();
    expect(outcomes).toEqual(['DUPLICATE', 'SETTLED']);
    const dup = results.find((r) => r.ok && r.outcome === 'DUPLICATE');
    const refunds = await t.db.selectFrom('refund').selectAll().where('bill_id', '=', bill.id).execute();
    expect(refunds).toHaveLength(1);
    expect(refunds[0]).toMatchObject({ amount_fen: bill.amount_fen, reason: 'DUPLICATE_PAYMENT', state: 'PENDING' });
    expect(dup && dup.ok && dup.refundNo).toBe(refunds[0]!.refund_no);
  });

  it('a capture for a CLOSED bill is recorded and refunded, and the bill stays closed', async () => {
    const bill = await payingBill();
    clock.advance(31 * 60_000);
    await t.db.transaction().execute(async (trx) => {
      await trx.updateTable('payment_attempt').set({ state: 'CLOSED', closed_at: clock.now() }).where('bill_id', '=', bill.id).execute();
      await transitionBill(trx, (await lockBill(trx, { id: bill.id }))!, { to: 'CLOSED', cause: 'EXPIRED', actor: 'test', at: clock.now() });
    });
    const r = await settleCapture({ db: t.db, clock }, { channel: 'alipay', capture: capture(bill, 'T-LATE'), reportedBy: 'notify', actor: 'n' });
    expect(r).toMatchObject({ ok: true, outcome: 'LATE', firstReport: true });
    const after = await t.db.selectFrom('bill').select('state').where('id', '=', bill.id).executeTakeFirstOrThrow();
    expect(after.state).toBe('CLOSED');
    const refunds = await t.db.selectFrom('refund').select(['reason', 'amount_fen']).where('bill_id', '=', bill.id).execute();
    expect(refunds).toEqual([{ reason: 'LATE_PAYMENT', amount_fen: bill.amount_fen }]);
  });

  it('refuses captures for unknown orders, from the wrong channel, or of the wrong amount, and changes nothing', async () => {
    const bill = await payingBill();
    const ctx = { db: t.db, clock };
    expect(await settleCapture(ctx, { channel: 'alipay', capture: { ...capture(bill, 'T-X'), billNo: '202603150000000000000' }, reportedBy: 'notify', actor: 'n' }))
      .toMatchObject({ ok: false, reason: 'UNKNOWN_ORDER' });
    expect(await settleCapture(ctx, { channel: 'wechatpay', capture: capture(bill, 'T-X'), reportedBy: 'notify', actor: 'n' }))
      .toMatchObject({ ok: false, reason: 'CHANNEL_MISMATCH' });
    expect(await settleCapture(ctx, { channel: 'alipay', capture: { ...capture(bill, 'T-X'), amountFen: 1n }, reportedBy: 'notify', actor: 'n' }))
      .toMatchObject({ ok: false, reason: 'AMOUNT_MISMATCH' });
    const after = await t.db.selectFrom('bill').select('state').where('id', '=', bill.id).executeTakeFirstOrThrow();
    expect(after.state).toBe('PAYING');
    expect(await t.db.selectFrom('channel_payment').select('id').where('bill_id', '=', bill.id).execute()).toHaveLength(0);
  });

  it('money for a bill whose registration is no longer active still pays it, and the bill is flagged for staff', async () => {
    const bill = await payingBill();
    // What a lost race would leave behind (the 24 h job and confirmBill; fixed, but settle must not be silent).
    await t.db.updateTable('registration').set({ status: 'CANCELLED', cancelled_at: clock.now(), cancelled_reason: 'UNPAID_TIMEOUT' })
      .where('id', 'in', t.db.selectFrom('bill_item').select('registration_id').where('bill_id', '=', bill.id)).execute();
    expect(await settleCapture({ db: t.db, clock }, { channel: 'alipay', capture: capture(bill, 'T-ODD'), reportedBy: 'notify', actor: 'n' })).toMatchObject({ ok: true, outcome: 'SETTLED' });
    const after = await t.db.selectFrom('bill').select(['state', 'flag_reason']).where('id', '=', bill.id).executeTakeFirstOrThrow();
    expect(after).toEqual({ state: 'PAID', flag_reason: 'SETTLEMENT_ANOMALY' });
  });
});

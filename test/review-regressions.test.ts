import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeExpiredBillsJob } from '../src/jobs/close-expired-bills.job.ts';
import { executeRefundsJob } from '../src/jobs/execute-refunds.job.ts';
import { confirmBill } from '../src/modules/billing/confirm-bill.ts';
import { settleCapture } from '../src/modules/payments/settle-capture.ts';
import { explainBill } from '../src/modules/billing/bill-explanation.ts';
import { MINUTE } from '../src/shared/clock.ts';
import { Browser } from './support/http.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';

let w: PaymentWorld;
beforeAll(async () => {
  w = await startPaymentWorld();
});
afterAll(async () => w.close());

/** A channel a deployment dropped (every real channel code is configured in the test world). */
const REMOVED_CHANNEL = 'retiredpay';

/** An UNPAID bill with an open order on a channel this process no longer has configured. */
async function billOnRemovedChannel() {
  const c = await w.candidate();
  const r = await confirmBill(w.ctx, { candidateId: c.candidateId, registrationIds: c.registrationIds });
  if (!r.ok) throw new Error(r.error.code);
  await w.db.insertInto('payment_attempt').values({ bill_id: r.value.id, seq: 1, out_trade_no: r.value.bill_no, channel: REMOVED_CHANNEL, pay_url: 'x', qr_content: 'x', created_at: w.clock.now() }).execute();
  return r.value;
}

describe('the expiry job cannot be held up', () => {
  it('60 bills whose channel is gone do not stop an ordinary expired bill from closing, and are flagged after an hour', async () => {
    const stuck = [];
    for (let i = 0; i < 60; i++) stuck.push(await billOnRemovedChannel());
    w.clock.advance(1000);
    const c = await w.candidate();
    const normal = await confirmBill(w.ctx, { candidateId: c.candidateId, registrationIds: c.registrationIds });
    if (!normal.ok) throw new Error('setup');
    w.clock.advance(31 * MINUTE);
    await closeExpiredBillsJob.execute(w.ctx);
    await closeExpiredBillsJob.execute(w.ctx);
    expect((await w.bill(normal.value.bill_no)).state).toBe('CLOSED');
    // The same subjects can be paid again on a new bill right away.
    expect((await confirmBill(w.ctx, { candidateId: c.candidateId, registrationIds: c.registrationIds })).ok).toBe(true);
    for (let i = 0; i < 8; i++) {
      w.clock.advance(10 * MINUTE);
      await closeExpiredBillsJob.execute(w.ctx);
    }
    const flagged = await w.db.selectFrom('bill').select(['state', 'flag_reason']).where('id', 'in', stuck.map((b) => b.id)).execute();
    expect(flagged.every((b) => b.state === 'UNPAID' && b.flag_reason === 'CANNOT_CLOSE')).toBe(true);
  });
});

describe('a second "pay" after paying', () => {
  it('tells the candidate the bill is paid — not that the channel is down — and settles it', async () => {
    const { bill, candidate } = await w.payingBill();
    w.sandbox.setFaults(bill.bill_no, { noNotify: true });
    await w.sandbox.pay(bill.bill_no);
    const b = new Browser(w.app);
    await b.signIn(w.exam.authorityCode, candidate.idNumber, candidate.password);
    const r = await b.post(`/api/v1/bills/${bill.bill_no}/payments`, { channel: 'alipay' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('BILL_ALREADY_PAID');
    expect((await w.bill(bill.bill_no)).state).toBe('PAID');
  });
});

describe('refunds that do not go through are never silent', () => {
  it('a refund the channel cannot confirm keeps retrying, is flagged for staff, and the bill page says it is in progress', async () => {
    const bill = await billOnRemovedChannel();
    const capture = (tradeNo: string) => ({ billNo: bill.bill_no, channelTradeNo: tradeNo, amountFen: bill.amount_fen, paidAt: w.clock.now() });
    expect(await settleCapture(w.ctx, { channel: REMOVED_CHANNEL, capture: capture('PE-1'), reportedBy: 'notify', actor: 't' })).toMatchObject({ outcome: 'SETTLED' });
    expect(await settleCapture(w.ctx, { channel: REMOVED_CHANNEL, capture: capture('PE-2'), reportedBy: 'notify', actor: 't' })).toMatchObject({ outcome: 'DUPLICATE' });
    const refund = () => w.db.selectFrom('refund').selectAll().where('bill_id', '=', bill.id).executeTakeFirstOrThrow();
    for (let i = 0; i < 5; i++) {
      await executeRefundsJob.execute(w.ctx);
      w.clock.advance(30 * MINUTE);
    }
    expect((await refund()).flagged_at).toBeNull();
    await executeRefundsJob.execute(w.ctx);
    const r = await refund();
    expect(r.state).toBe('PENDING');
    expect(r.attempts).toBe(6);
    expect(r.flagged_at).not.toBeNull();
    expect(r.last_error).toContain('not configured');
    const paid = await w.bill(bill.bill_no);
    expect(explainBill(paid, w.clock.now(), [{ state: 'PENDING' }]).zh).toContain('正在原路退回');
    expect(explainBill(paid, w.clock.now(), [{ state: 'FAILED' }]).zh).toContain('已转交工作人员处理');
  });
});

describe('ids that do not fit', () => {
  it('a 19-digit registration id is a coded 400, not a 500', async () => {
    const c = await w.candidate();
    const b = new Browser(w.app);
    await b.signIn(w.exam.authorityCode, c.idNumber, c.password);
    const r = await b.post('/api/v1/bills', { registrationIds: ['9999999999999999999'] });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../shared/clock.ts';
import { startUnionpayRig, type UnionpayRig } from './unionpay.test-kit.ts';

/** Refunds (退货, txnType 04) through backTransReq.do, and their queries, over real HTTP. */
let rig: UnionpayRig;
beforeEach(async () => { rig = await startUnionpayRig(); });
afterEach(async () => { await rig.close(); });

async function paidBill(): Promise<{ billNo: string; queryId: string }> {
  const { billNo, payUrl } = await rig.create();
  await rig.payAtCashier(await rig.open(payUrl));
  const q = await rig.adapter.queryPayment({ billNo });
  if (q.status !== 'PAID') throw new Error(`not paid: ${q.status}`);
  return { billNo, queryId: q.channelTradeNo };
}
const refund = (billNo: string, queryId: string, refundNo: string, amountFen: bigint) =>
  rig.adapter.refund({ billNo, refundNo, channelTradeNo: queryId, amountFen, reason: '重复缴费退款' });

describe('refund', () => {
  it('accepted, then confirmed by its own query; the refund notify is acknowledged but ignored', async () => {
    const { billNo, queryId } = await paidBill();
    await rig.sbx.control.deliverDueNotifications();
    rig.clock.advance(MINUTE);
    expect(await refund(billNo, queryId, `${billNo}R01`, 10_000n)).toEqual({ status: 'SUCCEEDED', refundedAt: rig.clock.now() });
    expect(rig.sbx.control.ledger()).toMatchObject({ capturedFen: 10_000n, refundedFen: 10_000n });
    expect(await rig.adapter.queryRefund({ billNo, refundNo: `${billNo}R01` })).toEqual({ status: 'SUCCEEDED', refundedAt: rig.clock.now() });
    // The consume itself stays a success (its refunds are tracked on their own).
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'PAID', channelTradeNo: queryId });

    expect(await rig.sbx.control.deliverDueNotifications()).toBe(1);
    const notify = Object.fromEntries(new URLSearchParams(rig.notifications[1]!.body.toString()));
    expect(notify).toMatchObject({ txnType: '04', orderId: `${billNo}R01`, origQryId: queryId, txnAmt: '10000', respCode: '00' });
    expect(rig.parsed()[1]).toMatchObject({ ok: true, event: { kind: 'IGNORED', billNo: null } });
  });

  it('is idempotent by refund number: a retry is a duplicate (12) answered from the query, money moves once', async () => {
    const { billNo, queryId } = await paidBill();
    expect((await refund(billNo, queryId, `${billNo}R01`, 4_000n)).status).toBe('SUCCEEDED');
    rig.clock.advance(30 * MINUTE);
    expect(await refund(billNo, queryId, `${billNo}R01`, 4_000n)).toMatchObject({ status: 'SUCCEEDED' });
    expect(rig.sbx.control.ledger().refundedFen).toBe(4_000n);
  });

  it('several partial refunds up to what was paid, and no more', async () => {
    const { billNo, queryId } = await paidBill();
    expect((await refund(billNo, queryId, `${billNo}R01`, 6_000n)).status).toBe('SUCCEEDED');
    expect(await refund(billNo, queryId, `${billNo}R02`, 4_001n)).toMatchObject({ status: 'FAILED', code: 'REFUND_EXCEEDS_PAID', message: expect.stringContaining('respCode 33') });
    expect((await refund(billNo, queryId, `${billNo}R03`, 4_000n)).status).toBe('SUCCEEDED');
    expect(rig.sbx.control.ledger().refundedFen).toBe(10_000n);
    // The refused one left nothing behind: it is unknown to UnionPay.
    expect(await rig.adapter.queryRefund({ billNo, refundNo: `${billNo}R02` })).toMatchObject({ status: 'FAILED', code: 'TRADE_NOT_FOUND' });
  });

  it('an unknown origQryId → TRADE_NOT_FOUND; a refund never sent → FAILED TRADE_NOT_FOUND (resubmitting is safe)', async () => {
    const { billNo } = await paidBill();
    expect(await refund(billNo, '202603150000000009999', `${billNo}R01`, 100n)).toMatchObject({ status: 'FAILED', code: 'TRADE_NOT_FOUND' });
    expect(await rig.adapter.queryRefund({ billNo, refundNo: `${billNo}R09` })).toMatchObject({ status: 'FAILED', code: 'TRADE_NOT_FOUND' });
  });

  // Found by the fault simulation (docs/simulation.md): UnionPay wants txnTime to be the current
  // time, so resending the first send's txnTime a day later was refused (respCode 10) and the
  // refund FAILED for good, money still owed.
  it('a refund whose sends got no answer for a day goes through when UnionPay answers again: never received → sent anew with the current txnTime', async () => {
    const { billNo, queryId } = await paidBill();
    rig.sbx.control.setFaults(billNo, { apiDown: 'error' });
    expect(await refund(billNo, queryId, `${billNo}R01`, 4_000n)).toMatchObject({ status: 'UNKNOWN' });
    rig.clock.advance(25 * HOUR);
    rig.sbx.control.setFaults(billNo, {});
    expect(await refund(billNo, queryId, `${billNo}R01`, 4_000n)).toEqual({ status: 'SUCCEEDED', refundedAt: rig.clock.now() });
    expect(rig.sbx.control.ledger().refundedFen).toBe(4_000n);
    expect(await rig.adapter.queryRefund({ billNo, refundNo: `${billNo}R01` })).toMatchObject({ status: 'SUCCEEDED' });
  });

  it('a refund UnionPay did receive, asked about a day later, is answered from its own record and never sent twice', async () => {
    const { billNo, queryId } = await paidBill();
    expect((await refund(billNo, queryId, `${billNo}R01`, 4_000n)).status).toBe('SUCCEEDED');
    rig.clock.advance(25 * HOUR);
    expect(await refund(billNo, queryId, `${billNo}R01`, 4_000n)).toMatchObject({ status: 'SUCCEEDED' });
    expect(rig.sbx.control.ledger().refundedFen).toBe(4_000n);
  });

  it('a refund number that is not 8–40 letters/digits is refused before sending', async () => {
    const { billNo, queryId } = await paidBill();
    expect(await refund(billNo, queryId, 'R-1', 100n)).toMatchObject({ status: 'FAILED', code: 'CHANNEL_REJECTED' });
    expect(rig.sbx.control.ledger().refundedFen).toBe(0n);
  });
});

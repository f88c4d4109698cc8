import { afterEach, describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../shared/clock.ts';
import { startWechatpayRig, type WechatpayRig } from './wechatpay.test-kit.ts';

/** Each sandbox fault, observed end to end: adapter → sandbox (WeChat Pay dialect) → receiver → adapter. */
let rig: WechatpayRig;
afterEach(async () => { await rig.close(); });

const kinds = (r: WechatpayRig) => r.parsed().map((p) => (p.ok ? p.event.kind : p.reason));

describe('notification faults', () => {
  it('noNotify: the capture is real but never notified; query finds it', async () => {
    rig = await startWechatpayRig();
    const { billNo } = await rig.create();
    rig.sbx.control.setFaults(billNo, { noNotify: true });
    await rig.sbx.control.pay(billNo);
    rig.clock.advance(48 * HOUR);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
    expect(rig.receiver.received).toHaveLength(0);
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'PAID', amountFen: 10_000n });
  });

  it('lateNotifyMs: the first attempt waits that long on the clock, and is signed when sent', async () => {
    rig = await startWechatpayRig();
    const { billNo } = await rig.create();
    rig.sbx.control.setFaults(billNo, { lateNotifyMs: 10 * MINUTE });
    await rig.sbx.control.pay(billNo);
    rig.clock.advance(10 * MINUTE - 1);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
    rig.clock.advance(1);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(1);
    // Ten minutes after the payment, yet not stale: the signature is made at sending time.
    expect(kinds(rig)).toEqual(['PAID']);
  });

  it('chargeTwice: two captures with distinct transaction_ids, each notified; each refundable by its own id', async () => {
    rig = await startWechatpayRig();
    const { billNo } = await rig.create();
    rig.sbx.control.setFaults(billNo, { chargeTwice: true });
    const paid = await rig.sbx.control.pay(billNo);
    const ids = paid.ok ? paid.captures.map((c) => c.captureNo) : [];
    expect(new Set(ids).size).toBe(2);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(2);
    expect(rig.parsed().map((p) => (p.ok && p.event.kind === 'PAID' ? p.event.channelTradeNo : p))).toEqual(ids);
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'PAID', channelTradeNo: ids[0] });
    expect(rig.sbx.control.ledger().capturedFen).toBe(20_000n);
    // The duplicate charge goes back by its transaction_id (PAY-8).
    expect(await rig.adapter.refund({ billNo, refundNo: 'DUP1', channelTradeNo: ids[1]!, amountFen: 10_000n, reason: '重复扣款 charged twice' }))
      .toMatchObject({ status: 'SUCCEEDED' });
    expect(rig.sbx.control.ledger().merchants[0]!.refunds).toMatchObject([{ captureNo: ids[1], amountFen: 10_000n }]);
  });
});

describe('API faults', () => {
  it('chargeButTimeout + noNotify: the payment page says "unknown", the next call times out, the one after reports the capture', async () => {
    rig = await startWechatpayRig({ timeoutMs: 400, apiHangMs: 10_000 });
    const { billNo, payUrl } = await rig.create();
    rig.sbx.control.setFaults(billNo, { chargeButTimeout: true, noNotify: true });
    await fetch(payUrl);
    const page = await (await fetch(`${payUrl}/pay`, { method: 'POST', body: new URLSearchParams({ pay_method: 'debitCard' }) })).text();
    expect(page).toContain('支付结果未知 Result unknown');
    const started = Date.now();
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'UNKNOWN' });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'PAID', amountFen: 10_000n });
    rig.clock.advance(48 * HOUR);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
  });

  it('chargeButTimeout: a close right after times out (UNKNOWN); asked again it is ALREADY_PAID', async () => {
    rig = await startWechatpayRig({ timeoutMs: 400, apiHangMs: 10_000 });
    const { billNo } = await rig.create();
    rig.sbx.control.setFaults(billNo, { chargeButTimeout: true });
    await rig.sbx.control.pay(billNo);
    expect(await rig.adapter.closePayment({ billNo })).toMatchObject({ status: 'UNKNOWN' });
    expect(await rig.adapter.closePayment({ billNo })).toMatchObject({ status: 'ALREADY_PAID', billNo, amountFen: 10_000n });
  });

  it('apiDown error: 500 SYSTEM_ERROR, unsigned → UNKNOWN / CHANNEL_UNAVAILABLE; for every bill with "*"', async () => {
    rig = await startWechatpayRig();
    const { billNo } = await rig.create();
    rig.sbx.control.setFaults(billNo, { apiDown: 'error' });
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'UNKNOWN', reason: expect.stringContaining('HTTP 500 SYSTEM_ERROR') });
    expect(await rig.adapter.closePayment({ billNo })).toMatchObject({ status: 'UNKNOWN' });
    rig.sbx.control.setFaults('*', { apiDown: 'error' });
    await expect(rig.create()).rejects.toThrow(/CHANNEL_UNAVAILABLE/);
    rig.sbx.control.clearFaults();
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'WAITING' });
  });

  it('apiDown hang: the call is held until the adapter gives up → UNKNOWN', async () => {
    rig = await startWechatpayRig({ timeoutMs: 300, apiHangMs: 10_000 });
    const { billNo } = await rig.create();
    rig.sbx.control.setFaults(billNo, { apiDown: 'hang' });
    const started = Date.now();
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'UNKNOWN' });
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});

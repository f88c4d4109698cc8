import { afterEach, describe, expect, it } from 'vitest';
import type { Faults } from '../../sandbox/faults.ts';
import { GENERIC_RETRY_DELAYS_MS } from '../../sandbox/generic/generic-notify.builder.ts';
import { HOUR, MINUTE } from '../../shared/clock.ts';
import { startGenericRig, type GenericRig } from './generic.test-kit.ts';
import type { GenericChannelCode } from './generic-profile.ts';

/** Each sandbox fault, observed end to end: adapter → sandbox → ExamPay stand-in → adapter. */
let rig: GenericRig;
afterEach(async () => { await rig.close(); });

async function paid(r: GenericRig, faults: Faults = {}) {
  const { billNo, payUrl } = await r.create();
  r.control.setFaults(billNo, faults);
  return { billNo, html: await r.payAtCashier(payUrl) };
}

describe.each<GenericChannelCode>(['publicpay', 'payease'])('%s', (code) => {
  it('notifications are resent after 15 s, 1, 5, 15, 30 min, 1, 2, 6 h until acknowledged, then given up (9 sends)', async () => {
    rig = await startGenericRig({ code });
    rig.answer = () => ({ status: 200, body: 'OK' }); // HTTP 200 but not the acknowledgement: still refused
    const { billNo } = await paid(rig);
    expect(await rig.control.deliverDueNotifications()).toBe(1);
    expect(GENERIC_RETRY_DELAYS_MS).toHaveLength(8);
    for (const wait of GENERIC_RETRY_DELAYS_MS) {
      rig.clock.advance(wait - 1_000);
      expect(await rig.control.deliverDueNotifications()).toBe(0);
      rig.clock.advance(1_000);
      expect(await rig.control.deliverDueNotifications()).toBe(1);
    }
    rig.clock.advance(48 * HOUR);
    expect(await rig.control.deliverDueNotifications()).toBe(0);
    expect(rig.notifications).toHaveLength(9);
    expect(rig.control.notifications(billNo)).toMatchObject([{ state: 'GAVE_UP' }]);
    // Each resend is signed afresh (new timestamp and nonce) and reports the same capture.
    expect(new Set(rig.notifications.map((n) => n.body.toString())).size).toBe(9);
    const events = rig.parsed();
    expect(events.every((e) => e.ok && e.event.kind === 'PAID')).toBe(true);
    expect(new Set(events.map((e) => (e.ok && e.event.kind === 'PAID' ? `${e.event.notifyId}|${e.event.channelTradeNo}` : ''))).size).toBe(1);
  });

  it('the acknowledgement, and only it, stops the resends (a 500 first, then the ack)', async () => {
    rig = await startGenericRig({ code });
    rig.answer = (n) => (rig.notifications.indexOf(n) === 0 ? { status: 500, body: rig.profile.notifyAck } : { status: 200, body: rig.profile.notifyAck });
    const { billNo } = await paid(rig);
    await rig.control.deliverDueNotifications();
    rig.clock.advance(15_000);
    await rig.control.deliverDueNotifications();
    rig.clock.advance(10 * HOUR);
    expect(await rig.control.deliverDueNotifications()).toBe(0);
    expect(rig.control.notifications(billNo)).toMatchObject([{ state: 'DELIVERED', attempts: [{ status: 500 }, { status: 200 }] }]);
  });

  it('noNotify: never notified; the query finds the capture', async () => {
    rig = await startGenericRig({ code });
    const { billNo } = await paid(rig, { noNotify: true });
    rig.clock.advance(HOUR);
    expect(await rig.control.deliverDueNotifications()).toBe(0);
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'PAID', amountFen: 10_000n });
  });

  it('lateNotifyMs waits on the clock; notifyBeforeReturn sends before the cashier answers', async () => {
    rig = await startGenericRig({ code });
    await paid(rig, { lateNotifyMs: 90_000 });
    rig.clock.advance(89_999);
    expect(await rig.control.deliverDueNotifications()).toBe(0);
    rig.clock.advance(1);
    expect(await rig.control.deliverDueNotifications()).toBe(1);
    await paid(rig, { notifyBeforeReturn: true });
    expect(rig.notifications).toHaveLength(2);
  });

  it('chargeTwice: two captures with distinct trade numbers, each notified; the query names the first; the second refunds by its own number', async () => {
    rig = await startGenericRig({ code });
    const { billNo } = await paid(rig, { chargeTwice: true });
    await rig.control.deliverDueNotifications();
    const ids = rig.parsed().map((p) => (p.ok && p.event.kind === 'PAID' ? p.event.channelTradeNo : ''));
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'PAID', channelTradeNo: ids[0] });
    expect(rig.control.ledger().capturedFen).toBe(20_000n);
    expect(await rig.adapter.refund({ billNo, refundNo: `${billNo}R01`, channelTradeNo: ids[1]!, amountFen: 10_000n, reason: 'dup' })).toMatchObject({ status: 'SUCCEEDED' });
    expect(rig.control.getOrder(billNo)!.captures.map((c) => c.refunds.length)).toEqual([0, 1]);
  });

  it('chargeButTimeout + noNotify: the cashier says "unknown", the next query times out (UNKNOWN), the one after finds it', async () => {
    rig = await startGenericRig({ code, timeoutMs: 300, apiHangMs: 5_000 });
    const { billNo, html } = await paid(rig, { chargeButTimeout: true, noNotify: true });
    expect(html).toContain('支付结果未知');
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'UNKNOWN' });
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'PAID' });
    expect(await rig.control.deliverDueNotifications()).toBe(0);
  });

  it('apiDown: create is CHANNEL_UNAVAILABLE; query, close, refund and statement are UNKNOWN; nothing is believed', async () => {
    rig = await startGenericRig({ code, timeoutMs: 300, apiHangMs: 5_000 });
    const { billNo } = await rig.create();
    rig.control.setFaults('*', { apiDown: 'error' });
    await expect(rig.create()).rejects.toThrow(/CHANNEL_UNAVAILABLE.*503/);
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'UNKNOWN', reason: expect.stringContaining('503') });
    expect(await rig.adapter.refund({ billNo, refundNo: `${billNo}R01`, channelTradeNo: 'T', amountFen: 1n, reason: 'x' })).toMatchObject({ status: 'UNKNOWN' });
    rig.clock.advance(48 * HOUR);
    expect(await rig.adapter.downloadStatement({ date: '2026-03-15' })).toMatchObject({ status: 'UNKNOWN' });
    rig.control.setFaults('*', { apiDown: 'hang' });
    expect(await rig.adapter.closePayment({ billNo })).toMatchObject({ status: 'UNKNOWN', reason: expect.stringMatching(/timeout|aborted/i) });
  });

  it('captureAfterClose: the provider said closed, then the bank leg landed: notified PAID, and the query says PAID', async () => {
    rig = await startGenericRig({ code });
    const { billNo, payUrl } = await rig.create();
    expect(await rig.adapter.closePayment({ billNo })).toEqual({ status: 'CLOSED' });
    rig.control.setFaults(billNo, { captureAfterClose: true });
    rig.clock.advance(MINUTE);
    expect(await rig.payAtCashier(payUrl)).toContain('支付成功');
    await rig.control.deliverDueNotifications();
    expect(rig.parsed()).toMatchObject([{ ok: true, event: { kind: 'PAID', billNo, amountFen: 10_000n } }]);
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'PAID' });
  });
});

describe('answers the adapter must not believe', () => {
  it('requests signed with an unknown key or for an unknown merchant get unsigned answers → UNKNOWN naming the code', async () => {
    rig = await startGenericRig({ code: 'payease' });
    const wrongKey = rig.adapterWith({ keys: { signType: 'HMAC-SHA256', secret: 'not-the-secret-we-agreed-on' } });
    expect(await wrongKey.queryPayment({ billNo: '202603150000000000001' })).toMatchObject({ status: 'UNKNOWN', reason: expect.stringContaining('SIGN_ERROR') });
    const stranger = rig.adapterWith({ merchantId: '899999999' });
    expect(await stranger.queryPayment({ billNo: '202603150000000000001' })).toMatchObject({ status: 'UNKNOWN', reason: expect.stringContaining('MERCHANT_INVALID') });
    await expect(stranger.createPayment({
      billNo: '202603150000000000001', amountFen: 100n, subject: 's', expiresAt: new Date(rig.clock.now().getTime() + MINUTE), notifyUrl: 'http://x/',
    })).resolves.toMatchObject({ ok: false, code: 'CHANNEL_UNAVAILABLE' });
  });

  it('an RSA merchant does not believe an answer signed by another key (e.g. a look-alike gateway)', async () => {
    rig = await startGenericRig({ code: 'publicpay' });
    const { billNo } = await rig.create();
    const { generateRsaKeyPair } = await import('../alipay/rsa-keys.ts');
    const suspicious = rig.adapterWith({ keys: { signType: 'RSA-SHA256', privateKeyPem: (rig.config.keys as { privateKeyPem: string }).privateKeyPem, peerPublicKeyPem: generateRsaKeyPair().publicKeyPem } });
    expect(await suspicious.queryPayment({ billNo })).toMatchObject({ status: 'UNKNOWN', reason: expect.stringContaining('does not verify') });
  });

  it('a request more than 10 minutes off the provider\'s clock is refused (signed INVALID_PARAM → UNKNOWN)', async () => {
    rig = await startGenericRig({ code: 'publicpay' });
    const { billNo } = await rig.create();
    const { GenericAdapter } = await import('./generic.adapter.ts');
    const { ManualClock } = await import('../../shared/clock.ts');
    const skewed = new GenericAdapter(rig.config, { clock: new ManualClock(new Date(rig.clock.now().getTime() - 11 * MINUTE)) });
    expect(await skewed.queryPayment({ billNo })).toMatchObject({ status: 'UNKNOWN', reason: expect.stringContaining('INVALID_PARAM') });
  });

  it('the QR-only platform refuses another pay type at the protocol level', async () => {
    rig = await startGenericRig({ code: 'publicpay' });
    const { GenericClient } = await import('./generic-client.ts');
    const { createSigner } = await import('./generic-wire.ts');
    const client = new GenericClient({
      profile: rig.profile, merchantId: rig.config.merchantId, signer: createSigner(rig.config.keys, rig.profile.fields.sign),
      baseUrl: rig.gatewayBase, timeoutMs: 3_000, clock: rig.clock, fetch,
    });
    const r = await client.call('create', {
      orderNo: '202603150000000000001', amount: '1.00', subject: 's', notifyUrl: 'http://127.0.0.1/notify', expireTime: '20260315093000', payType: 'H5',
    });
    expect(r).toMatchObject({ ok: true, data: { code: 'INVALID_PARAM', message: expect.stringContaining('仅支持扫码支付') } });
  });
});

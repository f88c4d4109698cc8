import { afterEach, describe, expect, it } from 'vitest';
import { mintMerchantCert } from '../../sandbox/unionpay/unionpay-pki.ts';
import { HOUR, MINUTE } from '../../shared/clock.ts';
import { startUnionpayRig, type UnionpayRig } from './unionpay.test-kit.ts';

/** Each sandbox fault, observed end to end: adapter → sandbox → ExamPay stand-in → adapter. */
let rig: UnionpayRig;
afterEach(async () => { await rig.close(); });

const kinds = (r: UnionpayRig) => r.parsed().map((p) => (p.ok ? p.event.kind : p.reason));
async function paid(r: UnionpayRig, faults: Parameters<UnionpayRig['sbx']['control']['setFaults']>[1] = {}) {
  const { billNo, payUrl } = await r.create();
  const cashier = await r.open(payUrl);
  r.sbx.control.setFaults(billNo, faults);
  return { billNo, ...(await r.payAtCashier(cashier)) };
}

describe('back notifications', () => {
  it('retry after 1, 2, 4, 5 minutes while the answer is not HTTP 200/302, then give up (5 sends)', async () => {
    rig = await startUnionpayRig();
    rig.answer = () => ({ status: 500, body: 'ok' });
    const { billNo } = await paid(rig);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(1);
    for (const wait of [1, 2, 4, 5].map((m) => m * MINUTE)) {
      rig.clock.advance(wait - 1_000);
      expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
      rig.clock.advance(1_000);
      expect(await rig.sbx.control.deliverDueNotifications()).toBe(1);
    }
    rig.clock.advance(24 * HOUR);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
    expect(rig.notifications).toHaveLength(5);
    expect(rig.sbx.control.notifications(billNo)).toMatchObject([{ state: 'GAVE_UP' }]);
    expect(new Set(rig.notifications.map((n) => n.body.toString())).size).toBe(1); // every resend is the same message
  });

  it('HTTP 302 stops the resends as 200 does; the body does not matter', async () => {
    rig = await startUnionpayRig();
    rig.answer = (n) => (rig.notifications.indexOf(n) === 0 ? { status: 404, body: 'ok' } : { status: 302, body: '' });
    const { billNo } = await paid(rig);
    await rig.sbx.control.deliverDueNotifications();
    rig.clock.advance(MINUTE);
    await rig.sbx.control.deliverDueNotifications();
    rig.clock.advance(HOUR);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
    expect(rig.sbx.control.notifications(billNo)).toMatchObject([{ state: 'DELIVERED', attempts: [{ status: 404 }, { status: 302 }] }]);
    expect(rig.adapter.notificationAnswer(true)).toEqual({ status: 200, contentType: 'text/plain; charset=utf-8', body: 'ok' });
    expect(rig.adapter.notificationAnswer(false).status).toBe(400);
  });

  it('noNotify: never notified; the query finds the capture', async () => {
    rig = await startUnionpayRig();
    const { billNo } = await paid(rig, { noNotify: true });
    rig.clock.advance(HOUR);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'PAID', amountFen: 10_000n });
  });

  it('duplicateNotify: the same notification twice, one capture', async () => {
    rig = await startUnionpayRig();
    await paid(rig, { duplicateNotify: true });
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(2);
    const [a, b] = rig.parsed();
    expect(a).toMatchObject({ ok: true, event: { kind: 'PAID' } });
    expect(b).toEqual(a);
    expect(rig.sbx.control.ledger().capturedFen).toBe(10_000n);
  });

  it('lateNotifyMs waits on the clock; notifyBeforeReturn sends before the cashier answers', async () => {
    rig = await startUnionpayRig();
    await paid(rig, { lateNotifyMs: 90_000 });
    rig.clock.advance(89_999);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
    rig.clock.advance(1);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(1);
    await paid(rig, { notifyBeforeReturn: true });
    expect(kinds(rig)).toEqual(['PAID', 'PAID']);
  });
});

describe('money faults', () => {
  it('chargeTwice: two captures with distinct queryIds, each notified; the query names the first', async () => {
    rig = await startUnionpayRig();
    const { billNo } = await paid(rig, { chargeTwice: true });
    await rig.sbx.control.deliverDueNotifications();
    const ids = rig.parsed().map((p) => (p.ok && p.event.kind === 'PAID' ? p.event.channelTradeNo : ''));
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'PAID', channelTradeNo: ids[0] });
    expect(rig.sbx.control.ledger().capturedFen).toBe(20_000n);
    // The second capture can be refunded by its own queryId (PAY-8).
    expect(await rig.adapter.refund({ billNo, refundNo: `${billNo}R01`, channelTradeNo: ids[1]!, amountFen: 10_000n, reason: 'dup' }))
      .toMatchObject({ status: 'SUCCEEDED' });
  });

  it('chargeButTimeout + noNotify: the cashier says "unknown", the next query times out (UNKNOWN), the one after finds it', async () => {
    rig = await startUnionpayRig({ timeoutMs: 300, apiHangMs: 5_000 });
    const { billNo, html, backLink } = await paid(rig, { chargeButTimeout: true, noNotify: true });
    expect(html).toContain('支付结果未知');
    expect(backLink).toBeNull();
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'UNKNOWN' });
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'PAID' });
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
  });

  it('apiDown: query and close are UNKNOWN, nothing is believed', async () => {
    rig = await startUnionpayRig({ timeoutMs: 300, apiHangMs: 5_000 });
    const { billNo, payUrl } = await rig.create();
    await rig.open(payUrl);
    rig.sbx.control.setFaults(billNo, { apiDown: 'error' });
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'UNKNOWN', reason: expect.stringContaining('503') });
    rig.sbx.control.setFaults(billNo, { apiDown: 'hang' });
    expect(await rig.adapter.closePayment({ billNo })).toMatchObject({ status: 'UNKNOWN' });
  });

  it('a request signed with a certificate UnionPay does not know → respCode 11 → UNKNOWN', async () => {
    rig = await startUnionpayRig();
    const { billNo, payUrl } = await rig.create();
    await rig.open(payUrl);
    const stranger = mintMerchantCert(rig.sbx.pki.middle, rig.config.merId, rig.clock.now());
    const unregistered = rig.adapterWith({ signingKeyPem: stranger.keyPem, signingCertPem: stranger.certPem });
    // Same in-memory txnTime store semantics: give this adapter the order's txnTime by sending it once.
    await unregistered.createPayment({ billNo, amountFen: 10_000n, subject: 's', expiresAt: new Date(rig.clock.now().getTime() + 30 * MINUTE), notifyUrl: rig.config.refundNotifyUrl });
    expect(await unregistered.queryPayment({ billNo })).toMatchObject({ status: 'UNKNOWN', reason: expect.stringContaining('respCode 11') });
    expect(await unregistered.refund({ billNo, refundNo: `${billNo}R01`, channelTradeNo: '1', amountFen: 1n, reason: 'x' }))
      .toMatchObject({ status: 'UNKNOWN', reason: expect.stringContaining('respCode 11') });
  });
});

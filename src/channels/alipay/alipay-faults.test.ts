import { afterEach, describe, expect, it } from 'vitest';
import { AlipaySdk } from 'alipay-sdk';
import { HOUR, MINUTE } from '../../shared/clock.ts';
import { startAlipayRig, type AlipayRig } from './alipay.test-kit.ts';

/** Each sandbox fault, observed end to end: adapter → sandbox → notify receiver → adapter. */
let rig: AlipayRig;
afterEach(async () => { await rig.close(); });

const kinds = (r: AlipayRig) => r.parsed().map((p) => (p.ok ? p.event.kind : p.reason));

/** The cashier's pay button, as a browser presses it; returns the page and the "back to merchant" link. */
async function payAtCashier(payUrl: string): Promise<{ html: string; backLink: string | null }> {
  const res = await fetch(`${payUrl}/pay`, { method: 'POST', body: new URLSearchParams({ pay_method: 'debitCardExpress' }), redirect: 'manual' });
  const html = await res.text();
  const m = /<a href="([^"]+)">返回商户/.exec(html);
  return { html, backLink: m ? m[1]!.replaceAll('&amp;', '&') : null };
}

describe('notification faults', () => {
  it('noNotify: the capture is real but never notified; query finds it', async () => {
    rig = await startAlipayRig();
    const { billNo } = await rig.create();
    rig.sbx.control.setFaults(billNo, { noNotify: true });
    await rig.sbx.control.pay(billNo);
    rig.clock.advance(48 * HOUR);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
    expect(rig.receiver.received).toHaveLength(0);
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'PAID', amountFen: 10_000n });
  });

  it('lateNotifyMs: the first attempt waits that long on the clock', async () => {
    rig = await startAlipayRig();
    const { billNo } = await rig.create();
    rig.sbx.control.setFaults(billNo, { lateNotifyMs: 90_000 });
    await rig.sbx.control.pay(billNo);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
    rig.clock.advance(89_999);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
    rig.clock.advance(1);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(1);
    expect(kinds(rig)).toEqual(['PAID']);
  });

  it('duplicateNotify: the same notification (same notify_id and trade_no) arrives twice', async () => {
    rig = await startAlipayRig();
    const { billNo } = await rig.create();
    rig.sbx.control.setFaults(billNo, { duplicateNotify: true });
    await rig.sbx.control.pay(billNo);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(2);
    const [a, b] = rig.parsed();
    expect(a).toMatchObject({ ok: true, event: { kind: 'PAID', billNo } });
    expect(b).toEqual(a);
    expect(rig.sbx.control.ledger().capturedFen).toBe(10_000n);
  });

  it("retries on Alipay's schedule (4m, 10m, 10m, 1h, 2h, 6h, 15h) while the answer is not `success`, then gives up", async () => {
    rig = await startAlipayRig();
    const { billNo } = await rig.create();
    rig.receiver.answer = () => ({ status: 200, body: 'fail' });
    await rig.sbx.control.pay(billNo);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(1);
    for (const wait of [4 * MINUTE, 10 * MINUTE, 10 * MINUTE, HOUR, 2 * HOUR, 6 * HOUR, 15 * HOUR]) {
      rig.clock.advance(wait - 1_000);
      expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
      rig.clock.advance(1_000);
      expect(await rig.sbx.control.deliverDueNotifications()).toBe(1);
    }
    rig.clock.advance(72 * HOUR);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
    expect(rig.receiver.received).toHaveLength(8);
    expect(rig.sbx.control.notifications(billNo)).toMatchObject([{ state: 'GAVE_UP' }]);
    // Every resend carries the same notify_id, freshly signed.
    expect(new Set(rig.parsed().map((p) => (p.ok ? p.event.notifyId : p.reason))).size).toBe(1);
  });

  it('stops after `success`; "SUCCESS", " success" or a 500 do not count', async () => {
    rig = await startAlipayRig();
    const { billNo } = await rig.create();
    const answers = [{ status: 200, body: 'SUCCESS' }, { status: 200, body: ' success' }, { status: 500, body: 'success' }];
    rig.receiver.answer = (n) => answers[n.n - 1] ?? { status: 200, body: 'success' };
    await rig.sbx.control.pay(billNo);
    await rig.sbx.control.deliverDueNotifications();
    for (const wait of [4 * MINUTE, 10 * MINUTE, 10 * MINUTE]) {
      rig.clock.advance(wait);
      expect(await rig.sbx.control.deliverDueNotifications()).toBe(1);
    }
    rig.clock.advance(48 * HOUR);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
    expect(rig.receiver.received).toHaveLength(4);
    expect(rig.sbx.control.notifications(billNo)).toMatchObject([{ state: 'DELIVERED' }]);
  });
});

describe('browser return vs notification order', () => {
  const verifier = (r: AlipayRig) => new AlipaySdk({
    appId: r.config.appId, privateKey: r.config.privateKeyPem, keyType: 'PKCS8', alipayPublicKey: r.config.alipayPublicKeyPem,
  });

  it('by default the browser is sent back first (signed return), the notification follows', async () => {
    rig = await startAlipayRig();
    const { billNo, payUrl } = await rig.create({ returnUrl: 'https://exampay.test/pay/return?x=1' });
    await fetch(payUrl);
    const { backLink } = await payAtCashier(payUrl);
    expect(rig.receiver.received).toHaveLength(0);
    const back = new URL(backLink!);
    expect(back.origin + back.pathname).toBe('https://exampay.test/pay/return');
    const params = Object.fromEntries(back.searchParams);
    expect(params).toMatchObject({ x: '1', out_trade_no: billNo, method: 'alipay.trade.page.pay.return', total_amount: '100.00' });
    const { x: _merchantOwn, ...signed } = params;
    expect(verifier(rig).checkNotifySignV2(signed)).toBe(true);
    expect(verifier(rig).checkNotifySignV2({ ...signed, total_amount: '0.01' })).toBe(false);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(1);
  });

  it('notifyBeforeReturn: the notification has arrived before the cashier sends the browser back', async () => {
    rig = await startAlipayRig();
    const { billNo, payUrl } = await rig.create({ returnUrl: 'https://exampay.test/pay/return' });
    rig.sbx.control.setFaults(billNo, { notifyBeforeReturn: true });
    await fetch(payUrl);
    const { backLink } = await payAtCashier(payUrl);
    expect(backLink).toContain(billNo);
    expect(kinds(rig)).toEqual(['PAID']);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
  });
});

describe('money faults', () => {
  it('chargeButTimeout: captured, the cashier shows an error, the next query times out, later queries report it', async () => {
    rig = await startAlipayRig({ timeoutMs: 400 });
    const { billNo, payUrl } = await rig.create({ returnUrl: 'https://exampay.test/back' });
    rig.sbx.control.setFaults(billNo, { chargeButTimeout: true, noNotify: true });
    await fetch(payUrl);
    const { html, backLink } = await payAtCashier(payUrl);
    expect(html).toContain('支付结果未知 Result unknown');
    expect(backLink).toBeNull();
    expect(rig.sbx.control.ledger().capturedFen).toBe(10_000n);

    const started = Date.now();
    expect(await rig.adapter.closePayment({ billNo })).toMatchObject({ status: 'UNKNOWN', reason: expect.stringMatching(/timeout/i) });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'PAID', amountFen: 10_000n });
    expect(await rig.adapter.closePayment({ billNo })).toMatchObject({ status: 'ALREADY_PAID' });
  });

  it('chargeTwice: two captures with distinct trade_nos, each notified, both in the ledger, each refundable', async () => {
    rig = await startAlipayRig();
    const { billNo } = await rig.create();
    rig.sbx.control.setFaults(billNo, { chargeTwice: true });
    const paid = await rig.sbx.control.pay(billNo);
    expect(paid.ok && paid.captures.length).toBe(2);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(2);
    const events = rig.parsed().map((p) => (p.ok && p.event.kind === 'PAID' ? p.event : null));
    expect(events.every((e) => e?.billNo === billNo && e.amountFen === 10_000n)).toBe(true);
    const [first, second] = events.map((e) => e!.channelTradeNo);
    expect(first).not.toBe(second);
    expect(rig.sbx.control.ledger()).toMatchObject({ capturedFen: 20_000n, merchants: [{ captures: [{}, {}] }] });

    // The duplicate capture is refunded by its own trade_no (PAY-8); the first stays paid.
    expect(await rig.adapter.refund({ billNo, refundNo: 'DUP1', channelTradeNo: second!, amountFen: 10_000n, reason: '重复支付' }))
      .toMatchObject({ status: 'SUCCEEDED' });
    expect(rig.sbx.control.ledger().merchants[0]!.refunds).toMatchObject([{ captureNo: second, amountFen: 10_000n, refundNo: 'DUP1' }]);
    expect(await rig.adapter.queryRefund({ billNo, refundNo: 'DUP1' })).toMatchObject({ status: 'SUCCEEDED' });
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'PAID', channelTradeNo: first });
  });
});

describe('gateway down', () => {
  it("apiDown 'error': 20000 → UNKNOWN / CHANNEL_UNAVAILABLE; other bills unaffected", async () => {
    rig = await startAlipayRig();
    const { billNo } = await rig.create();
    const other = await rig.create();
    rig.sbx.control.setFaults(billNo, { apiDown: 'error' });
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'UNKNOWN', reason: expect.stringContaining('20000') });
    expect(await rig.adapter.queryPayment({ billNo: other.billNo })).toEqual({ status: 'NOT_FOUND' });
    rig.sbx.control.setFaults('*', { apiDown: 'error' });
    await expect(rig.create()).rejects.toThrow(/CHANNEL_UNAVAILABLE/);
    rig.sbx.control.clearFaults();
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'NOT_FOUND' });
  });

  it("apiDown 'hang': the call times out on the adapter's timeout and the sandbox still closes promptly", async () => {
    rig = await startAlipayRig({ timeoutMs: 300, apiHangMs: 30_000 });
    const { billNo } = await rig.create();
    rig.sbx.control.setFaults('*', { apiDown: 'hang' });
    const started = Date.now();
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'UNKNOWN' });
    expect(Date.now() - started).toBeLessThan(3_000);
    const closing = Date.now();
    await rig.close();
    expect(Date.now() - closing).toBeLessThan(3_000);
    rig = { close: async () => {} } as AlipayRig;
  });
});

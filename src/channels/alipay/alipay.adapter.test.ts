import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MINUTE } from '../../shared/clock.ts';
import { AlipayAdapter } from './alipay.adapter.ts';
import { startAlipayRig, type AlipayRig } from './alipay.test-kit.ts';
import { generateRsaKeyPair } from './rsa-keys.ts';

/** The adapter against the sandbox gateway over real HTTP: the ordinary journeys. */
let rig: AlipayRig;
beforeEach(async () => { rig = await startAlipayRig(); });
afterEach(async () => { await rig.close(); });

const fields = (body: Buffer): Record<string, string> => Object.fromEntries(new URLSearchParams(body.toString('utf8')));

describe('create, scan, pay, notify', () => {
  it('before the QR is scanned Alipay has no trade: query and close say NOT_FOUND', async () => {
    const { billNo, payUrl } = await rig.create();
    expect(payUrl).toMatch(new RegExp(`^${rig.sbx.baseUrl}/alipay/cashier/[\\w-]+$`));
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'NOT_FOUND' });
    expect(await rig.adapter.closePayment({ billNo })).toEqual({ status: 'NOT_FOUND' });
    expect(rig.sbx.control.getOrder(billNo)?.state).toBe('CREATED');
  });

  it('opening the cashier is the scan; paying captures; query and the notify report the same capture once', async () => {
    const { billNo, payUrl } = await rig.create();
    const page = await fetch(payUrl);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('¥100.00');
    expect(html).toContain(billNo);
    expect(html).toContain('<svg');
    expect(html).toMatch(/支付 Pay[\s\S]*支付失败 Fail[\s\S]*放弃 Abandon/);
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'WAITING' });

    const paid = await rig.sbx.control.pay(billNo);
    expect(paid.ok).toBe(true);
    const q = await rig.adapter.queryPayment({ billNo });
    expect(q).toMatchObject({ status: 'PAID', billNo, amountFen: 10_000n, paidAt: rig.clock.now() });
    const tradeNo = q.status === 'PAID' ? q.channelTradeNo : '';
    expect(tradeNo).toMatch(/^\d{28}$/);

    expect(rig.receiver.received).toHaveLength(0); // nothing is sent until the dispatcher runs
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(1);
    expect(rig.receiver.received[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded; charset=utf-8');
    expect(rig.parsed()).toEqual([{
      ok: true,
      event: { kind: 'PAID', billNo, channelTradeNo: tradeNo, amountFen: 10_000n, paidAt: rig.clock.now(), notifyId: expect.any(String) },
    }]);
    rig.clock.advance(48 * 60 * MINUTE);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
    expect(rig.receiver.received).toHaveLength(1);
    expect(rig.sbx.control.ledger().capturedFen).toBe(10_000n);
  });

  it('the background timer delivers notifications without anyone calling deliverDueNotifications', async () => {
    const { billNo } = await rig.create();
    await rig.sbx.control.pay(billNo);
    rig.sbx.control.start(20);
    try {
      for (let i = 0; i < 100 && rig.receiver.received.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    } finally {
      await rig.sbx.control.stop();
    }
    expect(rig.parsed()).toMatchObject([{ ok: true, event: { kind: 'PAID', billNo } }]);
  });

  it('createPayment is idempotent while unpaid, refused once paid or when the content changes', async () => {
    const { billNo, payUrl } = await rig.create();
    expect(await rig.create({ billNo })).toEqual({ billNo, payUrl });
    const changed = await rig.adapter.createPayment({
      billNo, amountFen: 9_900n, subject: 'x', expiresAt: new Date(rig.clock.now().getTime() + MINUTE), notifyUrl: rig.receiver.url,
    });
    expect(changed).toMatchObject({ ok: false, code: 'CHANNEL_REJECTED', message: expect.stringContaining('ACQ.CONTEXT_INCONSISTENT') });
    await rig.sbx.control.pay(billNo);
    await expect(rig.create({ billNo })).rejects.toThrow(/TRADE_STATE_INVALID.*ACQ\.TRADE_HAS_SUCCESS/);
  });

  it('close after pay is ALREADY_PAID with the capture, so the caller settles instead', async () => {
    const { billNo } = await rig.create();
    const paid = await rig.sbx.control.pay(billNo);
    const captureNo = paid.ok ? paid.captures[0]!.captureNo : '';
    expect(await rig.adapter.closePayment({ billNo })).toEqual({
      status: 'ALREADY_PAID', billNo, channelTradeNo: captureNo, amountFen: 10_000n, paidAt: rig.clock.now(),
    });
  });

  it('closing a waiting trade closes it, notifies TRADE_CLOSED, and the payer can no longer pay', async () => {
    const { billNo } = await rig.create();
    rig.sbx.control.open(billNo);
    expect(await rig.adapter.closePayment({ billNo })).toEqual({ status: 'CLOSED' });
    expect(await rig.adapter.closePayment({ billNo })).toEqual({ status: 'CLOSED' }); // again: status error → query → closed
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'CLOSED' });
    expect(await rig.sbx.control.pay(billNo)).toMatchObject({ ok: false, reason: 'CLOSED' });
    await rig.sbx.control.deliverDueNotifications();
    expect(rig.parsed()).toEqual([{ ok: true, event: { kind: 'CLOSED', billNo, notifyId: expect.any(String) } }]);
    expect(rig.sbx.control.ledger().capturedFen).toBe(0n);
  });

  it('fail(): nothing captured or notified, the trade keeps waiting and can still be paid', async () => {
    const { billNo } = await rig.create();
    expect(rig.sbx.control.fail(billNo)).toEqual({ ok: true });
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'WAITING' });
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
    rig.sbx.control.abandon(billNo);
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'WAITING' });
    expect((await rig.sbx.control.pay(billNo)).ok).toBe(true);
    expect(rig.sbx.control.getOrder(billNo)).toMatchObject({ state: 'PAID', failedAttempts: 1 });
  });

  it('bankCardOnly: the cashier offers only bank cards and refuses wallet balance', async () => {
    const { billNo, payUrl } = await rig.create({ bankCardOnly: true });
    const html = await (await fetch(payUrl)).text();
    expect(html).not.toContain('账户余额');
    expect(html).not.toContain('花呗');
    expect(html).toContain('储蓄卡快捷');
    expect(await rig.sbx.control.pay(billNo, { method: 'balance' })).toMatchObject({ ok: false, reason: 'METHOD_NOT_ALLOWED' });
    expect((await rig.sbx.control.pay(billNo)).ok).toBe(true);
    await rig.sbx.control.deliverDueNotifications();
    expect(fields(rig.receiver.received[0]!.body).fund_bill_list).toBe('[{"amount":"100.00","fundChannel":"BANKCARD"}]');
  });
});

describe('expiry by the clock (time_expire from expiresAt)', () => {
  it('a scanned trade closes at expiresAt, with a TRADE_CLOSED notify', async () => {
    const { billNo } = await rig.create();
    rig.sbx.control.open(billNo);
    rig.clock.advance(30 * MINUTE - 1_000);
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'WAITING' });
    rig.clock.advance(1_000);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(1);
    expect(rig.parsed()).toMatchObject([{ ok: true, event: { kind: 'CLOSED', billNo } }]);
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'CLOSED' });
    expect(await rig.sbx.control.pay(billNo)).toMatchObject({ ok: false, reason: 'CLOSED' });
  });

  it('an unscanned QR lapses silently: NOT_FOUND, no notify, cannot be paid', async () => {
    const { billNo, payUrl } = await rig.create();
    rig.clock.advance(30 * MINUTE);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'NOT_FOUND' });
    expect(await (await fetch(payUrl)).text()).toContain('交易已关闭 Trade closed');
    expect(await rig.sbx.control.pay(billNo)).toMatchObject({ ok: false, reason: 'CLOSED' });
  });
});

describe('refunds', () => {
  it('idempotent by refundNo, cumulative limit enforced, queryable; refund notifies are not payments', async () => {
    const { billNo } = await rig.create();
    const paid = await rig.sbx.control.pay(billNo);
    const channelTradeNo = paid.ok ? paid.captures[0]!.captureNo : '';
    const refund = (refundNo: string, amountFen: bigint) =>
      rig.adapter.refund({ billNo, refundNo, channelTradeNo, amountFen, reason: '考试取消 sitting cancelled' });

    rig.clock.advance(MINUTE);
    const refundedAt = rig.clock.now();
    expect(await refund('R1', 3_000n)).toEqual({ status: 'SUCCEEDED', refundedAt });
    rig.clock.advance(MINUTE);
    expect(await refund('R1', 3_000n)).toEqual({ status: 'SUCCEEDED', refundedAt }); // fund_change N → query
    expect(rig.sbx.control.ledger().refundedFen).toBe(3_000n);
    expect(await refund('R1', 2_000n)).toMatchObject({ status: 'FAILED', code: 'CHANNEL_REJECTED' });
    expect(await refund('R2', 7_001n)).toMatchObject({ status: 'FAILED', code: 'REFUND_EXCEEDS_PAID' });
    expect(await refund('R3', 7_000n)).toMatchObject({ status: 'SUCCEEDED' });
    expect(await refund('R4', 1n)).toMatchObject({ status: 'FAILED', code: 'REFUND_EXCEEDS_PAID' });
    expect(rig.sbx.control.ledger()).toMatchObject({ capturedFen: 10_000n, refundedFen: 10_000n });

    expect(await rig.adapter.queryRefund({ billNo, refundNo: 'R1' })).toEqual({ status: 'SUCCEEDED', refundedAt });
    expect(await rig.adapter.queryRefund({ billNo, refundNo: 'R2' })).toMatchObject({ status: 'FAILED', code: 'TRADE_NOT_FOUND' });
    // Fully refunded: Alipay says TRADE_CLOSED, but money was captured — still reported as the capture.
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'PAID', channelTradeNo });

    await rig.sbx.control.deliverDueNotifications();
    const raw = rig.receiver.received.map((n) => fields(n.body));
    expect(raw.map((f) => [f.trade_status, f.refund_fee ?? null, f.out_biz_no ?? null])).toEqual([
      ['TRADE_SUCCESS', null, null], ['TRADE_SUCCESS', '30.00', 'R1'], ['TRADE_CLOSED', '100.00', 'R3'],
    ]);
    expect(rig.parsed().map((p) => (p.ok ? p.event.kind : p.reason))).toEqual(['PAID', 'IGNORED', 'IGNORED']);
  });

  it('refunding an unpaid or unknown bill fails with a reason', async () => {
    const { billNo } = await rig.create();
    rig.sbx.control.open(billNo);
    const input = { refundNo: 'R1', channelTradeNo: '', amountFen: 100n, reason: 'x' };
    expect(await rig.adapter.refund({ billNo, ...input })).toMatchObject({ status: 'FAILED', code: 'TRADE_STATE_INVALID' });
    expect(await rig.adapter.refund({ billNo: 'NO_SUCH_BILL', ...input })).toMatchObject({ status: 'FAILED', code: 'TRADE_NOT_FOUND' });
  });
});

describe('keys and transport problems are values, never throws', () => {
  it('a request signed with a key Alipay does not know: isv.invalid-signature → rejected / UNKNOWN', async () => {
    const { billNo } = await rig.create();
    const wrong = rig.adapterWith({ privateKeyPem: generateRsaKeyPair().privateKeyPem });
    expect(await wrong.createPayment({
      billNo: 'X1', amountFen: 1n, subject: 's', expiresAt: new Date(rig.clock.now().getTime() + MINUTE), notifyUrl: rig.receiver.url,
    })).toMatchObject({ ok: false, code: 'CHANNEL_REJECTED', message: expect.stringContaining('isv.invalid-signature') });
    expect(await wrong.queryPayment({ billNo })).toMatchObject({ status: 'UNKNOWN', reason: expect.stringContaining('40002') });
    expect(await wrong.closePayment({ billNo })).toMatchObject({ status: 'UNKNOWN' });
    expect(await wrong.refund({ billNo, refundNo: 'R', channelTradeNo: '', amountFen: 1n, reason: '' })).toMatchObject({ status: 'UNKNOWN' });
    expect(rig.sbx.control.getOrder('X1')).toBeUndefined();
  });

  it('a response whose signature does not verify with the configured Alipay key is UNKNOWN', async () => {
    const { billNo } = await rig.create();
    const other = rig.adapterWith({ alipayPublicKeyPem: generateRsaKeyPair().publicKeyPem });
    expect(await other.queryPayment({ billNo })).toMatchObject({ status: 'UNKNOWN', reason: expect.stringContaining('验签失败') });
  });

  it('an unreachable gateway is UNKNOWN / CHANNEL_UNAVAILABLE', async () => {
    const down = new AlipayAdapter({ ...rig.config, gateway: 'http://127.0.0.1:1/gateway.do' });
    expect(await down.queryPayment({ billNo: 'B' })).toMatchObject({ status: 'UNKNOWN' });
    expect(await down.createPayment({
      billNo: 'B', amountFen: 1n, subject: 's', expiresAt: new Date(Date.now() + MINUTE), notifyUrl: rig.receiver.url,
    })).toMatchObject({ ok: false, code: 'CHANNEL_UNAVAILABLE' });
  });
});

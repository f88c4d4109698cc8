import { afterEach, describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../shared/clock.ts';
import { startGenericRig, type GenericRig } from './generic.test-kit.ts';
import type { GenericChannelCode } from './generic-profile.ts';
import { toWireTime } from './generic-wire.ts';

/** Both generic profiles against the sandbox over real HTTP: the ordinary journeys (seeds 001 and 002). */
let rig: GenericRig;
afterEach(async () => { await rig.close(); });

const paidCapture = async (r: GenericRig, billNo: string) => {
  const q = await r.adapter.queryPayment({ billNo });
  if (q.status !== 'PAID') throw new Error(`not paid: ${q.status}`);
  return q;
};

describe.each<GenericChannelCode>(['publicpay', 'payease'])('%s', (code) => {
  const start = (o: Parameters<typeof startGenericRig>[0] extends infer T ? Partial<T> : never = {}) => startGenericRig({ code, ...o });

  it('create → QR cashier; query WAITING; pay; query PAID; the notify verifies and is acknowledged once', async () => {
    rig = await start();
    const { billNo, payUrl } = await rig.create();
    expect(payUrl.startsWith(`${rig.gatewayBase}/cashier/`)).toBe(true);
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'WAITING' });
    const page = await (await fetch(payUrl)).text();
    expect(page).toContain('¥100.00');
    expect(page).toContain(billNo);
    expect(page).toContain('<svg');
    expect(page).toMatch(/确认支付 Pay[\s\S]*支付失败 Fail[\s\S]*放弃 Abandon/);

    rig.clock.advance(2 * MINUTE);
    expect(await rig.payAtCashier(payUrl)).toContain('支付成功');
    const q = await paidCapture(rig, billNo);
    expect(q).toMatchObject({ billNo, amountFen: 10_000n, paidAt: rig.clock.now() });

    expect(rig.notifications).toHaveLength(0); // nothing is sent until the dispatcher runs
    expect(await rig.control.deliverDueNotifications()).toBe(1);
    expect(rig.notifications[0]!.headers['content-type']).toBe(rig.profile.encoding === 'json' ? 'application/json; charset=utf-8' : 'application/x-www-form-urlencoded; charset=utf-8');
    expect(rig.parsed()).toEqual([{
      ok: true, event: { kind: 'PAID', billNo, channelTradeNo: q.channelTradeNo, amountFen: 10_000n, paidAt: rig.clock.now(), notifyId: `P${q.channelTradeNo}` },
    }]);
    expect(rig.control.notifications(billNo)).toMatchObject([{ state: 'DELIVERED' }]);
    rig.clock.advance(24 * HOUR);
    expect(await rig.control.deliverDueNotifications()).toBe(0);
  });

  it('amounts travel in the profile\'s unit and every field under the profile\'s name', async () => {
    rig = await start();
    const { billNo, payUrl } = await rig.create({ amountFen: 12_345n });
    await rig.payAtCashier(payUrl);
    await rig.control.deliverDueNotifications();
    const raw = rig.notifications[0]!.body.toString();
    const fields = rig.profile.encoding === 'json' ? JSON.parse(raw) as Record<string, string> : Object.fromEntries(new URLSearchParams(raw));
    const f = rig.profile.fields;
    expect(fields[f.amount]).toBe(rig.profile.amountUnit === 'yuan' ? '123.45' : '12345');
    expect(fields[f.orderNo]).toBe(billNo);
    expect(fields[f.merchantId]).toBe(rig.config.merchantId);
    expect(fields[f.sign]).toBeTruthy();
    expect(rig.parsed()[0]).toMatchObject({ ok: true, event: { amountFen: 12_345n } });
  });

  it('duplicateNotify: two deliveries of one notification, one capture, the same event twice', async () => {
    rig = await start();
    const { billNo, payUrl } = await rig.create();
    rig.control.setFaults(billNo, { duplicateNotify: true });
    await rig.payAtCashier(payUrl);
    expect(await rig.control.deliverDueNotifications()).toBe(2);
    const [a, b] = rig.parsed();
    expect(a).toMatchObject({ ok: true, event: { kind: 'PAID' } });
    expect(b).toEqual(a);
    expect(rig.control.ledger().capturedFen).toBe(10_000n);
  });

  it('createPayment is idempotent while unpaid, says TRADE_STATE_INVALID once paid or closed, refuses the same number for another order', async () => {
    rig = await start();
    const expiresAt = new Date(rig.clock.now().getTime() + 30 * MINUTE);
    const first = await rig.create({ expiresAt });
    expect(await rig.create({ billNo: first.billNo, expiresAt })).toEqual(first);
    await expect(rig.create({ billNo: first.billNo, expiresAt, amountFen: 1n })).rejects.toThrow(/CHANNEL_REJECTED.*ORDER_NO_USED/);
    await rig.payAtCashier(first.payUrl);
    await expect(rig.create({ billNo: first.billNo, expiresAt })).rejects.toThrow(/TRADE_STATE_INVALID.*ORDER_PAID/);
    const second = await rig.create();
    expect(await rig.adapter.closePayment({ billNo: second.billNo })).toEqual({ status: 'CLOSED' });
    await expect(rig.create({ billNo: second.billNo })).rejects.toThrow(/TRADE_STATE_INVALID.*ORDER_CLOSED/);
  });

  it('a failed card is not final: WAITING, not notified, and the payer can still pay', async () => {
    rig = await start();
    const { billNo, payUrl } = await rig.create();
    expect(await (await fetch(`${payUrl}/fail`, { method: 'POST' })).text()).toContain('支付失败');
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'WAITING' });
    expect(await rig.control.deliverDueNotifications()).toBe(0);
    expect(await rig.payAtCashier(payUrl)).toContain('支付成功');
  });

  it('close: waiting → CLOSED and the QR stops working; paid → ALREADY_PAID with the capture; unknown → NOT_FOUND', async () => {
    rig = await start();
    const { billNo, payUrl } = await rig.create();
    expect(await rig.adapter.closePayment({ billNo })).toEqual({ status: 'CLOSED' });
    expect(await rig.adapter.closePayment({ billNo })).toEqual({ status: 'CLOSED' }); // again: still closed
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'CLOSED' });
    expect(await rig.payAtCashier(payUrl)).toContain('订单已关闭，无法支付');
    expect(await (await fetch(payUrl)).text()).toContain('二维码失效');

    const paid = await rig.create();
    await rig.payAtCashier(paid.payUrl);
    const { status: _s, ...capture } = await paidCapture(rig, paid.billNo);
    expect(await rig.adapter.closePayment({ billNo: paid.billNo })).toEqual({ status: 'ALREADY_PAID', ...capture });
    expect(await rig.adapter.closePayment({ billNo: '20260315999999999999' })).toEqual({ status: 'NOT_FOUND' });
    expect(await rig.adapter.queryPayment({ billNo: '20260315999999999999' })).toEqual({ status: 'NOT_FOUND' });
  });

  it('the provider closes an order at its expiry time by itself; query says CLOSED; expiry is not notified', async () => {
    rig = await start();
    const { billNo, payUrl } = await rig.create();
    rig.clock.advance(30 * MINUTE);
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'CLOSED' });
    expect(await rig.payAtCashier(payUrl)).toContain('订单已关闭，无法支付');
    expect(await rig.control.deliverDueNotifications()).toBe(0);
  });

  it('refund: accepted (PROCESSING) then confirmed by its own query; idempotent by refund number; partial up to what was paid', async () => {
    rig = await start();
    const { billNo, payUrl } = await rig.create();
    await rig.payAtCashier(payUrl);
    const { channelTradeNo } = await paidCapture(rig, billNo);
    const refund = (refundNo: string, amountFen: bigint, tradeNo = channelTradeNo) =>
      rig.adapter.refund({ billNo, refundNo, channelTradeNo: tradeNo, amountFen, reason: '重复缴费退款' });
    rig.clock.advance(MINUTE);
    expect(await refund(`${billNo}R01`, 6_000n)).toEqual({ status: 'SUCCEEDED', refundedAt: rig.clock.now() });
    expect(await rig.adapter.queryRefund({ billNo, refundNo: `${billNo}R01` })).toEqual({ status: 'SUCCEEDED', refundedAt: rig.clock.now() });
    rig.clock.advance(30 * MINUTE);
    expect(await refund(`${billNo}R01`, 6_000n)).toMatchObject({ status: 'SUCCEEDED' }); // a retry moves no money
    expect(await refund(`${billNo}R01`, 5_000n)).toMatchObject({ status: 'FAILED', code: 'CHANNEL_REJECTED', message: expect.stringContaining('REFUND_NO_USED') });
    expect(await refund(`${billNo}R02`, 4_001n)).toMatchObject({ status: 'FAILED', code: 'REFUND_EXCEEDS_PAID' });
    expect(await refund(`${billNo}R03`, 4_000n)).toMatchObject({ status: 'SUCCEEDED' });
    expect(rig.control.ledger()).toMatchObject({ capturedFen: 10_000n, refundedFen: 10_000n });
    expect(await refund(`${billNo}R04`, 100n, 'NO-SUCH-TRADE')).toMatchObject({ status: 'FAILED', code: 'TRADE_NOT_FOUND' });
    expect(await rig.adapter.queryRefund({ billNo, refundNo: `${billNo}R02` })).toMatchObject({ status: 'FAILED', code: 'TRADE_NOT_FOUND' });
    expect(await refund('R-1', 100n)).toMatchObject({ status: 'FAILED', code: 'CHANNEL_REJECTED' });

    // The provider notifies refunds too: acknowledged, ignored (the refund job asks queryRefund).
    await rig.control.deliverDueNotifications();
    const kinds = rig.parsed().map((p) => (p.ok ? p.event.kind : p.reason));
    expect(kinds).toEqual(['PAID', 'IGNORED', 'IGNORED']);
  });

  it('statement: not ready before 09:00 the next day; then every payment and refund of that Beijing day, nothing of others', async () => {
    rig = await start();
    // 2026-03-15 09:00 Beijing: two payments and one refund today, one payment just after midnight.
    const a = await rig.create();
    await rig.payAtCashier(a.payUrl);
    const b = await rig.create();
    await rig.payAtCashier(b.payUrl);
    const qa = await paidCapture(rig, a.billNo);
    const qb = await paidCapture(rig, b.billNo);
    rig.clock.advance(HOUR);
    await rig.adapter.refund({ billNo: b.billNo, refundNo: `${b.billNo}R01`, channelTradeNo: qb.channelTradeNo, amountFen: 10_000n, reason: 'x' });
    rig.clock.set('2026-03-15T16:00:30Z'); // 00:00:30 on the 16th, Beijing
    const c = await rig.create();
    await rig.payAtCashier(c.payUrl);

    expect(await rig.adapter.downloadStatement({ date: '2026-03-15' })).toEqual({ status: 'NOT_READY' });
    rig.clock.set('2026-03-16T00:59:59Z');
    expect(await rig.adapter.downloadStatement({ date: '2026-03-15' })).toEqual({ status: 'NOT_READY' });
    rig.clock.set('2026-03-16T01:00:00Z');
    const s = await rig.adapter.downloadStatement({ date: '2026-03-15' });
    expect(s).toEqual({
      status: 'READY',
      lines: [
        { kind: 'PAYMENT', billNo: a.billNo, channelTradeNo: qa.channelTradeNo, amountFen: 10_000n, at: qa.paidAt },
        { kind: 'PAYMENT', billNo: b.billNo, channelTradeNo: qb.channelTradeNo, amountFen: 10_000n, at: qb.paidAt },
        { kind: 'REFUND', billNo: b.billNo, channelTradeNo: qb.channelTradeNo, refundNo: `${b.billNo}R01`, amountFen: 10_000n, at: new Date('2026-03-15T02:00:00Z') },
      ],
    });
    rig.clock.set('2026-03-17T01:00:00Z');
    expect(await rig.adapter.downloadStatement({ date: '2026-03-16' })).toMatchObject({ status: 'READY', lines: [{ kind: 'PAYMENT', billNo: c.billNo }] });
    expect(await rig.adapter.downloadStatement({ date: '2026-03-14' })).toEqual({ status: 'READY', lines: [] });
    expect(await rig.adapter.downloadStatement({ date: '2026-02-30' })).toMatchObject({ status: 'UNKNOWN' });
  });

  it('a statement file that does not match its signed digest is not believed', async () => {
    rig = await start();
    const a = await rig.create();
    await rig.payAtCashier(a.payUrl);
    rig.clock.set('2026-03-16T01:00:00Z');
    const tampering = rig.adapterWith({});
    // Change the stored file after the provider signed its digest (a proxy or storage fault).
    const real = rig.dialect.context.statements.set.bind(rig.dialect.context.statements);
    rig.dialect.context.statements.set = (k, v) => real(k, { ...v, file: Buffer.from(v.file.toString().replace('PAYMENT', 'REFUND')) });
    expect(await tampering.downloadStatement({ date: '2026-03-15' })).toEqual({ status: 'UNKNOWN', reason: 'statement file does not match its signed digest' });
  });
});

describe('publicpay: QR only, bank cards only, revoked after 30 minutes (seed 001)', () => {
  it('only bank-card methods are offered, the balances are shown disabled and refused if posted', async () => {
    rig = await startGenericRig({ code: 'publicpay' });
    const { billNo, payUrl } = await rig.create({ bankCardOnly: false }); // the platform does not care what the exam says
    const page = await (await fetch(payUrl)).text();
    expect(page).toContain('不支持“微信零钱、支付宝余额”支付，必须绑定银行卡');
    expect(page).toMatch(/value="WECHAT_BALANCE" disabled/);
    expect(page).toMatch(/value="ALIPAY_BALANCE" disabled/);
    expect(await rig.payAtCashier(payUrl, 'WECHAT_BALANCE')).toContain('不支持此付款方式');
    expect(await rig.payAtCashier(payUrl, 'ALIPAY_BALANCE')).toContain('不支持此付款方式');
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'WAITING' });
    expect(await rig.payAtCashier(payUrl, 'BANK_CARD_WECHAT')).toContain('支付成功');
    expect(rig.control.getOrder(billNo)!.captures[0]!.payMethod).toBe('BANK_CARD_WECHAT');
  });

  it('an order asked for longer than 30 minutes is revoked after 30 all the same', async () => {
    rig = await startGenericRig({ code: 'publicpay' });
    const { billNo } = await rig.create({ expiresAt: new Date(rig.clock.now().getTime() + 2 * HOUR) });
    expect(rig.control.getOrder(billNo)!.expiresAt).toEqual(new Date(rig.clock.now().getTime() + 30 * MINUTE));
    rig.clock.advance(30 * MINUTE);
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'CLOSED' });
  });

  it('works the same with HMAC-SM3 configured instead of RSA-SHA256 (the signing method is configuration)', async () => {
    rig = await startGenericRig({ code: 'publicpay', signType: 'HMAC-SM3' });
    const { billNo, payUrl } = await rig.create();
    await rig.payAtCashier(payUrl);
    await rig.control.deliverDueNotifications();
    expect(rig.parsed()).toMatchObject([{ ok: true, event: { kind: 'PAID', billNo } }]);
    expect((await paidCapture(rig, billNo)).amountFen).toBe(10_000n);
    const raw = Object.fromEntries(new URLSearchParams(rig.notifications[0]!.body.toString()));
    expect(raw.sign_type).toBe('HMAC-SM3');
    expect(raw.sign).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('payease: bank cards only when the exam asks', () => {
  it('without bankCardOnly the balances are offered; with it they are not', async () => {
    rig = await startGenericRig({ code: 'payease' });
    const open = await rig.create();
    expect(await (await fetch(open.payUrl)).text()).not.toMatch(/value="WECHAT_BALANCE" disabled/);
    expect(await rig.payAtCashier(open.payUrl, 'ALIPAY_BALANCE')).toContain('支付成功');
    const cardOnly = await rig.create({ bankCardOnly: true });
    expect(rig.control.getOrder(cardOnly.billNo)!.extra.limitPay).toBe('BANK_CARD');
    expect(await rig.payAtCashier(cardOnly.payUrl, 'ALIPAY_BALANCE')).toContain('不支持此付款方式');
  });

  it('an expiry far ahead is kept (no 30-minute cap at this provider)', async () => {
    rig = await startGenericRig({ code: 'payease' });
    const expiresAt = new Date(rig.clock.now().getTime() + 2 * HOUR);
    const { billNo } = await rig.create({ expiresAt });
    expect(toWireTime(rig.control.getOrder(billNo)!.expiresAt)).toBe(toWireTime(expiresAt));
  });
});

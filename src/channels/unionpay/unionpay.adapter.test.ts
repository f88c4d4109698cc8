import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MINUTE } from '../../shared/clock.ts';
import { fromTraceTime } from './unionpay-sign.ts';
import { startUnionpayRig, type UnionpayRig } from './unionpay.test-kit.ts';

/** The adapter against the sandbox's UnionPay over real HTTP: the ordinary journeys (seed 000). */
let rig: UnionpayRig;
beforeEach(async () => { rig = await startUnionpayRig(); });
afterEach(async () => { await rig.close(); });

describe('pay through the front form and the bank picker', () => {
  it('payUrl is ExamPay\'s form page carrying the signed consume request; no trade exists until the browser posts it', async () => {
    const { billNo, payUrl } = await rig.create();
    expect(payUrl.startsWith(`${rig.merchantBase}/pay/form/unionpay?`)).toBe(true);
    const q = new URL(payUrl).searchParams;
    expect(Object.fromEntries(q)).toMatchObject({
      version: '5.1.0', signMethod: '01', txnType: '01', txnSubType: '01', bizType: '000201', channelType: '07', accessType: '0',
      merId: rig.config.merId, orderId: billNo, txnTime: '20260315090000', txnAmt: '10000', currencyCode: '156', payTimeout: '20260315093000',
      certId: rig.sbx.merchants[0]!.certId,
    });
    const page = await (await fetch(payUrl)).text();
    expect(page).toContain(`action="${rig.sbx.gatewayBase}/gateway/api/frontTransReq.do" method="post"`);
    expect(page).toContain('.submit()');
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'NOT_FOUND' });
    expect(rig.sbx.control.getOrder(billNo)).toBeUndefined();
  });

  it('the form page refuses what is not our signed consume request', async () => {
    const { payUrl } = await rig.create();
    const other = new URL(payUrl);
    other.searchParams.set('merId', '777290058110099');
    expect((await fetch(other)).status).toBe(400);
    const unsigned = new URL(payUrl);
    unsigned.searchParams.delete('signature');
    expect((await fetch(unsigned)).status).toBe(400);
  });

  it('posting the form opens the bank picker; paying with a bank captures; query, back notify and front notify agree', async () => {
    const { billNo, payUrl } = await rig.create();
    const cashier = await rig.open(payUrl);
    const html = await (await fetch(cashier)).text();
    expect(html).toContain('¥100.00');
    expect(html).toContain(billNo);
    expect(html).toMatch(/中国工商银行[\s\S]*中国建设银行/);
    expect(html).toMatch(/支付 Pay[\s\S]*支付失败 Fail[\s\S]*放弃 Abandon/);
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'WAITING' });

    rig.clock.advance(2 * MINUTE);
    const { html: done, backLink } = await rig.payAtCashier(cashier, 'CCB');
    expect(done).toContain('支付成功');
    expect(done).toContain('中国建设银行');
    const q = await rig.adapter.queryPayment({ billNo });
    expect(q).toMatchObject({ status: 'PAID', billNo, amountFen: 10_000n, paidAt: rig.clock.now() });
    const queryId = q.status === 'PAID' ? q.channelTradeNo : '';
    expect(queryId).toMatch(/^\d{21}$/);
    expect(rig.sbx.control.getOrder(billNo)!.captures[0]!.payMethod).toBe('CCB');

    expect(rig.notifications).toHaveLength(0); // nothing is sent until the dispatcher runs
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(1);
    expect(rig.notifications[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    expect(rig.parsed()).toEqual([{
      ok: true, event: { kind: 'PAID', billNo, channelTradeNo: queryId, amountFen: 10_000n, paidAt: rig.clock.now(), notifyId: `01:${queryId}` },
    }]);

    // 返回商户: the browser POSTs the signed front notify to frontUrl; it verifies, but only says which bill.
    const back = await rig.goBack(backLink!);
    expect(back.status).toBe(303);
    const front = rig.frontReturns[0]!;
    expect(front.url).toBe(`/pay/return/unionpay?bill=${billNo}`);
    expect(rig.adapter.readFrontReturn({ body: front.body, headers: front.headers })).toEqual({ ok: true, billNo, respCode: '00' });
    expect(rig.adapter.readFrontReturn({ body: Buffer.from(front.body.toString().replace('txnAmt=10000', 'txnAmt=1')), headers: {} }))
      .toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
    rig.clock.advance(48 * 60 * MINUTE);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
    expect(rig.sbx.control.ledger().capturedFen).toBe(10_000n);
  });

  it('issInsCode-free form offers every bank; the cashier refuses a bank it does not offer', async () => {
    const { billNo, payUrl } = await rig.create();
    await rig.open(payUrl);
    expect(await rig.sbx.control.pay(billNo, { method: 'NOPE' })).toMatchObject({ ok: false, reason: 'METHOD_NOT_ALLOWED' });
    expect((await rig.sbx.control.pay(billNo, { method: 'PSBC' })).ok).toBe(true);
  });

  it('createPayment is stable (same txnTime, same form) while unpaid, and says TRADE_STATE_INVALID once paid', async () => {
    const expiresAt = new Date(rig.clock.now().getTime() + 30 * MINUTE);
    const { billNo, payUrl } = await rig.create({ expiresAt });
    rig.clock.advance(5 * MINUTE);
    expect(await rig.create({ billNo, expiresAt })).toEqual({ billNo, payUrl });
    const cashier = await rig.open(payUrl);
    expect(await rig.open(payUrl)).toBe(cashier); // the same form posted twice is the same order
    await rig.payAtCashier(cashier);
    await expect(rig.create({ billNo, expiresAt })).rejects.toThrow(/TRADE_STATE_INVALID/);
  });

  it('a failed attempt is not final before payTimeout: WAITING, and the payer can still pay', async () => {
    const { billNo, payUrl } = await rig.create();
    const cashier = await rig.open(payUrl);
    const failed = await (await fetch(`${cashier}/fail`, { method: 'POST' })).text();
    expect(failed).toContain('支付失败');
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'WAITING' });
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0); // failures are not notified
    expect((await rig.payAtCashier(cashier)).html).toContain('支付成功');
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'PAID' });
  });
});

describe('close: UnionPay cannot close a gateway order', () => {
  it('payable → UNKNOWN; past payTimeout (+1 min) → CLOSED, and the payer can no longer pay', async () => {
    const { billNo, payUrl } = await rig.create();
    const cashier = await rig.open(payUrl);
    expect(await rig.adapter.closePayment({ billNo })).toMatchObject({ status: 'UNKNOWN', reason: expect.stringContaining('payTimeout') });
    rig.clock.advance(30 * MINUTE);
    expect(await rig.adapter.closePayment({ billNo })).toMatchObject({ status: 'UNKNOWN' }); // within the clock margin
    rig.clock.advance(MINUTE);
    expect(await rig.adapter.closePayment({ billNo })).toEqual({ status: 'CLOSED' });
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'CLOSED' });
    expect((await rig.payAtCashier(cashier)).html).toContain('无法支付');
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0); // expiry is not notified
  });

  it('paid → ALREADY_PAID with the capture, so the caller settles instead', async () => {
    const { billNo, payUrl } = await rig.create();
    await rig.payAtCashier(await rig.open(payUrl));
    const q = await rig.adapter.queryPayment({ billNo });
    expect(q.status).toBe('PAID');
    const { status: _s, ...capture } = q as Extract<typeof q, { status: 'PAID' }>;
    expect(await rig.adapter.closePayment({ billNo })).toEqual({ status: 'ALREADY_PAID', ...capture });
  });

  it('never posted → NOT_FOUND; after payTimeout the form is refused', async () => {
    const { billNo, payUrl } = await rig.create();
    expect(await rig.adapter.closePayment({ billNo })).toEqual({ status: 'NOT_FOUND' });
    expect(await rig.adapter.closePayment({ billNo: '20260315999999999999' })).toEqual({ status: 'NOT_FOUND' });
    rig.clock.advance(30 * MINUTE);
    await expect(rig.open(payUrl)).rejects.toThrow(/400.*payTimeout has passed/s);
  });
});

describe('time fields', () => {
  it('traceTime takes its year from txnTime, across New Year too', () => {
    expect(fromTraceTime('0315090000', new Date('2026-03-15T00:59:00Z'))).toEqual(new Date('2026-03-15T01:00:00Z'));
    expect(fromTraceTime('0101000500', new Date('2026-12-31T15:59:00Z'))).toEqual(new Date('2026-12-31T16:05:00Z'));
    expect(fromTraceTime('1399000000', new Date('2026-03-15T00:00:00Z'))).toBeNull();
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MINUTE } from '../../shared/clock.ts';
import { generateRsaKeyPair } from '../alipay/rsa-keys.ts';
import { WechatpayAdapter } from './wechatpay.adapter.ts';
import { startWechatpayRig, type WechatpayRig } from './wechatpay.test-kit.ts';
import { aesGcmDecrypt } from './wechatpay-wire.ts';

/** The adapter against the sandbox's WeChat Pay over real HTTP: the ordinary journeys. */
let rig: WechatpayRig;
beforeEach(async () => { rig = await startWechatpayRig(); });
afterEach(async () => { await rig.close(); });

const later = (ms: number): Date => new Date(rig.clock.now().getTime() + ms);

describe('create, scan, pay, notify', () => {
  it('a Native order exists at once: NOTPAY (WAITING) before anyone scans; code_url leads to the payment page', async () => {
    const { billNo, payUrl } = await rig.create();
    expect(payUrl).toMatch(new RegExp(`^${rig.sbx.wechatpayBase}/cashier/[\\w-]+$`));
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'WAITING' });
    expect(rig.sbx.control.getOrder(billNo)).toMatchObject({ state: 'CREATED', amountFen: 10_000n, expiresAt: later(30 * MINUTE) });
  });

  it('opening the page is the scan; paying captures; query and the encrypted, signed callback report the same capture', async () => {
    const { billNo, payUrl } = await rig.create();
    const page = await fetch(payUrl);
    const html = await page.text();
    expect(page.status).toBe(200);
    expect(html).toContain('¥100.00');
    expect(html).toContain(billNo);
    expect(html).toContain('<svg');
    expect(html).toMatch(/支付 Pay[\s\S]*支付失败 Fail[\s\S]*放弃 Abandon/);
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'WAITING' });

    expect((await rig.sbx.control.pay(billNo)).ok).toBe(true);
    const q = await rig.adapter.queryPayment({ billNo });
    expect(q).toMatchObject({ status: 'PAID', billNo, amountFen: 10_000n, paidAt: rig.clock.now() });
    const transactionId = q.status === 'PAID' ? q.channelTradeNo : '';
    expect(transactionId).toMatch(/^\d{28}$/);

    expect(rig.receiver.received).toHaveLength(0); // nothing is sent until the dispatcher runs
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(1);
    const got = rig.receiver.received[0]!;
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers).toMatchObject({
      'wechatpay-serial': rig.sbx.platformSerial, 'wechatpay-signature-type': 'WECHATPAY2-SHA256-RSA2048',
      'wechatpay-timestamp': String(rig.clock.now().getTime() / 1000), 'wechatpay-nonce': expect.stringMatching(/^[0-9A-F]{32}$/),
    });
    const envelope = JSON.parse(got.body.toString('utf8'));
    expect(envelope).toMatchObject({
      event_type: 'TRANSACTION.SUCCESS', resource_type: 'encrypt-resource',
      resource: { algorithm: 'AEAD_AES_256_GCM', associated_data: 'transaction', original_type: 'transaction', nonce: expect.stringMatching(/^\w{12}$/) },
    });
    expect(got.body.toString('utf8')).not.toContain(billNo); // the details travel encrypted only
    expect(JSON.parse(aesGcmDecrypt(envelope.resource, rig.config.apiV3Key))).toMatchObject({
      mchid: rig.config.mchid, appid: rig.config.appid, out_trade_no: billNo, transaction_id: transactionId,
      trade_type: 'NATIVE', trade_state: 'SUCCESS', amount: { total: 10_000, currency: 'CNY' },
    });
    expect(rig.parsed()).toEqual([{
      ok: true,
      event: { kind: 'PAID', billNo, channelTradeNo: transactionId, amountFen: 10_000n, paidAt: rig.clock.now(), notifyId: envelope.id },
    }]);
    // The adapter answered 204, which stops WeChat Pay.
    expect(rig.sbx.control.notifications(billNo)).toMatchObject([{ state: 'DELIVERED', attempts: [{ status: 204, accepted: true }] }]);
    rig.clock.advance(48 * 60 * MINUTE);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
    expect(rig.sbx.control.ledger().capturedFen).toBe(10_000n);
  });

  it('createPayment is idempotent while unpaid; other content under the same number, or a paid order, is refused', async () => {
    const { billNo, payUrl } = await rig.create();
    expect(await rig.create({ billNo })).toEqual({ billNo, payUrl });
    const changed = await rig.adapter.createPayment({
      billNo, amountFen: 9_900n, subject: 'x', expiresAt: later(MINUTE * 5), notifyUrl: rig.receiver.url,
    });
    expect(changed).toMatchObject({ ok: false, code: 'CHANNEL_REJECTED', message: expect.stringContaining('OUT_TRADE_NO_USED') });
    await rig.sbx.control.pay(billNo);
    await expect(rig.create({ billNo })).rejects.toThrow(/TRADE_STATE_INVALID.*ORDERPAID/);
  });

  it('close before payment: CLOSED, no callback, the payer can no longer pay; closing again is still CLOSED', async () => {
    const { billNo } = await rig.create();
    expect(await rig.adapter.closePayment({ billNo })).toEqual({ status: 'CLOSED' });
    expect(await rig.adapter.closePayment({ billNo })).toEqual({ status: 'CLOSED' });
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'CLOSED' });
    expect(await rig.sbx.control.pay(billNo)).toMatchObject({ ok: false, reason: 'CLOSED' });
    await expect(rig.create({ billNo })).rejects.toThrow(/TRADE_STATE_INVALID.*ORDER_CLOSED/);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
    expect(rig.sbx.control.ledger().capturedFen).toBe(0n);
  });

  it('close after payment is ALREADY_PAID with the capture, so the caller settles instead', async () => {
    const { billNo } = await rig.create();
    const paid = await rig.sbx.control.pay(billNo);
    const captureNo = paid.ok ? paid.captures[0]!.captureNo : '';
    expect(await rig.adapter.closePayment({ billNo })).toEqual({
      status: 'ALREADY_PAID', billNo, channelTradeNo: captureNo, amountFen: 10_000n, paidAt: rig.clock.now(),
    });
    expect(rig.sbx.control.getOrder(billNo)?.state).toBe('PAID');
  });

  it('an unknown bill is NOT_FOUND for query and close', async () => {
    expect(await rig.adapter.queryPayment({ billNo: '202603150000000000000' })).toEqual({ status: 'NOT_FOUND' });
    expect(await rig.adapter.closePayment({ billNo: '202603150000000000000' })).toEqual({ status: 'NOT_FOUND' });
  });

  it('fail() and abandon: nothing captured or notified, the order keeps waiting and can still be paid', async () => {
    const { billNo } = await rig.create();
    expect(rig.sbx.control.fail(billNo)).toEqual({ ok: true });
    rig.sbx.control.abandon(billNo);
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'WAITING' });
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
    expect((await rig.sbx.control.pay(billNo)).ok).toBe(true);
    expect(rig.sbx.control.getOrder(billNo)).toMatchObject({ state: 'PAID', failedAttempts: 1 });
  });

  it('"bank card only" cannot be honoured by WeChat Pay: refused before any order is made', async () => {
    const r = await rig.adapter.createPayment({
      billNo: '202603150000000000001', amountFen: 100n, subject: 's', expiresAt: later(MINUTE * 5), notifyUrl: rig.receiver.url, bankCardOnly: true,
    });
    expect(r).toMatchObject({ ok: false, code: 'CHANNEL_REJECTED' });
    expect(rig.sbx.control.getOrder('202603150000000000001')).toBeUndefined();
  });
});

describe('expiry by the clock (time_expire from expiresAt, RFC 3339 +08:00)', () => {
  it('the order closes at expiresAt, silently (WeChat Pay notifies payments only), and cannot be paid', async () => {
    const { billNo } = await rig.create();
    rig.sbx.control.open(billNo);
    rig.clock.advance(30 * MINUTE - 1_000);
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'WAITING' });
    rig.clock.advance(1_000);
    expect(await rig.adapter.queryPayment({ billNo })).toEqual({ status: 'CLOSED' });
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
    expect(await rig.sbx.control.pay(billNo)).toMatchObject({ ok: false, reason: 'CLOSED' });
  });
});

describe('refunds', () => {
  it('idempotent by out_refund_no, cumulative limit enforced, queryable; a refunded order still reports its capture', async () => {
    const { billNo } = await rig.create();
    const paid = await rig.sbx.control.pay(billNo);
    const channelTradeNo = paid.ok ? paid.captures[0]!.captureNo : '';
    const refund = (refundNo: string, amountFen: bigint) =>
      rig.adapter.refund({ billNo, refundNo, channelTradeNo, amountFen, reason: '考试取消 sitting cancelled' });

    rig.clock.advance(MINUTE);
    const refundedAt = rig.clock.now();
    expect(await refund('R1', 3_000n)).toEqual({ status: 'SUCCEEDED', refundedAt }); // PROCESSING → query → SUCCESS
    rig.clock.advance(MINUTE);
    expect(await refund('R1', 3_000n)).toEqual({ status: 'SUCCEEDED', refundedAt }); // the same refund, not a second one
    expect(rig.sbx.control.ledger().refundedFen).toBe(3_000n);
    expect(await refund('R1', 2_000n)).toMatchObject({ status: 'FAILED', code: 'CHANNEL_REJECTED' });
    expect(await refund('R2', 7_001n)).toMatchObject({ status: 'FAILED', code: 'REFUND_EXCEEDS_PAID', message: expect.stringContaining('可退金额') });
    expect(await refund('R3', 7_000n)).toMatchObject({ status: 'SUCCEEDED' });
    expect(await refund('R4', 1n)).toMatchObject({ status: 'FAILED', code: 'REFUND_EXCEEDS_PAID' });
    expect(rig.sbx.control.ledger()).toMatchObject({ capturedFen: 10_000n, refundedFen: 10_000n });

    expect(await rig.adapter.queryRefund({ billNo, refundNo: 'R1' })).toEqual({ status: 'SUCCEEDED', refundedAt });
    expect(await rig.adapter.queryRefund({ billNo, refundNo: 'R2' })).toMatchObject({ status: 'FAILED', code: 'TRADE_NOT_FOUND' });
    expect(await rig.adapter.queryRefund({ billNo: 'OTHER', refundNo: 'R1' })).toMatchObject({ status: 'UNKNOWN' });
    // trade_state REFUND: money was captured — still reported as the capture.
    expect(await rig.adapter.queryPayment({ billNo })).toMatchObject({ status: 'PAID', channelTradeNo });
    // The adapter asks for no refund callbacks: only the one payment callback is sent.
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(1);
  });

  it('refunding an unpaid or unknown bill fails with a reason', async () => {
    const { billNo } = await rig.create();
    const input = { refundNo: 'R1', channelTradeNo: '', amountFen: 100n, reason: 'x' };
    expect(await rig.adapter.refund({ billNo, ...input })).toMatchObject({ status: 'FAILED', code: 'TRADE_STATE_INVALID' });
    expect(await rig.adapter.refund({ billNo: '202603150000000000002', ...input })).toMatchObject({ status: 'FAILED', code: 'TRADE_NOT_FOUND' });
  });
});

describe('keys and transport problems are values, never throws', () => {
  it('a request signed with a key WeChat Pay does not know: 401 SIGN_ERROR → UNKNOWN, or rejected for a new order', async () => {
    const { billNo } = await rig.create();
    const wrong = rig.adapterWith({ merchantPrivateKeyPem: generateRsaKeyPair().privateKeyPem });
    expect(await wrong.queryPayment({ billNo })).toMatchObject({ status: 'UNKNOWN', reason: expect.stringContaining('HTTP 401 SIGN_ERROR') });
    expect(await wrong.closePayment({ billNo })).toMatchObject({ status: 'UNKNOWN' });
    expect(await wrong.refund({ billNo, refundNo: 'R', channelTradeNo: '', amountFen: 1n, reason: '' })).toMatchObject({ status: 'UNKNOWN' });
    expect(await wrong.createPayment({
      billNo: '202603150000000000003', amountFen: 1n, subject: 's', expiresAt: later(MINUTE * 5), notifyUrl: rig.receiver.url,
    })).toMatchObject({ ok: false, code: 'CHANNEL_REJECTED', message: expect.stringContaining('SIGN_ERROR') });
    expect(rig.sbx.control.getOrder('202603150000000000003')).toBeUndefined();
    const wrongSerial = rig.adapterWith({ merchantSerial: 'ABCDEF0123456789' });
    expect(await wrongSerial.queryPayment({ billNo })).toMatchObject({ status: 'UNKNOWN', reason: expect.stringContaining('401') });
  });

  it('an answer that does not verify with the configured WeChat Pay key, or under another key id, is UNKNOWN', async () => {
    const { billNo } = await rig.create();
    const otherKey = rig.adapterWith({ platformPublicKeyPem: generateRsaKeyPair().publicKeyPem });
    expect(await otherKey.queryPayment({ billNo })).toMatchObject({ status: 'UNKNOWN', reason: expect.stringContaining('does not verify') });
    // Asking for answers under a key id WeChat Pay does not have is refused (and not trusted either).
    const otherId = rig.adapterWith({ platformSerial: 'PUB_KEY_ID_0000000000000000000000000000000000' });
    expect(await otherId.queryPayment({ billNo })).toMatchObject({ status: 'UNKNOWN' });
  });

  it('an unreachable gateway is UNKNOWN / CHANNEL_UNAVAILABLE', async () => {
    const down = new WechatpayAdapter({ ...rig.config, baseUrl: 'http://127.0.0.1:1/wechatpay' });
    expect(await down.queryPayment({ billNo: 'B00001' })).toMatchObject({ status: 'UNKNOWN' });
    expect(await down.createPayment({
      billNo: 'B00001', amountFen: 1n, subject: 's', expiresAt: later(MINUTE * 5), notifyUrl: rig.receiver.url,
    })).toMatchObject({ ok: false, code: 'CHANNEL_UNAVAILABLE' });
  });
});

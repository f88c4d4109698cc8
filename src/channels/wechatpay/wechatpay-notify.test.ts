import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../shared/clock.ts';
import { privateKeyObject, publicKeyObject } from '../alipay/rsa-keys.ts';
import { WechatpayClient } from './wechatpay-client.ts';
import { startWechatpayRig, type WechatpayRig } from './wechatpay.test-kit.ts';

/** Callbacks end to end: sandbox dispatcher → merchant receiver → adapter, on WeChat Pay's schedule. */
let rig: WechatpayRig;
beforeEach(async () => { rig = await startWechatpayRig(); });
afterEach(async () => { await rig.close(); });

const kinds = (): string[] => rig.parsed().map((p) => (p.ok ? p.event.kind : p.reason));

/** The documented schedule, written out here so a wrong constant in the sandbox fails the test. */
const SCHEDULE = [15_000, 15_000, 30_000, 3 * MINUTE, 10 * MINUTE, 20 * MINUTE, 30 * MINUTE, 30 * MINUTE, 30 * MINUTE,
  HOUR, 3 * HOUR, 3 * HOUR, 3 * HOUR, 6 * HOUR, 6 * HOUR];

describe('delivery and retries', () => {
  it('the schedule adds up to the documented 24 h 4 min', () => {
    expect(SCHEDULE.reduce((a, b) => a + b, 0)).toBe(24 * HOUR + 4 * MINUTE);
  });

  it('retries 15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h while refused, then gives up; each attempt signed afresh', async () => {
    const { billNo } = await rig.create();
    rig.respond = () => ({ status: 500, body: '{"code":"FAIL","message":"失败"}' });
    await rig.sbx.control.pay(billNo);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(1);
    for (const wait of SCHEDULE) {
      rig.clock.advance(wait - 1_000);
      expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
      rig.clock.advance(1_000);
      expect(await rig.sbx.control.deliverDueNotifications()).toBe(1);
    }
    rig.clock.advance(72 * HOUR);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
    expect(rig.receiver.received).toHaveLength(16);
    expect(rig.sbx.control.notifications(billNo)).toMatchObject([{ state: 'GAVE_UP' }]);
    // Same body and notification id every time; a new timestamp, nonce and signature each time,
    // so every attempt verified when it arrived (none was stale).
    expect(new Set(rig.receiver.received.map((n) => n.body.toString('utf8'))).size).toBe(1);
    expect(new Set(rig.receiver.received.map((n) => n.headers['wechatpay-timestamp'])).size).toBe(16);
    expect(new Set(rig.receiver.received.map((n) => n.headers['wechatpay-signature'])).size).toBe(16);
    expect(kinds()).toEqual(Array(16).fill('PAID'));
    expect(new Set(rig.parsed().map((p) => (p.ok ? p.event.notifyId : '')))).toHaveLength(1);
  });

  it('only 200 or 204 stops it: 500, 202, 201 and 400 are retried; 200 with any body counts', async () => {
    const { billNo } = await rig.create();
    const answers = [{ status: 500, body: '' }, { status: 202, body: '' }, { status: 201, body: '' }, { status: 400, body: '{"code":"FAIL"}' }];
    rig.respond = (n) => answers[n.n - 1] ?? { status: 200, body: '{"code":"SUCCESS","message":"成功"}' };
    await rig.sbx.control.pay(billNo);
    await rig.sbx.control.deliverDueNotifications();
    for (const wait of SCHEDULE.slice(0, 4)) {
      rig.clock.advance(wait);
      expect(await rig.sbx.control.deliverDueNotifications()).toBe(1);
    }
    rig.clock.advance(48 * HOUR);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(0);
    expect(rig.receiver.received).toHaveLength(5);
    expect(rig.sbx.control.notifications(billNo)).toMatchObject([{ state: 'DELIVERED' }]);
  });

  it('a merchant that cannot commit answers 500 {"code":"FAIL"}, and WeChat Pay comes back', async () => {
    expect(rig.adapter.notificationAnswer(true)).toEqual({ status: 204, contentType: 'text/plain; charset=utf-8', body: '' });
    const fail = rig.adapter.notificationAnswer(false);
    expect(fail).toMatchObject({ status: 500, contentType: 'application/json; charset=utf-8' });
    expect(JSON.parse(fail.body)).toEqual({ code: 'FAIL', message: '失败' });
    const { billNo } = await rig.create();
    rig.respond = (n) => (n.n === 1 ? { status: fail.status, body: fail.body } : { status: 204, body: '' });
    await rig.sbx.control.pay(billNo);
    await rig.sbx.control.deliverDueNotifications();
    rig.clock.advance(15_000);
    await rig.sbx.control.deliverDueNotifications();
    expect(rig.sbx.control.notifications(billNo)).toMatchObject([{ state: 'DELIVERED', attempts: [{ status: 500 }, { status: 204 }] }]);
  });

  it('duplicateNotify: the same callback arrives twice, each verified, one capture', async () => {
    const { billNo } = await rig.create();
    rig.sbx.control.setFaults(billNo, { duplicateNotify: true });
    await rig.sbx.control.pay(billNo);
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(2);
    const [a, b] = rig.parsed();
    expect(a).toMatchObject({ ok: true, event: { kind: 'PAID', billNo } });
    expect(b).toEqual(a);
    expect(rig.receiver.received[0]!.headers['wechatpay-nonce']).not.toBe(rig.receiver.received[1]!.headers['wechatpay-nonce']);
    expect(rig.sbx.control.ledger().capturedFen).toBe(10_000n);
  });
});

describe('refund callbacks', () => {
  it('REFUND.SUCCESS goes to the refund\'s notify_url, decrypts, and is acknowledged but ignored', async () => {
    const { billNo } = await rig.create();
    const paid = await rig.sbx.control.pay(billNo);
    await rig.sbx.control.deliverDueNotifications();
    const client = new WechatpayClient({
      keys: {
        mchid: rig.config.mchid, merchantPrivateKey: privateKeyObject(rig.config.merchantPrivateKeyPem), merchantSerial: rig.config.merchantSerial,
        platformPublicKey: publicKeyObject(rig.config.platformPublicKeyPem), platformSerial: rig.config.platformSerial,
      },
      baseUrl: rig.config.baseUrl, timeoutMs: 3_000, clock: rig.clock,
    });
    const transactionId = paid.ok ? paid.captures[0]!.captureNo : '';
    const r = await client.request('POST', '/v3/refund/domestic/refunds', {
      transaction_id: transactionId, out_refund_no: 'RF1', notify_url: rig.receiver.url, amount: { refund: 2_500, total: 10_000, currency: 'CNY' },
    });
    expect(r).toMatchObject({ kind: 'ok', data: { status: 'PROCESSING', out_refund_no: 'RF1', out_trade_no: billNo, transaction_id: transactionId } });
    expect(await rig.sbx.control.deliverDueNotifications()).toBe(1);
    expect(JSON.parse(rig.receiver.received[1]!.body.toString('utf8'))).toMatchObject({
      event_type: 'REFUND.SUCCESS', resource: { original_type: 'refund', associated_data: 'refund' },
    });
    expect(rig.parsed()[1]).toMatchObject({
      ok: true, event: { kind: 'IGNORED', billNo, reason: expect.stringContaining('out_refund_no RF1, refund_status SUCCESS') },
    });
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contentToSign, NOTIFY_EXCLUDED, rsa2Sign } from '../../sandbox/alipay/alipay-sign.ts';
import { startAlipayRig, type AlipayRig } from './alipay.test-kit.ts';
import { generateRsaKeyPair, privateKeyObject } from './rsa-keys.ts';

/** Forged and tampered notifications, starting from a genuine one the sandbox sent (PAY-9). */
let rig: AlipayRig;
let genuine: Record<string, string>;
let billNo: string;

beforeAll(async () => {
  rig = await startAlipayRig({ merchantCount: 2 });
  ({ billNo } = await rig.create());
  await rig.sbx.control.pay(billNo);
  await rig.sbx.control.deliverDueNotifications();
  genuine = Object.fromEntries(new URLSearchParams(rig.receiver.received[0]!.body.toString('utf8')));
});
afterAll(async () => { await rig.close(); });

const body = (f: Record<string, string>): Buffer => Buffer.from(new URLSearchParams(f).toString());
const parse = (f: Record<string, string>, adapter = rig.adapter) => adapter.parseNotification({ body: body(f), headers: {} });
/** Signs like Alipay does, with a key of the forger's choosing. */
const signWith = (f: Record<string, string>, privateKeyPem: string): Record<string, string> =>
  ({ ...f, sign: rsa2Sign(contentToSign(f, NOTIFY_EXCLUDED, false), privateKeyObject(privateKeyPem)) });

describe('forged or tampered notifications are rejected', () => {
  it('the genuine one is accepted (control)', () => {
    expect(parse(genuine)).toMatchObject({ ok: true, event: { kind: 'PAID', billNo, amountFen: 10_000n } });
  });

  it('tampered total_amount → BAD_SIGNATURE', () => {
    expect(parse({ ...genuine, total_amount: '0.01' })).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('tampered out_trade_no → BAD_SIGNATURE', () => {
    expect(parse({ ...genuine, out_trade_no: `${billNo.slice(0, -1)}${billNo.endsWith('0') ? '1' : '0'}` })).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('signed with any key but Alipay\'s (e.g. the merchant\'s own, or a fresh one) → BAD_SIGNATURE', () => {
    expect(parse(signWith({ ...genuine, total_amount: '0.01' }, rig.config.privateKeyPem))).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(parse(signWith(genuine, generateRsaKeyPair().privateKeyPem))).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('signed by Alipay but for another app_id → WRONG_MERCHANT', async () => {
    const second = rig.sbx.merchants[1]!;
    const other = rig.adapterWith({ appId: second.appId, sellerId: second.sellerId, privateKeyPem: second.privateKeyPem });
    const theirBill = `${billNo.slice(0, -3)}${billNo.endsWith('999') ? '998' : '999'}`;
    await other.createPayment({
      billNo: theirBill, amountFen: 500n, subject: 'other', expiresAt: new Date(rig.clock.now().getTime() + 60_000), notifyUrl: rig.receiver.url,
    });
    await rig.sbx.control.pay(theirBill);
    await rig.sbx.control.deliverDueNotifications();
    const theirs = Object.fromEntries(new URLSearchParams(rig.receiver.received.at(-1)!.body.toString('utf8')));
    expect(theirs.app_id).toBe(second.appId);
    expect(parse(theirs, other)).toMatchObject({ ok: true, event: { kind: 'PAID', billNo: theirBill } });
    expect(parse(theirs)).toMatchObject({ ok: false, reason: 'WRONG_MERCHANT', detail: expect.stringContaining('app_id') });
  });

  it('signed by Alipay but for another seller_id → WRONG_MERCHANT', () => {
    const otherSeller = rig.adapterWith({ sellerId: '2088999999999999' });
    expect(parse(genuine, otherSeller)).toMatchObject({ ok: false, reason: 'WRONG_MERCHANT', detail: expect.stringContaining('seller_id') });
  });

  it('signed by Alipay with an unparseable amount → MALFORMED, not a throw', () => {
    const alipayKey = rig.sbx.alipayKeys.privateKeyPem;
    expect(parse(signWith({ ...genuine, total_amount: '1e3' }, alipayKey))).toMatchObject({ ok: false, reason: 'MALFORMED' });
    expect(parse(signWith({ ...genuine, trade_status: 'WAIT_BUYER_PAY' }, alipayKey))).toMatchObject({ ok: true, event: { kind: 'IGNORED' } });
  });
});

import type { IncomingHttpHeaders } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE } from '../../shared/clock.ts';
import { generateRsaKeyPair, privateKeyObject } from '../alipay/rsa-keys.ts';
import { startWechatpayRig, type WechatpayRig } from './wechatpay.test-kit.ts';
import { aesGcmDecrypt, aesGcmEncrypt, responseMessage, rsaSign } from './wechatpay-wire.ts';

/** Forged, tampered, stale and replayed callbacks, starting from genuine ones the sandbox sent (PAY-9). */
let rig: WechatpayRig;
let billNo: string;
let body: string;
let headers: IncomingHttpHeaders;
let t0: Date;

beforeAll(async () => {
  rig = await startWechatpayRig({ merchantCount: 2 });
  ({ billNo } = await rig.create());
  await rig.sbx.control.pay(billNo);
  await rig.sbx.control.deliverDueNotifications();
  body = rig.receiver.received[0]!.body.toString('utf8');
  headers = rig.receiver.received[0]!.headers;
  t0 = rig.clock.now();
});
afterEach(() => rig.clock.set(t0));
afterAll(async () => { await rig.close(); });

const parse = (b: string, h: IncomingHttpHeaders = headers, adapter = rig.adapter) =>
  adapter.parseNotification({ body: Buffer.from(b, 'utf8'), headers: h });

/** Signs like WeChat Pay does, with a key of the forger's choosing. */
function signWith(b: string, privateKeyPem: string, at = rig.clock.now(), nonce = 'F0RGED0000000000000000000000000N'): IncomingHttpHeaders {
  const timestamp = String(Math.floor(at.getTime() / 1000));
  return {
    ...headers,
    'wechatpay-timestamp': timestamp,
    'wechatpay-nonce': nonce,
    'wechatpay-signature': rsaSign(responseMessage(timestamp, nonce, Buffer.from(b, 'utf8')), privateKeyObject(privateKeyPem)),
  };
}
const platformKey = (): string => rig.sbx.platformKeys.privateKeyPem;

/** The genuine envelope with its resource decrypted, changed and re-encrypted under `apiV3Key`. */
function withResource(change: (r: Record<string, unknown>) => void, apiV3Key = rig.config.apiV3Key): string {
  const envelope = JSON.parse(body);
  const resource = JSON.parse(aesGcmDecrypt(envelope.resource, rig.config.apiV3Key));
  change(resource);
  envelope.resource.ciphertext = aesGcmEncrypt(JSON.stringify(resource), apiV3Key, envelope.resource.nonce, envelope.resource.associated_data);
  return JSON.stringify(envelope);
}

describe('forged or tampered callbacks are rejected', () => {
  it('the genuine one is accepted (control)', () => {
    expect(parse(body)).toMatchObject({ ok: true, event: { kind: 'PAID', billNo, amountFen: 10_000n } });
  });

  it('signed with any key but WeChat Pay\'s (a fresh one, or the merchant\'s own) → BAD_SIGNATURE', () => {
    expect(parse(body, signWith(body, generateRsaKeyPair().privateKeyPem))).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(parse(body, signWith(body, rig.config.merchantPrivateKeyPem))).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('body changed after signing (one character of the envelope) → BAD_SIGNATURE', () => {
    expect(parse(body.replace('"支付成功"', '"支付成功 "'))).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(parse(`${body} `)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('amount or out_trade_no changed inside the resource, even re-encrypted with the APIv3 key → BAD_SIGNATURE', () => {
    const cheap = withResource((r) => { (r.amount as Record<string, unknown>).total = 1; });
    const other = withResource((r) => { r.out_trade_no = '202603159999999999999'; });
    expect(parse(cheap)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(parse(other)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
    // Only WeChat Pay's key makes them pass: the signature is what guards the content.
    expect(parse(cheap, signWith(cheap, platformKey()))).toMatchObject({ ok: true, event: { amountFen: 1n } });
  });

  it('signed by WeChat Pay for another merchant → WRONG_MERCHANT (mchid); for another app → WRONG_MERCHANT (appid)', async () => {
    const second = rig.adapterWith(rig.configFor(1));
    const theirBill = `${billNo.slice(0, -3)}${billNo.endsWith('999') ? '998' : '999'}`;
    await second.createPayment({ billNo: theirBill, amountFen: 500n, subject: 'other', expiresAt: new Date(rig.clock.now().getTime() + MINUTE * 5), notifyUrl: rig.receiver.url });
    await rig.sbx.control.pay(theirBill);
    await rig.sbx.control.deliverDueNotifications();
    const theirs = rig.receiver.received.at(-1)!;
    const parseTheirs = (adapter = rig.adapter) => adapter.parseNotification({ body: theirs.body, headers: theirs.headers });
    expect(parseTheirs(second)).toMatchObject({ ok: true, event: { kind: 'PAID', billNo: theirBill } });
    expect(parseTheirs()).toMatchObject({ ok: false, reason: 'WRONG_MERCHANT', detail: expect.stringContaining(`mchid ${rig.configFor(1).mchid}`) });
    expect(parse(body, headers, rig.adapterWith({ appid: 'wx0000000000000000' }))).toMatchObject({ ok: false, reason: 'WRONG_MERCHANT', detail: expect.stringContaining('appid') });
  });

  it('missing headers, another key id, a probe signature → BAD_SIGNATURE', () => {
    const { 'wechatpay-signature': _s, ...unsigned } = headers;
    expect(parse(body, unsigned)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(parse(body, { ...headers, 'wechatpay-serial': 'PUB_KEY_ID_0000000000000000000000000000000000' })).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(parse(body, { ...headers, 'wechatpay-signature': 'WECHATPAY/SIGNTEST/7Qm==' })).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('signed by WeChat Pay but not decryptable with our APIv3 key, or not sensible → MALFORMED / IGNORED, never a throw', () => {
    const foreignKey = withResource(() => undefined, 'ZYXWVUTSRQPONMLKJIHGFEDCBA987654');
    expect(parse(foreignKey, signWith(foreignKey, platformKey()))).toMatchObject({ ok: false, reason: 'MALFORMED', detail: expect.stringContaining('APIv3') });
    const garbage = '{"id":"EV-1"';
    expect(parse(garbage, signWith(garbage, platformKey()))).toMatchObject({ ok: false, reason: 'MALFORMED' });
    const fraction = withResource((r) => { (r.amount as Record<string, unknown>).total = 99.5; });
    expect(parse(fraction, signWith(fraction, platformKey()))).toMatchObject({ ok: false, reason: 'MALFORMED' });
    const unpaid = withResource((r) => { r.trade_state = 'NOTPAY'; });
    expect(parse(unpaid, signWith(unpaid, platformKey()))).toMatchObject({ ok: true, event: { kind: 'IGNORED', billNo } });
  });
});

describe('stale and replayed callbacks', () => {
  it('a timestamp more than 5 min from our clock, either way → BAD_SIGNATURE (stale); 5 min exactly is fine', () => {
    rig.clock.advance(5 * MINUTE);
    expect(parse(body)).toMatchObject({ ok: true });
    rig.clock.advance(1_000);
    expect(parse(body)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE', detail: expect.stringContaining('stale') });
    rig.clock.set(t0);
    const future = signWith(body, platformKey(), new Date(t0.getTime() + 6 * MINUTE));
    expect(parse(body, future)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE', detail: expect.stringContaining('stale') });
  });

  it('a replay with a fresh timestamp but the old signature → BAD_SIGNATURE', () => {
    rig.clock.advance(10 * MINUTE);
    const fresh = { ...headers, 'wechatpay-timestamp': String(Math.floor(rig.clock.now().getTime() / 1000)) };
    expect(parse(body, fresh)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE', detail: expect.stringContaining('does not verify') });
  });

  it('a replay inside the 5-minute window verifies and names the same notification: settlement dedupes it', () => {
    rig.clock.advance(2 * MINUTE);
    const again = parse(body);
    expect(again).toEqual(rig.parsed()[0]);
    expect(again).toMatchObject({ ok: true, event: { kind: 'PAID', notifyId: expect.stringMatching(/^EV-/) } });
  });
});

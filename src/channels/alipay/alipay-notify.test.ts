import { describe, expect, it } from 'vitest';
import { AlipayAdapter } from './alipay.adapter.ts';
import { generateRsaKeyPair } from './rsa-keys.ts';

/**
 * The published Alipay notify test vector (alipay-sdk-nodejs-all test/alipay.test.ts, see
 * /work/shared/channels/test-vectors.md): a real 2019 trade notify and Alipay's public key.
 */
const ALIPAY_PUBLIC_KEY = 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAqObrdC7hrgAVM98tK0nv3hSQRGGKT4lBsQjHiGjeYZjOPIPHR5knm2jnnz/YGIXIofVHkA/tAlBAd5DrY7YpvI4tP5EONLtZKC2ghBMx7McI2wRD0xiqzxOQr1FuhZGJ8/AUokBzJrzY+aGX2xcOrxFYRlFilvVLTXg4LWjR1tdPkO6+i7wQZAIVMClPkwVRZEbaERRHlKqTzv2gGv5rDU8gRoe1LeaN+6BlbTqHWkQcNCUNrA8C6l17XAXGKDsm/9TFWwO8EPHHHCaQdjtV5/FdcWIt+L8SR1ss7EXTjYDFtxcKVv9rEoY1lX8T4mX+GbXfZHraG5NCF1+XioL5JwIDAQAB';
const SIGN = 'QfTb8tqE1BMhS5qAnXtvsF3/jBkEvu9q9en0pdbBUDDjvKycZhQb7h8GDs4FKfi049PynaNuatxSgLb/nLWZpXyyh0LEWdK2S6Ri7nPwrVgOs08zugLO20vOQz44y3ti2Ncm8/wZts1Fr2gZ7pShnVX3d1B50hbsXnObT1r/U8ONNQjWXd0HIul4TG+Q3fm3svmSvFEy0WnzuhcyHPX5Gm4ELNctL6Qd5YniGJFNcc7kopHYtI/XD9YCKCH6Ct02rzUs9i11C9CsadtZn+WhxF26Dqt9sGEFajkJ8cxUTLi8+VCpLHsgPE8P0y095uQcDdK0YjCh4x7wVSov+lrmOQ==';
const FIELDS: Record<string, string> = {
  app_id: '2019073166072302',
  auth_app_id: '2019073166072302',
  buyer_id: '2088102534368455',
  buyer_logon_id: 'xud***@126.com',
  buyer_pay_amount: '0.10',
  charset: 'utf-8',
  fund_bill_list: '[{"amount":"0.10","fundChannel":"ALIPAYACCOUNT"}]',
  gmt_create: '2019-08-15 15:56:22',
  gmt_payment: '2019-08-15 15:56:24',
  invoice_amount: '0.10',
  notify_id: '2019081500222155624068450559358070',
  notify_time: '2019-08-15 15:56:25',
  notify_type: 'trade_status_sync',
  out_trade_no: '20190815155618536-564-57',
  point_amount: '0.00',
  receipt_amount: '0.10',
  seller_email: 'z97-yuquerevenue@service.aliyun.com',
  seller_id: '2088531891668739',
  subject: '语雀空间 500人规模',
  total_amount: '0.10',
  trade_no: '2019081522001468450512505578',
  trade_status: 'TRADE_SUCCESS',
  version: '1.0',
};

const ownKeys = generateRsaKeyPair();
const adapterFor = (appId = '2019073166072302', sellerId = '2088531891668739'): AlipayAdapter => new AlipayAdapter({
  appId, sellerId,
  privateKeyPem: ownKeys.privateKeyPem,
  alipayPublicKeyPem: ALIPAY_PUBLIC_KEY,
  gateway: 'http://127.0.0.1:9/gateway.do',
  timeoutMs: 1_000,
});
const form = (fields: Record<string, string>): Buffer =>
  Buffer.from(new URLSearchParams({ ...fields, sign: SIGN, sign_type: 'RSA2' }).toString(), 'utf8');
const parse = (body: Buffer, adapter = adapterFor()) => adapter.parseNotification({ body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });

describe('Alipay notification: the published test vector', () => {
  it('verifies and reads as PAID with amount, Beijing payment time, trade_no and notify_id', () => {
    expect(parse(form(FIELDS))).toEqual({
      ok: true,
      event: {
        kind: 'PAID',
        billNo: '20190815155618536-564-57',
        channelTradeNo: '2019081522001468450512505578',
        amountFen: 10n,
        paidAt: new Date('2019-08-15T07:56:24Z'),
        notifyId: '2019081500222155624068450559358070',
      },
    });
  });

  it('also verifies with the key as a PEM and with %20-encoded spaces', () => {
    const pem = `-----BEGIN PUBLIC KEY-----\n${ALIPAY_PUBLIC_KEY.match(/.{1,64}/g)!.join('\n')}\n-----END PUBLIC KEY-----\n`;
    const adapter = new AlipayAdapter({ ...adapterConfigOf(), alipayPublicKeyPem: pem });
    const body = Buffer.from(form(FIELDS).toString().replaceAll('+', '%20'));
    expect(parse(body, adapter)).toMatchObject({ ok: true, event: { kind: 'PAID' } });
  });

  it.each([
    ['total_amount', '0.11'],
    ['out_trade_no', '20190815155618536-564-58'],
    ['trade_no', '2019081522001468450512505579'],
    ['subject', '语雀空间 501人规模'],
    ['gmt_payment', '2019-08-15 15:56:25'],
    ['trade_status', 'TRADE_FINISHED'],
  ])('a one-character change to %s fails the signature', (field, value) => {
    expect(parse(form({ ...FIELDS, [field]: value }))).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('a one-character change to the signature fails', () => {
    const body = Buffer.from(new URLSearchParams({ ...FIELDS, sign: `A${SIGN.slice(1)}`, sign_type: 'RSA2' }).toString());
    expect(parse(body)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('an added field fails the signature (it would be signed content)', () => {
    expect(parse(form({ ...FIELDS, refund_fee: '0.10' }))).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('refuses sign_type RSA (SHA1) and a missing sign before reading anything', () => {
    const rsa1 = Buffer.from(new URLSearchParams({ ...FIELDS, sign: SIGN, sign_type: 'RSA' }).toString());
    expect(parse(rsa1)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(parse(Buffer.from(new URLSearchParams(FIELDS).toString()))).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('a valid signature for another app or another seller is WRONG_MERCHANT', () => {
    expect(parse(form(FIELDS), adapterFor('2019073166072303'))).toMatchObject({ ok: false, reason: 'WRONG_MERCHANT' });
    expect(parse(form(FIELDS), adapterFor(undefined, '2088531891668738'))).toMatchObject({ ok: false, reason: 'WRONG_MERCHANT' });
  });

  it('a body that is not UTF-8 or repeats a field is MALFORMED', () => {
    expect(parse(Buffer.from([0x61, 0x3d, 0xff, 0xfe]))).toMatchObject({ ok: false, reason: 'MALFORMED' });
    expect(parse(Buffer.from(`${form(FIELDS).toString()}&total_amount=0.10`))).toMatchObject({ ok: false, reason: 'MALFORMED' });
    expect(parse(Buffer.alloc(0))).toMatchObject({ ok: false, reason: 'MALFORMED' });
  });

  it('answers `success` to stop Alipay, anything else to make it retry', () => {
    const a = adapterFor();
    expect(a.notificationAnswer(true)).toEqual({ status: 200, contentType: 'text/plain; charset=utf-8', body: 'success' });
    expect(a.notificationAnswer(false).body).not.toBe('success');
  });
});

function adapterConfigOf() {
  return {
    appId: '2019073166072302', sellerId: '2088531891668739', privateKeyPem: ownKeys.privateKeyPem,
    alipayPublicKeyPem: ALIPAY_PUBLIC_KEY, gateway: 'http://127.0.0.1:9/gateway.do', timeoutMs: 1_000,
  };
}

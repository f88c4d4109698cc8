import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { acpSign, acpVerify, formatAcpResponse, fromAcpTime, parseAcpResponse, stringToSign, toAcpTime } from './unionpay-sign.ts';

/** The ACP message primitives on their own. */
describe('answers (raw key=value text)', () => {
  it('a value opening { or [ runs to its close and may hold & and =', () => {
    expect(parseAcpResponse('a=1&b={x=1&y=2}&c=[1&2]&d=&e=x==')).toEqual({ a: '1', b: '{x=1&y=2}', c: '[1&2]', d: '', e: 'x==' });
  });

  it('round-trips a certificate value with newlines and base64 padding', () => {
    const f = { respCode: '00', signPubKeyCert: '-----BEGIN CERTIFICATE-----\nMIIB+/==\n-----END CERTIFICATE-----\n', signature: 'ab+/==' };
    expect(parseAcpResponse(formatAcpResponse(f))).toEqual({ ...f, signPubKeyCert: f.signPubKeyCert });
  });

  it.each([[''], ['=x'], ['a=1&a=2'], ['a=1&&b=2'], ['novalue']])('refuses %j', (text) => {
    expect(parseAcpResponse(text)).toBeNull();
  });
});

describe('times (yyyyMMddHHmmss, Beijing)', () => {
  it('formats and parses Beijing time; impossible dates are refused', () => {
    expect(toAcpTime(new Date('2026-03-15T16:30:05Z'))).toBe('20260316003005');
    expect(fromAcpTime('20260316003005')).toEqual(new Date('2026-03-15T16:30:05Z'));
    expect(fromAcpTime('20260231120000')).toBeNull();
    expect(fromAcpTime('2026031509000')).toBeNull();
    expect(fromAcpTime(undefined)).toBeNull();
  });
});

describe('signing', () => {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKey = createPublicKey(privateKey);

  it('drops blank fields, sets certId, signs everything but signature', () => {
    const signed = acpSign({ orderId: 'A1234567', frontUrl: '', txnAmt: '1', reqReserved: ' ' }, privateKey, '123');
    expect(Object.keys(signed).sort()).toEqual(['certId', 'orderId', 'signature', 'txnAmt']);
    expect(stringToSign(signed)).toBe('certId=123&orderId=A1234567&txnAmt=1');
    expect(acpVerify(signed, publicKey)).toBe(true);
    expect(acpVerify({ ...signed, txnAmt: '2' }, publicKey)).toBe(false);
    expect(acpVerify({ ...signed, extra: 'x' }, publicKey)).toBe(false);
    expect(acpVerify({ ...signed, signature: 'not base64!' }, publicKey)).toBe(false);
  });
});

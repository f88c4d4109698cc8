import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../shared/clock.ts';
import { generateRsaKeyPair, privateKeyObject, publicKeyObject } from '../alipay/rsa-keys.ts';
import { WechatpayClient } from './wechatpay-client.ts';
import { parseAuthorization, requestMessage, responseMessage, rsaSign, rsaVerify } from './wechatpay-wire.ts';

/**
 * The client against a hand-made server on 127.0.0.1 that answers exactly what each test says,
 * signed or not: which answers are trusted, and what a request carries.
 */
const clock = new ManualClock('2026-03-15T01:00:00Z');
const merchant = generateRsaKeyPair();
const platform = generateRsaKeyPair();
const SERIAL = 'PUB_KEY_ID_0114000000000000000000000000000001';
let server: Server;
let base = '';
let next: { status: number; body: string; sign?: 'platform' | 'other' | 'none'; delayMs?: number; skewMs?: number } = { status: 200, body: '{}' };
let seen: { req: IncomingMessage; body: string } | null = null;

beforeAll(async () => {
  const other = generateRsaKeyPair();
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen = { req, body: Buffer.concat(chunks).toString('utf8') };
      const { status, body, sign = 'platform', delayMs = 0, skewMs = 0 } = next;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (sign !== 'none') {
        const ts = String(Math.floor((clock.now().getTime() + skewMs) / 1000));
        const key = privateKeyObject(sign === 'platform' ? platform.privateKeyPem : other.privateKeyPem);
        Object.assign(headers, {
          'wechatpay-timestamp': ts, 'wechatpay-nonce': 'N0NCE', 'wechatpay-serial': SERIAL,
          'wechatpay-signature': rsaSign(responseMessage(ts, 'N0NCE', Buffer.from(body)), key),
        });
      }
      setTimeout(() => res.writeHead(status, headers).end(status === 204 ? undefined : body), delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/pay-api`;
});
afterAll(async () => { server.closeAllConnections(); await new Promise((r) => server.close(r)); });

const client = (timeoutMs = 2_000) => new WechatpayClient({
  keys: {
    mchid: '1900007291', merchantPrivateKey: privateKeyObject(merchant.privateKeyPem), merchantSerial: 'ABCDEF01',
    platformPublicKey: publicKeyObject(platform.publicKeyPem), platformSerial: SERIAL,
  },
  baseUrl: base, timeoutMs, clock,
});

describe('what a request carries', () => {
  it('an Authorization over the exact path, query and body bytes, our key id, a User-Agent; JSON only with a body', async () => {
    next = { status: 200, body: '{"code_url":"weixin://wxpay/bizpayurl?pr=1"}' };
    await client().request('POST', '/v3/pay/transactions/native', { description: '报名费', amount: { total: 1 } });
    const { req, body } = seen!;
    const auth = parseAuthorization(req.headers.authorization)!;
    expect(auth).toMatchObject({ mchid: '1900007291', serial_no: 'ABCDEF01', timestamp: String(clock.now().getTime() / 1000) });
    expect(body).toBe('{"description":"报名费","amount":{"total":1}}');
    const msg = requestMessage({ method: 'POST', url: '/pay-api/v3/pay/transactions/native', timestamp: auth.timestamp, nonce: auth.nonce_str, body });
    expect(rsaVerify(msg, auth.signature, publicKeyObject(merchant.publicKeyPem))).toBe(true);
    expect(req.headers).toMatchObject({ 'wechatpay-serial': SERIAL, 'content-type': 'application/json', accept: 'application/json', 'user-agent': expect.stringContaining('ExamPay') });

    await client().request('GET', '/v3/pay/transactions/out-trade-no/B%7C1?mchid=1900007291');
    const get = parseAuthorization(seen!.req.headers.authorization)!;
    expect(seen!.req.headers['content-type']).toBeUndefined();
    expect(rsaVerify(requestMessage({ method: 'GET', url: '/pay-api/v3/pay/transactions/out-trade-no/B%7C1?mchid=1900007291', timestamp: get.timestamp, nonce: get.nonce_str, body: '' }),
      get.signature, publicKeyObject(merchant.publicKeyPem))).toBe(true);
  });
});

describe('which answers are trusted', () => {
  it('2xx: only with a signature that verifies under our key id', async () => {
    next = { status: 200, body: '{"a":1}' };
    expect(await client().request('GET', '/v3/x')).toEqual({ kind: 'ok', status: 200, data: { a: 1 } });
    next = { status: 200, body: '{"a":1}', sign: 'none' };
    expect(await client().request('GET', '/v3/x')).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('missing') });
    next = { status: 200, body: '{"a":1}', sign: 'other' };
    expect(await client().request('GET', '/v3/x')).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('does not verify') });
    next = { status: 200, body: 'not json' };
    expect(await client().request('GET', '/v3/x')).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('not JSON') });
    next = { status: 204, body: '' };
    expect(await client().request('POST', '/v3/x/close', {})).toEqual({ kind: 'ok', status: 204, data: {} });
  });

  it('errors: read when unsigned (as the official SDKs do), refused when signed wrongly', async () => {
    const notExist = '{"code":"ORDER_NOT_EXIST","message":"订单不存在"}';
    next = { status: 404, body: notExist, sign: 'none' };
    expect(await client().request('GET', '/v3/x')).toEqual({ kind: 'error', status: 404, code: 'ORDER_NOT_EXIST', message: '订单不存在' });
    next = { status: 404, body: notExist };
    expect(await client().request('GET', '/v3/x')).toMatchObject({ kind: 'error', code: 'ORDER_NOT_EXIST' });
    next = { status: 404, body: notExist, sign: 'other' };
    expect(await client().request('GET', '/v3/x')).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('HTTP 404 ORDER_NOT_EXIST') });
    next = { status: 502, body: '<html>bad gateway</html>', sign: 'none' };
    expect(await client().request('GET', '/v3/x')).toMatchObject({ kind: 'unknown' });
  });

  it('an answer signed more than 5 minutes from our clock is stale; no answer in time is unknown', async () => {
    next = { status: 200, body: '{}', skewMs: -4 * 60_000 };
    expect(await client().request('GET', '/v3/x')).toMatchObject({ kind: 'ok' });
    next = { status: 200, body: '{}', skewMs: -6 * 60_000 };
    expect(await client().request('GET', '/v3/x')).toMatchObject({ kind: 'unknown', reason: expect.stringContaining('stale') });
    next = { status: 200, body: '{}', delayMs: 500 };
    expect(await client(100).request('GET', '/v3/x')).toMatchObject({ kind: 'unknown' });
  });
});

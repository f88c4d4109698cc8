import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRsaKeyPair, privateKeyObject, publicKeyObject } from '../../channels/alipay/rsa-keys.ts';
import { verifyWechatpaySignature } from '../../channels/wechatpay/wechatpay-client.ts';
import { authorizationHeader, requestMessage, rsaSign } from '../../channels/wechatpay/wechatpay-wire.ts';
import { ManualClock, MINUTE } from '../../shared/clock.ts';
import { startWechatpaySandbox, type WechatpayTestSandbox } from './wechatpay-sandbox.test-kit.ts';

/** The sandbox's WeChat Pay gateway at the HTTP level: signatures both ways, error codes, paths. */
let sbx: WechatpayTestSandbox;
const clock = new ManualClock('2026-03-15T01:00:00Z');
beforeAll(async () => { sbx = await startWechatpaySandbox({ clock, merchantCount: 2 }); });
afterAll(async () => { await sbx.close(); });

interface Sent { status: number; json: Record<string, unknown>; text: string; headers: Headers; verified: boolean }

/** A signed request, with hooks to break it: sign other bytes than those sent, another key, other headers. */
async function call(method: 'GET' | 'POST', path: string, body?: unknown, tweak: {
  key?: string; mchid?: string; serial?: string; signedBody?: string; signedPath?: string; headers?: Record<string, string>; noAuth?: boolean;
} = {}): Promise<Sent> {
  const m = sbx.merchants[0]!;
  const url = new URL(`${sbx.wechatpayBase}${path}`);
  const text = body === undefined ? '' : JSON.stringify(body);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const nonce = 'ABCDEF0123456789ABCDEF0123456789';
  const signature = rsaSign(requestMessage({
    method, url: tweak.signedPath ?? `${url.pathname}${url.search}`, timestamp, nonce, body: tweak.signedBody ?? text,
  }), privateKeyObject(tweak.key ?? m.privateKeyPem));
  const headers: Record<string, string> = {
    'user-agent': 'api-test', accept: 'application/json',
    ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    ...(tweak.noAuth ? {} : { authorization: authorizationHeader({ mchid: tweak.mchid ?? m.mchid, nonce_str: nonce, signature, timestamp, serial_no: tweak.serial ?? m.merchantSerial }) }),
    ...tweak.headers,
  };
  const res = await fetch(url, { method, headers, body: body === undefined ? undefined : text });
  const raw = Buffer.from(await res.arrayBuffer());
  const verdict = verifyWechatpaySignature(
    { platformPublicKey: publicKeyObject(sbx.platformKeys.publicKeyPem), platformSerial: sbx.platformSerial },
    (n) => res.headers.get(n) ?? undefined, raw, clock.now(),
  );
  const t = raw.toString('utf8');
  return { status: res.status, text: t, json: t.startsWith('{') ? JSON.parse(t) : {}, headers: res.headers, verified: verdict.ok };
}

const order = (outTradeNo: string, extra: Record<string, unknown> = {}) => ({
  appid: sbx.merchants[0]!.appid, mchid: sbx.merchants[0]!.mchid, description: '大学英语B 报名费', out_trade_no: outTradeNo,
  notify_url: 'https://exampay.test/notify/wechatpay', amount: { total: 8_000, currency: 'CNY' }, ...extra,
});

describe('merchant signatures are checked on every request', () => {
  it('a correctly signed order: 200 {code_url}, signed by WeChat Pay', async () => {
    const r = await call('POST', '/v3/pay/transactions/native', order('API0001'));
    expect(r).toMatchObject({ status: 200, verified: true, json: { code_url: expect.stringContaining('/wechatpay/cashier/') } });
    expect(r.headers.get('request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('401 SIGN_ERROR, unsigned: no Authorization, unknown mchid, wrong serial, another key, other bytes or URL signed', async () => {
    const q = '/v3/pay/transactions/out-trade-no/API0001?mchid=1900007291';
    const cases = [
      await call('GET', q, undefined, { noAuth: true }),
      await call('GET', q, undefined, { mchid: '1234567890' }),
      await call('GET', q, undefined, { serial: 'ABCDEF0123456789' }),
      await call('GET', q, undefined, { key: generateRsaKeyPair().privateKeyPem }),
      await call('GET', q, undefined, { signedPath: '/v3/pay/transactions/out-trade-no/API0001?mchid=1900007292' }),
      await call('POST', '/v3/pay/transactions/native', order('API0002'), { signedBody: JSON.stringify(order('API0002', { amount: { total: 1 } })) }),
    ];
    for (const r of cases) expect(r).toMatchObject({ status: 401, verified: false, json: { code: 'SIGN_ERROR' } });
    expect(cases.every((r) => r.headers.get('wechatpay-signature') === null)).toBe(true);
    expect(sbx.control.getOrder('API0002')).toBeUndefined();
  });

  it('asking for answers under another key id → 400 INVALID_REQUEST; under ours → fine', async () => {
    const q = '/v3/pay/transactions/out-trade-no/API0001?mchid=1900007291';
    expect(await call('GET', q, undefined, { headers: { 'wechatpay-serial': 'PUB_KEY_ID_0000' } })).toMatchObject({ status: 400, json: { code: 'INVALID_REQUEST' } });
    expect(await call('GET', q, undefined, { headers: { 'wechatpay-serial': sbx.platformSerial } })).toMatchObject({ status: 200, verified: true });
  });
});

describe('answers and error codes', () => {
  it('query: NOTPAY before payment, ORDER_NOT_EXIST for unknown numbers, by transaction_id only once paid', async () => {
    await call('POST', '/v3/pay/transactions/native', order('API0003'));
    expect(await call('GET', '/v3/pay/transactions/out-trade-no/API0003?mchid=1900007291')).toMatchObject({
      status: 200, verified: true, json: { out_trade_no: 'API0003', trade_state: 'NOTPAY', mchid: '1900007291' },
    });
    expect(await call('GET', '/v3/pay/transactions/out-trade-no/NOSUCH1?mchid=1900007291')).toMatchObject({ status: 404, verified: true, json: { code: 'ORDER_NOT_EXIST' } });
    expect(await call('GET', '/v3/pay/transactions/out-trade-no/API0003')).toMatchObject({ status: 400, json: { code: 'PARAM_ERROR' } });
    const paid = await sbx.control.pay('API0003');
    const tid = paid.ok ? paid.captures[0]!.captureNo : '';
    expect(await call('GET', `/v3/pay/transactions/id/${tid}?mchid=1900007291`)).toMatchObject({
      status: 200, json: { transaction_id: tid, trade_state: 'SUCCESS', success_time: '2026-03-15T09:00:00+08:00', amount: { total: 8_000 } },
    });
    expect(await call('GET', '/v3/pay/transactions/id/4200000000000000000000000000?mchid=1900007291')).toMatchObject({ status: 404 });
  });

  it('close: 204 No Content, signed over an empty body; closing again ORDER_CLOSED', async () => {
    await call('POST', '/v3/pay/transactions/native', order('API0004'));
    const r = await call('POST', '/v3/pay/transactions/out-trade-no/API0004/close', { mchid: '1900007291' });
    expect(r).toMatchObject({ status: 204, text: '', verified: true });
    expect(await call('POST', '/v3/pay/transactions/out-trade-no/API0004/close', { mchid: '1900007291' })).toMatchObject({ status: 400, json: { code: 'ORDER_CLOSED' } });
  });

  it('bad orders: PARAM_ERROR with a detail, APPID_MCHID_NOT_MATCH, non-JSON content type', async () => {
    expect(await call('POST', '/v3/pay/transactions/native', order('X1'))).toMatchObject({
      status: 400, verified: true, json: { code: 'PARAM_ERROR', detail: { field: '#/out_trade_no', location: 'body' } },
    });
    expect(await call('POST', '/v3/pay/transactions/native', order('API0005', { appid: 'wx1111111111111111' }))).toMatchObject({ status: 400, json: { code: 'APPID_MCHID_NOT_MATCH' } });
    expect(await call('POST', '/v3/pay/transactions/native', order('API0005', { notify_url: 'https://exampay.test/n?x=1' }))).toMatchObject({ status: 400, json: { code: 'PARAM_ERROR' } });
    expect(await call('POST', '/v3/pay/transactions/native', order('API0005', { amount: { total: 1.5 } }))).toMatchObject({ status: 400, json: { code: 'PARAM_ERROR' } });
    expect(await call('POST', '/v3/pay/transactions/native', order('API0005'), { headers: { 'content-type': 'text/plain' } })).toMatchObject({ status: 400, json: { code: 'INVALID_REQUEST' } });
  });

  it('time_expire under a minute away is moved to one minute', async () => {
    const soon = new Date(clock.now().getTime() + 10_000);
    const iso = `${new Date(soon.getTime() + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
    await call('POST', '/v3/pay/transactions/native', order('API0006', { time_expire: iso }));
    expect(sbx.control.getOrder('API0006')?.expiresAt).toEqual(new Date(clock.now().getTime() + MINUTE));
  });

  it('a bill download link works for the merchant it was made for only', async () => {
    clock.set('2026-03-16T03:00:00Z');
    const bill = await call('GET', '/v3/bill/tradebill?bill_date=2026-03-15&bill_type=ALL');
    expect(bill).toMatchObject({ status: 200, verified: true, json: { hash_type: 'SHA1', download_url: expect.stringContaining('/wechatpay/v3/billdownload/file?token=') } });
    const path = new URL(bill.json.download_url as string).pathname.replace('/sandbox/wechatpay', '') + new URL(bill.json.download_url as string).search;
    const mine = await call('GET', path);
    expect(mine.status).toBe(200);
    expect(mine.text).toContain('API0003');
    const second = sbx.merchants[1]!;
    const theirs = await call('GET', path, undefined, { key: second.privateKeyPem, mchid: second.mchid, serial: second.merchantSerial });
    expect(theirs).toMatchObject({ status: 404, json: { code: 'RESOURCE_NOT_EXISTS' } });
    clock.set('2026-03-15T01:00:00Z');
  });

  it('an unknown payment page token is a 404 page', async () => {
    const r = await fetch(`${sbx.wechatpayBase}/cashier/nope`);
    expect(r.status).toBe(404);
    expect(await r.text()).toContain('二维码无效');
  });
});

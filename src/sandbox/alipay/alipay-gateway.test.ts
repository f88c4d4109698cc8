import { createVerify } from 'node:crypto';
import formbody from '@fastify/formbody';
import { AlipaySdk } from 'alipay-sdk';
import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { privateKeyObject } from '../../channels/alipay/rsa-keys.ts';
import { ManualClock, MINUTE } from '../../shared/clock.ts';
import { createSandbox } from '../sandbox.ts';
import { startNotifyReceiver, startTestSandbox, type NotifyReceiver, type TestSandbox } from '../sandbox.test-kit.ts';
import { parseRelativeTimeout } from './alipay-create.handler.ts';
import { contentToSign, REQUEST_EXCLUDED, rsa2Sign } from './alipay-sign.ts';

/** The sandbox's Alipay gateway at the protocol level: raw HTTP, our own signing, and the SDK. */
let clock: ManualClock;
let sbx: TestSandbox;
let receiver: NotifyReceiver;
beforeEach(async () => {
  clock = new ManualClock('2026-03-15T01:00:00Z');
  sbx = await startTestSandbox({ clock });
  receiver = await startNotifyReceiver();
});
afterEach(async () => {
  await receiver.close();
  await sbx.close();
});

const merchant = () => sbx.merchants[0]!;
function signed(method: string, biz: Record<string, unknown>, extra: Record<string, string> = {}, keyPem = merchant().privateKeyPem) {
  const params: Record<string, string> = {
    app_id: merchant().appId, method, charset: 'utf-8', sign_type: 'RSA2', timestamp: '2026-03-15 09:00:00',
    version: '1.0', biz_content: JSON.stringify(biz), ...extra,
  };
  return { ...params, sign: rsa2Sign(contentToSign(params, REQUEST_EXCLUDED, true), privateKeyObject(keyPem)) };
}
async function post(params: Record<string, string>, inQuery: string[] = []): Promise<{ text: string; json: Record<string, Record<string, unknown>> }> {
  const url = new URL(sbx.alipayGateway);
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) (inQuery.includes(k) ? url.searchParams : body).set(k, v);
  const res = await fetch(url, { method: 'POST', body });
  const text = await res.text();
  return { text, json: JSON.parse(text) };
}
const sdk = () => new AlipaySdk({
  appId: merchant().appId, privateKey: merchant().privateKeyPem, keyType: 'PKCS8',
  alipayPublicKey: sbx.alipayKeys.publicKeyPem, gateway: sbx.alipayGateway, camelcase: false,
});

describe('envelope and signatures', () => {
  it('signs the exact raw text of the *_response object with the Alipay key', async () => {
    const { text, json } = await post(signed('alipay.trade.query', { out_trade_no: 'NOPE' }));
    expect(json.alipay_trade_query_response).toMatchObject({ code: '40004', sub_code: 'ACQ.TRADE_NOT_EXIST' });
    const raw = /^\{"alipay_trade_query_response":(\{.*\}),"sign":"[^"]+"\}$/.exec(text)![1]!;
    const ok = (s: string) => createVerify('RSA-SHA256').update(s, 'utf8').verify(sbx.alipayKeys.publicKeyPem, String(json.sign), 'base64');
    expect(ok(raw)).toBe(true);
    expect(ok(raw.replace('40004', '10000'))).toBe(false);
  });

  it('accepts parameters in the query string, the body, or split between them', async () => {
    const p = signed('alipay.trade.query', { out_trade_no: 'NOPE' });
    for (const inQuery of [[], Object.keys(p), ['app_id', 'method', 'sign', 'sign_type', 'timestamp', 'charset', 'version']]) {
      expect((await post(p, inQuery)).json.alipay_trade_query_response!.sub_code).toBe('ACQ.TRADE_NOT_EXIST');
    }
  });

  it.each([
    ['no sign', (p: Record<string, string>) => ({ ...p, sign: '' }), '40001', 'isv.missing-signature'],
    ['unknown app_id', (p: Record<string, string>) => ({ ...p, app_id: '2021999999999999' }), '40002', 'isv.invalid-app-id'],
    ['sign_type RSA', (p: Record<string, string>) => ({ ...p, sign_type: 'RSA' }), '40002', 'isv.invalid-signature-type'],
    ['tampered biz_content', (p: Record<string, string>) => ({ ...p, biz_content: '{"out_trade_no":"NOPE2"}' }), '40002', 'isv.invalid-signature'],
  ])('%s → %s %s', async (_name, change, code, subCode) => {
    const { json } = await post(change(signed('alipay.trade.query', { out_trade_no: 'NOPE' })));
    expect(json.alipay_trade_query_response).toMatchObject({ code, sub_code: subCode });
  });

  it('a wrong key is isv.invalid-signature, echoing the string the gateway verified', async () => {
    const notTheAppKey = sbx.alipayKeys.privateKeyPem;
    const { json } = await post(signed('alipay.trade.query', { out_trade_no: 'NOPE' }, {}, notTheAppKey));
    expect(json.alipay_trade_query_response).toMatchObject({ code: '40002', sub_code: 'isv.invalid-signature' });
    expect(String(json.alipay_trade_query_response!.sub_msg)).toContain(`app_id=${merchant().appId}&biz_content={"out_trade_no":"NOPE"}&charset=utf-8`);
  });

  it('unknown methods and non-JSON biz_content are refused', async () => {
    expect((await post(signed('alipay.trade.nope', {}))).json.alipay_trade_nope_response).toMatchObject({ sub_code: 'isv.invalid-method' });
    const p = signed('alipay.trade.query', {});
    const bad = { ...p, biz_content: '{oops' };
    const resigned = { ...bad, sign: rsa2Sign(contentToSign(bad, REQUEST_EXCLUDED, true), privateKeyObject(merchant().privateKeyPem)) };
    expect((await post(resigned)).json.alipay_trade_query_response).toMatchObject({ sub_code: 'isv.invalid-parameter' });
  });
});

describe('notifications', () => {
  it('are signed over every field except sign and sign_type (as the published vector), not with sign_type', async () => {
    await sdk().exec('alipay.trade.precreate', { notify_url: receiver.url, bizContent: { out_trade_no: 'N1', total_amount: '1.00', subject: '中文 & = +' } });
    await sbx.control.pay('N1');
    await sbx.control.deliverDueNotifications();
    const f = Object.fromEntries(new URLSearchParams(receiver.received[0]!.body.toString('utf8')));
    expect(f).toMatchObject({ sign_type: 'RSA2', subject: '中文 & = +', notify_type: 'trade_status_sync', app_id: merchant().appId });
    const verify = (content: string) => createVerify('RSA-SHA256').update(content, 'utf8').verify(sbx.alipayKeys.publicKeyPem, f.sign!, 'base64');
    const sorted = (exclude: string[]) => Object.keys(f).filter((k) => !exclude.includes(k)).sort().map((k) => `${k}=${f[k]}`).join('&');
    expect(verify(sorted(['sign', 'sign_type']))).toBe(true);
    expect(verify(sorted(['sign']))).toBe(false);
  });
});

describe('order options', () => {
  it('timeout_express counts from creation and closes the scanned trade by the clock', async () => {
    const r = await sdk().exec('alipay.trade.precreate', {
      notify_url: receiver.url,
      bizContent: { out_trade_no: 'T1', total_amount: '8.8', subject: 's', timeout_express: '10m' },
    }, { validateSign: true });
    expect(r.code).toBe('10000');
    expect(sbx.control.getOrder('T1')?.amountFen).toBe(880n);
    expect(sbx.control.open('T1')).toBe(true);
    clock.advance(10 * MINUTE - 1);
    expect((await sdk().exec('alipay.trade.query', { bizContent: { out_trade_no: 'T1' } }, { validateSign: true })).trade_status).toBe('WAIT_BUYER_PAY');
    clock.advance(1);
    expect(await sbx.control.deliverDueNotifications()).toBe(1);
    expect(new URLSearchParams(receiver.received[0]!.body.toString()).get('trade_status')).toBe('TRADE_CLOSED');
    expect((await sdk().exec('alipay.trade.query', { bizContent: { out_trade_no: 'T1' } }, { validateSign: true })).trade_status).toBe('TRADE_CLOSED');
  });

  it('parses relative timeouts, including 1c (the coming Beijing midnight)', () => {
    const from = new Date('2026-03-15T01:00:00Z'); // 09:00 in Beijing
    expect(parseRelativeTimeout('1c', from)).toEqual(new Date('2026-03-15T16:00:00Z'));
    expect(parseRelativeTimeout('90m', from)).toEqual(new Date('2026-03-15T02:30:00Z'));
    expect(parseRelativeTimeout('16d', from)).toBeNull();
    expect(parseRelativeTimeout('1.5h', from)).toBeNull();
  });

  it('enable_pay_channels limits the cashier; with disable_pay_channels too it is refused', async () => {
    const both = await sdk().exec('alipay.trade.precreate', {
      bizContent: { out_trade_no: 'P1', total_amount: '1.00', subject: 's', disable_pay_channels: 'balance', enable_pay_channels: 'debitCardExpress' },
    });
    expect(both).toMatchObject({ code: '40004', sub_code: 'ACQ.INVALID_PARAMETER' });
    const r = await sdk().exec('alipay.trade.precreate', {
      bizContent: { out_trade_no: 'P2', total_amount: '1.00', subject: 's', enable_pay_channels: 'debitCardExpress' },
    });
    expect(sbx.control.getOrder('P2')?.payMethods).toEqual(['debitCardExpress']);
    expect(await (await fetch(String(r.qr_code))).text()).not.toContain('信用卡');
  });
});

describe('alipay.trade.page.pay (browser)', () => {
  it.each(['GET', 'POST'] as const)('%s: gateway → cashier → pay → signed return to return_url', async (how) => {
    const params = {
      returnUrl: 'https://exampay.test/return', notifyUrl: receiver.url,
      bizContent: { outTradeNo: `PG${how}`, productCode: 'FAST_INSTANT_TRADE_PAY', totalAmount: '12.34', subject: '报名费' },
    };
    let res: Response;
    if (how === 'GET') {
      res = await fetch(sdk().pageExecute('alipay.trade.page.pay', 'GET', params), { redirect: 'manual' });
    } else {
      const html = sdk().pageExecute('alipay.trade.page.pay', 'POST', params);
      const action = /action="([^"]+)"/.exec(html)![1]!;
      const fields = [...html.matchAll(/name="([^"]+)" value="([^"]*)"/g)].map((m): [string, string] => [m[1]!, m[2]!.replaceAll('&quot;', '"')]);
      res = await fetch(action, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual' });
    }
    expect(res.status).toBe(302);
    const cashier = res.headers.get('location')!;
    expect(await (await fetch(cashier)).text()).toContain('¥12.34');
    const paid = await (await fetch(`${cashier}/pay`, { method: 'POST', body: new URLSearchParams({ pay_method: 'balance' }) })).text();
    const back = new URL(/<a href="([^"]+)">返回商户/.exec(paid)![1]!.replaceAll('&amp;', '&'));
    expect(back.searchParams.get('out_trade_no')).toBe(`PG${how}`);
    expect(sdk().checkNotifySignV2(Object.fromEntries(back.searchParams))).toBe(true);
    expect(await sbx.control.deliverDueNotifications()).toBe(1);
  });

  it('a page.pay without the right product_code gets an error page, not a cashier', async () => {
    const url = sdk().pageExecute('alipay.trade.page.pay', 'GET', {
      bizContent: { outTradeNo: 'PG3', productCode: 'QUICK_MSECURITY_PAY', totalAmount: '1.00', subject: 's' },
    });
    const res = await fetch(url, { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('ACQ.INVALID_PARAMETER');
    expect(sbx.control.getOrder('PG3')).toBeUndefined();
  });
});

describe('mounting', () => {
  it('works as a plugin under a prefix in a host app that has its own form parser', async () => {
    const host = Fastify();
    await host.register(formbody);
    let base = '';
    const sandbox = await createSandbox({
      clock, publicBaseUrl: () => base,
      alipay: { alipayPrivateKeyPem: sbx.alipayKeys.privateKeyPem, merchants: [{ appId: merchant().appId, sellerId: merchant().sellerId, appPublicKeyPem: merchant().publicKeyPem }] },
    });
    await host.register(sandbox.plugin, { prefix: '/sandbox' });
    host.post('/other', async (req) => req.body);
    await host.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(host.server.address() as AddressInfo).port}/sandbox`;
    try {
      const r = await new AlipaySdk({
        appId: merchant().appId, privateKey: merchant().privateKeyPem, keyType: 'PKCS8',
        alipayPublicKey: sbx.alipayKeys.publicKeyPem, gateway: `${base}/alipay/gateway.do`,
      }).exec('alipay.trade.precreate', { bizContent: { outTradeNo: 'H1', totalAmount: '1.00', subject: 's' } }, { validateSign: true });
      expect(r.qrCode).toMatch(new RegExp(`^${base}/alipay/cashier/`));
      const echoed = await fetch(`${base.replace('/sandbox', '')}/other`, { method: 'POST', body: new URLSearchParams({ a: '1' }) });
      expect(await echoed.json()).toEqual({ a: '1' });
    } finally {
      await host.close();
    }
  });
});

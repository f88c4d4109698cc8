import { createHash, createSign, createVerify, X509Certificate } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acpSign, parseAcpResponse, toAcpTime, type AcpFields } from '../../channels/unionpay/unionpay-sign.ts';
import { ManualClock, MINUTE } from '../../shared/clock.ts';
import { readForm, startUnionpaySandbox, type UnionpayTestSandbox } from './unionpay.test-kit.ts';

/** The sandbox's UnionPay at the protocol level: raw HTTP, hand-made signatures, raw answers. */
let clock: ManualClock;
let sbx: UnionpayTestSandbox;
beforeEach(async () => {
  clock = new ManualClock('2026-03-15T01:00:00Z');
  sbx = await startUnionpaySandbox({ clock, merchantCount: 2, apiHangMs: 300 });
});
afterEach(async () => { await sbx.close(); });

const m = () => sbx.merchants[0]!;
const now = () => toAcpTime(clock.now());
const consume = (orderId: string, extra: AcpFields = {}): AcpFields => ({
  version: '5.1.0', encoding: 'UTF-8', signMethod: '01', txnType: '01', txnSubType: '01', bizType: '000201', channelType: '07',
  accessType: '0', merId: m().merId, orderId, txnTime: now(), txnAmt: '8800', currencyCode: '156',
  backUrl: 'http://127.0.0.1:9/notify', frontUrl: 'http://127.0.0.1:9/return?bill=1', ...extra,
});
const query = (orderId: string, txnTime: string): AcpFields => ({
  version: '5.1.0', encoding: 'UTF-8', signMethod: '01', txnType: '00', txnSubType: '00', bizType: '000201', accessType: '0',
  merId: m().merId, orderId, txnTime,
});
const signed = (f: AcpFields, who = m()): AcpFields => acpSign(f, who.keyPem, who.certId);

async function front(f: AcpFields): Promise<Response> {
  return fetch(`${sbx.gatewayBase}/gateway/api/frontTransReq.do`, { method: 'POST', body: new URLSearchParams(f), redirect: 'manual' });
}
async function back(path: 'queryTrans.do' | 'backTransReq.do', f: AcpFields): Promise<{ text: string; data: AcpFields }> {
  const res = await fetch(`${sbx.gatewayBase}/gateway/api/${path}`, {
    method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' }, body: new URLSearchParams(f),
  });
  const text = await res.text();
  return { text, data: parseAcpResponse(text) ?? {} };
}

describe('signatures (signMethod 01, version 5.1.0)', () => {
  it('accepts a request signed by hand: sorted key=value, SHA-256 hex, SHA256withRSA over the hex', async () => {
    const f: AcpFields = { ...query('NOPE0001', now()), certId: m().certId };
    const text = Object.keys(f).sort().map((k) => `${k}=${f[k]}`).join('&');
    const hex = createHash('sha256').update(text, 'utf8').digest('hex');
    const signature = createSign('RSA-SHA256').update(hex).sign(m().keyPem, 'base64');
    expect((await back('queryTrans.do', { ...f, signature })).data.respCode).toBe('34');
  });

  it('answers raw key=value text signed with signPubKeyCert included; the cert chains to middle and root', async () => {
    const { text, data } = await back('queryTrans.do', signed(query('NOPE0001', now())));
    // Raw, not URL-encoded, with UnionPay's CRLF line breaks (which survive a browser's form post).
    expect(text).toContain('signPubKeyCert=-----BEGIN CERTIFICATE-----\r\n');
    expect(data).toMatchObject({ respCode: '34', version: '5.1.0', signMethod: '01', orderId: 'NOPE0001' });
    const cert = new X509Certificate(data.signPubKeyCert!);
    expect(cert.checkIssued(new X509Certificate(sbx.pki.middle.certPem))).toBe(true);
    expect(cert.subject).toContain('CN=041@Z12@中国银联股份有限公司@00000001');
    expect(data.certId).toBe(BigInt(`0x${cert.serialNumber}`).toString());
    const verify = (exclude: string[], hash = true) => {
      const s = Object.keys(data).filter((k) => !exclude.includes(k)).sort().map((k) => `${k}=${data[k]}`).join('&');
      return createVerify('RSA-SHA256').update(hash ? createHash('sha256').update(s).digest('hex') : s).verify(cert.publicKey, data.signature!, 'base64');
    };
    expect(verify(['signature'])).toBe(true);
    expect(verify(['signature', 'signPubKeyCert'])).toBe(false);
    expect(verify(['signature'], false)).toBe(false);
  });

  it.each([
    ['unknown merId', (f: AcpFields) => signed({ ...f, merId: '777290058119999' }), '31'],
    ['certId not registered for the merchant', (f: AcpFields) => acpSign(f, m().keyPem, sbx.merchants[1]!.certId), '11'],
    ["another merchant's key under this certId", (f: AcpFields) => acpSign(f, sbx.merchants[1]!.keyPem, m().certId), '11'],
    ['a field changed after signing', (f: AcpFields) => ({ ...signed(f), orderId: 'NOPE0002' }), '11'],
    ['version 5.0.0', (f: AcpFields) => signed({ ...f, version: '5.0.0' }), '10'],
    ['no signature', (f: AcpFields) => ({ ...signed(f), signature: '' }), '13'],
  ])('%s → respCode %s', async (_name, change, code) => {
    expect((await back('queryTrans.do', change(query('NOPE0001', now())))).data.respCode).toBe(code);
  });
});

describe('consume (frontTransReq.do) and its query', () => {
  it('opens the bank picker; the trade is found by orderId + the same txnTime, or by queryId', async () => {
    const txnTime = now();
    const res = await front(signed(consume('ORDER0001', { payTimeout: toAcpTime(new Date(clock.now().getTime() + 15 * MINUTE)), reqReserved: 'a|b' })));
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(new RegExp(`^${sbx.baseUrl}/unionpay/cashier/[\\w-]+$`));
    expect((await back('queryTrans.do', signed(query('ORDER0001', txnTime)))).data).toMatchObject({ respCode: '00', origRespCode: '05', reqReserved: 'a|b' });
    const later = toAcpTime(new Date(clock.now().getTime() + 1000));
    expect((await back('queryTrans.do', signed(query('ORDER0001', later)))).data.respCode).toBe('34');
    await sbx.control.pay('ORDER0001', { method: 'BOC' });
    const paid = (await back('queryTrans.do', signed(query('ORDER0001', txnTime)))).data;
    expect(paid).toMatchObject({ respCode: '00', origRespCode: '00', txnAmt: '8800', traceTime: '0315090000', settleDate: '0315' });
    const { orderId: _o, txnTime: _t, ...common } = query('', '');
    const byQueryId = { ...common, queryId: paid.queryId! };
    expect((await back('queryTrans.do', signed(byQueryId))).data).toMatchObject({ respCode: '00', origRespCode: '00', orderId: 'ORDER0001' });
  });

  it('the same orderId with another txnTime or amount is a duplicate (12); the same form again is the same order', async () => {
    const first = signed(consume('ORDER0002'));
    expect((await front(first)).status).toBe(303);
    expect((await front(first)).status).toBe(303);
    clock.advance(1000);
    const again = await front(signed(consume('ORDER0002')));
    expect(again.status).toBe(400);
    expect(await again.text()).toContain('12');
    expect(sbx.core.book.all()).toHaveLength(1);
  });

  it.each([
    ['orderId with a dash', { orderId: 'ORDER-0003' }, 'orderId'],
    ['txnTime two days old', { txnTime: toAcpTime(new Date(Date.parse('2026-03-13T01:00:00Z'))) }, 'txnTime invalid'],
    ['txnAmt in yuan', { txnAmt: '88.00' }, 'txnAmt'],
    ['payTimeout already passed', { payTimeout: '20260315085959' }, 'payTimeout has passed'],
    ['bizType of another product', { bizType: '000301' }, 'bizType'],
  ])('refuses %s', async (_name, change, message) => {
    const res = await front(signed({ ...consume('ORDER0003'), ...change }));
    expect(res.status).toBe(400);
    expect(await res.text()).toContain(message);
  });

  it('issInsCode sends the payer straight to that bank (网银前置)', async () => {
    const res = await front(signed(consume('ORDER0004', { issInsCode: 'ABC' })));
    const html = await (await fetch(res.headers.get('location')!)).text();
    expect(html).toContain('中国农业银行');
    expect(html).not.toContain('中国工商银行');
  });

  it('declined → origRespCode 30 (not final); expired → 01', async () => {
    await front(signed(consume('ORDER0005', { payTimeout: toAcpTime(new Date(clock.now().getTime() + 10 * MINUTE)) })));
    const txnTime = now();
    sbx.control.fail('ORDER0005');
    expect((await back('queryTrans.do', signed(query('ORDER0005', txnTime)))).data.origRespCode).toBe('30');
    clock.advance(10 * MINUTE);
    expect((await back('queryTrans.do', signed(query('ORDER0005', txnTime)))).data.origRespCode).toBe('01');
  });

  it('the front notify page posts the signed result to frontUrl, with its query string kept', async () => {
    await front(signed(consume('ORDER0006')));
    const paid = await sbx.control.pay('ORDER0006');
    const { action, fields } = readForm(await (await fetch(paid.ok ? paid.returnUrl! : '')).text());
    expect(action).toBe('http://127.0.0.1:9/return?bill=1');
    expect(fields).toMatchObject({ orderId: 'ORDER0006', respCode: '00', txnType: '01', merId: m().merId });
  });
});

describe('refund (backTransReq.do, txnType 04)', () => {
  const refundReq = (orderId: string, origQryId: string, txnAmt: string): AcpFields => ({
    version: '5.1.0', encoding: 'UTF-8', signMethod: '01', txnType: '04', txnSubType: '00', bizType: '000201', channelType: '07',
    accessType: '0', merId: m().merId, orderId, txnTime: now(), txnAmt, currencyCode: '156', origQryId, backUrl: 'http://127.0.0.1:9/notify',
  });

  it('a replayed request is a duplicate (12) and moves no money; so is an orderId the consume used', async () => {
    await front(signed(consume('ORDER0010')));
    const txnTime = now();
    await sbx.control.pay('ORDER0010');
    const { queryId } = (await back('queryTrans.do', signed(query('ORDER0010', txnTime)))).data;
    const req = signed(refundReq('REFUND0010', queryId!, '800'));
    const first = (await back('backTransReq.do', req)).data;
    expect(first).toMatchObject({ respCode: '00', origQryId: queryId, orderId: 'REFUND0010' });
    expect(first.queryId).toMatch(/^\d{21}$/);
    expect((await back('backTransReq.do', req)).data).toMatchObject({ respCode: '12' });
    expect((await back('backTransReq.do', signed(refundReq('ORDER0010', queryId!, '800')))).data).toMatchObject({ respCode: '12' });
    expect(sbx.control.ledger().refundedFen).toBe(800n);
    expect((await back('queryTrans.do', signed(query('REFUND0010', req.txnTime!)))).data)
      .toMatchObject({ respCode: '00', origRespCode: '00', queryId: first.queryId, origQryId: queryId, txnAmt: '800' });
  });
});

describe('faults at the gateway', () => {
  it('apiDown error → HTTP 503; hang → held, then 503', async () => {
    sbx.control.setFaults('NOPE0009', { apiDown: 'error' });
    const res = await fetch(`${sbx.gatewayBase}/gateway/api/queryTrans.do`, { method: 'POST', body: new URLSearchParams(signed(query('NOPE0009', now()))) });
    expect(res.status).toBe(503);
    sbx.control.setFaults('NOPE0009', { apiDown: 'hang' });
    const started = Date.now();
    const held = await fetch(`${sbx.gatewayBase}/gateway/api/queryTrans.do`, { method: 'POST', body: new URLSearchParams(signed(query('NOPE0009', now()))) });
    expect(held.status).toBe(503);
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect((await front(signed(consume('NOPE0009')))).status).toBe(503);
  });
});

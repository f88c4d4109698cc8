import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintCertificate, mintUnionpaySandboxPki, UNIONPAY_SIGNING_CN } from '../../sandbox/unionpay/unionpay-pki.ts';
import { MINUTE } from '../../shared/clock.ts';
import { acpSign, certIdOf, type AcpFields } from './unionpay-sign.ts';
import { startUnionpayRig, type UnionpayRig } from './unionpay.test-kit.ts';

/** Forged, tampered and replayed back notifications, starting from a genuine one the sandbox sent (PAY-9). */
let rig: UnionpayRig;
let genuine: AcpFields;
let billNo: string;

beforeAll(async () => {
  rig = await startUnionpayRig({ merchantCount: 2 });
  let payUrl: string;
  ({ billNo, payUrl } = await rig.create());
  await rig.payAtCashier(await rig.open(payUrl));
  await rig.sbx.control.deliverDueNotifications();
  genuine = Object.fromEntries(new URLSearchParams(rig.notifications[0]!.body.toString('utf8')));
});
afterAll(async () => { await rig.close(); });

const body = (f: AcpFields): Buffer => Buffer.from(new URLSearchParams(f).toString());
const parse = (f: AcpFields, adapter = rig.adapter) => adapter.parseNotification({ body: body(f), headers: {} });
/** Signs like UnionPay does, with a key and certificate of the forger's choosing. */
function resign(f: AcpFields, keyPem: string, certPem: string): AcpFields {
  const { signature: _s, ...rest } = f;
  return acpSign({ ...rest, signPubKeyCert: certPem }, keyPem, certIdOf(certPem));
}
const fresh = (cn: string, notBefore: Date, notAfter: Date) =>
  mintCertificate({ subjectCn: cn, ca: false, issuer: rig.sbx.pki.middle, notBefore, notAfter });

describe('forged or tampered notifications are rejected', () => {
  it('the genuine one is accepted, and a replay of it is the same event (settlement deduplicates)', () => {
    const first = parse(genuine);
    expect(first).toMatchObject({ ok: true, event: { kind: 'PAID', billNo, amountFen: 10_000n } });
    expect(parse({ ...genuine })).toEqual(first);
  });

  it.each<[string, AcpFields]>([
    ['txnAmt', { txnAmt: '1' }],
    ['orderId', { orderId: '202603150000000000000' }],
    ['merId', { merId: '777290058110002' }],
    ['respCode', { respCode: '00 ' }],
    ['signPubKeyCert swapped for the middle certificate', { signPubKeyCert: '' }],
  ])('tampered %s → BAD_SIGNATURE', (_name, change) => {
    const changed = { ...genuine, ...change };
    if (change.signPubKeyCert === '') changed.signPubKeyCert = rig.sbx.pki.middle.certPem;
    expect(parse(changed)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it("UnionPay's certificate but another key → BAD_SIGNATURE", () => {
    const forged = resign({ ...genuine, txnAmt: '1' }, rig.sbx.merchants[1]!.keyPem, rig.sbx.pki.signing.certPem);
    expect(parse(forged)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE', detail: expect.stringContaining('signature') });
  });

  it('a look-alike chain (CN 中国银联股份有限公司, not issued by the configured middle) → BAD_SIGNATURE', () => {
    const own = mintUnionpaySandboxPki(rig.clock.now());
    const forged = resign(genuine, own.signing.keyPem, own.signing.certPem);
    expect(parse(forged)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE', detail: expect.stringContaining('chain') });
  });

  it("a certificate of the same CA without UnionPay's CN (e.g. a merchant's own) → BAD_SIGNATURE", () => {
    const merchant = rig.sbx.merchants[1]!;
    expect(parse(resign(genuine, merchant.keyPem, merchant.certPem))).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE', detail: expect.stringContaining('CN') });
    const lookAlike = fresh('041@Z12@中国银联股份有限公司 @00000002', new Date('2026-01-01'), new Date('2027-01-01'));
    expect(parse(resign(genuine, lookAlike.keyPem, lookAlike.certPem))).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('UnionPay certificates are checked for validity now; any valid one of theirs is accepted', () => {
    const expired = fresh(UNIONPAY_SIGNING_CN, new Date('2020-01-01'), new Date('2025-01-01'));
    expect(parse(resign(genuine, expired.keyPem, expired.certPem))).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE', detail: expect.stringContaining('not valid now') });
    const renewed = fresh(UNIONPAY_SIGNING_CN, new Date('2026-01-01'), new Date('2031-01-01'));
    expect(parse(resign(genuine, renewed.keyPem, renewed.certPem))).toMatchObject({ ok: true, event: { kind: 'PAID', billNo } });
  });

  it('signMethod 11 (secure-key scheme) or version 5.0.0, even validly signed → BAD_SIGNATURE', () => {
    const { keyPem, certPem } = rig.sbx.pki.signing;
    expect(parse(resign({ ...genuine, signMethod: '11' }, keyPem, certPem))).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
    expect(parse(resign({ ...genuine, version: '5.0.0' }, keyPem, certPem))).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('signed by UnionPay for another merId → WRONG_MERCHANT; that merchant accepts it', async () => {
    const second = rig.sbx.merchants[1]!;
    const other = rig.adapterWith({ merId: second.merId, signingKeyPem: second.keyPem, signingCertPem: second.certPem });
    const theirBill = `${billNo.slice(0, -3)}${billNo.endsWith('999') ? '998' : '999'}`;
    const r = await other.createPayment({
      billNo: theirBill, amountFen: 500n, subject: 'other', expiresAt: new Date(rig.clock.now().getTime() + MINUTE),
      notifyUrl: `${rig.merchantBase}/notify/unionpay`,
    });
    await rig.payAtCashier(await rig.open(r.ok ? r.payUrl : '', other));
    await rig.sbx.control.deliverDueNotifications();
    const theirs = Object.fromEntries(new URLSearchParams(rig.notifications.at(-1)!.body.toString('utf8')));
    expect(theirs.merId).toBe(second.merId);
    expect(parse(theirs, other)).toMatchObject({ ok: true, event: { kind: 'PAID', billNo: theirBill, amountFen: 500n } });
    expect(parse(theirs)).toMatchObject({ ok: false, reason: 'WRONG_MERCHANT', detail: expect.stringContaining('merId') });
  });

  it('malformed bodies and signed oddities are values, not throws', () => {
    const { keyPem, certPem } = rig.sbx.pki.signing;
    expect(rig.adapter.parseNotification({ body: Buffer.from(`${body(genuine).toString()}&txnAmt=1`), headers: {} })).toMatchObject({ ok: false, reason: 'MALFORMED' });
    expect(rig.adapter.parseNotification({ body: Buffer.from([0xff, 0xfe, 0x3d]), headers: {} })).toMatchObject({ ok: false, reason: 'MALFORMED' });
    expect(parse(resign({ ...genuine, txnAmt: '88.00' }, keyPem, certPem))).toMatchObject({ ok: false, reason: 'MALFORMED' });
    expect(parse(resign({ ...genuine, respCode: '01' }, keyPem, certPem))).toMatchObject({ ok: true, event: { kind: 'IGNORED', billNo } });
  });
});

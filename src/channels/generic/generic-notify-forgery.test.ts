import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRsaKeyPair } from '../alipay/rsa-keys.ts';
import { startGenericRig, type GenericRig } from './generic.test-kit.ts';
import type { GenericChannelCode } from './generic-profile.ts';
import { canonicalString, createSigner, fromWire, signMessage, type Logical, type WireFields } from './generic-wire.ts';

/** Forged, tampered and replayed notifications, starting from a genuine one the sandbox sent (PAY-9). */
describe.each<GenericChannelCode>(['publicpay', 'payease'])('%s', (code) => {
  let rig: GenericRig;
  let genuine: WireFields;
  let billNo: string;
  beforeAll(async () => {
    rig = await startGenericRig({ code, merchantCount: 2 });
    let payUrl: string;
    ({ billNo, payUrl } = await rig.create());
    await rig.payAtCashier(payUrl);
    await rig.control.deliverDueNotifications();
    const raw = rig.notifications[0]!.body.toString('utf8');
    genuine = rig.profile.encoding === 'json' ? JSON.parse(raw) as WireFields : Object.fromEntries(new URLSearchParams(raw));
  });
  afterAll(async () => { await rig.close(); });

  const f = () => rig.profile.fields;
  const parse = (fields: WireFields, adapter = rig.adapter) => adapter.parseNotification({ body: rig.body(fields), headers: {} });
  /** What the genuine notification reports, without its envelope (merchant, time, nonce, signature). */
  const content = (): Logical => {
    const { merchantId: _m, timestamp: _t, nonce: _n, signType: _st, sign: _s, ...rest } = fromWire(rig.profile, genuine);
    return rest;
  };

  it('the genuine one is accepted, and a replay is the same event (settlement deduplicates on the trade number)', () => {
    const first = parse(genuine);
    expect(first).toMatchObject({ ok: true, event: { kind: 'PAID', billNo, amountFen: 10_000n } });
    expect(parse({ ...genuine })).toEqual(first);
    // Even re-signed later with a fresh timestamp and nonce (the provider's own resend), it is the same capture.
    rig.clock.advance(60_000);
    const resent = rig.providerSigned(content());
    expect(parse(resent)).toEqual(first);
  });

  it.each(['amount', 'orderNo', 'tradeNo', 'status', 'merchantId', 'paidTime'] as const)('tampered %s → BAD_SIGNATURE', (field) => {
    const name = rig.profile.fields[field];
    const changed = { ...genuine, [name]: field === 'amount' ? (rig.profile.amountUnit === 'yuan' ? '0.01' : '1') : `${genuine[name]}0` };
    expect(parse(changed)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('an added field changes the signed string → BAD_SIGNATURE; an unsigned one → BAD_SIGNATURE', () => {
    expect(parse({ ...genuine, extra: 'x' })).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
    const { [f().sign]: _s, ...unsigned } = genuine;
    expect(parse(unsigned)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE', detail: expect.stringContaining('no ') });
  });

  it('signed with a key that is not the provider\'s → BAD_SIGNATURE', () => {
    const stranger = rig.config.keys.signType === 'RSA-SHA256'
      ? createSigner({ signType: 'RSA-SHA256', privateKeyPem: generateRsaKeyPair().privateKeyPem, peerPublicKeyPem: rig.platformKeys.publicKeyPem }, f().sign)
      : createSigner({ signType: rig.config.keys.signType, secret: 'a-secret-that-is-not-the-shared-one' }, f().sign);
    const forged = signMessage(rig.profile, stranger, { ...genuine, [f().amount]: rig.profile.amountUnit === 'yuan' ? '0.01' : '1' }, rig.clock.now());
    expect(parse(forged)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE' });
  });

  it('a message claiming another signing method is refused, not verified that way (no downgrade)', () => {
    // Classic confusion: HMAC keyed with what an RSA merchant holds publicly (the provider's public key).
    const key = rig.config.keys.signType === 'RSA-SHA256' ? rig.platformKeys.publicKeyPem : 'guess';
    const other = rig.config.keys.signType === 'HMAC-SHA256' ? 'HMAC-SM3' : 'HMAC-SHA256';
    const downgraded: WireFields = { ...genuine, [f().signType]: other };
    downgraded[f().sign] = createHmac('sha256', key).update(canonicalString(downgraded, f().sign)).digest('hex');
    expect(parse(downgraded)).toMatchObject({ ok: false, reason: 'BAD_SIGNATURE', detail: expect.stringContaining(other) });
  });

  it('genuinely signed for another merchant → refused; that merchant accepts it', async () => {
    const second = rig.merchants[1]!;
    const other = rig.adapterWith({ merchantId: second.merchantId, keys: second.keys });
    const theirs = rig.providerSigned({ notifyId: 'PX1', notifyType: 'PAYMENT', orderNo: billNo, tradeNo: 'X1', amount: genuine[f().amount], status: 'PAID', paidTime: genuine[f().paidTime] }, 1);
    expect(parse(theirs, other)).toMatchObject({ ok: true, event: { kind: 'PAID', billNo } });
    // RSA: the provider signs for every merchant with one key, so the merchant id decides.
    // HMAC: each merchant has its own secret, so the signature already fails.
    expect(parse(theirs)).toMatchObject({ ok: false, reason: rig.config.keys.signType === 'RSA-SHA256' ? 'WRONG_MERCHANT' : 'BAD_SIGNATURE' });
  });

  it('malformed bodies and signed oddities are values, not throws', () => {
    expect(rig.adapter.parseNotification({ body: Buffer.from([0xff, 0xfe, 0x3d]), headers: {} })).toMatchObject({ ok: false, reason: 'MALFORMED' });
    // Not a JSON object; as a form it is one unsigned field.
    expect(rig.adapter.parseNotification({ body: Buffer.from('[1,2]'), headers: {} })).toMatchObject({ ok: false, reason: rig.profile.encoding === 'json' ? 'MALFORMED' : 'BAD_SIGNATURE' });
    if (rig.profile.encoding === 'form') {
      expect(rig.adapter.parseNotification({ body: Buffer.from(`${rig.body(genuine).toString()}&${f().amount}=0.01`), headers: {} })).toMatchObject({ ok: false, reason: 'MALFORMED' });
    } else {
      expect(rig.adapter.parseNotification({ body: Buffer.from(JSON.stringify({ ...genuine, [f().amount]: 10000 })), headers: {} })).toMatchObject({ ok: false, reason: 'MALFORMED' });
    }
    const signed = (change: Logical) => rig.providerSigned({ ...content(), ...change });
    expect(parse(signed({ amount: '88.8' }))).toMatchObject({ ok: false, reason: 'MALFORMED' });
    expect(parse(signed({ paidTime: '20260230090000' }))).toMatchObject({ ok: false, reason: 'MALFORMED' });
    expect(parse(signed({ notifyType: 'WHATEVER' }))).toMatchObject({ ok: false, reason: 'MALFORMED' });
    expect(parse(signed({ notifyId: '' }))).toMatchObject({ ok: false, reason: 'MALFORMED' });
    expect(parse(signed({ status: 'WAITING' }))).toMatchObject({ ok: true, event: { kind: 'IGNORED', billNo } });
  });

  it('notificationAnswer: HTTP 200 with exactly the acknowledgement when accepted; a refusal otherwise', () => {
    expect(rig.adapter.notificationAnswer(true)).toEqual({ status: 200, contentType: 'text/plain; charset=utf-8', body: rig.profile.notifyAck });
    expect(rig.adapter.notificationAnswer(false)).toMatchObject({ status: 400, body: 'FAIL' });
  });
});

describe('HMAC merchants that share one secret (one contract, several merchant numbers)', () => {
  it('a genuine notification for the other merchant number → WRONG_MERCHANT', async () => {
    const rig = await startGenericRig({ code: 'payease', merchantCount: 2, sharedSecret: true });
    try {
      const theirs = rig.providerSigned({ notifyId: 'PX1', notifyType: 'PAYMENT', orderNo: '202603150000000000001', tradeNo: 'X1', amount: '100', status: 'PAID', paidTime: '20260315090000' }, 1);
      expect(rig.adapter.parseNotification({ body: rig.body(theirs), headers: {} })).toMatchObject({ ok: false, reason: 'WRONG_MERCHANT' });
    } finally {
      await rig.close();
    }
  });
});

import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateRsaKeyPair } from '../alipay/rsa-keys.ts';
import { PAYEASE_PROFILE, PUBLICPAY_PROFILE, checkProfile, GENERIC_FIELDS } from './generic-profile.ts';
import { parseStatement, renderStatement } from './generic-statement.ts';
import {
  canonicalString, createSigner, decodeBody, formatAmount, fromWire, fromWireTime, parseAmount, signMessage, toWire, toWireTime, verifyMessage,
} from './generic-wire.ts';

/** The wire format without a network: canonical string, the three signing methods, bodies, amounts, times, statements. */
describe('canonical string', () => {
  it('sorts by name, leaves out the signature and empty values, percent-encodes both sides', () => {
    expect(canonicalString({ b: '2', a: 'x y&z=1', sign: 'S', c: '', 中: '文' }, 'sign')).toBe('a=x%20y%26z%3D1&b=2&%E4%B8%AD=%E6%96%87');
  });

  it('cannot be read two ways: a value holding "&b=2" differs from a field b=2', () => {
    expect(canonicalString({ a: '1&b=2' }, 'sign')).not.toBe(canonicalString({ a: '1', b: '2' }, 'sign'));
  });
});

describe('signing methods', () => {
  const fields = { merchantId: '890000001', orderNo: '202603150000000000017', amount: '10000' };

  it('HMAC-SHA256: the documented example vector (docs/generic-channels.md §2.2; checked with openssl dgst -sha256 -hmac)', () => {
    const signer = createSigner({ signType: 'HMAC-SHA256', secret: 'exampay-generic-test-secret-0001' }, 'hmac');
    expect(canonicalString(fields, 'hmac')).toBe('amount=10000&merchantId=890000001&orderNo=202603150000000000017');
    expect(signer.sign(fields)).toBe('e396ea97d9d03e51340975bd26eea14f685c723986a8c9f1c8084c396f9acf76');
  });

  it('SM3 is the standard one (GB/T 32905 example "abc"), and HMAC-SM3 is RFC 2104 over it', () => {
    expect(createHash('sm3').update('abc').digest('hex')).toBe('66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0');
    const secret = 'exampay-generic-test-secret-0001';
    // HMAC by hand: H((K ⊕ opad) ‖ H((K ⊕ ipad) ‖ m)), 64-byte blocks.
    const key = Buffer.alloc(64);
    Buffer.from(secret).copy(key);
    const xor = (b: number) => Buffer.from(key.map((x) => x ^ b));
    const m = Buffer.from(canonicalString(fields, 'sign'));
    const inner = createHash('sm3').update(Buffer.concat([xor(0x36), m])).digest();
    const expected = createHash('sm3').update(Buffer.concat([xor(0x5c), inner])).digest('hex');
    expect(createSigner({ signType: 'HMAC-SM3', secret }, 'sign').sign(fields)).toBe(expected);
  });

  it('RSA-SHA256: the merchant signs, the provider verifies with the merchant\'s public key, and the other way round', () => {
    const merchant = generateRsaKeyPair();
    const provider = generateRsaKeyPair();
    const m = createSigner({ signType: 'RSA-SHA256', privateKeyPem: merchant.privateKeyPem, peerPublicKeyPem: provider.publicKeyPem }, 'sign');
    const p = createSigner({ signType: 'RSA-SHA256', privateKeyPem: provider.privateKeyPem, peerPublicKeyPem: merchant.publicKeyPem }, 'sign');
    const signature = m.sign(fields);
    expect(p.verify(fields, signature)).toBe(true);
    expect(p.verify({ ...fields, amount: '1' }, signature)).toBe(false);
    expect(m.verify(fields, signature)).toBe(false); // the merchant's own signature is not the provider's
    expect(m.verify(fields, p.sign(fields))).toBe(true);
    expect(p.verify(fields, 'not base64!')).toBe(false);
  });

  it('refuses short HMAC secrets and non-RSA keys for RSA-SHA256', () => {
    expect(() => createSigner({ signType: 'HMAC-SHA256', secret: 'short' }, 'sign')).toThrow(/at least 16/);
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256', publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
    expect(() => createSigner({ signType: 'RSA-SHA256', privateKeyPem: ec.privateKey, peerPublicKeyPem: ec.publicKey }, 'sign')).toThrow(/RSA/);
  });

  it('signMessage adds timestamp, nonce and signType; verifyMessage checks all of it', () => {
    const signer = createSigner({ signType: 'HMAC-SHA256', secret: 'exampay-generic-test-secret-0001' }, PAYEASE_PROFILE.fields.sign);
    const msg = signMessage(PAYEASE_PROFILE, signer, toWire(PAYEASE_PROFILE, { merchantId: '890000001', orderNo: 'A123456' }), new Date('2026-03-15T01:00:00Z'), 'n0nce0001');
    expect(msg).toMatchObject({ merchantId: '890000001', requestId: 'A123456', timestamp: '20260315090000', nonce: 'n0nce0001', signType: 'HMAC-SHA256', hmac: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(verifyMessage(PAYEASE_PROFILE, signer, msg)).toEqual({ ok: true });
    expect(verifyMessage(PAYEASE_PROFILE, signer, { ...msg, signType: 'RSA-SHA256' })).toMatchObject({ ok: false });
    expect(verifyMessage(PAYEASE_PROFILE, signer, { ...msg, requestId: 'A123457' })).toMatchObject({ ok: false });
  });
});

describe('profiles and bodies', () => {
  it('both profiles name every field, uniquely; a broken profile is refused', () => {
    for (const p of [PUBLICPAY_PROFILE, PAYEASE_PROFILE]) {
      expect(() => checkProfile(p)).not.toThrow();
      expect(Object.keys(p.fields).sort()).toEqual([...GENERIC_FIELDS].sort());
    }
    expect(() => checkProfile({ ...PAYEASE_PROFILE, fields: { ...PAYEASE_PROFILE.fields, amount: 'requestId' } })).toThrow(/share one name/);
    expect(() => checkProfile({ ...PAYEASE_PROFILE, fields: { ...PAYEASE_PROFILE.fields, amount: 'a mount' } })).toThrow(/plain identifier/);
  });

  it('toWire / fromWire map logical names both ways and ignore unknown wire fields', () => {
    const wire = toWire(PUBLICPAY_PROFILE, { orderNo: 'A1', amount: '1.00', limitPay: undefined });
    expect(wire).toEqual({ out_trade_no: 'A1', total_amount: '1.00' });
    expect(fromWire(PUBLICPAY_PROFILE, { ...wire, whatever: 'x' })).toEqual({ orderNo: 'A1', amount: '1.00' });
  });

  it('decodeBody: flat strings only; a repeated form field, a number in JSON or bad UTF-8 is refused', () => {
    expect(decodeBody(PUBLICPAY_PROFILE, Buffer.from('a=1&b=%E4%B8%AD'))).toEqual({ a: '1', b: '中' });
    expect(decodeBody(PUBLICPAY_PROFILE, Buffer.from('a=1&a=2'))).toBeNull();
    expect(decodeBody(PUBLICPAY_PROFILE, Buffer.from([0x61, 0x3d, 0xff]))).toBeNull();
    expect(decodeBody(PAYEASE_PROFILE, Buffer.from('{"a":"1"}'))).toEqual({ a: '1' });
    expect(decodeBody(PAYEASE_PROFILE, Buffer.from('{"a":1}'))).toBeNull();
    expect(decodeBody(PAYEASE_PROFILE, Buffer.from('{"a":{"b":"c"}}'))).toBeNull();
    expect(decodeBody(PAYEASE_PROFILE, Buffer.from('"a"'))).toBeNull();
    expect(decodeBody(PAYEASE_PROFILE, Buffer.from('a=1'))).toBeNull();
  });

  it('amounts: fen or yuan, exact, positive, never floats', () => {
    expect(formatAmount('yuan', 12_345n)).toBe('123.45');
    expect(formatAmount('fen', 12_345n)).toBe('12345');
    expect(parseAmount('yuan', '123.45')).toBe(12_345n);
    expect(parseAmount('yuan', '0.01')).toBe(1n);
    for (const bad of ['123.4', '0.00', '-1.00', '1e2', ' 1.00', '01.00']) expect(parseAmount('yuan', bad)).toBeNull();
    expect(parseAmount('fen', '12345')).toBe(12_345n);
    for (const bad of ['0', '012', '1.5', '-3', '']) expect(parseAmount('fen', bad)).toBeNull();
  });

  it('times: yyyyMMddHHmmss in Beijing time; impossible dates are refused, not rolled over', () => {
    expect(toWireTime(new Date('2026-03-15T16:00:30Z'))).toBe('20260316000030');
    expect(fromWireTime('20260316000030')).toEqual(new Date('2026-03-15T16:00:30Z'));
    expect(fromWireTime('20260230090000')).toBeNull();
    expect(fromWireTime('2026031509000')).toBeNull();
    expect(fromWireTime(undefined)).toBeNull();
  });
});

describe('statement file', () => {
  const at = (s: string) => new Date(s);
  const entries = [
    { kind: 'PAYMENT' as const, orderNo: '202603150000000000017', tradeNo: 'T1', amountFen: 10_000n, at: at('2026-03-15T01:02:00Z'), payMethod: 'BANK_CARD_UNIONPAY' },
    { kind: 'REFUND' as const, orderNo: '202603150000000000017', tradeNo: 'T1', refundNo: '202603150000000000017R01', amountFen: 2_500n, at: at('2026-03-15T02:00:00Z') },
  ];

  it('the documented layout, in yuan for publicpay and fen for payease, and back', () => {
    const yuan = renderStatement(PUBLICPAY_PROFILE, entries);
    expect(yuan).toBe([
      'type,order_no,trade_no,refund_no,amount,time,pay_method',
      'PAYMENT,202603150000000000017,T1,,100.00,2026-03-15 09:02:00,BANK_CARD_UNIONPAY',
      'REFUND,202603150000000000017,T1,202603150000000000017R01,25.00,2026-03-15 10:00:00,',
      'TOTAL,1,1,100.00,25.00,,',
      '',
    ].join('\r\n'));
    expect(renderStatement(PAYEASE_PROFILE, entries)).toContain('PAYMENT,202603150000000000017,T1,,10000,');
    for (const p of [PUBLICPAY_PROFILE, PAYEASE_PROFILE]) {
      expect(parseStatement(p, renderStatement(p, entries), '2026-03-15')).toEqual({
        ok: true,
        lines: [
          { kind: 'PAYMENT', billNo: '202603150000000000017', channelTradeNo: 'T1', amountFen: 10_000n, at: entries[0]!.at },
          { kind: 'REFUND', billNo: '202603150000000000017', channelTradeNo: 'T1', refundNo: '202603150000000000017R01', amountFen: 2_500n, at: entries[1]!.at },
        ],
      });
    }
    expect(parseStatement(PUBLICPAY_PROFILE, renderStatement(PUBLICPAY_PROFILE, []), '2026-03-15')).toEqual({ ok: true, lines: [] });
  });

  it('a truncated file, a TOTAL that does not add up, a row of another day or an odd row is refused', () => {
    const text = renderStatement(PUBLICPAY_PROFILE, entries);
    const rows = text.split('\r\n');
    expect(parseStatement(PUBLICPAY_PROFILE, `${rows.slice(0, 2).join('\r\n')}\r\n`, '2026-03-15')).toMatchObject({ ok: false });
    expect(parseStatement(PUBLICPAY_PROFILE, text.slice(0, -2), '2026-03-15')).toMatchObject({ ok: false, reason: expect.stringContaining('CRLF') });
    expect(parseStatement(PUBLICPAY_PROFILE, text.replace('TOTAL,1,1,100.00,25.00', 'TOTAL,1,1,100.00,20.00'), '2026-03-15')).toMatchObject({ ok: false, reason: expect.stringContaining('TOTAL') });
    expect(parseStatement(PUBLICPAY_PROFILE, text, '2026-03-16')).toMatchObject({ ok: false, reason: expect.stringContaining('not on 2026-03-16') });
    expect(parseStatement(PUBLICPAY_PROFILE, text.replace('25.00,2026', '25.0,2026'), '2026-03-15')).toMatchObject({ ok: false, reason: expect.stringContaining('amount') });
    expect(parseStatement(PUBLICPAY_PROFILE, text.replace('REFUND,', 'CHARGEBACK,'), '2026-03-15')).toMatchObject({ ok: false });
    expect(parseStatement(PUBLICPAY_PROFILE, text.replace('T1,,100.00', 'T1,R9X0000,100.00'), '2026-03-15')).toMatchObject({ ok: false, reason: expect.stringContaining('refund_no') });
  });
});

describe('why SM2 is not offered', () => {
  it("Node's \"SM2\" signature is ECDSA over the SM2 curve, not the GB/T 32918 SM2 signature (so it would not interoperate)", () => {
    // The SM2 recommended curve (GB/T 32918.5).
    const H = (s: string) => BigInt(`0x${s}`);
    const p = H('FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF00000000FFFFFFFFFFFFFFFF');
    const a = p - 3n;
    const b = H('28E9FA9E9D9F5E344D5A9E4BCF6509A7F39789F515AB8F92DDBCBD414D940E93');
    const n = H('FFFFFFFEFFFFFFFFFFFFFFFFFFFFFFFF7203DF6B21C6052B53BBF40939D54123');
    const G: [bigint, bigint] = [H('32C4AE2C1F1981195F9904466A39C9948FE30BBFF2660BE1715A4589334C74C7'), H('BC3736A2F4F6779C59BDCEE36B692153D0A9877CC62A474002DF32E52139F0A0')];
    const mod = (x: bigint, m = p) => ((x % m) + m) % m;
    const inv = (x: bigint, m = p) => {
      let [r0, r1, s0, s1] = [mod(x, m), m, 1n, 0n];
      while (r1) { const q = r0 / r1; [r0, r1, s0, s1] = [r1, r0 - q * r1, s1, s0 - q * s1]; }
      return mod(s0, m);
    };
    type P = [bigint, bigint] | null;
    const add = (P1: P, P2: P): P => {
      if (!P1) return P2;
      if (!P2) return P1;
      if (P1[0] === P2[0] && mod(P1[1] + P2[1]) === 0n) return null;
      const l = P1[0] === P2[0] ? mod((3n * P1[0] * P1[0] + a) * inv(2n * P1[1])) : mod((P2[1] - P1[1]) * inv(P2[0] - P1[0]));
      const x = mod(l * l - P1[0] - P2[0]);
      return [x, mod(l * (P1[0] - x) - P1[1])];
    };
    const mul = (k: bigint, P0: P): P => { let R: P = null; let A = P0; for (; k > 0n; k >>= 1n) { if (k & 1n) R = add(R, A); A = add(A, A); } return R; };
    const be32 = (x: bigint) => Buffer.from(x.toString(16).padStart(64, '0'), 'hex');
    const sm3 = (...parts: Buffer[]) => createHash('sm3').update(Buffer.concat(parts)).digest();

    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'SM2' });
    const spki = publicKey.export({ type: 'spki', format: 'der' });
    const Q: [bigint, bigint] = [BigInt(`0x${spki.subarray(-64, -32).toString('hex')}`), BigInt(`0x${spki.subarray(-32).toString('hex')}`)];
    const msg = Buffer.from('message digest');
    const der = sign('sm3', msg, privateKey);
    const rLen = der[3]!;
    const r = BigInt(`0x${der.subarray(4, 4 + rLen).toString('hex')}`);
    const s = BigInt(`0x${der.subarray(6 + rLen).toString('hex')}`);

    // GB/T 32918.2: e = SM3(Z_A ‖ M), Z_A from the default id "1234567812345678"; valid iff (e + x1) mod n = r.
    const Z = sm3(Buffer.from([0x00, 0x80]), Buffer.from('1234567812345678'), ...[a, b, G[0], G[1], Q[0], Q[1]].map(be32));
    const e = BigInt(`0x${sm3(Z, msg).toString('hex')}`);
    const X = add(mul(s, G), mul(mod(r + s, n), Q))!;
    expect(mod(e + X[0], n) === r).toBe(false);
    // ECDSA with SM3: valid iff x(u1·G + u2·Q) mod n = r.
    const w = inv(s, n);
    const e0 = BigInt(`0x${sm3(msg).toString('hex')}`);
    const Y = add(mul(mod(e0 * w, n), G), mul(mod(r * w, n), Q))!;
    expect(mod(Y[0], n)).toBe(r);
  });
});

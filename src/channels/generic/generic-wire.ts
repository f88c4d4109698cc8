import { createHmac, randomBytes, sign as rsaSign, timingSafeEqual, verify as rsaVerify, type KeyObject } from 'node:crypto';
import { fenToYuan, yuanToFen, type Fen } from '../../shared/money.ts';
import { formatShanghai, parseShanghai } from '../../shared/time.ts';
import { privateKeyObject, publicKeyObject } from '../alipay/rsa-keys.ts';
import type { GenericField, GenericProfile } from './generic-profile.ts';

/**
 * The generic channel's wire format (docs/generic-channels.md §2), shared by the adapter and the
 * sandbox dialect that plays the provider. Every message is a flat map of strings; it is signed
 * over a canonical string that cannot be read two ways: the fields except the signature, empty
 * ones left out, sorted by name, each `name=value` with both percent-encoded, joined by `&`.
 * (Raw `k=v&k=v` joins, as many providers use, let `a=1&b=2` and `a=1%26b%3D2` sign alike.)
 */
export type WireFields = Record<string, string>;
export type Logical = Partial<Record<GenericField, string>>;

/** Result codes (`code`): SUCCESS, or why not. Part of the protocol, not of a profile. */
export const RESULT = {
  SUCCESS: 'SUCCESS',
  ORDER_NOT_FOUND: 'ORDER_NOT_FOUND',
  ORDER_PAID: 'ORDER_PAID',
  ORDER_CLOSED: 'ORDER_CLOSED',
  ORDER_NO_USED: 'ORDER_NO_USED',
  TRADE_NOT_FOUND: 'TRADE_NOT_FOUND',
  REFUND_NOT_FOUND: 'REFUND_NOT_FOUND',
  REFUND_EXCEEDS: 'REFUND_EXCEEDS',
  REFUND_NO_USED: 'REFUND_NO_USED',
  STATEMENT_NOT_READY: 'STATEMENT_NOT_READY',
  INVALID_PARAM: 'INVALID_PARAM',
  SIGN_ERROR: 'SIGN_ERROR',
  MERCHANT_INVALID: 'MERCHANT_INVALID',
  SYSTEM_BUSY: 'SYSTEM_BUSY',
} as const;

export const TRADE_STATUS = { WAITING: 'WAITING', PAID: 'PAID', CLOSED: 'CLOSED' } as const;
export const REFUND_STATUS = { PROCESSING: 'PROCESSING', SUCCESS: 'SUCCESS', FAILED: 'FAILED' } as const;
export const NOTIFY_TYPE = { PAYMENT: 'PAYMENT', REFUND: 'REFUND' } as const;
export const PAY_TYPE_QR = 'QR';
export const LIMIT_PAY_BANK_CARD = 'BANK_CARD';

/** Order and refund numbers the protocol takes. ExamPay's are 21–24 characters. */
export const ORDER_NO = /^[0-9A-Za-z_-]{6,32}$/;

// ---------------------------------------------------------------------------------------------
// Signatures

export const SIGN_TYPES = ['HMAC-SHA256', 'HMAC-SM3', 'RSA-SHA256'] as const;
export type GenericSignType = (typeof SIGN_TYPES)[number];

/**
 * What one side holds. HMAC: one shared secret, both directions. RSA: its own private key and
 * the other side's public key (merchant: the provider's; provider: the merchant's).
 * SM2 is not offered: Node's crypto signs with ECDSA over the SM2 curve, not with the SM2
 * signature algorithm (GB/T 32918, with the Z_A prefix), so it would not interoperate.
 */
export type GenericKeys =
  | { signType: 'HMAC-SHA256' | 'HMAC-SM3'; secret: string }
  | { signType: 'RSA-SHA256'; privateKeyPem: string; peerPublicKeyPem: string };

export interface Signer {
  signType: GenericSignType;
  /** The signature of `fields` (its own signature field, if any, is left out). */
  sign(fields: WireFields): string;
  verify(fields: WireFields, signature: string): boolean;
}

/** The string that is signed. `signName` is the profile's name of the signature field. */
export function canonicalString(fields: WireFields, signName: string): string {
  return Object.keys(fields)
    .filter((k) => k !== signName && fields[k] !== '')
    .sort()
    .map((k) => `${encodeURIComponent(k)}=${encodeURIComponent(fields[k]!)}`)
    .join('&');
}

/** Shortest HMAC secret accepted: 128 bits of a random key written as text. */
export const MIN_SECRET_LENGTH = 16;

export function createSigner(keys: GenericKeys, signName: string): Signer {
  if (keys.signType === 'RSA-SHA256') {
    const own: KeyObject = privateKeyObject(keys.privateKeyPem);
    const peer: KeyObject = publicKeyObject(keys.peerPublicKeyPem);
    if (own.asymmetricKeyType !== 'rsa' || peer.asymmetricKeyType !== 'rsa') throw new Error('RSA-SHA256 needs RSA keys');
    return {
      signType: keys.signType,
      sign: (fields) => rsaSign('sha256', Buffer.from(canonicalString(fields, signName), 'utf8'), own).toString('base64'),
      verify: (fields, signature) => {
        if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
        return rsaVerify('sha256', Buffer.from(canonicalString(fields, signName), 'utf8'), peer, Buffer.from(signature, 'base64'));
      },
    };
  }
  if (keys.secret.length < MIN_SECRET_LENGTH) throw new Error(`${keys.signType} secret must be at least ${MIN_SECRET_LENGTH} characters`);
  const algorithm = keys.signType === 'HMAC-SM3' ? 'sm3' : 'sha256';
  const mac = (fields: WireFields): Buffer => createHmac(algorithm, keys.secret).update(canonicalString(fields, signName), 'utf8').digest();
  return {
    signType: keys.signType,
    sign: (fields) => mac(fields).toString('hex'),
    verify: (fields, signature) => {
      if (!/^[0-9a-f]{64}$/.test(signature)) return false;
      return timingSafeEqual(mac(fields), Buffer.from(signature, 'hex'));
    },
  };
}

/** Adds timestamp, nonce, signType and the signature (logical names mapped by the profile). */
export function signMessage(profile: GenericProfile, signer: Signer, fields: WireFields, now: Date, nonce = newNonce()): WireFields {
  const f = profile.fields;
  const message: WireFields = { ...fields, [f.timestamp]: toWireTime(now), [f.nonce]: nonce, [f.signType]: signer.signType };
  delete message[f.sign];
  return { ...message, [f.sign]: signer.sign(message) };
}

export type Verified = { ok: true } | { ok: false; detail: string };

/** Checks signType (no downgrade to another method) and the signature, before any field is read. */
export function verifyMessage(profile: GenericProfile, signer: Signer, fields: WireFields): Verified {
  const f = profile.fields;
  const signature = fields[f.sign];
  if (!signature) return { ok: false, detail: `no ${f.sign}` };
  if (fields[f.signType] !== signer.signType) return { ok: false, detail: `${f.signType} is ${JSON.stringify(fields[f.signType] ?? '')}, expected ${signer.signType}` };
  return signer.verify(fields, signature) ? { ok: true } : { ok: false, detail: `${f.sign} does not verify` };
}

export const newNonce = (): string => randomBytes(16).toString('hex');

// ---------------------------------------------------------------------------------------------
// Bodies

export function contentTypeOf(profile: GenericProfile): string {
  return profile.encoding === 'json' ? 'application/json; charset=utf-8' : 'application/x-www-form-urlencoded; charset=utf-8';
}

export function encodeBody(profile: GenericProfile, fields: WireFields): string {
  return profile.encoding === 'json' ? JSON.stringify(fields) : new URLSearchParams(fields).toString();
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A body as a flat map of strings, or null: not UTF-8, not the profile's encoding, a name given
 * twice (which copy would the signature cover?), or a JSON value that is not a string.
 */
export function decodeBody(profile: GenericProfile, body: Buffer): WireFields | null {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return null;
  }
  if (profile.encoding === 'json') {
    let v: unknown;
    try {
      v = JSON.parse(text);
    } catch {
      return null;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
    const out: WireFields = {};
    for (const [k, val] of Object.entries(v)) {
      if (typeof val !== 'string') return null;
      out[k] = val;
    }
    return out;
  }
  const params = new URLSearchParams(text);
  const out: WireFields = {};
  for (const [k, val] of params) {
    if (Object.hasOwn(out, k)) return null;
    out[k] = val;
  }
  return out;
}

/** Logical → wire names. Undefined values are left out. */
export function toWire(profile: GenericProfile, logical: Logical): WireFields {
  const out: WireFields = {};
  for (const [k, v] of Object.entries(logical) as [GenericField, string | undefined][]) if (v !== undefined) out[profile.fields[k]] = v;
  return out;
}

/** Wire → logical names; fields the protocol does not know are ignored (they were signed all the same). */
export function fromWire(profile: GenericProfile, fields: WireFields): Logical {
  const out: Logical = {};
  for (const [logical, wire] of Object.entries(profile.fields) as [GenericField, string][]) {
    if (Object.hasOwn(fields, wire)) out[logical] = fields[wire];
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Amounts and times

/** Fen as the profile writes amounts: "10000" or "100.00". */
export function formatAmount(unit: GenericProfile['amountUnit'], fen: Fen): string {
  return unit === 'yuan' ? fenToYuan(fen) : fen.toString();
}

/** A positive amount in the profile's unit, or null. Decimal parsing only, never floats. */
export function parseAmount(unit: GenericProfile['amountUnit'], s: string | undefined): Fen | null {
  if (s === undefined) return null;
  if (unit === 'fen') return /^[1-9]\d{0,15}$/.test(s) ? BigInt(s) : null;
  try {
    const fen = yuanToFen(s);
    return fen > 0n ? fen : null;
  } catch {
    return null;
  }
}

/** Beijing time as `yyyyMMddHHmmss`. */
export function toWireTime(d: Date): string {
  return formatShanghai(d).replace(/[- :]/g, '');
}

export function fromWireTime(s: string | undefined): Date | null {
  const m = s === undefined ? null : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s);
  if (!m) return null;
  try {
    const d = parseShanghai(`${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}`);
    // 20260230… would roll over into March: refuse what does not come back the same.
    return Number.isNaN(d.getTime()) || toWireTime(d) !== s ? null : d;
  } catch {
    return null;
  }
}

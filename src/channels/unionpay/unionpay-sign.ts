import { createHash, createSign, createVerify, X509Certificate, type KeyObject } from 'node:crypto';
import { formatShanghai, parseShanghai } from '../../shared/time.ts';

/**
 * UnionPay ACP 5.1.0 messages, signMethod 01 (unionpay.md §3, from the official SDK's
 * `SDKUtil.sign`/`validate`/`coverMap2String` and `SecureUtil.sha256X16`):
 * 1. every field except `signature`, sorted by key, `key=value` joined by `&`, raw values;
 * 2. SHA-256 of that string's UTF-8 bytes, as lowercase hex text;
 * 3. SHA256withRSA over the ASCII bytes of that hex text (so the data is hashed twice), base64.
 * Shared by the adapter and the sandbox, which plays UnionPay.
 */
export type AcpFields = Record<string, string>;

export const ACP_VERSION = '5.1.0';
export const SIGN_METHOD_RSA = '01';

export function stringToSign(fields: AcpFields): string {
  return Object.keys(fields)
    .filter((k) => k !== 'signature')
    .sort()
    .map((k) => `${k}=${fields[k]}`)
    .join('&');
}

export const digestHex = (s: string): string => createHash('sha256').update(s, 'utf8').digest('hex');

/**
 * Signs a request (or, in the sandbox, an answer): blank fields are dropped as the SDK's
 * `filterBlank` does, `certId` is set, then `signature` is added.
 */
export function acpSign(fields: AcpFields, privateKey: KeyObject | string, certId: string): AcpFields {
  const kept: AcpFields = {};
  for (const [k, v] of Object.entries(fields)) if (v.trim() !== '') kept[k] = v;
  kept.certId = certId;
  const signature = createSign('RSA-SHA256').update(digestHex(stringToSign(kept)), 'ascii').sign(privateKey, 'base64');
  return { ...kept, signature };
}

export function acpVerify(fields: AcpFields, publicKey: KeyObject): boolean {
  if (!fields.signature) return false;
  try {
    return createVerify('RSA-SHA256').update(digestHex(stringToSign(fields)), 'ascii').verify(publicKey, fields.signature, 'base64');
  } catch {
    return false;
  }
}

/** certId: the certificate's serial number in decimal, as the SDK's `getSerialNumber().toString()`. */
export function certIdOf(cert: X509Certificate | string): string {
  const x = typeof cert === 'string' ? new X509Certificate(cert) : cert;
  return BigInt(`0x${x.serialNumber}`).toString(10);
}

/**
 * A synchronous answer: `key=value&...` with raw values. As the SDK's `parseQString`, a value
 * that opens `{` or `[` runs to the matching close, so it may contain `&`. Null when malformed
 * or when a key repeats (one reading for the signature, another for the caller).
 */
export function parseAcpResponse(text: string): AcpFields | null {
  const body = text.trim();
  if (!body) return null;
  const out: AcpFields = {};
  let i = 0;
  while (i < body.length) {
    const eq = body.indexOf('=', i);
    if (eq <= i) return null;
    const key = body.slice(i, eq);
    if (key.includes('&') || Object.hasOwn(out, key)) return null;
    let j = eq + 1;
    let close: string | null = null;
    while (j < body.length) {
      const c = body[j]!;
      if (close) {
        if (c === close) close = null;
      } else if (c === '{') {
        close = '}';
      } else if (c === '[') {
        close = ']';
      } else if (c === '&') {
        break;
      }
      j += 1;
    }
    out[key] = body.slice(eq + 1, j);
    i = j + 1;
  }
  return out;
}

/** The inverse of `parseAcpResponse`: raw `key=value` pairs joined by `&`. */
export function formatAcpResponse(fields: AcpFields): string {
  return Object.entries(fields).map(([k, v]) => `${k}=${v}`).join('&');
}

/** `yyyyMMddHHmmss` in Beijing time (txnTime, payTimeout). */
export const toAcpTime = (d: Date): string => formatShanghai(d).replace(/\D/g, '');

export function fromAcpTime(s: string | undefined): Date | null {
  const m = s ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(s) : null;
  if (!m) return null;
  const d = parseShanghai(`${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}`);
  // Reject 20260231... (Date rolls it over): the round trip must give the same text back.
  return Number.isNaN(d.getTime()) || toAcpTime(d) !== s ? null : d;
}

/**
 * `traceTime` (MMDDhhmmss, Beijing) carries no year: take the year of a reference time close
 * before it (the order's txnTime), rolling over to the next year across New Year.
 */
export function fromTraceTime(s: string | undefined, reference: Date): Date | null {
  if (!s || !/^\d{10}$/.test(s)) return null;
  const year = Number(toAcpTime(reference).slice(0, 4));
  const at = fromAcpTime(`${year}${s}`);
  if (!at) return null;
  return at.getTime() < reference.getTime() - 24 * 3_600_000 ? fromAcpTime(`${year + 1}${s}`) : at;
}

/** 8–40 letters and digits, no `-` or `_` (orderId rule, unionpay.md §2). */
export const ORDER_ID = /^[0-9A-Za-z]{8,40}$/;
/** Integer fen, no decimal point, up to 12 digits. */
export const TXN_AMT = /^[1-9]\d{0,11}$/;

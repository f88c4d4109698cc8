import {
  createCipheriv, createDecipheriv, createSign, createVerify, randomBytes, type KeyObject,
} from 'node:crypto';
import { formatShanghai } from '../../shared/time.ts';

/**
 * WeChat Pay APIv3 wire rules (wechatpay-v3.md §2, §3, §5), shared by the adapter and the
 * sandbox that plays WeChat Pay. Pure functions: no clock, no network.
 *
 * - request signature: five lines `METHOD\nURL\nTIMESTAMP\nNONCE\nBODY\n`, SHA256withRSA with the
 *   merchant key (checked against the official walk-through's published vector in the tests);
 * - response and callback signature: three lines `TIMESTAMP\nNONCE\nBODY\n` over the raw bytes,
 *   SHA256withRSA with WeChat Pay's key (for a 204 the last line is just `\n`);
 * - callback resources: AEAD_AES_256_GCM, key = the APIv3 key's 32 UTF-8 bytes, IV = the
 *   12-character nonce, AAD = associated_data (possibly ""), ciphertext = base64(data ‖ 16-byte tag).
 */

export const AUTH_SCHEME = 'WECHATPAY2-SHA256-RSA2048';
export const SIGNATURE_TYPE = 'WECHATPAY2-SHA256-RSA2048';

/** "2026-03-15T09:00:00+08:00": RFC 3339 in Beijing time, as WeChat Pay writes every time. */
export function formatRfc3339(d: Date): string {
  return `${formatShanghai(d).replace(' ', 'T')}+08:00`;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

/** Parses an RFC 3339 time with an explicit offset; null for anything else. */
export function parseRfc3339(s: unknown): Date | null {
  if (typeof s !== 'string' || !RFC3339.test(s)) return null;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** 32 upper-case hex characters, the shape of WeChat Pay's own nonces. */
export const newNonce = (): string => randomBytes(16).toString('hex').toUpperCase();

export const unixSeconds = (d: Date): string => String(Math.floor(d.getTime() / 1000));

export function requestMessage(m: { method: string; url: string; timestamp: string; nonce: string; body: string }): string {
  return `${m.method}\n${m.url}\n${m.timestamp}\n${m.nonce}\n${m.body}\n`;
}

/** Built from bytes: the body is verified exactly as it travelled, never re-encoded. */
export function responseMessage(timestamp: string, nonce: string, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from(`${timestamp}\n${nonce}\n`, 'utf8'), body, Buffer.from('\n', 'utf8')]);
}

/** SHA256withRSA, PKCS#1 v1.5, base64. */
export function rsaSign(message: string | Buffer, key: KeyObject): string {
  return createSign('RSA-SHA256').update(message).sign(key, 'base64');
}

export function rsaVerify(message: string | Buffer, signature: string, key: KeyObject): boolean {
  // Probe traffic carries `WECHATPAY/SIGNTEST/...`: it must simply fail, which base64 decoding does.
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(signature)) return false;
  try {
    return createVerify('RSA-SHA256').update(message).verify(key, signature, 'base64');
  } catch {
    return false;
  }
}

export interface AuthorizationParts {
  mchid: string;
  nonce_str: string;
  signature: string;
  timestamp: string;
  serial_no: string;
}

export function authorizationHeader(p: AuthorizationParts): string {
  return `${AUTH_SCHEME} mchid="${p.mchid}",nonce_str="${p.nonce_str}",signature="${p.signature}",timestamp="${p.timestamp}",serial_no="${p.serial_no}"`;
}

/** The five items of an Authorization header, in any order; null unless all are there exactly once. */
export function parseAuthorization(header: string | undefined): AuthorizationParts | null {
  if (!header?.startsWith(`${AUTH_SCHEME} `)) return null;
  const items = header.slice(AUTH_SCHEME.length + 1).split(',');
  const found: Record<string, string> = {};
  for (const item of items) {
    const m = /^\s*([a-z_]+)="([^"]*)"\s*$/.exec(item);
    if (!m || Object.hasOwn(found, m[1]!)) return null;
    found[m[1]!] = m[2]!;
  }
  const keys = ['mchid', 'nonce_str', 'signature', 'timestamp', 'serial_no'] as const;
  if (Object.keys(found).length !== keys.length || !keys.every((k) => found[k])) return null;
  return found as unknown as AuthorizationParts;
}

export interface EncryptedResource {
  algorithm: 'AEAD_AES_256_GCM';
  ciphertext: string;
  associated_data: string;
  nonce: string;
}

/** The APIv3 key is used as its 32 UTF-8 bytes, not decoded from hex or base64. */
export function apiV3KeyBytes(apiV3Key: string): Buffer {
  const key = Buffer.from(apiV3Key, 'utf8');
  if (key.length !== 32) throw new RangeError(`the APIv3 key must be 32 bytes, got ${key.length}`);
  return key;
}

/** A 12-character alphanumeric nonce, as WeChat Pay puts in `resource.nonce`. */
export function newResourceNonce(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(12)].map((b) => alphabet[b % alphabet.length]).join('');
}

export function aesGcmEncrypt(plaintext: string, apiV3Key: string, nonce: string, associatedData: string): string {
  const cipher = createCipheriv('aes-256-gcm', apiV3KeyBytes(apiV3Key), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return Buffer.concat([data, cipher.getAuthTag()]).toString('base64');
}

/** Throws when the key, nonce, AAD or ciphertext is wrong (the tag does not match). */
export function aesGcmDecrypt(r: Pick<EncryptedResource, 'ciphertext' | 'associated_data' | 'nonce'>, apiV3Key: string): string {
  const raw = Buffer.from(r.ciphertext, 'base64');
  if (raw.length < 17) throw new RangeError('ciphertext too short');
  const decipher = createDecipheriv('aes-256-gcm', apiV3KeyBytes(apiV3Key), Buffer.from(r.nonce, 'utf8'));
  decipher.setAAD(Buffer.from(r.associated_data, 'utf8'));
  decipher.setAuthTag(raw.subarray(raw.length - 16));
  return Buffer.concat([decipher.update(raw.subarray(0, raw.length - 16)), decipher.final()]).toString('utf8');
}

/** A header as one string (Node gives arrays for repeated headers; a repeated one is refused). */
export function headerValue(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) if (k.toLowerCase() === wanted) return typeof v === 'string' ? v : undefined;
  return undefined;
}

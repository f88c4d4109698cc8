import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Personal data at rest (OPS-6): ID numbers and phones are stored sealed (AES-256-GCM) and found
 * through a keyed hash (HMAC-SHA256 of the normalised value). Pure functions of the keys they
 * are given; docs/personal-data.md describes the format, keys, rotation and masks.
 *
 * Sealed value: [key version, 1 byte][IV, 12 bytes][ciphertext][GCM tag, 16 bytes]. The version
 * byte and the kind of value ('id-number', 'phone') are authenticated data, so a blob cannot be
 * moved to another column or relabelled with another key version without failing to open.
 */
export type PersonalDataKind = 'id-number' | 'phone';

export interface PersonalDataKeys {
  /** AES-256 keys by version (1–255): the highest seals new values, every one opens old ones. */
  readonly encryption: ReadonlyMap<number, Buffer>;
  readonly currentVersion: number;
  /** HMAC-SHA256 key of the lookup hashes; separate from the encryption keys, never rotated in place. */
  readonly hash: Buffer;
}

export class PersonalDataError extends Error {}

const IV_BYTES = 12;
const TAG_BYTES = 16;
/** The smallest sealed value: version, IV, one byte of ciphertext, tag. */
export const MIN_SEALED_BYTES = 1 + IV_BYTES + 1 + TAG_BYTES;
export const HASH_BYTES = 32;

/** The form a value is stored and hashed in: Unicode-compatible (full-width → ASCII), trimmed, upper case. */
export function normaliseIdNumber(value: string): string {
  // The same form id-document.ts checks: full-width to ASCII, spaces and hyphens out, upper case.
  return value.normalize('NFKC').replace(/[\s\u00a0-]+/g, '').toUpperCase();
}

/** Digits (and a leading +) only, so "138 0013 8000" and "138-0013-8000" are one phone. */
export function normalisePhone(value: string): string {
  return value.normalize('NFKC').replace(/[\s-]/g, '');
}

function normalise(kind: PersonalDataKind, value: string): string {
  return kind === 'id-number' ? normaliseIdNumber(value) : normalisePhone(value);
}

function aad(kind: PersonalDataKind, version: number): Buffer {
  return Buffer.concat([Buffer.from([version]), Buffer.from(`exampay:${kind}`)]);
}

/** Seals the normalised value with the current key. */
export function sealPersonal(keys: PersonalDataKeys, kind: PersonalDataKind, value: string): Buffer {
  const version = keys.currentVersion;
  const key = keys.encryption.get(version);
  if (!key) throw new PersonalDataError(`no personal-data key of version ${version}`);
  const plain = normalise(kind, value);
  if (plain === '') throw new PersonalDataError(`an empty ${kind} cannot be sealed`);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aad(kind, version));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([Buffer.from([version]), iv, body, cipher.getAuthTag()]);
}

/** Opens a sealed value; a missing key version, another key, another kind or any changed byte throws. */
export function openPersonal(keys: PersonalDataKeys, kind: PersonalDataKind, sealed: Uint8Array): string {
  const blob = Buffer.from(sealed);
  if (blob.length < MIN_SEALED_BYTES) throw new PersonalDataError('sealed personal data is too short');
  const version = blob[0]!;
  const key = keys.encryption.get(version);
  if (!key) throw new PersonalDataError(`sealed with personal-data key version ${version}, which is not configured`);
  const decipher = createDecipheriv('aes-256-gcm', key, blob.subarray(1, 1 + IV_BYTES));
  decipher.setAAD(aad(kind, version));
  decipher.setAuthTag(blob.subarray(blob.length - TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(blob.subarray(1 + IV_BYTES, blob.length - TAG_BYTES)), decipher.final()]).toString('utf8');
  } catch {
    throw new PersonalDataError(`sealed ${kind} does not open with personal-data key version ${version} (wrong key or changed data)`);
  }
}

/** The key version a sealed value was made with (what rotation looks at). */
export function sealedKeyVersion(sealed: Uint8Array): number {
  if (sealed.length < MIN_SEALED_BYTES) throw new PersonalDataError('sealed personal data is too short');
  return sealed[0]!;
}

/** The lookup hash: equal for equal normalised values under one key; the kind is part of it. */
export function lookupHash(keys: PersonalDataKeys, kind: PersonalDataKind, value: string): Buffer {
  return createHmac('sha256', keys.hash).update(`${kind}\0${normalise(kind, value)}`, 'utf8').digest();
}

/**
 * What pages, API answers and logs may show of an ID number: at least half of it hidden.
 * 15 or more characters (居民身份证): first 4 and last 4, `1101**********1234`; 8–14 (passports,
 * permits): first 2 and last 2, `E1*****78`; shorter: nothing.
 */
export function maskIdNumber(value: string): string {
  const id = normaliseIdNumber(value);
  const keep = id.length >= 15 ? 4 : id.length >= 8 ? 2 : 0;
  return keep === 0 ? '*'.repeat(id.length) : `${id.slice(0, keep)}${'*'.repeat(id.length - 2 * keep)}${id.slice(-keep)}`;
}

/** Phones as Chinese sites show them: first 3 and last 4 of 11 or more digits (`138****8000`); shorter: last 2. */
export function maskPhone(value: string): string {
  const p = normalisePhone(value);
  if (p.length >= 11) return `${p.slice(0, 3)}${'*'.repeat(p.length - 7)}${p.slice(-4)}`;
  return p.length > 4 ? `${'*'.repeat(p.length - 2)}${p.slice(-2)}` : '*'.repeat(p.length);
}

const KEY_BYTES = 32;

/**
 * Reads keys as configured: `encryption` is "version:base64" entries separated by commas or
 * spaces ("1:…,2:…"), each a 32-byte key; `hash` is base64 of at least 32 bytes. Throws with a
 * message that names what is wrong and never quotes a key.
 */
export function parsePersonalDataKeys(encryption: string, hash: string): PersonalDataKeys {
  const map = new Map<number, Buffer>();
  for (const entry of encryption.split(/[\s,]+/).filter(Boolean)) {
    const m = /^(\d{1,3}):([A-Za-z0-9+/_-]+={0,2})$/.exec(entry);
    if (!m) throw new PersonalDataError('each key must be written version:base64 (e.g. 1:<44 base64 characters>)');
    const version = Number(m[1]);
    if (version < 1 || version > 255) throw new PersonalDataError(`key version ${version} is outside 1–255`);
    if (map.has(version)) throw new PersonalDataError(`key version ${version} is given twice`);
    const key = Buffer.from(m[2]!, 'base64');
    if (key.length !== KEY_BYTES) throw new PersonalDataError(`key version ${version} is ${key.length} bytes; AES-256 needs 32 (openssl rand -base64 32)`);
    map.set(version, key);
  }
  if (map.size === 0) throw new PersonalDataError('no key given');
  const hashKey = Buffer.from(hash.trim(), 'base64');
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(hash.trim()) || hashKey.length < KEY_BYTES) {
    throw new PersonalDataError('the hash key must be base64 of at least 32 bytes (openssl rand -base64 32)');
  }
  if ([...map.values()].some((k) => k.equals(hashKey.subarray(0, KEY_BYTES)))) {
    throw new PersonalDataError('the hash key must differ from every encryption key');
  }
  return { encryption: map, currentVersion: Math.max(...map.keys()), hash: hashKey };
}

/** Fresh random keys in the configured text form (for development data directories and tests). */
export function generatePersonalDataKeyText(version = 1): { encryption: string; hash: string } {
  return { encryption: `${version}:${randomBytes(KEY_BYTES).toString('base64')}`, hash: randomBytes(KEY_BYTES).toString('base64') };
}

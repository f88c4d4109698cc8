import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  generatePersonalDataKeyText, lookupHash, maskIdNumber, maskPhone, MIN_SEALED_BYTES, openPersonal, parsePersonalDataKeys,
  PersonalDataError, sealedKeyVersion, sealPersonal,
} from './personal-data.ts';

const text = generatePersonalDataKeyText();
const keys = parsePersonalDataKeys(text.encryption, text.hash);
const other = (() => { const t = generatePersonalDataKeyText(); return parsePersonalDataKeys(t.encryption, t.hash); })();
const ID = '11010519900307123X';

describe('sealing ID numbers and phones (AES-256-GCM, OPS-6)', () => {
  it('opens what it sealed, stored normalised; the plaintext is nowhere in the sealed bytes', () => {
    const sealed = sealPersonal(keys, 'id-number', ` ${ID.toLowerCase()} `);
    expect(openPersonal(keys, 'id-number', sealed)).toBe(ID);
    expect(sealed.toString('latin1')).not.toContain(ID.slice(0, 12));
    expect(sealed.length).toBe(MIN_SEALED_BYTES - 1 + ID.length);
    expect(sealedKeyVersion(sealed)).toBe(1);
  });

  it('any value round-trips, and sealing twice gives different bytes (random IV)', () => {
    fc.assert(fc.property(fc.string({ minLength: 1, maxLength: 40 }).filter((s) => s.normalize('NFKC').replace(/[\s-]/g, '') !== ''), (s) => {
      const a = sealPersonal(keys, 'phone', s);
      expect(openPersonal(keys, 'phone', a)).toBe(s.normalize('NFKC').replace(/[\s-]/g, ''));
      expect(a.equals(sealPersonal(keys, 'phone', s))).toBe(false);
    }));
  });

  it('a wrong key fails to open', () => {
    expect(() => openPersonal(other, 'id-number', sealPersonal(keys, 'id-number', ID))).toThrow(PersonalDataError);
  });

  it('a key version that is not configured is named', () => {
    const v2 = parsePersonalDataKeys(`2:${text.encryption.split(':')[1]}`, text.hash);
    expect(() => openPersonal(v2, 'id-number', sealPersonal(keys, 'id-number', ID))).toThrow(/version 1, which is not configured/);
  });

  it('any changed byte (IV, ciphertext, tag, version) fails to open', () => {
    const sealed = sealPersonal(keys, 'id-number', ID);
    for (let i = 0; i < sealed.length; i++) {
      const tampered = Buffer.from(sealed);
      tampered[i] = tampered[i]! ^ 0x01;
      expect(() => openPersonal(keys, 'id-number', tampered), `byte ${i}`).toThrow(PersonalDataError);
    }
    expect(() => openPersonal(keys, 'id-number', sealed.subarray(0, sealed.length - 1))).toThrow(PersonalDataError);
    expect(() => openPersonal(keys, 'id-number', Buffer.from(ID))).toThrow(PersonalDataError);
    expect(() => sealPersonal(keys, 'phone', ' - ')).toThrow(/empty phone/);
  });

  it('a sealed ID number cannot be passed off as a phone (the kind is authenticated)', () => {
    expect(() => openPersonal(keys, 'phone', sealPersonal(keys, 'id-number', '13800138000'))).toThrow(PersonalDataError);
  });

  it('after rotation the newest key seals and every configured key opens', () => {
    const next = generatePersonalDataKeyText(2);
    const rotated = parsePersonalDataKeys(`${text.encryption},${next.encryption}`, text.hash);
    expect(rotated.currentVersion).toBe(2);
    const old = sealPersonal(keys, 'id-number', ID);
    const fresh = sealPersonal(rotated, 'id-number', ID);
    expect(sealedKeyVersion(fresh)).toBe(2);
    expect(openPersonal(rotated, 'id-number', old)).toBe(ID);
    expect(openPersonal(rotated, 'id-number', fresh)).toBe(ID);
    expect(() => openPersonal(keys, 'id-number', fresh)).toThrow(/version 2/);
  });
});

describe('lookup hashes (HMAC-SHA256)', () => {
  it('the same value gives the same hash, whatever its case and surrounding space', () => {
    const h = lookupHash(keys, 'id-number', ID);
    expect(h).toHaveLength(32);
    expect(lookupHash(keys, 'id-number', ` ${ID.toLowerCase()}\t`).equals(h)).toBe(true);
    expect(lookupHash(keys, 'phone', '138 0013-8000').equals(lookupHash(keys, 'phone', '13800138000'))).toBe(true);
  });

  it('different values, kinds or keys give different hashes', () => {
    const h = lookupHash(keys, 'id-number', ID);
    expect(lookupHash(keys, 'id-number', '110105199003071231').equals(h)).toBe(false);
    expect(lookupHash(keys, 'phone', ID).equals(h)).toBe(false);
    expect(lookupHash(other, 'id-number', ID).equals(h)).toBe(false);
  });

  it('the hash does not change when the encryption keys rotate', () => {
    const rotated = parsePersonalDataKeys(`${text.encryption},${generatePersonalDataKeyText(2).encryption}`, text.hash);
    expect(lookupHash(rotated, 'id-number', ID).equals(lookupHash(keys, 'id-number', ID))).toBe(true);
  });
});

describe('masks', () => {
  it.each([
    ['11010519900307123X', '1101**********123X'],
    ['11010519900307123x', '1101**********123X'],
    ['110105900307123', '1101*******7123'],
    ['E12345678', 'E1*****78'],
    ['H1234567', 'H1****67'],
    ['1234567', '*******'],
  ])('ID number %s → %s', (id, masked) => {
    expect(maskIdNumber(id)).toBe(masked);
  });

  it('an ID mask always hides at least half of the number', () => {
    fc.assert(fc.property(fc.stringMatching(/^[0-9A-Z]{1,32}$/), (id) => {
      const masked = maskIdNumber(id);
      expect(masked).toHaveLength(id.length);
      expect([...masked].filter((c) => c === '*').length).toBeGreaterThanOrEqual(id.length / 2);
    }));
  });

  it.each([
    ['13800138000', '138****8000'],
    ['138 0013 8000', '138****8000'],
    ['+8613800138000', '+86*******8000'],
    ['84822258', '******58'],
    ['123', '***'],
  ])('phone %s → %s', (phone, masked) => {
    expect(maskPhone(phone)).toBe(masked);
  });
});

describe('reading configured keys', () => {
  const k32 = Buffer.alloc(32, 7).toString('base64');
  const h32 = Buffer.alloc(32, 9).toString('base64');
  it.each([
    ['', h32, /no key given/],
    ['abc', h32, /version:base64/],
    [`0:${k32}`, h32, /outside 1–255/],
    [`1:${k32},1:${k32}`, h32, /given twice/],
    [`1:${Buffer.alloc(16).toString('base64')}`, h32, /16 bytes; AES-256 needs 32/],
    [`1:${k32}`, 'short', /at least 32 bytes/],
    [`1:${k32}`, k32, /differ from every encryption key/],
  ])('%j / %j is refused', (enc, hash, message) => {
    expect(() => parsePersonalDataKeys(enc, hash)).toThrow(message);
  });

  it('messages never quote a key', () => {
    try {
      parsePersonalDataKeys(`1:${k32} 1:${k32}`, h32);
    } catch (e) {
      expect((e as Error).message).not.toContain(k32);
    }
    expect.assertions(1);
  });

  it('accepts several versions separated by commas or spaces; the highest is current', () => {
    const parsed = parsePersonalDataKeys(`3:${k32}, 1:${Buffer.alloc(32, 1).toString('base64')}`, h32);
    expect([...parsed.encryption.keys()].sort()).toEqual([1, 3]);
    expect(parsed.currentVersion).toBe(3);
  });
});

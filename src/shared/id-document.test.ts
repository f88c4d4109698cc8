import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { describeError } from './errors.ts';
import { maskIdNumber, normaliseIdNumber, recogniseIdNumber, validateIdNumber } from './id-document.ts';
import { checkResidentId, residentIdCheckChar } from './resident-id.ts';

const NOW = new Date('2026-03-15T01:00:00Z'); // 09:00 in Beijing
const TODAY = '2026-03-15';
const id = (first17: string) => first17 + residentIdCheckChar(first17);
const code = (r: { ok: boolean; error?: { code: string } }) => (r.ok ? 'OK' : r.error!.code);

describe('居民身份证 numbers (GB 11643-1999)', () => {
  it('accepts real numbers, including check character X, and reads the birth date', () => {
    expect(checkResidentId('11010519491231002X', TODAY)).toEqual({ valid: true, kind: 'RESIDENT_ID', birthDate: '1949-12-31', number: '11010519491231002X' });
    expect(checkResidentId('44010619891102759X', TODAY)).toMatchObject({ valid: true, birthDate: '1989-11-02' });
    expect(checkResidentId(id('43010220000229345'), TODAY)).toMatchObject({ valid: true, birthDate: '2000-02-29' });
  });

  it('names the check character when only it is wrong', () => {
    const good = id('11010519900307123');
    for (const c of '0123456789X') {
      if (c === good[17]) continue;
      expect(checkResidentId(good.slice(0, 17) + c, TODAY)).toEqual({ valid: false, problem: 'CHECK_DIGIT' });
    }
  });

  it('names the birth date: not a real day, after today, or more than 120 years ago', () => {
    expect(checkResidentId(id('11010519900230123'), TODAY)).toMatchObject({ problem: 'BIRTH_DATE', reason: 'NOT_A_DATE' }); // 30 February
    expect(checkResidentId(id('11010519010229123'), TODAY)).toMatchObject({ problem: 'BIRTH_DATE', reason: 'NOT_A_DATE' }); // 1901 is no leap year
    expect(checkResidentId(id('11010519901301123'), TODAY)).toMatchObject({ problem: 'BIRTH_DATE', reason: 'NOT_A_DATE' }); // month 13
    expect(checkResidentId(id('11010520260316123'), TODAY)).toMatchObject({ problem: 'BIRTH_DATE', reason: 'IN_FUTURE' }); // tomorrow
    expect(checkResidentId(id('11010520260315123'), TODAY)).toMatchObject({ valid: true }); // born today
    expect(checkResidentId(id('11010519060314123'), TODAY)).toMatchObject({ problem: 'BIRTH_DATE', reason: 'TOO_OLD' });
    expect(checkResidentId(id('11010519060315123'), TODAY)).toMatchObject({ valid: true }); // exactly 120 today
  });

  it('checks the birth date before the check character, so a mistyped date is named as a date', () => {
    // The check character belongs to another date: still reported as the birth date being wrong.
    const good = id('11010519900307123');
    expect(checkResidentId(`${good.slice(0, 10)}1307${good.slice(14)}`, TODAY)).toMatchObject({ problem: 'BIRTH_DATE' });
  });

  it('checks the region code: a real province, and 81/82/83 only as the 居住证 codes', () => {
    expect(checkResidentId(id('00010519900307123'), TODAY)).toEqual({ valid: false, problem: 'REGION' });
    expect(checkResidentId(id('99010519900307123'), TODAY)).toEqual({ valid: false, problem: 'REGION' });
    expect(checkResidentId(id('81010519900307123'), TODAY)).toEqual({ valid: false, problem: 'REGION' });
    expect(checkResidentId(id('81000019900307123'), TODAY)).toMatchObject({ valid: true, kind: 'HMT_RESIDENCE_PERMIT' });
    expect(checkResidentId(id('83000019900307123'), TODAY)).toMatchObject({ valid: true, kind: 'HMT_RESIDENCE_PERMIT' });
  });

  it('refuses 15-digit first-generation numbers with their own problem, and other shapes as format', () => {
    expect(checkResidentId('110105900307123', TODAY)).toEqual({ valid: false, problem: 'FIFTEEN_DIGITS' });
    for (const bad of ['1101051990030712', '11010519900307123', '1101051990030712345', '11010519900307123Y', 'X10105199003071234']) {
      expect(checkResidentId(bad, TODAY)).toEqual({ valid: false, problem: 'FORMAT' });
    }
  });

  it('property: every valid number passes; changing any one of the sequence digits is caught by the check character', () => {
    const province = fc.constantFrom('11', '31', '43', '44', '65');
    const date = fc.date({ min: new Date('1920-01-01T00:00:00Z'), max: new Date('2026-03-14T00:00:00Z'), noInvalidDate: true });
    fc.assert(fc.property(province, fc.integer({ min: 0, max: 9999 }), date, fc.integer({ min: 0, max: 999 }), fc.integer({ min: 14, max: 16 }), fc.integer({ min: 1, max: 9 }),
      (p, area, d, seq, pos, delta) => {
        const first17 = `${p}${String(area).padStart(4, '0')}${d.toISOString().slice(0, 10).replaceAll('-', '')}${String(seq).padStart(3, '0')}`;
        const good = id(first17);
        expect(checkResidentId(good, TODAY).valid).toBe(true);
        const digit = (Number(good[pos]) + delta) % 10;
        const changed = good.slice(0, pos) + digit + good.slice(pos + 1);
        expect(checkResidentId(changed, TODAY)).toEqual({ valid: false, problem: 'CHECK_DIGIT' });
      }));
  });
});

describe('ID numbers as typed', () => {
  it('normalises full-width forms, spaces, hyphens and a lower-case x', () => {
    expect(normaliseIdNumber(' １１０１０５ 1949-1231 002x ')).toBe('11010519491231002X');
    expect(normaliseIdNumber('1234567890（b）')).toBe('1234567890(B)');
  });

  it('validates each document type by its format', () => {
    const cases: [Parameters<typeof validateIdNumber>[0], string, string][] = [
      ['RESIDENT_ID', '11010519491231002x', 'OK'],
      ['RESIDENT_ID', '11010519491231002', 'ID_NUMBER_FORMAT'],
      ['RESIDENT_ID', '110105491231002', 'ID_NUMBER_15_DIGITS'],
      ['RESIDENT_ID', '110105194912310021', 'ID_NUMBER_CHECK_DIGIT'],
      ['RESIDENT_ID', id('11010520300101002'), 'ID_NUMBER_BIRTH_DATE'],
      ['RESIDENT_ID', id('99010519900307123'), 'ID_NUMBER_REGION'],
      ['RESIDENT_ID', id('81000019900307123'), 'ID_NUMBER_WRONG_TYPE'],
      ['HMT_RESIDENCE_PERMIT', id('82000019900307123'), 'OK'],
      ['HMT_RESIDENCE_PERMIT', id('11010519900307123'), 'ID_NUMBER_WRONG_TYPE'],
      ['PASSPORT', 'E12345678', 'OK'],
      ['PASSPORT', 'EA1234567', 'OK'],
      ['PASSPORT', '123456789', 'OK'], // all digits: e.g. a US passport
      ['PASSPORT', 'ABCDEFGH', 'ID_NUMBER_FORMAT'], // no digit
      ['PASSPORT', 'E1234', 'OK'],
      ['PASSPORT', 'E123', 'ID_NUMBER_FORMAT'],
      ['PASSPORT', 'E12345678901234567', 'ID_NUMBER_FORMAT'],
      ['PASSPORT', 'E1234567#', 'ID_NUMBER_FORMAT'],
      ['HK_MACAO_PERMIT', 'H12345678', 'OK'],
      ['HK_MACAO_PERMIT', 'm1234567801', 'OK'],
      ['HK_MACAO_PERMIT', 'H1234567', 'ID_NUMBER_FORMAT'],
      ['HK_MACAO_PERMIT', 'K12345678', 'ID_NUMBER_FORMAT'],
      ['TAIWAN_PERMIT', '12345678', 'OK'],
      ['TAIWAN_PERMIT', '1234567890', 'OK'],
      ['TAIWAN_PERMIT', '1234567890（B）', 'OK'],
      ['TAIWAN_PERMIT', '123456789', 'ID_NUMBER_FORMAT'],
      ['TAIWAN_PERMIT', 'T1234567', 'ID_NUMBER_FORMAT'],
    ];
    for (const [type, number, expected] of cases) expect(code(validateIdNumber(type, number, NOW)), `${type} ${number}`).toBe(expected);
  });

  it('at sign-in, a number that looks like a 身份证 number must be a valid one; others must fit some document', () => {
    expect(recogniseIdNumber('11010519491231002x', NOW)).toEqual({ ok: true, value: { idType: 'RESIDENT_ID', number: '11010519491231002X' } });
    expect(recogniseIdNumber(id('83000019900307123'), NOW)).toMatchObject({ ok: true, value: { idType: 'HMT_RESIDENCE_PERMIT' } });
    expect(recogniseIdNumber('H12345678', NOW)).toMatchObject({ ok: true, value: { idType: 'HK_MACAO_PERMIT' } });
    expect(recogniseIdNumber('12345678', NOW)).toMatchObject({ ok: true, value: { idType: 'TAIWAN_PERMIT' } });
    expect(recogniseIdNumber('E12345678', NOW)).toMatchObject({ ok: true, value: { idType: 'PASSPORT' } });
    // A 17-digit number is a 身份证 number missing a character, not a passport.
    expect(code(recogniseIdNumber('11010519491231002', NOW))).toBe('ID_NUMBER_FORMAT');
    expect(code(recogniseIdNumber('110105194912310021', NOW))).toBe('ID_NUMBER_CHECK_DIGIT');
    expect(code(recogniseIdNumber(id('11010519490230002'), NOW))).toBe('ID_NUMBER_BIRTH_DATE');
    expect(code(recogniseIdNumber('110105491231002', NOW))).toBe('ID_NUMBER_15_DIGITS');
    expect(code(recogniseIdNumber('张三', NOW))).toBe('ID_NUMBER_FORMAT');
    expect(code(recogniseIdNumber('1101', NOW))).toBe('ID_NUMBER_FORMAT');
  });

  it('every failure has a bilingual message that says what is wrong, with the expected format filled in', () => {
    const r = validateIdNumber('HK_MACAO_PERMIT', 'X1', NOW);
    if (r.ok) throw new Error('expected a failure');
    const m = describeError(r.error.code, r.error.details);
    expect(m.messageZh).toContain('H或M加8位数字');
    expect(m.messageEn).toContain('H or M followed by 8 digits');
    expect(m.messageZh).not.toMatch(/[{}]/);
    const check = recogniseIdNumber('110105194912310021', NOW);
    if (check.ok) throw new Error('expected a failure');
    expect(describeError(check.error.code).messageZh).toContain('校验码');
    expect(describeError(check.error.code).messageEn).toContain('check character');
    const birth = recogniseIdNumber(id('11010520300101002'), NOW);
    if (birth.ok) throw new Error('expected a failure');
    expect(birth.error.details).toMatchObject({ reason: 'IN_FUTURE' });
    expect(describeError(birth.error.code).messageZh).toContain('出生日期');
  });

  it('masks all but the first 3 and last 4 characters', () => {
    expect(maskIdNumber('11010519491231002X')).toBe('110***********002X');
    expect(maskIdNumber('H1234567')).toBe('H12*4567');
    expect(maskIdNumber('1234567')).toBe('*******');
  });
});

import { describe, expect, it } from 'vitest';
import { residentIdCheckChar } from '../../shared/resident-id.ts';
import { mapColumns } from './import-rules.ts';
import { checkRegistrationRow, columnOfRefusal, REGISTRATION_COLUMNS } from './institution-registration-rules.ts';

const now = new Date('2026-03-15T01:00:00Z');
const id = (first17 = '11010519900307123') => first17 + residentIdCheckChar(first17);

describe('an institution\'s registration file (ORG-1), without a database', () => {
  it('finds its columns by Chinese or English header; the ID number and subject code are required', () => {
    expect(mapColumns(REGISTRATION_COLUMNS, ['Subject code', '证件号码', '考点代码', 'Slot'])).toEqual({ ok: true, index: { subject: 0, idNumber: 1, site: 2, slot: 3 } });
    const missing = mapColumns(REGISTRATION_COLUMNS, ['姓名']);
    expect(!missing.ok && missing.errors.map((e) => e.column)).toEqual(['证件号码 ID number', '科目代码 Subject code']);
  });

  it('checks a row on its own: the ID number as a document, the subject, site and slot given together', () => {
    const index = { idNumber: 0, name: 1, subject: 2, site: 3, slot: 4 };
    expect(checkRegistrationRow(index, 2, [` ${id().toLowerCase()} `, '张三', 'ENG-B', 'S1', 'T1'], now))
      .toEqual({ ok: true, value: { row: 2, idNumber: id(), name: '张三', subject: 'ENG-B', site: 'S1', slot: 'T1' } });
    expect(checkRegistrationRow(index, 3, [id(), null, 'ENG-B', null, null], now)).toMatchObject({ ok: true, value: { name: null, site: null, slot: null } });
    const bad = checkRegistrationRow(index, 4, [id().slice(0, 17) + 'Z', null, '', 'S1', null], now);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.map((e) => [e.row, e.column])).toEqual([[4, '证件号码 ID number'], [4, '科目代码 Subject code'], [4, '场次代码 Slot code']]);
    const numeric = checkRegistrationRow(index, 5, [110105199003071230, null, 'ENG-B', null, null], now);
    expect(!numeric.ok && numeric.errors[0]!.reasonEn).toMatch(/stored as a number/);
  });

  it('points a refusal of the registration rules at the column it concerns', () => {
    expect(columnOfRefusal('SEAT_UNAVAILABLE')).toBe('考点代码 Site code / 场次代码 Slot code');
    expect(columnOfRefusal('EXCLUSIVE_SUBJECT_CONFLICT')).toBe('科目代码 Subject code');
    expect(columnOfRefusal('WINDOW_CLOSED')).toBe('');
  });
});

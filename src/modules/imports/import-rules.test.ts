import { describe, expect, it } from 'vitest';
import { residentIdCheckChar } from '../../shared/resident-id.ts';
import { checkRow, mapHeader } from './import-rules.ts';
import { decodeCsv, parseCsv, sniffFormat } from './sheet-reader.ts';

const now = new Date('2026-03-15T01:00:00Z');
const id = (first17 = '11010519900307123') => first17 + residentIdCheckChar(first17);

describe('import rules (ADM-2), without a database', () => {
  it('finds columns by Chinese or English header, in any order; names a missing required column', () => {
    expect(mapHeader('ROSTER', ['ID Number', null, '姓名', 'Phone'])).toEqual({ ok: true, index: { idNumber: 0, name: 2, phone: 3 } });
    const missing = mapHeader('STANDING', ['证件号码', '资格']);
    expect(missing.ok).toBe(false);
    if (!missing.ok) expect(missing.errors.map((e) => [e.row, e.column])).toEqual([[1, '科目代码 Subject code']]);
  });

  it('checks a roster row: the ID number as its document, the ID type words, the phone', () => {
    const index = { name: 0, idType: 1, idNumber: 2, phone: 3 };
    expect(checkRow('ROSTER', index, 2, ['张三', '身份证', ` ${id().toLowerCase()} `, '138 0013 8000'], now))
      .toEqual({ ok: true, value: { row: 2, name: '张三', idType: 'RESIDENT_ID', idNumber: id(), phone: '13800138000', institution: null } });
    const bad = checkRow('ROSTER', index, 5, ['', 'PASSPORT', '!!', '12'], now);
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.errors.map((e) => e.column)).toEqual(['证件号码 ID number', '姓名 Name', '手机号 Phone']);
    const numeric = checkRow('ROSTER', index, 3, ['李四', null, 110105199003071230, null], now);
    expect(!numeric.ok && numeric.errors[0]!.reasonEn).toMatch(/stored as a number/);
  });

  it('reads standing words in both languages', () => {
    const index = { idNumber: 0, subject: 1, status: 2 };
    expect(checkRow('STANDING', index, 2, [id(), 'CET4', '免考'], now)).toMatchObject({ ok: true, value: { status: 'EXEMPT' } });
    expect(checkRow('STANDING', index, 2, [id(), 'CET4', 'passed'], now)).toMatchObject({ ok: true, value: { status: 'PASSED' } });
    expect(checkRow('STANDING', index, 2, [id(), 'CET4', '也许'], now)).toMatchObject({ ok: false });
  });
});

describe('sheet reading', () => {
  it('parses RFC 4180 CSV with quotes, CRLF, newlines in fields, and numbers rows as the sheet does', () => {
    const rows = [...parseCsv('a,b\r\n"x, ""y""",2\r\n\r\n"multi\nline",3\n')];
    expect(rows).toEqual([{ rowNo: 1, cells: ['a', 'b'] }, { rowNo: 2, cells: ['x, "y"', '2'] }, { rowNo: 4, cells: ['multi\nline', '3'] }]);
  });
  it('decodes UTF-8 with BOM and GBK', async () => {
    const iconv = (await import('iconv-lite')).default;
    expect(decodeCsv(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('姓名')]))).toBe('姓名');
    expect(decodeCsv(iconv.encode('姓名,证件号码', 'gbk'))).toBe('姓名,证件号码');
  });
  it('tells xlsx (zip) from csv by its bytes', () => {
    expect(sniffFormat(Buffer.from('PK\u0003\u0004rest'))).toBe('XLSX');
    expect(sniffFormat(Buffer.from('姓名,证件号码'))).toBe('CSV');
  });
});

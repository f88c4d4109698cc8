import { describe, expect, it } from 'vitest';
import { residentIdCheckChar } from '../../shared/resident-id.ts';
import { checkRow, duplicateInFileError, duplicateKey, mapHeader } from './import-rules.ts';
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

describe('CET4 results and audit results (REG-4, REG-9), without a database', () => {
  const cet4 = { ticketNo: 0, name: 1, idNumber: 2, score: 3 };
  it('finds the CET4 columns by their Chinese or English names', () => {
    expect(mapHeader('CET4_SCORE', ['总分', '准考证号', 'ID number', '姓名'])).toEqual({ ok: true, index: { score: 0, ticketNo: 1, idNumber: 2, name: 3 } });
    const missing = mapHeader('CET4_SCORE', ['准考证号', '姓名', '证件号码']);
    expect(!missing.ok && missing.errors.map((e) => e.column)).toEqual(['总分 Score']);
  });

  it('keeps a ticket number as 15 digits of text; a number cell that lost its leading zeros or digits is named', () => {
    expect(checkRow('CET4_SCORE', cet4, 2, [' 110011191100101 ', '张三', id(), '425'], now))
      .toEqual({ ok: true, value: { row: 2, ticketNo: '110011191100101', name: '张三', idNumber: id(), score: 425 } });
    // Excel holds 15 digits exactly: a number cell of 15 digits is the ticket number.
    expect(checkRow('CET4_SCORE', cet4, 2, [110011191100101, '张三', id(), 710], now)).toMatchObject({ ok: true, value: { ticketNo: '110011191100101', score: 710 } });
    const lostZero = checkRow('CET4_SCORE', cet4, 3, [11191100101, '张三', id(), 500], now);
    expect(!lostZero.ok && lostZero.errors.map((e) => [e.column, e.reasonEn])).toEqual([['准考证号 Ticket number', expect.stringMatching(/stored as a number/)]]);
    const short = checkRow('CET4_SCORE', cet4, 4, ['11001119110010', '张三', id(), 500], now);
    expect(!short.ok && short.errors.map((e) => e.reasonZh)).toEqual(['准考证号应为15位数字']);
  });

  it('takes a score as a whole number from 0 to 710 and names every wrong field of a row', () => {
    for (const score of [0, '0', 710, ' 425 ']) expect(checkRow('CET4_SCORE', cet4, 2, ['110011191100101', '李四', id(), score], now).ok, String(score)).toBe(true);
    for (const score of [711, -1, 425.5, '四百', '425分', '']) {
      const r = checkRow('CET4_SCORE', cet4, 2, ['110011191100101', '李四', id(), score], now);
      expect(!r.ok && r.errors.map((e) => e.column), String(score)).toEqual(['总分 Score']);
    }
    const bad = checkRow('CET4_SCORE', cet4, 7, ['x', '', '!!', 800], now);
    expect(!bad.ok && bad.errors.map((e) => [e.row, e.column])).toEqual([[7, '证件号码 ID number'], [7, '准考证号 Ticket number'], [7, '姓名 Name'], [7, '总分 Score']]);
    // An 18-digit ID number typed into a number cell lost its last digits, as for rosters.
    const numericId = checkRow('CET4_SCORE', cet4, 2, ['110011191100101', '李四', 110105199003071230, 500], now);
    expect(!numericId.ok && numericId.errors[0]!.reasonEn).toMatch(/stored as a number/);
  });

  it('a ticket number twice in one file is a duplicate; audit rows are keyed by ID number', () => {
    const a = checkRow('CET4_SCORE', cet4, 2, ['110011191100101', '张三', id(), 500], now);
    const b = checkRow('CET4_SCORE', cet4, 5, ['110011191100101', '王五', id('11010519900307124'), 430], now);
    if (!a.ok || !b.ok) throw new Error('rows should pass');
    expect(duplicateKey(a.value)).toBe(duplicateKey(b.value));
    expect(duplicateInFileError(b.value, 2)).toMatchObject({ row: 5, column: '准考证号 Ticket number', reasonZh: '与第2行的准考证号重复', reasonEn: 'Same ticket number as row 2' });
    const audit = checkRow('AUDIT', { idNumber: 0, status: 1 }, 3, [id(), '通过'], now);
    if (!audit.ok) throw new Error('row should pass');
    expect(duplicateKey(audit.value)).toBe(id());
    expect(duplicateInFileError(audit.value, 2).reasonEn).toBe('Same ID number as row 2');
  });

  it('reads audit words in Chinese and English, any case', () => {
    const index = { idNumber: 0, status: 1 };
    const status = (word: string) => {
      const r = checkRow('AUDIT', index, 2, [id(), word], now);
      return r.ok && 'status' in r.value ? r.value.status : r.ok ? null : r.errors.map((e) => e.column);
    };
    for (const w of ['审核通过', '通过', 'PASSED', 'passed', ' Passed ']) expect(status(w), w).toBe('PASSED');
    for (const w of ['待审核', 'PENDING', 'pending']) expect(status(w), w).toBe('PENDING');
    for (const w of ['审核未通过', '未通过', '不通过', 'REJECTED', 'Rejected']) expect(status(w), w).toBe('REJECTED');
    for (const w of ['也许', '', 'APPROVED']) expect(status(w), w).toEqual(['审核状态 Audit status']);
    expect(mapHeader('AUDIT', ['Audit status', 'ID Number'])).toEqual({ ok: true, index: { status: 0, idNumber: 1 } });
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

import { describeError } from '../../shared/errors.ts';
import { ID_TYPE_NAMES, ID_TYPES, maskIdNumber, recogniseIdNumber, validateIdNumber, type IdType } from '../../shared/id-document.ts';
import { normalisePhone } from '../../shared/personal-data.ts';
import type { ImportKind } from '../../db/schema.ts';

/**
 * What a roster or student-record file must hold, and how one row is checked (ADM-2). Pure: the
 * checks against the database (already on the roster, unknown candidate) live in run-import.ts.
 * Columns are found by their header (Chinese or English, any order, any case); the first row
 * of the first sheet is the header.
 */

/** A cell as read: text, a number (xlsx numeric cell), or empty. */
export type Cell = string | number | null;

/** One reason a row cannot be imported: where (row as numbered in the sheet, column header) and why in both languages. */
export interface RowError {
  row: number;
  column: string;
  /** The cell as read, ID numbers masked: the sheet is downloaded and passed around. */
  value: string;
  reasonZh: string;
  reasonEn: string;
}

export interface ColumnSpec {
  key: string;
  zh: string;
  en: string;
  required: boolean;
  aliases: readonly string[];
}

export const COLUMNS: Record<ImportKind, readonly ColumnSpec[]> = {
  ROSTER: [
    { key: 'name', zh: '姓名', en: 'Name', required: true, aliases: ['姓名', 'name', '考生姓名'] },
    { key: 'idType', zh: '证件类型', en: 'ID type', required: false, aliases: ['证件类型', 'id type', 'idtype'] },
    { key: 'idNumber', zh: '证件号码', en: 'ID number', required: true, aliases: ['证件号码', '身份证号', '身份证号码', 'id number', 'idnumber'] },
    { key: 'phone', zh: '手机号', en: 'Phone', required: false, aliases: ['手机号', '手机号码', '手机', 'phone', 'mobile'] },
    { key: 'institution', zh: '机构代码', en: 'Institution code', required: false, aliases: ['机构代码', '学校代码', '学习中心代码', 'institution', 'institution code'] },
  ],
  STANDING: [
    { key: 'idNumber', zh: '证件号码', en: 'ID number', required: true, aliases: ['证件号码', '身份证号', '身份证号码', 'id number', 'idnumber'] },
    { key: 'subject', zh: '科目代码', en: 'Subject code', required: true, aliases: ['科目代码', '科目', 'subject', 'subject code'] },
    { key: 'status', zh: '资格', en: 'Standing', required: true, aliases: ['资格', '状态', '资格状态', 'standing', 'status'] },
  ],
  // REG-4 (seed 002): the CET4 results a CET6 review looks its ticket number up in.
  CET4_SCORE: [
    { key: 'ticketNo', zh: '准考证号', en: 'Ticket number', required: true, aliases: ['准考证号', '准考证号码', '准考证', 'ticket number', 'ticket no', 'ticketno', 'ticket'] },
    { key: 'name', zh: '姓名', en: 'Name', required: true, aliases: ['姓名', 'name', '考生姓名'] },
    { key: 'idNumber', zh: '证件号码', en: 'ID number', required: true, aliases: ['证件号码', '身份证号', '身份证号码', 'id number', 'idnumber'] },
    { key: 'score', zh: '总分', en: 'Score', required: true, aliases: ['总分', '成绩', '分数', 'score', 'total score', 'total'] },
  ],
  // REG-9 (seed 004): 资格审核结果 of candidates on the roster, for one sitting.
  AUDIT: [
    { key: 'idNumber', zh: '证件号码', en: 'ID number', required: true, aliases: ['证件号码', '身份证号', '身份证号码', 'id number', 'idnumber'] },
    { key: 'status', zh: '审核状态', en: 'Audit status', required: true, aliases: ['审核状态', '审核结果', '资格审核结果', '资格审核', 'audit status', 'audit result', 'audit', 'status'] },
  ],
};

const header = (c: ColumnSpec) => `${c.zh} ${c.en}`;
const squash = (s: string) => s.normalize('NFKC').trim().toLowerCase().replace(/[\s_/（）()]+/g, ' ').trim();

/** Header row → column index per key, or the errors of a header that lacks a required column. */
export function mapHeader(kind: ImportKind, cells: readonly Cell[]): { ok: true; index: Record<string, number> } | { ok: false; errors: RowError[] } {
  return mapColumns(COLUMNS[kind], cells);
}

/** mapHeader for any set of columns (an institution's registration file has its own). */
export function mapColumns(columns: readonly ColumnSpec[], cells: readonly Cell[]): { ok: true; index: Record<string, number> } | { ok: false; errors: RowError[] } {
  const index: Record<string, number> = {};
  cells.forEach((cell, i) => {
    if (cell === null) return;
    const text = squash(String(cell));
    const spec = columns.find((c) => c.aliases.some((a) => squash(a) === text || squash(header(c)) === text));
    if (spec && index[spec.key] === undefined) index[spec.key] = i;
  });
  const missing = columns.filter((c) => c.required && index[c.key] === undefined);
  if (!missing.length) return { ok: true, index };
  return {
    ok: false,
    errors: missing.map((c) => ({ row: 1, column: header(c), value: '', reasonZh: `缺少必填列“${c.zh}”（表头应在第1行）`, reasonEn: `The required column "${c.en}" is missing (headers go in row 1)` })),
  };
}

const ID_TYPE_BY_TEXT = new Map<string, IdType>(ID_TYPES.flatMap((t) => [[squash(t), t], [squash(ID_TYPE_NAMES[t].zh), t], [squash(ID_TYPE_NAMES[t].en), t]] as [string, IdType][]));
ID_TYPE_BY_TEXT.set(squash('身份证'), 'RESIDENT_ID');
const STANDING_BY_TEXT = new Map<string, 'ELIGIBLE' | 'PASSED' | 'EXEMPT'>([
  ['eligible', 'ELIGIBLE'], ['可报考', 'ELIGIBLE'], ['有资格', 'ELIGIBLE'], ['passed', 'PASSED'], ['已通过', 'PASSED'], ['exempt', 'EXEMPT'], ['免考', 'EXEMPT'],
]);

const AUDIT_BY_TEXT = new Map<string, AuditStatus>([
  ['审核通过', 'PASSED'], ['通过', 'PASSED'], ['passed', 'PASSED'], ['待审核', 'PENDING'], ['pending', 'PENDING'],
  ['审核未通过', 'REJECTED'], ['未通过', 'REJECTED'], ['不通过', 'REJECTED'], ['rejected', 'REJECTED'],
]);
/** The highest CET total score (710); the table checks it too. */
export const CET4_MAX_SCORE = 710;

export type AuditStatus = 'PENDING' | 'PASSED' | 'REJECTED';
export interface RosterRow { row: number; name: string; idType: IdType; idNumber: string; phone: string | null; institution: string | null }
export interface StandingRow { row: number; idNumber: string; subject: string; status: 'ELIGIBLE' | 'PASSED' | 'EXEMPT' }
export interface Cet4Row { row: number; ticketNo: string; name: string; idNumber: string; score: number }
export interface AuditRow { row: number; idNumber: string; status: AuditStatus }
export type ImportRow = RosterRow | StandingRow | Cet4Row | AuditRow;

const text = (cell: Cell | undefined): string => (cell === null || cell === undefined ? '' : String(cell).trim());

/**
 * One data row → its record, or every reason it is wrong. `rowNo` is the row as the sheet
 * numbers it (header = 1). An ID number typed into a numeric cell has lost its last digits in
 * the spreadsheet itself (18 digits are more than a double holds): named, not guessed.
 */
export function checkRow(kind: ImportKind, index: Record<string, number>, rowNo: number, cells: readonly Cell[], now: Date): { ok: true; value: ImportRow } | { ok: false; errors: RowError[] } {
  const errors: RowError[] = [];
  const col = (key: string) => COLUMNS[kind].find((c) => c.key === key)!;
  const at = (key: string) => (index[key] === undefined ? undefined : cells[index[key]]);
  const err = (key: string, value: string, zh: string, en: string) => errors.push({ row: rowNo, column: header(col(key)), value, reasonZh: zh, reasonEn: en });
  const required = (key: string): string | undefined => {
    const v = text(at(key));
    if (!v) err(key, '', `“${col(key).zh}”不能为空`, `"${col(key).en}" must not be empty`);
    return v || undefined;
  };

  let idType: IdType = 'RESIDENT_ID';
  if (kind === 'ROSTER' && text(at('idType'))) {
    const t = ID_TYPE_BY_TEXT.get(squash(text(at('idType'))));
    if (t) idType = t;
    else err('idType', text(at('idType')), `不认识的证件类型，可填：${ID_TYPES.map((x) => ID_TYPE_NAMES[x].zh).join('、')}`, `Unknown ID type; use one of: ${ID_TYPES.join(', ')}`);
  }
  let idNumber: string | undefined;
  const rawId = at('idNumber');
  if (typeof rawId === 'number' && !Number.isSafeInteger(rawId)) {
    err('idNumber', maskIdNumber(String(rawId)), '证件号码被表格存成了数字，末几位已丢失：请把该列设为“文本”格式后重新填写', 'The ID number was stored as a number and lost its last digits; format the column as Text and enter it again');
  } else {
    const raw = required('idNumber');
    if (raw !== undefined) {
      // Other kinds name a person without the document type (an account on the roster, a CET4 result): any valid document's number will do.
      const checked = kind === 'ROSTER' ? validateIdNumber(idType, raw, now) : recogniseIdNumber(raw, now);
      if (checked.ok) idNumber = checked.value.number;
      else {
        const d = describeError(checked.error.code, checked.error.details);
        err('idNumber', maskIdNumber(raw), d.messageZh, d.messageEn);
      }
    }
  }

  const nameOf = () => {
    const name = required('name');
    if (name !== undefined && name.length > 64) err('name', name.slice(0, 20), '姓名最长64个字', 'A name has at most 64 characters');
    return name;
  };

  if (kind === 'CET4_SCORE') {
    const ticketNo = ticketOf(at('ticketNo'), (value, zh, en) => err('ticketNo', value, zh, en), () => required('ticketNo'));
    const name = nameOf();
    const score = scoreOf(at('score'), (value, zh, en) => err('score', value, zh, en), () => required('score'));
    if (errors.length) return { ok: false, errors };
    return { ok: true, value: { row: rowNo, ticketNo: ticketNo!, name: name!, idNumber: idNumber!, score: score! } };
  }
  if (kind === 'AUDIT') {
    const rawStatus = text(at('status'));
    const status = AUDIT_BY_TEXT.get(squash(rawStatus));
    if (rawStatus && !status) err('status', rawStatus.slice(0, 40), '审核状态应为：审核通过、待审核或审核未通过', 'The audit status must be PASSED, PENDING or REJECTED');
    else if (!rawStatus) required('status');
    if (errors.length) return { ok: false, errors };
    return { ok: true, value: { row: rowNo, idNumber: idNumber!, status: status! } };
  }
  if (kind === 'ROSTER') {
    const name = nameOf();
    let phone: string | null = null;
    const rawPhone = text(at('phone'));
    if (rawPhone) {
      phone = normalisePhone(rawPhone);
      if (!/^(\+?86)?1[3-9]\d{9}$/.test(phone)) err('phone', '', '手机号应为11位中国大陆手机号', 'A phone number is an 11-digit mainland mobile number');
    }
    const institution = text(at('institution')) || null;
    if (errors.length) return { ok: false, errors };
    return { ok: true, value: { row: rowNo, name: name!, idType, idNumber: idNumber!, phone, institution } };
  }
  const subject = required('subject');
  const rawStatus = text(at('status'));
  const status = STANDING_BY_TEXT.get(squash(rawStatus));
  if (rawStatus && !status) err('status', rawStatus, '资格应为：可报考、已通过或免考', 'Standing must be ELIGIBLE, PASSED or EXEMPT');
  else if (!rawStatus) required('status');
  if (errors.length) return { ok: false, errors };
  return { ok: true, value: { row: rowNo, idNumber: idNumber!, subject: subject!, status: status! } };
}

/**
 * A CET4 ticket number (15 digits) kept as text. Excel holds 15 digits exactly, so a number cell
 * of 15 digits is the number; a shorter one lost its leading zeros in the spreadsheet: named, not padded.
 */
function ticketOf(cell: Cell | undefined, err: (value: string, zh: string, en: string) => void, required: () => string | undefined): string | undefined {
  if (typeof cell === 'number') {
    const digits = Number.isSafeInteger(cell) && cell >= 0 ? String(cell) : '';
    if (/^\d{15}$/.test(digits)) return digits;
    err(String(cell).slice(0, 20), '准考证号被表格存成了数字，开头的0或末几位已丢失：请把该列设为“文本”格式后重新填写', 'The ticket number was stored as a number and lost its leading zeros or last digits; format the column as Text and enter it again');
    return undefined;
  }
  const raw = required();
  if (raw === undefined) return undefined;
  const ticket = raw.replace(/\s+/g, '');
  if (/^\d{15}$/.test(ticket)) return ticket;
  err(raw.slice(0, 20), '准考证号应为15位数字', 'A ticket number is 15 digits');
  return undefined;
}

/** A CET total score: a whole number from 0 to 710, typed as a number or as text. */
function scoreOf(cell: Cell | undefined, err: (value: string, zh: string, en: string) => void, required: () => string | undefined): number | undefined {
  const raw = typeof cell === 'number' ? String(cell) : required();
  if (raw === undefined) return undefined;
  const score = /^\d{1,3}$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (Number.isInteger(score) && score <= CET4_MAX_SCORE) return score;
  err(raw.slice(0, 20), `总分应为0到${CET4_MAX_SCORE}之间的整数`, `The score is a whole number from 0 to ${CET4_MAX_SCORE}`);
  return undefined;
}

/** The key two rows of a file must not share: the ticket number (CET4), ID number and subject (STANDING), else the ID number. */
export function duplicateKey(row: ImportRow): string {
  if ('ticketNo' in row) return row.ticketNo;
  return 'subject' in row ? `${row.idNumber}\u0000${row.subject}` : row.idNumber;
}

export function duplicateInFileError(row: ImportRow, firstRow: number): RowError {
  if ('ticketNo' in row) {
    return { row: row.row, column: '准考证号 Ticket number', value: row.ticketNo, reasonZh: `与第${firstRow}行的准考证号重复`, reasonEn: `Same ticket number as row ${firstRow}` };
  }
  const inStanding = 'subject' in row;
  return {
    row: row.row, column: inStanding ? '证件号码 ID number / 科目代码 Subject code' : '证件号码 ID number', value: maskIdNumber(row.idNumber),
    reasonZh: inStanding ? `与第${firstRow}行重复（同一考生同一科目）` : `与第${firstRow}行的证件号码重复`,
    reasonEn: inStanding ? `Duplicates row ${firstRow} (same candidate and subject)` : `Same ID number as row ${firstRow}`,
  };
}

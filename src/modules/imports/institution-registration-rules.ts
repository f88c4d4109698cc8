import { describeError } from '../../shared/errors.ts';
import { maskIdNumber, recogniseIdNumber } from '../../shared/id-document.ts';
import type { Cell, ColumnSpec, RowError } from './import-rules.ts';

/**
 * What an institution's registration file holds (ORG-1, REG-8; seed 000 学习中心报考), and how
 * one row is checked on its own. Pure: who the candidate is, whether the subject, site and slot
 * exist and whether the registration passes the candidate's rules are decided against the
 * database in institution-registrations.ts. One row = one candidate of the institution in one
 * subject of the sitting chosen for the upload, with the site and slot where that subject has seats.
 */
export const REGISTRATION_COLUMNS: readonly ColumnSpec[] = [
  { key: 'idNumber', zh: '证件号码', en: 'ID number', required: true, aliases: ['证件号码', '身份证号', '身份证号码', 'id number', 'idnumber'] },
  { key: 'name', zh: '姓名', en: 'Name', required: false, aliases: ['姓名', '考生姓名', 'name'] },
  { key: 'subject', zh: '科目代码', en: 'Subject code', required: true, aliases: ['科目代码', '科目', 'subject', 'subject code'] },
  { key: 'site', zh: '考点代码', en: 'Site code', required: false, aliases: ['考点代码', '考点', 'site', 'site code'] },
  { key: 'slot', zh: '场次代码', en: 'Slot code', required: false, aliases: ['场次代码', '场次', '考试时间代码', 'slot', 'slot code'] },
];

/** Rows per file: an institution pays at most 500 registrations per bill, and registers a few bills' worth at once. */
export const MAX_REGISTRATION_ROWS = 2000;
export const MAX_REGISTRATION_FILE_BYTES = 4 * 1024 * 1024;

export const columnHeader = (key: string): string => {
  const c = REGISTRATION_COLUMNS.find((x) => x.key === key)!;
  return `${c.zh} ${c.en}`;
};

export interface RegistrationRow {
  row: number;
  idNumber: string;
  name: string | null;
  subject: string;
  site: string | null;
  slot: string | null;
}

const text = (cell: Cell | undefined): string => (cell === null || cell === undefined ? '' : String(cell).trim());

/** One data row → its fields, or every reason it is wrong. `rowNo` as the sheet numbers it (header = 1). */
export function checkRegistrationRow(index: Record<string, number>, rowNo: number, cells: readonly Cell[], now: Date): { ok: true; value: RegistrationRow } | { ok: false; errors: RowError[] } {
  const errors: RowError[] = [];
  const at = (key: string): Cell | undefined => (index[key] === undefined ? undefined : cells[index[key]!]);
  const err = (key: string, value: string, zh: string, en: string) => errors.push({ row: rowNo, column: columnHeader(key), value, reasonZh: zh, reasonEn: en });

  let idNumber: string | undefined;
  const rawId = at('idNumber');
  if (typeof rawId === 'number' && !Number.isSafeInteger(rawId)) {
    err('idNumber', maskIdNumber(String(rawId)), '证件号码被表格存成了数字，末几位已丢失：请把该列设为“文本”格式后重新填写', 'The ID number was stored as a number and lost its last digits; format the column as Text and enter it again');
  } else if (!text(rawId)) {
    err('idNumber', '', '必填项为空', 'Required, but empty');
  } else {
    const checked = recogniseIdNumber(text(rawId), now);
    if (checked.ok) idNumber = checked.value.number;
    else {
      const d = describeError(checked.error.code, checked.error.details);
      err('idNumber', maskIdNumber(text(rawId)), d.messageZh, d.messageEn);
    }
  }
  const name = text(at('name')) || null;
  if (name !== null && name.length > 64) err('name', name.slice(0, 20), '姓名最长64个字', 'A name has at most 64 characters');
  const subject = text(at('subject'));
  if (!subject) err('subject', '', '必填项为空', 'Required, but empty');
  const site = text(at('site')) || null;
  const slot = text(at('slot')) || null;
  if ((site === null) !== (slot === null)) {
    err(site === null ? 'site' : 'slot', '', '考点代码和场次代码须同时填写（科目设有座位时），或同时留空', 'Give both the site code and the slot code (for a subject with seats), or neither');
  }
  if (errors.length) return { ok: false, errors };
  return { ok: true, value: { row: rowNo, idNumber: idNumber!, name, subject, site, slot } };
}

/** Where on the row a refusal of the registration rules points: the subject, or the site and slot. */
export function columnOfRefusal(code: string): string {
  if (code === 'SLOT_REQUIRED' || code === 'SEAT_UNAVAILABLE') return `${columnHeader('site')} / ${columnHeader('slot')}`;
  if (code === 'WINDOW_CLOSED') return '';
  return columnHeader('subject');
}

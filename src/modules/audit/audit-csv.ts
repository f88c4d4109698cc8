import { formatShanghai } from '../../shared/time.ts';
import type { queryAuditLog } from './audit-log.ts';

/**
 * The audit log as CSV (ADM-4): the entries a search found, one row each, newest first. UTF-8
 * with a byte-order mark, so Excel opens the Chinese right; a cell that starts like a formula
 * (= + - @, tab, CR) gets a leading apostrophe, so a value typed by someone can never run as one
 * in the spreadsheet of whoever opens the export (CSV injection).
 */

type AuditRow = Awaited<ReturnType<typeof queryAuditLog>>[number];

export const AUDIT_CSV_COLUMNS = ['entryId', 'at', 'atBeijing', 'actorType', 'actorId', 'actorRole', 'actorLogin', 'action', 'objectType', 'objectId', 'outcome', 'ip', 'summary'] as const;

export function csvCell(value: string | null): string {
  if (value === null) return '';
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
}

/** One entry's cells, in AUDIT_CSV_COLUMNS order (the CSV and the xlsx export share them). */
export function auditCells(r: AuditRow): (string | null)[] {
  return [
    String(r.id), r.at.toISOString(), formatShanghai(r.at), r.actor_type, r.actor_id === null ? null : String(r.actor_id), r.actor_role, r.actor_login,
    r.action, r.object_type, r.object_id, r.outcome, r.ip, JSON.stringify(r.summary),
  ];
}

export function auditCsv(rows: readonly AuditRow[]): string {
  const lines = [AUDIT_CSV_COLUMNS.join(',')];
  for (const r of rows) lines.push(auditCells(r).map(csvCell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

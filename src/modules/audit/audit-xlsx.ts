import { sheetBuffer } from '../exports/xlsx-writer.ts';
import { AUDIT_CSV_COLUMNS, auditCells } from './audit-csv.ts';
import type { queryAuditLog } from './audit-log.ts';

/**
 * The audit log search as an xlsx sheet (ADM-4): the CSV's columns and cells. Every cell is
 * written as text, never as a formula, so nothing typed into a summary can run in the reader's
 * spreadsheet.
 */
export function auditXlsx(rows: Awaited<ReturnType<typeof queryAuditLog>>): Promise<Buffer> {
  return sheetBuffer('audit-log', AUDIT_CSV_COLUMNS, rows.map(auditCells), [10, 24, 20, 10, 8, 16, 16, 24, 14, 24, 10, 16, 80]);
}

import { ApiError, type ErrorBody } from '../../../api/client.ts';

/** An import as every import route answers it (docs/imports-exports.md). */
export interface ImportView {
  importId: string;
  kind: ImportKind;
  state: ImportState;
  format: 'CSV' | 'XLSX';
  fileName: string;
  examId: string | null;
  sittingId: string | null;
  rowsTotal: number | null;
  rowsRead: number;
  rowsValidated: number;
  rowsWritten: number;
  percent: number;
  errorCount: number;
  failure: string | null;
  errorSheetUrl: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}
export const IMPORT_KINDS = ['ROSTER', 'STANDING', 'AUDIT', 'CET4_SCORE'] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];
/** What each kind goes into, as the server checks it (docs/imports-exports.md): CET4 results belong to the authority. */
export const importTarget = (k: ImportKind): 'exam' | 'sitting' | 'authority' => (k === 'ROSTER' ? 'exam' : k === 'CET4_SCORE' ? 'authority' : 'sitting');
export type ImportState = 'QUEUED' | 'RUNNING' | 'DONE' | 'REJECTED' | 'FAILED';
export const isFinished = (s: ImportState) => s === 'DONE' || s === 'REJECTED' || s === 'FAILED';

/** GET /api/v1/admin/exams (the parts these pages use) */
export interface ExamSummary {
  examId: string;
  settings: { code: string; name: string };
  sittings: { sittingId: string; code: string; name: string; cancelledAt: string | null }[];
}

/** GET /api/v1/admin/exports/filters */
export interface ExportFilterOptions {
  sittings: {
    sittingId: string; code: string; name: string; examCode: string; examName: string; cancelled: boolean;
    subjects: { subjectId: string; code: string; name: string }[];
    sites: { siteId: string; code: string; name: string }[];
  }[];
}

export const EXPORT_KINDS = ['registrations', 'bills', 'payments', 'refunds', 'reconciliation'] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];
/** The states each export filters on, and which id filters it takes (docs/imports-exports.md). */
export const EXPORT_STATES: Record<ExportKind, readonly string[]> = {
  registrations: ['UNPAID', 'PAID', 'CANCELLED'],
  bills: ['UNPAID', 'PAYING', 'PAID', 'CLOSED', 'REFUNDED', 'PARTIALLY_REFUNDED'],
  payments: ['SETTLED', 'DUPLICATE', 'LATE'],
  refunds: ['PENDING', 'SUCCEEDED', 'FAILED'],
  reconciliation: ['OPEN', 'AUTO_SETTLED', 'AUTO_REFUNDED', 'RESOLVED_BY_STAFF'],
};
export const takesSubjectAndSite = (k: ExportKind) => k !== 'reconciliation';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/**
 * POST /api/v1/admin/imports: the file is the raw request body (no multipart), its name and
 * target in the query. JSON calls go through api/client.ts; this one call sends bytes.
 */
export async function uploadImport(query: URLSearchParams, file: File): Promise<ImportView> {
  const type = /\.csv$/i.test(file.name) ? 'text/csv' : /\.xlsx$/i.test(file.name) ? XLSX : 'application/octet-stream';
  let res: Response;
  try {
    res = await fetch(`/api/v1/admin/imports?${query.toString()}`, {
      method: 'POST', credentials: 'same-origin', body: file,
      headers: { 'X-ExamPay-Request': '1', accept: 'application/json', 'content-type': type },
    });
  } catch {
    throw new ApiError(0, { code: 'NETWORK_ERROR', message: 'network error', messageZh: '网络连接中断，文件可能没有上传成功。请在“最近的导入”中确认后再重试。', messageEn: 'The connection failed; the file may not have been uploaded. Check "Recent imports" before trying again.' });
  }
  const text = await res.text();
  const json: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const err = (json as ErrorBody | undefined)?.error;
    throw new ApiError(res.status, err ?? { code: `HTTP_${res.status}`, message: res.statusText, messageZh: `服务器返回 ${res.status}`, messageEn: `The server answered ${res.status}` });
  }
  return json as ImportView;
}

import { ApiError, NETWORK_ERROR, type ErrorBody } from '../../api/client.ts';
import type { BillDetail } from '../candidate/bills/billApi.ts';

/** Shapes of /api/v1/institution (src/http/routes/institution/*.ts). */
export interface Label { zh: string; en: string }

export interface InstitutionRegistration {
  registrationId: string;
  sittingId: string;
  sittingCode: string;
  sittingName: string;
  subjectId: string;
  subjectCode: string;
  subjectName: string;
  kind: string;
  feeFen: number;
  owner: 'CANDIDATE' | 'INSTITUTION';
  status: 'UNPAID' | 'ON_BILL' | 'PAID' | 'SEAT_RELEASED';
  statusLabel: Label;
  payableByInstitution: boolean;
  reason: { code: string; zh: string; en: string } | null;
  bill: { billNo: string; state: string; owner: string } | null;
  seat: { siteId: string; siteName: string; slotId: string; startsAt: string; seatNo: number; state: string } | null;
  seatReleased: { reason: string; zh: string; en: string } | null;
  createdAt: string;
}

export interface InstitutionCandidate {
  candidateId: string;
  name: string;
  idNumberMasked: string;
  registrations: InstitutionRegistration[];
}

export interface BatchBillSummary {
  billNo: string;
  state: string;
  stateLabel: Label;
  explanation: Label;
  amountFen: number;
  createdAt: string;
  itemCount: number;
  sittingId: string;
}

export const label = (l: Label, lang: string) => (lang.startsWith('zh') ? l.zh : l.en);

/** GET /api/v1/institution/sittings */
export interface SittingRef { sittingId: string; code: string; name: string; examName: string }

/** GET /api/v1/institution/candidates/:candidateId/registration-options */
export interface RegistrationOptions {
  sittingId: string;
  name: string;
  registrationOpen: boolean;
  subjects: {
    subjectId: string; code: string; name: string; kind: string; feeFen: number; canRegister: boolean; reason: string | null; reasonText: Label | null;
    choices: { siteId: string; siteName: string; slotId: string; startsAt: string; endsAt: string; free: number }[];
  }[];
}

/** 201 of POST /api/v1/institution/registration-imports */
export interface ImportDone { importId: string; state: 'DONE'; fileName: string; rowsTotal: number; registered: number; createdAt: string }
/** details of its 422 IMPORT_ROWS_REJECTED */
export interface ImportRejected {
  importId: string; errorCount: number; rowsTotal: number; errorSheetUrl: string;
  errors: { row: number; column: string; value: string; reasonZh: string; reasonEn: string }[];
}

/**
 * The file as the raw request body (the API takes no multipart), with the CSRF header; a refusal
 * becomes the same ApiError as every other call, in the server's words.
 */
export async function uploadRegistrations(sittingId: string, file: File): Promise<ImportDone> {
  let res: Response;
  try {
    res = await fetch(`/api/v1/institution/registration-imports?sittingId=${encodeURIComponent(sittingId)}&fileName=${encodeURIComponent(file.name)}`, {
      method: 'POST', credentials: 'same-origin', body: file,
      headers: { 'X-ExamPay-Request': '1', accept: 'application/json', 'content-type': file.name.toLowerCase().endsWith('.csv') ? 'text/csv' : 'application/octet-stream' },
    });
  } catch {
    throw new ApiError(0, { code: NETWORK_ERROR, message: 'network error', messageZh: '网络连接中断，请检查网络后重试。文件可能尚未上传。', messageEn: 'The connection failed. Check your network and try again; the file may not have been sent.' });
  }
  const body = await res.json().catch(() => undefined) as ImportDone | ErrorBody | undefined;
  if (!res.ok) {
    const err = (body as ErrorBody | undefined)?.error;
    throw new ApiError(res.status, err ?? { code: `HTTP_${res.status}`, message: res.statusText, messageZh: `服务器返回 ${res.status}`, messageEn: `The server answered ${res.status}` });
  }
  return body as ImportDone;
}

/** GET /api/v1/institution/batch-bills/:billNo — the candidate bill's body plus who pays and each item's candidate. */
export interface BatchBillDetail extends BillDetail {
  payer: { kind: 'INSTITUTION'; institutionId: string; code: string; name: string };
  sittingId: string;
  sittingName: string;
  examName: string;
  agreementText: string;
  candidates: { registrationId: string; candidateId: string; candidateName: string; idNumberMasked: string; paid: boolean }[];
}

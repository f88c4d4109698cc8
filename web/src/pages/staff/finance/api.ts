/** The staff API shapes the finance pages read (src/http/routes/staff/*.ts). Money is integer fen. */

export interface Label { zh: string; en: string }
export type Fen = number | string;

/** POST /api/v1/admin/candidates/search */
export interface CandidateSummary {
  candidateId: string;
  name: string;
  idType: string;
  idNumberMasked: string;
  examCode: string;
  institution: { institutionId: string; name: string } | null;
}

/** A bill as listed (BillSummary). */
export interface BillSummary {
  billNo: string;
  state: string;
  stateLabel: Label;
  explanation: Label;
  amountFen: Fen;
  channel: string | null;
  channelTradeNo: string | null;
  createdAt: string;
  paidAt: string | null;
  flaggedForStaff: boolean;
}

/** GET /api/v1/admin/candidates/:candidateId */
export interface CandidateDetail extends CandidateSummary {
  examName: string;
  bills: BillSummary[];
}

export interface LedgerEntry {
  entryId: string;
  kind: string;
  at: string;
  channel: string;
  refundNo: string | null;
  postings: { account: string; amountFen: number }[];
}

/** GET /api/v1/admin/bills/:billNo */
export interface StaffBill extends BillSummary {
  owner: 'CANDIDATE' | 'INSTITUTION';
  candidateId: string | null;
  institutionId: string | null;
  items: { registrationId: string; subjectCode: string; subjectName: string; kind: string; amountFen: Fen; refundedFen: Fen }[];
  payments: { channel: string; channelTradeNo: string; amountFen: Fen; paidAt: string; outcome: string; reportedBy: string }[];
  transitions: { from: string; to: string; cause: string; actor: string; at: string }[];
  ledger: LedgerEntry[];
}

/** GET /api/v1/admin/refunds (and /refunds/:refundNo) */
export interface StaffRefund {
  id?: string;
  refundNo: string;
  state: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  stateLabel: Label;
  reason: string;
  reasonLabel: Label;
  amountFen: Fen;
  channel: string;
  channelLabel: Label;
  explanation: Label;
  attempts: number;
  lastError: string | null;
  flaggedAt: string | null;
  createdAt: string;
  succeededAt: string | null;
  note: string | null;
  requestedBy: string;
  registrationId: string | null;
  subjectName: string | null;
  billNo: string;
  billState: string;
  sittingName: string;
  candidateId: string | null;
  candidateName: string | null;
  billOwner: 'CANDIDATE' | 'INSTITUTION';
  institutionName: string | null;
}

/** POST /api/v1/admin/registrations/:registrationId/personal-refund → 201 */
export interface PersonalRefundMade { actionId: string; refundNo: string; amountFen: Fen; channel: string; registrationEnded: boolean }

/** GET /api/v1/admin/audit-log */
export interface AuditEntry {
  entryId: string;
  at: string;
  atShown: string;
  actor: { type: string; id: string | null; role: string | null; loginName: string | null };
  action: string;
  object: { type: string; id: string } | null;
  outcome: string;
  summary: Record<string, unknown>;
  ip: string | null;
}

/** GET /api/v1/admin/staff */
export interface StaffRow {
  staffId: string;
  loginName: string;
  displayName: string;
  role: 'AUTHORITY_ADMIN' | 'FINANCE' | 'INSTITUTION_STAFF' | 'READ_ONLY';
  roleLabel: Label;
  institutionId: string | null;
  mustChangePassword: boolean;
  disabledAt: string | null;
  createdAt: string;
}

/** Yuan typed by a person → fen, without floats; undefined when it is not a positive amount with at most two decimals. */
export function fenFromYuan(text: string): number | undefined {
  const m = /^(\d{1,7})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return undefined;
  const fen = Number(m[1]) * 100 + Number((m[2] ?? '').padEnd(2, '0'));
  return fen > 0 ? fen : undefined;
}

/** A bill number as printed (21 digits): the search goes straight to the bill. */
export const BILL_NO = /^\d{21}$/;

import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

/** Table types for Kysely; one interface per table in db/migrations. int8 reads as bigint. */
type Id = Generated<bigint>;
type CreatedAt = ColumnType<Date, Date | undefined, never>;

export interface CaptchaTable {
  id_hash: Buffer;
  visitor: Buffer;
  kind: 'TEXT' | 'ARITHMETIC';
  answer: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
}

export interface AuthorityTable { id: Id; code: string; name: string; created_at: CreatedAt }

export interface ExamTable {
  id: Id;
  authority_id: bigint;
  code: string;
  name: string;
  initial_password_rule: 'ID_LAST6' | 'FIXED';
  initial_password_fixed: string | null;
  bill_timeout_minutes: ColumnType<number, number | undefined, number>;
  channels: ColumnType<string[], string[] | undefined, string[]>;
  bank_card_only: ColumnType<boolean, boolean | undefined, boolean>;
  agreement_text: ColumnType<string, string | undefined, string>;
  release_seats_on_bill_expiry: ColumnType<boolean, boolean | undefined, boolean>;
  seat_hold_minutes: ColumnType<number, number | undefined, number>;
  pay_without_sign_in: ColumnType<boolean, boolean | undefined, boolean>;
  roster_restricted: ColumnType<boolean, boolean | undefined, boolean>;
  cet6_review_threshold: ColumnType<number | null, number | null | undefined, number | null>;
  audit_required: ColumnType<boolean, boolean | undefined, boolean>;
  unpaid_registration_ttl_hours: ColumnType<number | null, number | null | undefined, number | null>;
  account_style: ColumnType<'ID_DOCUMENT' | 'EMAIL', 'ID_DOCUMENT' | 'EMAIL' | undefined, 'ID_DOCUMENT' | 'EMAIL'>;
  refund_policy: ColumnType<'NO_PERSONAL_REFUNDS' | 'STAFF_DECIDES', 'NO_PERSONAL_REFUNDS' | 'STAFF_DECIDES' | undefined, 'NO_PERSONAL_REFUNDS' | 'STAFF_DECIDES'>;
  repayment_needs_approval: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
  // ACC-3 (migration 017): the exam's password policy.
  password_min_length: ColumnType<number, number | undefined, number>;
  password_max_length: ColumnType<number | null, number | null | undefined, number | null>;
  password_required_classes: ColumnType<string[], string[] | undefined, string[]>;
  password_special_characters: ColumnType<string, string | undefined, string>;
  // ORG-1 (migration 022): channels offered to institutions paying in a batch; null = `channels`.
  institution_channels: ColumnType<string[] | null, string[] | null | undefined, string[] | null>;
}

export interface SittingTable { id: Id; exam_id: bigint; code: string; name: string; created_at: CreatedAt; cancelled_at: ColumnType<Date | null, Date | null | undefined, Date | null> }

export type SubjectKind = 'WRITTEN' | 'ORAL';
export interface SubjectTable {
  id: Id;
  sitting_id: bigint;
  code: string;
  name: string;
  kind: ColumnType<SubjectKind, SubjectKind | undefined, SubjectKind>;
  fee_fen: bigint;
  written_subject_id: ColumnType<bigint | null, bigint | null | undefined, bigint | null>;
  exclusion_group: ColumnType<string | null, string | null | undefined, string | null>;
  requires_review: ColumnType<boolean, boolean | undefined, boolean>;
  cancelled_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: CreatedAt;
}

export type IdType = 'RESIDENT_ID' | 'PASSPORT' | 'HK_MACAO_PERMIT' | 'TAIWAN_PERMIT' | 'HMT_RESIDENCE_PERMIT';
export interface CandidateTable {
  id: Id;
  authority_id: bigint;
  exam_id: bigint;
  id_type: ColumnType<IdType, IdType | undefined, IdType>;
  /** OPS-6: sealed and hashed by modules/accounts/candidate-identity.ts; never plaintext. */
  id_number_sealed: Buffer;
  id_number_hash: Buffer;
  phone_sealed: ColumnType<Buffer | null, Buffer | null | undefined, Buffer | null>;
  phone_hash: ColumnType<Buffer | null, Buffer | null | undefined, Buffer | null>;
  name: string;
  password_hash: string;
  must_change_password: ColumnType<boolean, boolean | undefined, boolean>;
  created_at: CreatedAt;
  institution_id: ColumnType<bigint | null, bigint | null | undefined, bigint | null>;
  // Migration 018 (e-mail accounts): see docs/accounts.md.
  login: ColumnType<AccountLogin, AccountLogin | undefined, AccountLogin>;
  email: ColumnType<string | null, string | null | undefined, string | null>;
  email_verified_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  email_claimed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}

export interface PaymentPassTable {
  id_hash: Buffer;
  candidate_id: bigint;
  created_at: Date;
  expires_at: Date;
}

export interface CandidateSessionTable {
  id_hash: Buffer;
  candidate_id: bigint;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
}

export interface RegistrationTable {
  id: Id;
  candidate_id: bigint;
  sitting_id: bigint;
  subject_id: bigint;
  owner: ColumnType<'CANDIDATE' | 'INSTITUTION', 'CANDIDATE' | 'INSTITUTION' | undefined, never>;
  status: ColumnType<'ACTIVE' | 'CANCELLED', 'ACTIVE' | 'CANCELLED' | undefined>;
  paid_at: Date | null;
  site_id: ColumnType<bigint | null, bigint | null | undefined, bigint | null>;
  slot_id: ColumnType<bigint | null, bigint | null | undefined, bigint | null>;
  seat_released_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  seat_released_reason: ColumnType<SeatReleaseReason | null, SeatReleaseReason | null | undefined, SeatReleaseReason | null>;
  cancelled_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  cancelled_reason: ColumnType<RegistrationCancelReason | null, RegistrationCancelReason | null | undefined, RegistrationCancelReason | null>;
  created_at: ColumnType<Date, Date, never>;
  institution_id: ColumnType<bigint | null, bigint | null | undefined, never>;
}
/**
 * Why a registration ended: its candidate, the 24 h job (REG-7), its institution (REG-8), the
 * authority's cancellation or change (REF-2), or a personal refund (REF-1).
 */
export type RegistrationCancelReason = 'CANDIDATE' | 'UNPAID_TIMEOUT' | 'INSTITUTION' | 'AUTHORITY_CANCELLED' | 'AUTHORITY_CHANGED' | 'REFUNDED';
export type SeatReleaseReason = 'PAYMENT_TIMEOUT' | 'HOLD_EXPIRED' | 'CANCELLED' | 'CHANGED';

export interface CandidateSubjectStandingTable { candidate_id: bigint; subject_id: bigint; status: 'ELIGIBLE' | 'PASSED' | 'EXEMPT' }
export interface Cet4ScoreTable { authority_id: bigint; ticket_no: string; id_number_sealed: Buffer; id_number_hash: Buffer; name: string; score: number }
export type ReviewStatus = 'APPROVED' | 'PENDING' | 'REJECTED';
export interface EligibilityReviewTable {
  id: Id; candidate_id: bigint; sitting_id: bigint; ticket_no: string;
  status: ReviewStatus; decided_by: string | null; decided_at: Date | null; reject_reason: string | null; created_at: Date;
}
export interface CandidateAuditTable { candidate_id: bigint; sitting_id: bigint; status: 'PENDING' | 'PASSED' | 'REJECTED' }
export type JournalKind = 'CAPTURE_SETTLED' | 'CAPTURE_UNWANTED' | 'REFUND_DECIDED' | 'REFUND_SUCCEEDED';
export interface JournalEntryTable {
  id: Id; kind: JournalKind; at: Date; channel: string; sitting_id: bigint; bill_id: bigint;
  channel_payment_id: bigint | null; refund_id: bigint | null;
}
export interface LedgerPostingTable { id: Id; entry_id: bigint; account: string; amount_fen: bigint }
export interface ChannelOrderTimeTable { channel: string; order_id: string; sent_at: Date }
export interface SiteTable { id: Id; sitting_id: bigint; code: string; name: string }
export interface SlotTable { id: Id; sitting_id: bigint; code: string; starts_at: Date; ends_at: Date }
export interface SeatPoolTable {
  id: Id;
  /** Filled from the site by a trigger when left out. */
  sitting_id: ColumnType<bigint, bigint | undefined, never>;
  site_id: bigint;
  slot_id: bigint;
  subject_id: bigint;
  capacity: number;
}
export type SeatState = 'FREE' | 'HELD' | 'SOLD';
export interface SeatTable {
  id: Id;
  pool_id: bigint;
  seat_no: number;
  state: ColumnType<SeatState, SeatState | undefined, SeatState>;
  registration_id: bigint | null;
  held_at: Date | null;
}
export type WindowKind = 'REGISTRATION' | 'PAYMENT' | 'SITE_MANAGEMENT' | 'PRINT';
export interface SittingWindowTable { id: Id; sitting_id: bigint; kind: WindowKind; site_id: bigint | null; opens_at: Date; closes_at: Date }

export type BillStateName = 'UNPAID' | 'PAYING' | 'PAID' | 'CLOSED' | 'REFUNDED' | 'PARTIALLY_REFUNDED';
/** Who pays a bill (REG-8, ORG-1): a candidate for their own registrations, an institution for the ones it made. */
export type BillOwnerKind = 'CANDIDATE' | 'INSTITUTION';
export type BillClosedCause = 'EXPIRED' | 'CANCELLED' | 'AUTHORITY_CANCELLED';
export interface BillTable {
  id: Id;
  bill_no: string;
  /** The payer (migration 022): a candidate's bill names the candidate, an institution's bill the institution. */
  candidate_id: bigint | null;
  owner: ColumnType<BillOwnerKind, BillOwnerKind | undefined, never>;
  institution_id: ColumnType<bigint | null, bigint | null | undefined, never>;
  sitting_id: bigint;
  amount_fen: bigint;
  state: ColumnType<BillStateName, BillStateName | undefined, BillStateName>;
  channel: string | null;
  agreement_accepted_at: Date | null;
  expires_at: Date;
  paying_since: Date | null;
  paid_at: Date | null;
  closed_at: Date | null;
  closed_cause: BillClosedCause | null;
  channel_trade_no: string | null;
  next_query_at: Date | null;
  query_attempts: ColumnType<number, number | undefined, number>;
  last_queried_at: Date | null;
  next_close_at: Date | null;
  close_attempts: ColumnType<number, number | undefined, number>;
  flagged_at: Date | null;
  flag_reason: 'PAYING_OVER_24H' | 'CANNOT_CLOSE' | 'SETTLEMENT_ANOMALY' | null;
  created_at: Date;
  updated_at: Date;
}

export interface BillItemTable {
  id: Id;
  bill_id: bigint;
  registration_id: bigint;
  subject_id: bigint;
  amount_fen: bigint;
  live: ColumnType<boolean, boolean | undefined, boolean>;
  /** Kept by a trigger on refund (migration 015): what has been promised back for this item. */
  refunded_fen: ColumnType<bigint, never, never>;
}

export interface BillTransitionTable {
  id: Id;
  bill_id: bigint;
  from_state: BillStateName;
  to_state: BillStateName;
  cause: string;
  actor: string;
  at: Date;
  detail: ColumnType<Record<string, unknown>, string | undefined, never>;
}

export interface PaymentAttemptTable {
  id: Id;
  bill_id: bigint;
  seq: number;
  out_trade_no: string;
  channel: string;
  state: ColumnType<'OPEN' | 'CLOSED', 'OPEN' | 'CLOSED' | undefined, 'OPEN' | 'CLOSED'>;
  pay_url: string;
  qr_content: string;
  created_at: Date;
  closed_at: Date | null;
  next_close_at: Date | null;
  close_attempts: ColumnType<number, number | undefined, number>;
}

export type CaptureOutcome = 'SETTLED' | 'DUPLICATE' | 'LATE';
export interface ChannelPaymentTable {
  id: Id;
  bill_id: bigint;
  attempt_id: bigint;
  channel: string;
  channel_trade_no: string;
  amount_fen: bigint;
  paid_at: Date;
  outcome: CaptureOutcome;
  reported_by: string;
  recorded_at: Date;
  /** Kept by a trigger on refund (migration 015). */
  refunded_fen: ColumnType<bigint, never, never>;
}

export type RefundReason = 'DUPLICATE_PAYMENT' | 'LATE_PAYMENT' | 'AUTHORITY_CHANGE' | 'AUTHORITY_CANCEL' | 'PERSONAL' | 'STAFF';
export type RefundStateName = 'PENDING' | 'SUCCEEDED' | 'FAILED';
export interface RefundTable {
  id: Id;
  refund_no: string;
  bill_id: bigint;
  channel_payment_id: bigint;
  channel: string;
  amount_fen: bigint;
  reason: RefundReason;
  state: ColumnType<RefundStateName, RefundStateName | undefined, RefundStateName>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Date;
  last_error: string | null;
  created_at: Date;
  succeeded_at: Date | null;
  flagged_at: Date | null;
  bill_item_id: ColumnType<bigint | null, bigint | null | undefined, never>;
  note: ColumnType<string | null, string | null | undefined, never>;
  requested_by: ColumnType<string, string | undefined, never>;
}

export interface ChannelNotificationTable {
  id: Id;
  channel: string;
  received_at: Date;
  accepted: boolean;
  outcome: string;
  detail: ColumnType<string, string | undefined, string>;
  bill_no: string | null;
  notify_id: string | null;
  remote_addr: string | null;
}

export type ReconciliationRunStatus = 'PENDING' | 'RUNNING' | 'DONE' | 'FAILED';
export interface ReconciliationRunTable {
  id: Id; channel: string; day: string;
  status: ColumnType<ReconciliationRunStatus, ReconciliationRunStatus | undefined, ReconciliationRunStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Date; claimed_until: Date | null; last_error: string | null; requested_by: string;
  started_at: Date | null; finished_at: Date | null;
  statement_payments: ColumnType<number, number | undefined, number>; statement_payment_fen: ColumnType<bigint, bigint | undefined, bigint>;
  statement_refunds: ColumnType<number, number | undefined, number>; statement_refund_fen: ColumnType<bigint, bigint | undefined, bigint>;
  our_captures: ColumnType<number, number | undefined, number>; our_capture_fen: ColumnType<bigint, bigint | undefined, bigint>;
  our_refunds: ColumnType<number, number | undefined, number>; our_refund_fen: ColumnType<bigint, bigint | undefined, bigint>;
  matched: ColumnType<number, number | undefined, number>; mismatches: ColumnType<number, number | undefined, number>;
  auto_resolved: ColumnType<number, number | undefined, number>;
  created_at: Date;
}
export type MismatchResolution = 'OPEN' | 'AUTO_SETTLED' | 'AUTO_REFUNDED' | 'RESOLVED_BY_STAFF';
export interface ReconciliationMismatchTable {
  id: Id; run_id: bigint; channel: string; day: string;
  kind: 'MISSING_AT_US' | 'MISSING_AT_CHANNEL' | 'AMOUNT_DIFFERS'; reason: string; line_key: string;
  bill_no: string; channel_trade_no: string; refund_no: string | null;
  our_amount_fen: bigint | null; their_amount_fen: bigint | null; at: Date;
  resolution: MismatchResolution; auto_refund_no: string | null;
  detail: ColumnType<string, string | undefined, string>;
  resolved_note: string | null; resolved_by: string | null; resolved_at: Date | null;
  created_at: Date;
}

/** ACC-7 (migration 017): sign-in failures per account and per address. */
export interface SignInThrottleTable {
  key: Buffer;
  kind: 'ACCOUNT' | 'ADDRESS';
  failures: ColumnType<number, number | undefined, number>;
  window_started_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  locked_until: ColumnType<Date | null, Date | null | undefined, Date | null>;
  lockouts: ColumnType<number, number | undefined, number>;
  last_locked_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  updated_at: Date;
}

// Migration 018: e-mail accounts, mailed links, mail outbox.
export type AccountLogin = 'ID_DOCUMENT' | 'EMAIL';
export type AccountTokenPurpose = 'VERIFY_EMAIL' | 'RESET_PASSWORD';
export interface AccountTokenTable {
  id_hash: Buffer;
  candidate_id: bigint;
  purpose: AccountTokenPurpose;
  email: string;
  created_at: Date;
  expires_at: Date;
  used_at: Date | null;
  revoked_at: Date | null;
}
export interface AccountMailRequestTable {
  id: Id;
  kind: 'RESET_PASSWORD' | 'ACCOUNT_REMINDER';
  candidate_id: bigint | null;
  created_at: Date;
  processed_at: Date | null;
}
export type MailState = 'PENDING' | 'SENT' | 'FAILED';
export interface MailOutboxTable {
  id: Id;
  kind: string;
  to_address: string;
  subject: ColumnType<string, string | undefined, string>;
  body_text: ColumnType<string, string | undefined, string>;
  state: ColumnType<MailState, MailState | undefined, MailState>;
  attempts: ColumnType<number, number | undefined, number>;
  next_attempt_at: Date;
  expires_at: Date;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

export interface DB {
  account_token: AccountTokenTable;
  account_mail_request: AccountMailRequestTable;
  mail_outbox: MailOutboxTable;
  captcha: CaptchaTable;
  payment_pass: PaymentPassTable;
  authority: AuthorityTable;
  exam: ExamTable;
  sitting: SittingTable;
  subject: SubjectTable;
  candidate: CandidateTable;
  candidate_session: CandidateSessionTable;
  registration: RegistrationTable;
  bill: BillTable;
  bill_item: BillItemTable;
  bill_transition: BillTransitionTable;
  payment_attempt: PaymentAttemptTable;
  channel_payment: ChannelPaymentTable;
  refund: RefundTable;
  channel_notification: ChannelNotificationTable;
  site: SiteTable;
  slot: SlotTable;
  seat_pool: SeatPoolTable;
  seat: SeatTable;
  sitting_window: SittingWindowTable;
  candidate_subject_standing: CandidateSubjectStandingTable;
  cet4_score: Cet4ScoreTable;
  eligibility_review: EligibilityReviewTable;
  candidate_audit: CandidateAuditTable;
  journal_entry: JournalEntryTable;
  ledger_posting: LedgerPostingTable;
  channel_order_time: ChannelOrderTimeTable;
  // Staff, roles, audit (migration 012)
  institution: InstitutionTable;
  staff_account: StaffAccountTable;
  staff_session: StaffSessionTable;
  audit_log: AuditLogTable;
  // Refunds beyond duplicates (migration 015)
  authority_action: AuthorityActionTable;
  candidate_notice: CandidateNoticeTable;
  candidate_notice_refund: CandidateNoticeRefundTable;
  repayment_approval: RepaymentApprovalTable;
  reconciliation_run: ReconciliationRunTable;
  reconciliation_mismatch: ReconciliationMismatchTable;
  sign_in_throttle: SignInThrottleTable;
  // Documents (migration 021)
  receipt: ReceiptTable;
  admission_ticket: AdmissionTicketTable;
  // Waiting room (migration 026, OPS-1)
  waiting_room: WaitingRoomTable;
  waiting_room_admission: WaitingRoomAdmissionTable;
  // Migration 027 (imports, ADM-2).
  import_job: ImportJobTable;
  // Migration 028 (candidates' appeals, ORG-2).
  appeal: AppealTable;
  // Migration 029 (institution registrations from a spreadsheet, ORG-1).
  institution_import: InstitutionImportTable;
}

export type Bill = Selectable<BillTable>;
export type NewBill = Insertable<BillTable>;
export type BillUpdate = Updateable<BillTable>;
export type Candidate = Selectable<CandidateTable>;
export type Exam = Selectable<ExamTable>;
export type MailMessage = Selectable<MailOutboxTable>;
export type ChannelPayment = Selectable<ChannelPaymentTable>;
export type Refund = Selectable<RefundTable>;
export type PaymentAttempt = Selectable<PaymentAttemptTable>;

// ── Staff, roles and the audit log (migration 012: ADM-4, ADM-5, OPS-6, REG-8) ──
export type InstitutionKind = 'LEARNING_CENTRE' | 'SCHOOL';
export interface InstitutionTable { id: Id; authority_id: bigint; code: string; name: string; kind: InstitutionKind; created_at: CreatedAt }
export type StaffRole = 'AUTHORITY_ADMIN' | 'FINANCE' | 'INSTITUTION_STAFF' | 'READ_ONLY';
export interface StaffAccountTable {
  id: Id;
  authority_id: bigint;
  institution_id: bigint | null;
  login_name: string;
  display_name: string;
  role: StaffRole;
  password_hash: string;
  must_change_password: ColumnType<boolean, boolean | undefined, boolean>;
  disabled_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  created_at: ColumnType<Date, Date, never>;
}
export interface StaffSessionTable { id_hash: Buffer; staff_id: bigint; created_at: Date; last_seen_at: Date; expires_at: Date }
export interface AuditLogTable {
  id: Id;
  at: Date;
  authority_id: bigint | null;
  actor_type: 'STAFF' | 'CANDIDATE' | 'SYSTEM';
  actor_id: bigint | null;
  actor_role: string | null;
  action: string;
  object_type: string | null;
  object_id: string | null;
  outcome: 'SUCCESS' | 'FAILURE';
  summary: ColumnType<Record<string, unknown>, string | undefined, never>;
  ip: string | null;
}
export type StaffAccount = Selectable<StaffAccountTable>;
export type Institution = Selectable<InstitutionTable>;

// Refunds beyond duplicates (migration 015, docs/refunds.md).
export type AuthorityActionKind = 'CANCEL_REGISTRATION' | 'CHANGE_REGISTRATION' | 'CANCEL_SUBJECT' | 'CANCEL_SITTING' | 'PERSONAL_REFUND';
export interface AuthorityActionTable {
  id: Id; kind: AuthorityActionKind; sitting_id: bigint; subject_id: bigint | null; registration_id: bigint | null;
  note: string; actor: string; state: 'RUNNING' | 'DONE'; created_at: Date; finished_at: Date | null; next_run_at: Date | null;
  cancelled_registrations: ColumnType<number, number | undefined, number>;
  refunds_created: ColumnType<number, number | undefined, number>;
  last_error: ColumnType<string | null, string | null | undefined, string | null>;
}
export interface CandidateNoticeTable {
  id: Id; candidate_id: bigint; action_id: bigint; sitting_id: bigint; kind: AuthorityActionKind;
  title_zh: string; title_en: string; body_zh: string; body_en: string; created_at: Date;
}
export interface CandidateNoticeRefundTable { notice_id: bigint; refund_id: bigint }
export interface RepaymentApprovalTable { registration_id: bigint; status: 'APPROVED' | 'REJECTED'; decided_by: string; decided_at: Date; note: string | null }
export type AuthorityAction = Selectable<AuthorityActionTable>;
export type ReconciliationRun = Selectable<ReconciliationRunTable>;
export type ReconciliationMismatch = Selectable<ReconciliationMismatchTable>;

// Documents: electronic receipts and admission tickets (migration 021, docs/documents.md).
export interface ReceiptTable { bill_id: bigint; receipt_no: string; verify_hash: Buffer; issued_at: Date }
export interface AdmissionTicketTable { id: Id; sitting_id: bigint; candidate_id: bigint; kind: SubjectKind; ticket_no: string; issued_at: Date }
// Waiting room (migration 026, OPS-1, docs/waiting-room.md).
export interface WaitingRoomTable { id: number; admitted_through: bigint; signing_key: Buffer; updated_at: Date }
export interface WaitingRoomAdmissionTable { ticket_seq: bigint; admitted_at: Date }
// Imports (migration 027, ADM-2): one roster / student-record file and its progress.
// Migration 030 adds CET4_SCORE (the authority's CET4 results) and AUDIT (资格审核结果 per sitting).
export type ImportKind = 'ROSTER' | 'STANDING' | 'CET4_SCORE' | 'AUDIT';
export type ImportState = 'QUEUED' | 'RUNNING' | 'DONE' | 'REJECTED' | 'FAILED';
export interface ImportJobTable {
  id: Id; authority_id: bigint; kind: ImportKind; exam_id: bigint | null; sitting_id: bigint | null;
  format: 'CSV' | 'XLSX'; file_name: string; file: Buffer | null;
  state: ColumnType<ImportState, ImportState | undefined, ImportState>;
  rows_total: ColumnType<number | null, number | null | undefined, number | null>;
  rows_read: ColumnType<number, number | undefined, number>;
  rows_validated: ColumnType<number, number | undefined, number>;
  rows_written: ColumnType<number, number | undefined, number>;
  error_count: ColumnType<number, number | undefined, number>;
  error_sheet: ColumnType<Buffer | null, Buffer | null | undefined, Buffer | null>;
  failure: ColumnType<string | null, string | null | undefined, string | null>;
  requested_by: bigint; created_at: Date;
  started_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  heartbeat_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  finished_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
}
export type ImportJob = Selectable<ImportJobTable>;

// Candidates' appeals (migration 028, ORG-2, docs/appeals.md).
export type AppealKind = 'LINK' | 'SUBJECT';
export type AppealState = 'PENDING' | 'ACCEPTED' | 'REJECTED' | 'WITHDRAWN';
export interface AppealTable {
  id: Id; authority_id: bigint; candidate_id: bigint; kind: AppealKind; institution_id: bigint | null;
  subject_id: bigint | null; registration_id: bigint | null; contact_email: string | null; statement: string;
  state: ColumnType<AppealState, AppealState | undefined, AppealState>;
  reject_reason: string | null; decided_by: string | null; decided_at: Date | null; created_at: Date;
}
export type Appeal = Selectable<AppealTable>;
// An institution's registration file (migration 029, ORG-1): applied whole or rejected with its error sheet.
export interface InstitutionImportTable {
  id: Id; institution_id: bigint; sitting_id: bigint; requested_by: bigint; format: 'CSV' | 'XLSX'; file_name: string;
  state: 'DONE' | 'REJECTED'; rows_total: number;
  registered: ColumnType<number, number | undefined, number>;
  error_count: ColumnType<number, number | undefined, number>;
  error_sheet: ColumnType<Buffer | null, Buffer | null | undefined, Buffer | null>;
  created_at: Date;
}
export type InstitutionImport = Selectable<InstitutionImportTable>;

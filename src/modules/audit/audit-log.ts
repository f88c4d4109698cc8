import type { DbOrTrx } from '../../db/database.ts';
import type { StaffActor } from '../accounts/authorization.ts';

/**
 * The audit log (ADM-4, OPS-6): who did what to which object, when, from where, and what it
 * changed — sign-ins (success and failure), password changes and every staff action.
 *
 * Write it with `recordAudit` in the transaction of the action it records, so an action and
 * its record commit or vanish together. The table is append-only (a trigger refuses UPDATE, and
 * DELETE of anything younger than 180 days) — see migration 012 and docs/roles.md.
 */

export type AuditActorType = 'STAFF' | 'CANDIDATE' | 'SYSTEM';

/** Actions written today; others follow the same `noun.verb` shape (the table checks it). */
export const AUDIT_ACTIONS = {
  STAFF_SIGN_IN: 'staff.sign_in',
  STAFF_SIGN_OUT: 'staff.sign_out',
  STAFF_PASSWORD_CHANGE: 'staff.password_change',
  STAFF_CREATE: 'staff.create',
  STAFF_DISABLE: 'staff.disable',
  REVIEW_DECIDE: 'review.decide',
  REGISTRATION_CREATE: 'registration.create',
  REGISTRATION_DELETE: 'registration.delete',
  /** Refunds and the authority's decisions (REF-1 … REF-3). */
  REFUND_PERSONAL: 'refund.personal',
  REFUND_RETRY: 'refund.retry',
  REGISTRATION_CANCEL: 'registration.cancel',
  REGISTRATION_CHANGE: 'registration.change',
  SITTING_CANCEL: 'sitting.cancel',
  SUBJECT_CANCEL: 'subject.cancel',
  REPAYMENT_DECIDE: 'repayment.decide',
  /** An institution's batch bills (ORG-1) and its registrations' slots. */
  INSTITUTION_BILL_CREATE: 'institution_bill.create',
  INSTITUTION_BILL_PAY: 'institution_bill.pay',
  INSTITUTION_BILL_CLOSE: 'institution_bill.close',
  REGISTRATION_CHOOSE_SLOT: 'registration.choose_slot',
  /** Operations (PAY-4, PAY-10): a staff query of a stuck bill, a mismatch closed by a person. */
  BILL_QUERY: 'bill.query',
  MISMATCH_RESOLVE: 'reconciliation.resolve',
  /** For the candidate side (wired after merge): sign-ins and password changes of candidates. */
  CANDIDATE_SIGN_IN: 'candidate.sign_in',
  CANDIDATE_PASSWORD_CHANGE: 'candidate.password_change',
} as const;

export interface AuditEntry {
  /** From the injected Clock, never the database's or Date.now(). */
  at: Date;
  actor: { type: AuditActorType; id: bigint | null; role?: string | null; authorityId: bigint | null };
  action: string;
  object?: { type: string; id: string | bigint };
  /** Defaults to SUCCESS; failed sign-ins are FAILURE. */
  outcome?: 'SUCCESS' | 'FAILURE';
  /** Before/after states and reasons: ids, codes and states only — never personal data. */
  summary?: Record<string, unknown>;
  ip?: string | null;
}

/** A staff member acting through a scoped loader, as the log names them. */
export function staffAuditActor(actor: StaffActor): AuditEntry['actor'] {
  return { type: 'STAFF', id: actor.staffId, role: actor.role, authorityId: actor.authorityId };
}

export class PersonalDataInAuditError extends Error {}

const FORBIDDEN_KEYS = /password|passwd|secret|token|cookie|id_?number|phone|mobile|e_?mail|^name$/i;
const PERSONAL_PATTERNS: [string, RegExp][] = [
  ['resident ID number', /(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/],
  ['15-digit ID number', /(?<!\d)\d{15}(?!\d)/],
  ['mobile number', /(?<!\d)1[3-9]\d{9}(?!\d)/],
  ['e-mail address', /[^\s@]+@[^\s@]+\.[^\s@]+/],
];

/**
 * Throws if a summary carries something that looks like personal data in clear. A bug, not an
 * input error: the action's transaction rolls back and the test that wrote it fails loudly.
 */
export function assertNoPersonalData(value: unknown, path = 'summary'): void {
  if (typeof value === 'string') {
    for (const [what, re] of PERSONAL_PATTERNS) if (re.test(value)) throw new PersonalDataInAuditError(`${path} looks like a ${what}; audit entries hold no personal data in clear`);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => assertNoPersonalData(v, `${path}[${i}]`));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      // A flag about a secret (mustChangePassword: true) is fine; the secret itself is not.
      if (FORBIDDEN_KEYS.test(k) && (typeof v === 'string' || typeof v === 'number' || typeof v === 'bigint')) throw new PersonalDataInAuditError(`${path}.${k}: audit entries hold no personal data or secrets`);
      assertNoPersonalData(v, `${path}.${k}`);
    }
  }
}

const jsonSafe = (_k: string, v: unknown) => (typeof v === 'bigint' ? v.toString() : v instanceof Date ? v.toISOString() : v);

/** Appends one entry, in the caller's transaction when given one. */
export async function recordAudit(db: DbOrTrx, entry: AuditEntry): Promise<void> {
  const summary = entry.summary ?? {};
  assertNoPersonalData(summary);
  await db.insertInto('audit_log').values({
    at: entry.at,
    authority_id: entry.actor.authorityId,
    actor_type: entry.actor.type,
    actor_id: entry.actor.id,
    actor_role: entry.actor.role ?? null,
    action: entry.action,
    object_type: entry.object?.type ?? null,
    object_id: entry.object ? String(entry.object.id) : null,
    outcome: entry.outcome ?? 'SUCCESS',
    summary: JSON.stringify(summary, jsonSafe),
    ip: entry.ip ? entry.ip.slice(0, 64) : null,
  }).execute();
}

export interface AuditQuery {
  authorityId: bigint;
  from?: Date;
  to?: Date;
  actorType?: AuditActorType;
  actorId?: bigint;
  action?: string;
  /** The object an entry is about (e.g. `subject` and its id). */
  objectType?: string;
  objectId?: string;
  outcome?: 'SUCCESS' | 'FAILURE';
  /** Keyset paging: entries older than this id. */
  beforeId?: bigint;
  limit: number;
}

/** An authority's entries, newest first, with the staff login name of STAFF actors. */
export async function queryAuditLog(db: DbOrTrx, q: AuditQuery) {
  let query = db.selectFrom('audit_log as l')
    .leftJoin('staff_account as s', (j) => j.onRef('s.id', '=', 'l.actor_id').on('l.actor_type', '=', 'STAFF'))
    .select(['l.id', 'l.at', 'l.actor_type', 'l.actor_id', 'l.actor_role', 's.login_name as actor_login', 'l.action', 'l.object_type', 'l.object_id', 'l.outcome', 'l.summary', 'l.ip'])
    .where('l.authority_id', '=', q.authorityId);
  if (q.from) query = query.where('l.at', '>=', q.from);
  if (q.to) query = query.where('l.at', '<', q.to);
  if (q.actorType) query = query.where('l.actor_type', '=', q.actorType);
  if (q.actorId !== undefined) query = query.where('l.actor_id', '=', q.actorId);
  if (q.action) query = query.where('l.action', '=', q.action);
  if (q.objectType) query = query.where('l.object_type', '=', q.objectType);
  if (q.objectId) query = query.where('l.object_id', '=', q.objectId);
  if (q.outcome) query = query.where('l.outcome', '=', q.outcome);
  if (q.beforeId !== undefined) query = query.where('l.id', '<', q.beforeId);
  return query.orderBy('l.id', 'desc').limit(q.limit).execute();
}

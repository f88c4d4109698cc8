/**
 * Who decides a refund or an authority action. Staff accounts and roles come from the staff
 * console (ADM-5); until its HTTP routes exist, the domain functions take the actor as a value and
 * check here what its role may do. SYSTEM is ExamPay itself (jobs, automatic refunds).
 */
export type StaffRole = 'AUTHORITY_ADMIN' | 'FINANCE' | 'INSTITUTION_STAFF' | 'READ_ONLY';

export type RefundActor =
  | {
      kind: 'STAFF';
      id: bigint | string;
      role: StaffRole;
      /** The authority the staff account belongs to; when given, only its exams can be acted on. */
      authorityId?: bigint;
    }
  | { kind: 'SYSTEM' };

export type RefundPermission =
  /** REF-2: cancel or change registrations, cancel a subject or a whole sitting. */
  | 'AUTHORITY_DECISION'
  /** REF-1: refund a candidate for personal reasons (only where the exam's policy lets staff decide). */
  | 'PERSONAL_REFUND'
  /** REF-3: let a refunded candidate register and pay again (seed 004 经考区同意). */
  | 'APPROVE_REPAYMENT'
  /** Send a refund the channel refused once more. */
  | 'RETRY_REFUND';

/**
 * The authority's administrators make the authority's decisions; finance handles money for
 * individual candidates. A personal refund is always a person's decision, never the system's.
 */
const ALLOWED: Record<RefundPermission, { system: boolean; roles: readonly StaffRole[] }> = {
  AUTHORITY_DECISION: { system: true, roles: ['AUTHORITY_ADMIN'] },
  PERSONAL_REFUND: { system: false, roles: ['AUTHORITY_ADMIN', 'FINANCE'] },
  APPROVE_REPAYMENT: { system: false, roles: ['AUTHORITY_ADMIN'] },
  RETRY_REFUND: { system: true, roles: ['AUTHORITY_ADMIN', 'FINANCE'] },
};

export function may(actor: RefundActor, permission: RefundPermission): boolean {
  const rule = ALLOWED[permission];
  return actor.kind === 'SYSTEM' ? rule.system : rule.roles.includes(actor.role);
}

/** Staff of one authority never act on another's candidates (an out-of-scope id reads as missing). */
export function inScope(actor: RefundActor, authorityId: bigint): boolean {
  return actor.kind === 'SYSTEM' || actor.authorityId === undefined || actor.authorityId === authorityId;
}

/** The actor as the transition log and refund rows write it. */
export function actorLabel(actor: RefundActor): string {
  return actor.kind === 'SYSTEM' ? 'system' : `staff:${actor.id}`;
}

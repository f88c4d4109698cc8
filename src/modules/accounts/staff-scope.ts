import type { DbOrTrx } from '../../db/database.ts';
import type { Bill } from '../../db/schema.ts';
import { fail, ok, type ErrorCode, type Result } from '../../shared/errors.ts';
import { authorize, roleMay, type ResourceScope, type StaffAction, type StaffActor } from './authorization.ts';

/**
 * Scoped loaders: the only way staff handlers get an object by id. Each reads the object with
 * its scope (authority, institution) and lets `authorize` decide; a handler holding the result
 * was allowed to see it. Out of scope reads exactly like missing (the same 404 code); a role
 * without the action is 403 before anything is read.
 */

/** A role without the action is refused before anything is read (403, the same for every id). */
function roleDenied(actor: StaffActor, action: StaffAction): Result<never> | undefined {
  return roleMay(actor.role, action) ? undefined : fail('STAFF_FORBIDDEN', { action });
}

function scoped<T>(actor: StaffActor, action: StaffAction, found: { scope: ResourceScope; value: T } | undefined, notFound: ErrorCode): Result<T> {
  const denied = roleDenied(actor, action);
  if (denied) return denied;
  if (!found) return fail(notFound);
  const decision = authorize(actor, action, found.scope);
  if (!decision.allowed) return decision.reason === 'ROLE' ? fail('STAFF_FORBIDDEN', { action }) : fail(notFound);
  return ok(found.value);
}

const scopeOf = (r: { authority_id: bigint; institution_id: bigint | null }): ResourceScope => ({ authorityId: r.authority_id, institutionId: r.institution_id });

export async function loadCandidate(db: DbOrTrx, actor: StaffActor, action: StaffAction, candidateId: bigint) {
  const denied = roleDenied(actor, action);
  if (denied) return denied;
  const row = await db.selectFrom('candidate as c').innerJoin('exam as e', 'e.id', 'c.exam_id').leftJoin('institution as i', 'i.id', 'c.institution_id')
    .select(['c.id', 'c.authority_id', 'c.exam_id', 'e.code as exam_code', 'e.name as exam_name', 'c.id_type', 'c.id_number_sealed', 'c.name', 'c.institution_id',
      'i.code as institution_code', 'i.name as institution_name', 'c.must_change_password', 'c.created_at'])
    .where('c.id', '=', candidateId).executeTakeFirst();
  return scoped(actor, action, row && { scope: scopeOf(row), value: row }, 'CANDIDATE_NOT_FOUND');
}

export async function loadBill(db: DbOrTrx, actor: StaffActor, action: StaffAction, billNo: string): Promise<Result<Bill>> {
  const denied = roleDenied(actor, action);
  if (denied) return denied;
  // A candidate's bill is in its candidate's scope; an institution's bill (ORG-1) in that institution's.
  const row = await db.selectFrom('bill as b').leftJoin('candidate as c', 'c.id', 'b.candidate_id').leftJoin('institution as inst', 'inst.id', 'b.institution_id')
    .selectAll('b').select(['c.authority_id as candidate_authority_id', 'c.institution_id as candidate_institution_id', 'inst.authority_id as institution_authority_id'])
    .where('b.bill_no', '=', billNo).executeTakeFirst();
  if (!row) return fail('BILL_NOT_FOUND');
  const { candidate_authority_id, candidate_institution_id, institution_authority_id, ...bill } = row;
  const scope = bill.owner === 'INSTITUTION'
    ? { authorityId: institution_authority_id!, institutionId: bill.institution_id }
    : { authorityId: candidate_authority_id!, institutionId: candidate_institution_id };
  return scoped(actor, action, { scope, value: bill }, 'BILL_NOT_FOUND');
}

/**
 * A registration is the concern of the institution that owns it (REG-8) or, for a candidate's
 * own, of the candidate's institution. `lock` takes its row lock in the caller's transaction.
 */
export async function loadRegistration(db: DbOrTrx, actor: StaffActor, action: StaffAction, registrationId: bigint, opts: { lock?: boolean } = {}) {
  const denied = roleDenied(actor, action);
  if (denied) return denied;
  let q = db.selectFrom('registration as r').innerJoin('candidate as c', 'c.id', 'r.candidate_id')
    .selectAll('r').select(['c.authority_id', 'c.institution_id as candidate_institution_id']).where('r.id', '=', registrationId);
  if (opts.lock) q = q.forUpdate('r');
  const row = await q.executeTakeFirst();
  return scoped(actor, action, row && { scope: { authorityId: row.authority_id, institutionId: row.institution_id ?? row.candidate_institution_id }, value: row }, 'REGISTRATION_NOT_FOUND');
}

export async function loadReview(db: DbOrTrx, actor: StaffActor, action: StaffAction, reviewId: bigint, opts: { lock?: boolean } = {}) {
  const denied = roleDenied(actor, action);
  if (denied) return denied;
  let q = db.selectFrom('eligibility_review as v').innerJoin('candidate as c', 'c.id', 'v.candidate_id')
    .selectAll('v').select(['c.authority_id', 'c.institution_id']).where('v.id', '=', reviewId);
  if (opts.lock) q = q.forUpdate('v');
  const row = await q.executeTakeFirst();
  return scoped(actor, action, row && { scope: scopeOf(row), value: row }, 'REVIEW_NOT_FOUND');
}

export async function loadInstitution(db: DbOrTrx, actor: StaffActor, action: StaffAction, institutionId: bigint) {
  const denied = roleDenied(actor, action);
  if (denied) return denied;
  const row = await db.selectFrom('institution').selectAll().where('id', '=', institutionId).executeTakeFirst();
  return scoped(actor, action, row && { scope: { authorityId: row.authority_id, institutionId: row.id }, value: row }, 'INSTITUTION_NOT_FOUND');
}

export async function loadStaff(db: DbOrTrx, actor: StaffActor, action: StaffAction, staffId: bigint) {
  const denied = roleDenied(actor, action);
  if (denied) return denied;
  const row = await db.selectFrom('staff_account').selectAll().where('id', '=', staffId).executeTakeFirst();
  return scoped(actor, action, row && { scope: scopeOf(row), value: row }, 'STAFF_NOT_FOUND');
}

/** A sitting of the actor's authority (reference data every staff member of it may name). */
export async function loadSitting(db: DbOrTrx, actor: StaffActor, action: StaffAction, sittingId: bigint) {
  const denied = roleDenied(actor, action);
  if (denied) return denied;
  const row = await db.selectFrom('sitting as st').innerJoin('exam as e', 'e.id', 'st.exam_id').select(['st.id', 'st.code', 'st.name', 'st.cancelled_at', 'e.authority_id'])
    .where('st.id', '=', sittingId).executeTakeFirst();
  return scoped(actor, action, row && { scope: { authorityId: row.authority_id, institutionId: null, shared: true }, value: row }, 'SITTING_NOT_FOUND');
}

/** A subject of a sitting of the actor's authority (reference data, like its sitting). */
export async function loadSubject(db: DbOrTrx, actor: StaffActor, action: StaffAction, subjectId: bigint) {
  const denied = roleDenied(actor, action);
  if (denied) return denied;
  const row = await db.selectFrom('subject as s').innerJoin('sitting as st', 'st.id', 's.sitting_id').innerJoin('exam as e', 'e.id', 'st.exam_id')
    .select(['s.id', 's.code', 's.name', 's.sitting_id', 's.cancelled_at', 'st.cancelled_at as sitting_cancelled_at', 'e.authority_id'])
    .where('s.id', '=', subjectId).executeTakeFirst();
  return scoped(actor, action, row && { scope: { authorityId: row.authority_id, institutionId: null, shared: true }, value: row }, 'SITTING_NOT_FOUND');
}

/** A refund, in the scope of the bill it gives money back from (its candidate's authority and institution). */
export async function loadRefund(db: DbOrTrx, actor: StaffActor, action: StaffAction, refundNo: string) {
  const denied = roleDenied(actor, action);
  if (denied) return denied;
  const row = await db.selectFrom('refund as f').innerJoin('bill as b', 'b.id', 'f.bill_id')
    .leftJoin('candidate as c', 'c.id', 'b.candidate_id').leftJoin('institution as inst', 'inst.id', 'b.institution_id')
    .select(['f.id', 'f.refund_no', 'f.state', 'f.bill_id', 'b.bill_no', 'b.candidate_id', 'b.owner',
      (eb) => eb.fn.coalesce('c.authority_id', 'inst.authority_id').as('authority_id'), (eb) => eb.fn.coalesce('b.institution_id', 'c.institution_id').as('institution_id')])
    .where('f.refund_no', '=', refundNo).executeTakeFirst();
  return scoped(actor, action, row && { scope: { authorityId: row.authority_id!, institutionId: row.institution_id }, value: row }, 'REFUND_NOT_FOUND');
}

// ── The configuration console's objects (ADM-1): the authority's reference data ──
const shared = (authorityId: bigint): ResourceScope => ({ authorityId, institutionId: null, shared: true });

export async function loadExam(db: DbOrTrx, actor: StaffActor, action: StaffAction, examId: bigint) {
  const denied = roleDenied(actor, action);
  if (denied) return denied;
  const row = await db.selectFrom('exam').selectAll().where('id', '=', examId).executeTakeFirst();
  return scoped(actor, action, row && { scope: shared(row.authority_id), value: row }, 'EXAM_NOT_FOUND');
}

/** A part of a sitting (window, site, slot) by id, with its sitting and exam. */
async function loadSittingPart<T extends 'sitting_window' | 'site' | 'slot'>(db: DbOrTrx, actor: StaffActor, action: StaffAction, table: T, id: bigint, notFound: ErrorCode) {
  const denied = roleDenied(actor, action);
  if (denied) return denied;
  const row = await db.selectFrom(`${table} as x` as 'site as x').innerJoin('sitting as st', 'st.id', 'x.sitting_id').innerJoin('exam as e', 'e.id', 'st.exam_id')
    .select(['x.id', 'x.sitting_id', 'st.exam_id', 'e.authority_id']).where('x.id', '=', id).executeTakeFirst();
  return scoped(actor, action, row && { scope: shared(row.authority_id), value: row }, notFound);
}
export const loadWindow = (db: DbOrTrx, actor: StaffActor, action: StaffAction, id: bigint) => loadSittingPart(db, actor, action, 'sitting_window', id, 'WINDOW_NOT_FOUND');
export const loadSite = (db: DbOrTrx, actor: StaffActor, action: StaffAction, id: bigint) => loadSittingPart(db, actor, action, 'site', id, 'SITE_NOT_FOUND');
export const loadSlot = (db: DbOrTrx, actor: StaffActor, action: StaffAction, id: bigint) => loadSittingPart(db, actor, action, 'slot', id, 'SLOT_NOT_FOUND');

export async function loadSeatPool(db: DbOrTrx, actor: StaffActor, action: StaffAction, poolId: bigint) {
  const denied = roleDenied(actor, action);
  if (denied) return denied;
  const row = await db.selectFrom('seat_pool as p').innerJoin('sitting as st', 'st.id', 'p.sitting_id').innerJoin('exam as e', 'e.id', 'st.exam_id')
    .select(['p.id', 'p.sitting_id', 'p.site_id', 'p.slot_id', 'p.subject_id', 'p.capacity', 'e.authority_id']).where('p.id', '=', poolId).executeTakeFirst();
  return scoped(actor, action, row && { scope: shared(row.authority_id), value: row }, 'SEAT_POOL_NOT_FOUND');
}

/** A candidate's appeal (ORG-2), in the scope of the institution it went to (NULL: the authority's admins only). */
export async function loadAppeal(db: DbOrTrx, actor: StaffActor, action: StaffAction, appealId: bigint) {
  const denied = roleDenied(actor, action);
  if (denied) return denied;
  const row = await db.selectFrom('appeal').selectAll().where('id', '=', appealId).executeTakeFirst();
  return scoped(actor, action, row && { scope: scopeOf(row), value: row }, 'APPEAL_NOT_FOUND');
}

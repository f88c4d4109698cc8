import type { DbOrTrx } from '../../db/database.ts';
import type { StaffAccount } from '../../db/schema.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import { listScope } from '../accounts/authorization.ts';
import { auditActor } from '../accounts/staff-accounts.ts';
import { loadCandidate, loadRegistration } from '../accounts/staff-scope.ts';
import { staffActor } from '../accounts/staff-sessions.ts';
import { AUDIT_ACTIONS, recordAudit } from '../audit/audit-log.ts';
import type { AppContext } from '../context.ts';
import { deleteRegistrationIn } from '../registration/delete-registration.ts';
import { registerSubjectIn, seatUnavailableAsFailure, type Registered } from '../registration/register-subject.ts';
import { chooseSlot } from '../registration/choose-slot.ts';

/**
 * Institution registrations (REG-8, seed 000 学习中心报考): an institution's staff register one of
 * its own candidates for a subject. The registration belongs to the institution — the candidate
 * sees it but cannot delete or pay it — and goes through exactly the candidate's rules and seat
 * hold (registerSubjectIn), in one transaction with its audit record.
 */
export async function registerForInstitution(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: { staff: StaffAccount; candidateId: bigint; subjectId: bigint; siteId?: bigint; slotId?: bigint; ip: string | null },
): Promise<Result<Registered>> {
  const actor = staffActor(input.staff);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx): Promise<Result<Registered>> => {
    const candidate = await loadCandidate(trx, actor, 'registration.create', input.candidateId);
    if (!candidate.ok) return candidate;
    // Scoped above: the candidate is this institution's, so actor.institutionId is set.
    const registered = await registerSubjectIn(trx, now, {
      candidateId: candidate.value.id, subjectId: input.subjectId, institutionId: actor.institutionId!,
      ...(input.siteId !== undefined ? { siteId: input.siteId } : {}), ...(input.slotId !== undefined ? { slotId: input.slotId } : {}),
    });
    if (!registered.ok) return registered;
    await recordAudit(trx, {
      at: now, actor: auditActor(input.staff), action: AUDIT_ACTIONS.REGISTRATION_CREATE, object: { type: 'registration', id: registered.value.registrationId },
      summary: { after: { owner: 'INSTITUTION', institutionId: actor.institutionId, candidateId: candidate.value.id, subjectId: input.subjectId, siteId: input.siteId ?? null, slotId: input.slotId ?? null, seatNo: registered.value.seat?.seatNo ?? null } },
      ip: input.ip,
    });
    return registered;
  }).catch(seatUnavailableAsFailure);
}

/** The institution deletes one of its own unpaid registrations (seed 000: 由学习中心进行删除). */
export async function deleteInstitutionRegistration(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: { staff: StaffAccount; registrationId: bigint; ip: string | null },
): Promise<Result<true>> {
  const actor = staffActor(input.staff);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx): Promise<Result<true>> => {
    const reg = await loadRegistration(trx, actor, 'registration.delete', input.registrationId, { lock: true });
    if (!reg.ok) return reg;
    if (actor.institutionId === null) return fail('REGISTRATION_NOT_FOUND');
    const deleted = await deleteRegistrationIn(trx, now, { registrationId: reg.value.id, institutionId: actor.institutionId });
    if (!deleted.ok) return deleted;
    await recordAudit(trx, {
      at: now, actor: auditActor(input.staff), action: AUDIT_ACTIONS.REGISTRATION_DELETE, object: { type: 'registration', id: reg.value.id },
      summary: { before: { status: 'ACTIVE', owner: reg.value.owner, candidateId: reg.value.candidate_id, subjectId: reg.value.subject_id }, after: { status: 'CANCELLED', cancelledReason: 'INSTITUTION' } },
      ip: input.ip,
    });
    return ok(true);
  });
}

/**
 * 选择考试时间 for one of the institution's unpaid registrations (REG-8): after its seat was
 * released (hold limit or payment timeout, REG-6/REG-7) or to change slot — the candidate's
 * rules, under the same row lock; recorded with its audit entry.
 */
export async function chooseInstitutionSlot(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: { staff: StaffAccount; registrationId: bigint; siteId: bigint; slotId: bigint; ip: string | null },
): Promise<Result<{ seatNo: number }>> {
  const actor = staffActor(input.staff);
  const reg = await loadRegistration(ctx.db, actor, 'registration.create', input.registrationId);
  if (!reg.ok) return reg;
  if (actor.institutionId === null) return fail('REGISTRATION_NOT_FOUND');
  return chooseSlot(ctx, {
    institutionId: actor.institutionId, registrationId: reg.value.id, siteId: input.siteId, slotId: input.slotId,
    record: (trx, seatNo) => recordAudit(trx, {
      at: ctx.clock.now(), actor: auditActor(input.staff), action: AUDIT_ACTIONS.REGISTRATION_CHOOSE_SLOT, object: { type: 'registration', id: reg.value.id },
      summary: { before: { siteId: reg.value.site_id, slotId: reg.value.slot_id, seatReleasedReason: reg.value.seat_released_reason }, after: { siteId: input.siteId, slotId: input.slotId, seatNo } },
      ip: input.ip,
    }),
  });
}

/** The registrations an institution made (its own, REG-8), newest first. */
export async function listInstitutionRegistrations(db: DbOrTrx, staff: StaffAccount, filter: { candidateId?: bigint; sittingId?: bigint; limit: number }) {
  const scope = listScope(staffActor(staff));
  let q = db.selectFrom('registration as r')
    .innerJoin('candidate as c', 'c.id', 'r.candidate_id')
    .innerJoin('subject as s', 's.id', 'r.subject_id')
    .innerJoin('sitting as st', 'st.id', 'r.sitting_id')
    .leftJoin('seat', 'seat.registration_id', 'r.id')
    .leftJoin('site as si', 'si.id', 'r.site_id')
    .leftJoin('slot as sl', 'sl.id', 'r.slot_id')
    .select(['r.id', 'r.candidate_id', 'c.name as candidate_name', 'c.id_number_sealed', 'r.sitting_id', 'st.code as sitting_code', 's.id as subject_id', 's.code as subject_code',
      's.name as subject_name', 's.kind', 's.fee_fen', 'r.paid_at', 'r.created_at', 'r.site_id', 'si.name as site_name', 'r.slot_id', 'sl.starts_at as slot_starts_at', 'seat.seat_no', 'seat.state as seat_state'])
    .where('c.authority_id', '=', scope.authorityId)
    .where('r.institution_id', '=', scope.institutionId ?? -1n)
    .where('r.owner', '=', 'INSTITUTION').where('r.status', '=', 'ACTIVE');
  if (filter.candidateId !== undefined) q = q.where('r.candidate_id', '=', filter.candidateId);
  if (filter.sittingId !== undefined) q = q.where('r.sitting_id', '=', filter.sittingId);
  return q.orderBy('r.id', 'desc').limit(filter.limit).execute();
}

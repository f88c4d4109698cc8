import type { DbOrTrx } from '../../db/database.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import { staffLabel, type StaffActor } from '../accounts/authorization.ts';
import { loadRegistration } from '../accounts/staff-scope.ts';
import { AUDIT_ACTIONS, recordAudit, staffAuditActor } from '../audit/audit-log.ts';
import type { AppContext } from '../context.ts';
import { isRefundedRegistration, REFUND_CAUSES } from './refund-rules.ts';

/**
 * REF-3 (seed 004: "考生更改报考信息后，资格审核仍通过的，考生可在执行退费后，经考区同意，重新进行缴费操作"):
 * where the exam says so, a candidate with a refunded registration registers again in that sitting
 * (whichever subject: the change may have been to another category) only after the authority
 * approves. The approval is per refunded registration: a second refund needs a second approval.
 * Eligibility, the audit and the windows still apply after approval.
 */
export async function decideRepayment(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: { actor: StaffActor; registrationId: bigint; approve: boolean; note?: string; ip?: string | null },
): Promise<Result<{ registrationId: bigint; status: 'APPROVED' | 'REJECTED' }>> {
  const found = await loadRegistration(ctx.db, input.actor, 'repayment.decide', input.registrationId);
  if (!found.ok) return found;
  const reg = found.value;
  if (!isRefundedRegistration(reg)) return fail('REPAYMENT_NOT_AWAITING');
  const status = input.approve ? 'APPROVED' as const : 'REJECTED' as const;
  const now = ctx.clock.now();
  const row = { status, decided_by: staffLabel(input.actor), decided_at: now, note: input.note?.trim() || null };
  return ctx.db.transaction().execute(async (trx) => {
    const before = await trx.selectFrom('repayment_approval').select('status').where('registration_id', '=', reg.id).forUpdate().executeTakeFirst();
    await trx.insertInto('repayment_approval').values({ registration_id: reg.id, ...row })
      .onConflict((oc) => oc.column('registration_id').doUpdateSet(row)).execute();
    // The note is free text staff typed: it stays on the approval, not in the log.
    await recordAudit(trx, {
      at: now, actor: staffAuditActor(input.actor), action: AUDIT_ACTIONS.REPAYMENT_DECIDE, object: { type: 'registration', id: reg.id },
      summary: { before: { approval: before?.status ?? null }, after: { approval: status }, candidateId: reg.candidate_id, sittingId: reg.sitting_id },
      ip: input.ip ?? null,
    });
    return ok({ registrationId: reg.id, status });
  });
}

/**
 * The authority's queue: refunded registrations of a sitting whose exam needs approval to pay again,
 * not yet decided, whose subject is still offered.
 */
export async function listAwaitingRepayment(db: DbOrTrx, input: { sittingId: bigint; authorityId?: bigint }) {
  let q = db.selectFrom('registration as r')
    .innerJoin('sitting as st', 'st.id', 'r.sitting_id').innerJoin('exam as e', 'e.id', 'st.exam_id')
    .innerJoin('subject as s', 's.id', 'r.subject_id').innerJoin('candidate as c', 'c.id', 'r.candidate_id')
    .leftJoin('repayment_approval as a', 'a.registration_id', 'r.id')
    .select(['r.id as registration_id', 'r.candidate_id', 'c.name as candidate_name', 's.code as subject_code', 's.name as subject_name',
      'r.cancelled_reason', 'r.cancelled_at'])
    .where('r.sitting_id', '=', input.sittingId).where('r.status', '=', 'CANCELLED').where('r.paid_at', 'is not', null)
    .where('r.cancelled_reason', 'in', REFUND_CAUSES).where('e.repayment_needs_approval', '=', true)
    .where('a.registration_id', 'is', null).where('s.cancelled_at', 'is', null).where('st.cancelled_at', 'is', null);
  if (input.authorityId !== undefined) q = q.where('e.authority_id', '=', input.authorityId);
  return q.orderBy('r.cancelled_at').orderBy('r.id').execute();
}

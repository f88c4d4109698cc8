import { AppError, fail, ok, type Result } from '../../shared/errors.ts';
import { staffLabel, type StaffActor } from '../accounts/authorization.ts';
import { loadRegistration } from '../accounts/staff-scope.ts';
import { AUDIT_ACTIONS, recordAudit, staffAuditActor } from '../audit/audit-log.ts';
import type { AppContext } from '../context.ts';
import { createRefund } from './create-refund.ts';
import { ACTION_EFFECTS, checkPersonalRefund } from './refund-rules.ts';
import { endRegistrations, insertAction, lockBills, paidItemOf, settledCapture, writeNotice } from './registration-endings.repo.ts';

export interface PersonalRefundMade {
  actionId: bigint;
  refundNo: string;
  amountFen: bigint;
  channel: string;
  /** The registration ended with this refund (false: it had already ended; this refund tops up). */
  registrationEnded: boolean;
}

/**
 * REF-1: staff refund a candidate's paid registration for the candidate's personal reasons. Refused
 * outright where the exam's policy is NO_PERSONAL_REFUNDS (seed 004); where staff decide, made with
 * the written reason, for the rest of the item or part of it (an authority may keep a fee). The
 * registration ends (cause REFUNDED, its seat goes back), the money goes back through the capture
 * that paid it, and the candidate is told. A registration already ended may be topped up, never
 * beyond what was paid for it: checked here under the bill's lock, and by the database (REF-4).
 * Who may: `refund.personal` in the registration's scope (authorization.ts); recorded in the audit
 * log in the same transaction (ADM-4). The reason is free text: it stays on the decision and the
 * refund, not in the log.
 */
export async function requestPersonalRefund(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: { actor: StaffActor; registrationId: bigint; reason: string; amountFen?: bigint; ip?: string | null },
): Promise<Result<PersonalRefundMade>> {
  const allowed = await loadRegistration(ctx.db, input.actor, 'refund.personal', input.registrationId);
  if (!allowed.ok) return allowed;
  const reg = await ctx.db.selectFrom('registration as r').innerJoin('sitting as st', 'st.id', 'r.sitting_id').innerJoin('exam as e', 'e.id', 'st.exam_id')
    .select(['r.id', 'r.candidate_id', 'r.sitting_id', 'r.subject_id', 'e.refund_policy'])
    .where('r.id', '=', allowed.value.id).executeTakeFirstOrThrow();
  const found = await paidItemOf(ctx.db, reg.id);
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx): Promise<Result<PersonalRefundMade>> => {
    // A paid registration stays on its paid bill, so the bill read before the lock is the one.
    const [bill] = await lockBills(trx, found ? [found.billId] : []);
    const locked = await trx.selectFrom('registration').select(['id', 'status']).where('id', '=', reg.id).forUpdate().executeTakeFirstOrThrow();
    const item = found && await paidItemOf(trx, reg.id);
    const check = checkPersonalRefund({
      policy: reg.refund_policy, reason: input.reason,
      item: item ? { paid: true, amountFen: item.amountFen, refundedFen: item.refundedFen } : { paid: false, amountFen: 0n, refundedFen: 0n },
      ...(input.amountFen !== undefined ? { amountFen: input.amountFen } : {}),
    });
    if (!check.ok) return fail(check.code);
    const actor = staffLabel(input.actor);
    const action = await insertAction(trx, {
      kind: 'PERSONAL_REFUND', sittingId: reg.sitting_id, subjectId: reg.subject_id, registrationId: reg.id, note: input.reason, actor, now, running: false,
    });
    const refund = await createRefund(trx, {
      bill: bill!, payment: await settledCapture(trx, bill!.id), amountFen: check.amountFen, reason: 'PERSONAL', now,
      billItemId: item!.itemId, note: input.reason.trim(), requestedBy: actor,
    });
    const ended = locked.status === 'ACTIVE' ? await endRegistrations(trx, [reg.id], ACTION_EFFECTS.PERSONAL_REFUND, now) : [];
    const subject = await trx.selectFrom('subject').select('name').where('id', '=', reg.subject_id).executeTakeFirstOrThrow();
    await writeNotice(trx, {
      action, candidateId: reg.candidate_id, now, refunds: [refund],
      lines: [{ subjectName: subject.name, refund: { amountFen: refund.amount_fen, channel: refund.channel, refundNo: refund.refund_no } }],
    });
    await trx.updateTable('authority_action').set({ cancelled_registrations: ended.length, refunds_created: 1 }).where('id', '=', action.id).execute();
    await recordAudit(trx, {
      at: now, actor: staffAuditActor(input.actor), action: AUDIT_ACTIONS.REFUND_PERSONAL, object: { type: 'registration', id: reg.id },
      summary: {
        before: { status: locked.status }, after: { status: ended.length > 0 ? 'CANCELLED' : locked.status, ...(ended.length > 0 ? { cancelledReason: 'REFUNDED' } : {}) },
        actionId: action.id, candidateId: reg.candidate_id, refundNo: refund.refund_no, amountFen: refund.amount_fen, channel: refund.channel,
      },
      ip: input.ip ?? null,
    });
    return ok({ actionId: action.id, refundNo: refund.refund_no, amountFen: refund.amount_fen, channel: refund.channel, registrationEnded: ended.length > 0 });
  }).catch((err: unknown) => {
    if (err instanceof AppError) return fail(err.code, err.details);
    throw err;
  });
}

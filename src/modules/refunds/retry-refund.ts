import { fail, ok, type Result } from '../../shared/errors.ts';
import type { StaffActor } from '../accounts/authorization.ts';
import { loadRefund } from '../accounts/staff-scope.ts';
import { AUDIT_ACTIONS, recordAudit, staffAuditActor } from '../audit/audit-log.ts';
import type { AppContext } from '../context.ts';
import { canRefundMove } from './refund-state.ts';

/**
 * A refund the channel refused (FAILED, flagged) is sent again once staff have fixed the cause
 * (e.g. topped up the merchant balance). Same refund number: the channel deduplicates on it, so
 * money already returned is never returned twice. The books do not move: the money was owed all along.
 * Who may: `refund.retry` in the refund's scope; audited in the same transaction (ADM-4).
 */
export async function retryFailedRefund(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: { actor: StaffActor; refundNo: string; ip?: string | null },
): Promise<Result<{ refundNo: string }>> {
  const refund = await loadRefund(ctx.db, input.actor, 'refund.retry', input.refundNo);
  if (!refund.ok) return refund;
  if (!canRefundMove(refund.value.state, 'PENDING')) return fail('REFUND_NOT_FAILED');
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx): Promise<Result<{ refundNo: string }>> => {
    const moved = await trx.updateTable('refund')
      .set({ state: 'PENDING', next_attempt_at: now, attempts: 0, flagged_at: null })
      .where('id', '=', refund.value.id).where('state', '=', 'FAILED').returning('refund_no').executeTakeFirst();
    if (!moved) return fail('REFUND_NOT_FAILED');
    await recordAudit(trx, {
      at: now, actor: staffAuditActor(input.actor), action: AUDIT_ACTIONS.REFUND_RETRY, object: { type: 'refund', id: moved.refund_no },
      summary: { before: { state: 'FAILED' }, after: { state: 'PENDING' }, billNo: refund.value.bill_no },
      ip: input.ip ?? null,
    });
    return ok({ refundNo: moved.refund_no });
  });
}

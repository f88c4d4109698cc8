import { fail, ok, type Result } from '../../shared/errors.ts';
import type { AppContext } from '../context.ts';
import { inScope, may, type RefundActor } from './refund-actor.ts';
import { canRefundMove } from './refund-state.ts';

/**
 * A refund the channel refused (FAILED, flagged) is sent again once staff have fixed the cause
 * (e.g. topped up the merchant balance). Same refund number: the channel deduplicates on it, so
 * money already returned is never returned twice. The books do not move: the money was owed all along.
 */
export async function retryFailedRefund(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: { actor: RefundActor; refundNo: string },
): Promise<Result<{ refundNo: string }>> {
  if (!may(input.actor, 'RETRY_REFUND')) return fail('STAFF_ROLE_NOT_ALLOWED');
  const refund = await ctx.db.selectFrom('refund as f').innerJoin('bill as b', 'b.id', 'f.bill_id').innerJoin('sitting as st', 'st.id', 'b.sitting_id')
    .innerJoin('exam as e', 'e.id', 'st.exam_id').select(['f.id', 'f.state', 'e.authority_id']).where('f.refund_no', '=', input.refundNo).executeTakeFirst();
  if (!refund || !inScope(input.actor, refund.authority_id)) return fail('REFUND_NOT_FOUND');
  if (!canRefundMove(refund.state, 'PENDING')) return fail('REFUND_NOT_FAILED');
  const moved = await ctx.db.updateTable('refund')
    .set({ state: 'PENDING', next_attempt_at: ctx.clock.now(), attempts: 0, flagged_at: null })
    .where('id', '=', refund.id).where('state', '=', 'FAILED').returning('refund_no').executeTakeFirst();
  return moved ? ok({ refundNo: moved.refund_no }) : fail('REFUND_NOT_FAILED');
}

import type { Trx } from '../../db/database.ts';
import type { Appeal } from '../../db/schema.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import type { Actor } from '../context.ts';
import { transition, type AppealChange, type AppealOutcome } from './appeal-state.ts';

/**
 * The one door that changes an appeal's state: checks the table (appeal-state.ts) against the
 * row as locked in the caller's transaction, then writes the change only while the row is still
 * PENDING, so two decisions racing (a withdrawal and a staff decision, two staff members) give
 * one winner; the other gets APPEAL_NOT_PENDING and changes nothing.
 */
export async function transitionAppeal(trx: Trx, input: { appealId: bigint; change: AppealChange; actor: Actor; now: Date }): Promise<Result<{ before: Appeal; outcome: AppealOutcome }>> {
  const before = await trx.selectFrom('appeal').selectAll().where('id', '=', input.appealId).forUpdate().executeTakeFirst();
  if (!before) return fail('APPEAL_NOT_FOUND');
  const outcome = transition(before.state, input.change);
  if (!outcome.ok) return outcome;
  const written = await trx.updateTable('appeal')
    .set({ state: outcome.value.to, reject_reason: outcome.value.rejectReason, decided_by: input.actor, decided_at: input.now })
    .where('id', '=', before.id).where('state', '=', 'PENDING').returning('id').executeTakeFirst();
  if (!written) return fail('APPEAL_NOT_PENDING', { state: before.state });
  return ok({ before, outcome: outcome.value });
}

import { fail, ok, type Result } from '../../shared/errors.ts';
import type { Trx } from '../../db/database.ts';
import type { AppContext } from '../context.ts';
import { lockChangeableRegistration, type RegistrationChanger } from './changeable-registration.ts';
import { releaseSeats } from './seat-holds.sql.ts';
import { sittingWindows } from './sitting-facts.repo.ts';
import { checkRegistrationWindow } from './windows.ts';

/**
 * REG-7: an unpaid registration can be deleted inside the registration window; a paid one, one
 * its asker does not own (REG-8: the candidate cannot delete an institution's, nor the
 * institution a candidate's own), or one on an open bill cannot (cancel the bill first). Its
 * seat goes back.
 */
export async function deleteRegistration(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: { registrationId: bigint } & RegistrationChanger,
): Promise<Result<true>> {
  return ctx.db.transaction().execute((trx) => deleteRegistrationIn(trx, ctx.clock.now(), input));
}

/** deleteRegistration in the caller's transaction (an institution's commits with its audit record). */
export async function deleteRegistrationIn(trx: Trx, now: Date, input: { registrationId: bigint } & RegistrationChanger): Promise<Result<true>> {
  const locked = await lockChangeableRegistration(trx, input);
  if (!locked.ok) return locked;
  const reg = locked.value;
  // REG-5: an oral subject rests on its written one; delete the oral first.
  const oral = await trx.selectFrom('registration as r').innerJoin('subject as s', 's.id', 'r.subject_id').select('r.id')
    .where('r.candidate_id', '=', reg.candidate_id).where('r.status', '=', 'ACTIVE').where('s.written_subject_id', '=', reg.subject_id).executeTakeFirst();
  if (oral) return fail('WRITTEN_BEFORE_ORAL', { oralRegistrationId: String(oral.id) });
  const window = checkRegistrationWindow(await sittingWindows(trx, reg.sitting_id), now);
  if (!window.ok) return fail('WINDOW_CLOSED', { windows: window.windows });
  await releaseSeats(trx, [reg.id]);
  await trx.updateTable('registration').set({ status: 'CANCELLED', cancelled_at: now, cancelled_reason: 'candidateId' in input ? 'CANDIDATE' : 'INSTITUTION' }).where('id', '=', reg.id).execute();
  return ok(true);
}

import { fail, ok, type Result } from '../../shared/errors.ts';
import type { AppContext } from '../context.ts';
import { lockChangeableRegistration } from './changeable-registration.ts';
import { releaseSeats } from './seat-holds.sql.ts';
import { sittingWindows } from './sitting-facts.repo.ts';
import { checkRegistrationWindow } from './windows.ts';

/**
 * REG-7: an unpaid registration can be deleted inside the registration window; a paid one, an
 * institution's (REG-8), or one on an open bill cannot (cancel the bill first). Its seat goes back.
 */
export async function deleteRegistration(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: { candidateId: bigint; registrationId: bigint },
): Promise<Result<true>> {
  return ctx.db.transaction().execute(async (trx): Promise<Result<true>> => {
    const locked = await lockChangeableRegistration(trx, input);
    if (!locked.ok) return locked;
    const reg = locked.value;
    // REG-5: an oral subject rests on its written one; delete the oral first.
    const oral = await trx.selectFrom('registration as r').innerJoin('subject as s', 's.id', 'r.subject_id').select('r.id')
      .where('r.candidate_id', '=', input.candidateId).where('r.status', '=', 'ACTIVE').where('s.written_subject_id', '=', reg.subject_id).executeTakeFirst();
    if (oral) return fail('WRITTEN_BEFORE_ORAL', { oralRegistrationId: String(oral.id) });
    const window = checkRegistrationWindow(await sittingWindows(trx, reg.sitting_id), ctx.clock.now());
    if (!window.ok) return fail('WINDOW_CLOSED', { windows: window.windows });
    await releaseSeats(trx, [reg.id]);
    await trx.updateTable('registration').set({ status: 'CANCELLED', cancelled_at: ctx.clock.now(), cancelled_reason: 'CANDIDATE' }).where('id', '=', reg.id).execute();
    return ok(true);
  });
}

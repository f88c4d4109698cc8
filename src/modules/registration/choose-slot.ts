import { fail, ok, type Result } from '../../shared/errors.ts';
import type { AppContext } from '../context.ts';
import { lockChangeableRegistration, type RegistrationChanger } from './changeable-registration.ts';
import type { Trx } from '../../db/database.ts';
import { holdSeat, releaseSeats } from './seat-holds.sql.ts';
import { sittingWindows } from './sitting-facts.repo.ts';
import { checkPaymentWindow, checkRegistrationWindow } from './windows.ts';

/**
 * 选择考试时间: hold a seat at another site/slot for an unpaid registration — after its seat
 * was released at a payment timeout (seed 000: 手动"编辑"选择考试时间), or to change slot. The old
 * seat is let go only if the new one is had: one transaction, so a full slot changes nothing.
 */
export async function chooseSlot(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: RegistrationChanger & {
    registrationId: bigint; siteId: bigint; slotId: bigint;
    /** Runs in the same transaction once the seat is had (an institution's audit record). */
    record?: (trx: Trx, seatNo: number) => Promise<void>;
  },
): Promise<Result<{ seatNo: number }>> {
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx): Promise<Result<{ seatNo: number }>> => {
    const locked = await lockChangeableRegistration(trx, input);
    if (!locked.ok) return locked;
    const reg = locked.value;
    const windows = await sittingWindows(trx, reg.sitting_id);
    const open = checkRegistrationWindow(windows, now);
    // After registration closes, only the chosen site's own management window allows a change.
    if (!open.ok && !checkPaymentWindow(windows, now, input.siteId).ok) return fail('WINDOW_CLOSED', { windows: open.windows });
    const pool = await trx.selectFrom('seat_pool').select('id').where('subject_id', '=', reg.subject_id)
      .where('site_id', '=', input.siteId).where('slot_id', '=', input.slotId).executeTakeFirst();
    if (!pool) return fail('SLOT_REQUIRED');
    await releaseSeats(trx, [reg.id]);
    const seat = await holdSeat(trx, { poolId: pool.id, registrationId: reg.id, now });
    if (!seat) throw new SlotFull();
    await trx.updateTable('registration').set({ site_id: input.siteId, slot_id: input.slotId, seat_released_at: null, seat_released_reason: null })
      .where('id', '=', reg.id).execute();
    await input.record?.(trx, seat.seatNo);
    return ok({ seatNo: seat.seatNo });
  }).catch((err: unknown) => {
    if (err instanceof SlotFull) return fail('SEAT_UNAVAILABLE');
    throw err;
  });
}

class SlotFull extends Error {}

import { fail, ok, type Result } from '../../shared/errors.ts';
import type { Bill } from '../../db/schema.ts';
import type { Actor, AppContext } from '../context.ts';
import { closeChannelOrder } from '../payments/close-expired-bill.ts';
import { openAttempts } from '../payments/channel-orders.ts';
import { findOwnedBill, type BillOwner } from './bill-owner.ts';
import type { Trx } from '../../db/database.ts';
import { lockBill, transitionBill } from './bill-transition.repo.ts';

/**
 * The candidate withdraws an unpaid bill, freeing its registrations for another bill (REG-7:
 * unpaid registrations stay changeable). A bill in 缴费中 cannot be withdrawn — the payer may have
 * paid — and any channel order the bill ever had is closed at the channel first, exactly as at
 * expiry: if that reveals a payment, the bill is paid instead of cancelled.
 */
export async function cancelBill(
  ctx: Pick<AppContext, 'db' | 'clock' | 'channels' | 'log'>,
  input: BillOwner & {
    billNo: string; actor: Actor;
    /** Runs in the closing transaction (a staff action's audit record). */
    record?: (trx: Trx, closed: Bill) => Promise<void>;
  },
): Promise<Result<Bill>> {
  const found = await findOwnedBill(ctx.db, input, input.billNo);
  if (!found) return fail('BILL_NOT_FOUND');
  const refusal = cancelRefusal(found);
  if (refusal) return refusal;
  for (const attempt of await openAttempts(ctx.db, found.id)) {
    const outcome = await closeChannelOrder(ctx, attempt, input.actor);
    // NOT_FOUND_YET: never scanned. Its QR could still be paid until its time is up; the sweep
    // closes it then, and a payment in between is refunded as late (PAY-8).
    if (outcome !== 'CLOSED' && outcome !== 'NOT_FOUND_YET' && outcome !== 'PAID') {
      return fail('CHANNEL_UNAVAILABLE', { reason: 'channel order could not be closed', outcome });
    }
  }

  return ctx.db.transaction().execute(async (trx) => {
    const bill = (await lockBill(trx, { id: found.id }))!;
    const late = cancelRefusal(bill);
    if (late) return late;
    const now = ctx.clock.now();
    const closed = await transitionBill(trx, bill, { to: 'CLOSED', cause: 'CANCELLED', actor: input.actor, at: now, patch: { next_query_at: null } });
    await input.record?.(trx, closed);
    return ok(closed);
  });
}

function cancelRefusal(bill: Bill): Result<never> | undefined {
  if (bill.state === 'PAYING') return fail('BILL_PAYING_CANNOT_CANCEL');
  if (bill.state === 'CLOSED') return fail('BILL_CLOSED');
  if (bill.state !== 'UNPAID') return fail('BILL_ALREADY_PAID');
  return undefined;
}

import { fail, ok, type Result } from '../../shared/errors.ts';
import type { Bill } from '../../db/schema.ts';
import type { AppContext } from '../context.ts';
import { isOpen } from './bill-state.ts';
import { lockBill } from './bill-transition.repo.ts';
import { ownsBill, type BillOwner } from './bill-owner.ts';

/** PAY-2: the payment agreement, accepted once per bill; the first acceptance time is kept. */
export async function acceptAgreement(ctx: Pick<AppContext, 'db' | 'clock'>, input: BillOwner & { billNo: string }): Promise<Result<Bill>> {
  return ctx.db.transaction().execute(async (trx) => {
    const bill = await lockBill(trx, { billNo: input.billNo });
    if (!bill || !ownsBill(bill, input)) return fail('BILL_NOT_FOUND');
    if (!isOpen(bill.state)) return fail(bill.state === 'CLOSED' ? 'BILL_CLOSED' : 'BILL_ALREADY_PAID');
    if (bill.agreement_accepted_at) return ok(bill);
    return ok(await trx.updateTable('bill').set({ agreement_accepted_at: ctx.clock.now(), updated_at: ctx.clock.now() })
      .where('id', '=', bill.id).returningAll().executeTakeFirstOrThrow());
  });
}

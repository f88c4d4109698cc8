import type { Trx } from '../../db/database.ts';
import type { Bill, ChannelPayment, Refund, RefundReason } from '../../db/schema.ts';

/**
 * Records a refund to be executed by the refund job, in the caller's transaction — so money we
 * must return is written down in the same commit that discovered it (PAY-8). The refund number
 * is the bill number + 'R' + a sequence, unique per bill and what the channel deduplicates on.
 */
export async function createRefund(
  trx: Trx,
  input: { bill: Bill; payment: ChannelPayment; amountFen: bigint; reason: RefundReason; now: Date },
): Promise<Refund> {
  const { count } = await trx.selectFrom('refund').select((eb) => eb.fn.countAll<string>().as('count')).where('bill_id', '=', input.bill.id).executeTakeFirstOrThrow();
  const seq = Number(count) + 1;
  return trx
    .insertInto('refund')
    .values({
      refund_no: `${input.bill.bill_no}R${String(seq).padStart(2, '0')}`,
      bill_id: input.bill.id,
      channel_payment_id: input.payment.id,
      channel: input.payment.channel,
      amount_fen: input.amountFen,
      reason: input.reason,
      next_attempt_at: input.now,
      created_at: input.now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

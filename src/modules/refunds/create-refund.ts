import type { Trx } from '../../db/database.ts';
import type { Bill, ChannelPayment, Refund, RefundReason } from '../../db/schema.ts';
import { AppError } from '../../shared/errors.ts';
import { postEntry } from '../ledger/journal.ts';

/**
 * Records a refund to be executed by the refund job, in the caller's transaction — so money we
 * must return is written down in the same commit that discovered or decided it (PAY-8, REF-2).
 * The refund number is the bill number + 'R' + a sequence, unique per bill and what the channel
 * deduplicates on. The caller holds the bill's lock, so the sequence cannot race.
 *
 * A refund of money that paid the bill names its bill item (REF-4) and is booked at once as owed
 * to the payer (REFUND_DECIDED); the database counts it against the item and the capture and
 * refuses it if either would give back more than was paid (migration 015).
 */
export async function createRefund(
  trx: Trx,
  input: {
    bill: Bill; payment: ChannelPayment; amountFen: bigint; reason: RefundReason; now: Date;
    billItemId?: bigint; note?: string; requestedBy?: string;
  },
): Promise<Refund> {
  const { count } = await trx.selectFrom('refund').select((eb) => eb.fn.countAll<string>().as('count')).where('bill_id', '=', input.bill.id).executeTakeFirstOrThrow();
  const seq = Number(count) + 1;
  const refund = await trx
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
      bill_item_id: input.billItemId ?? null,
      note: input.note ?? null,
      ...(input.requestedBy ? { requested_by: input.requestedBy } : {}),
    })
    .returningAll()
    .executeTakeFirstOrThrow()
    .catch((err: unknown) => {
      // The database's own limit (REF-4): never more back than was paid, whatever the code did.
      if (isCheckViolation(err, ['bill_item_refund_within_paid', 'channel_payment_refund_within_captured'])) throw new AppError('REFUND_EXCEEDS_PAID');
      throw err;
    });
  if (input.payment.outcome === 'SETTLED') {
    // PAY-11: the sitting's fee becomes money owed to the payer in the same commit as the decision.
    await postEntry(trx, {
      kind: 'REFUND_DECIDED', at: input.now, channel: refund.channel, sittingId: input.bill.sitting_id,
      billId: input.bill.id, amountFen: refund.amount_fen, refundId: refund.id,
    });
  }
  return refund;
}

export function isCheckViolation(err: unknown, constraints: readonly string[]): boolean {
  const e = err as { code?: string; constraint?: string };
  return e?.code === '23514' && e.constraint !== undefined && constraints.includes(e.constraint);
}

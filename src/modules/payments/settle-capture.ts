import type { ChannelCapture } from '../../channels/channel.ts';
import type { Trx } from '../../db/database.ts';
import type { CaptureOutcome } from '../../db/schema.ts';
import { isOpen } from '../billing/bill-state.ts';
import { lockBill, transitionBill } from '../billing/bill-transition.repo.ts';
import type { Actor, AppContext } from '../context.ts';
import { createRefund } from '../refunds/create-refund.ts';
import { sellSeats } from '../registration/seat-holds.sql.ts';
import { postEntry } from '../ledger/journal.ts';

export type ReportedBy = 'notify' | 'query' | 'close' | 'return' | 'reconciliation';

export type SettleResult =
  | { ok: true; outcome: CaptureOutcome; billNo: string; refundNo?: string; firstReport: boolean }
  | { ok: false; reason: 'UNKNOWN_ORDER' | 'CHANNEL_MISMATCH' | 'AMOUNT_MISMATCH'; detail: string };

/**
 * The one settle step (PAY-4, PAY-8, PAY-9). Notify, the candidate's 确认缴费状态, the poll
 * job, closing at expiry and reconciliation all report captures here, in any order, any
 * number of times.
 *
 * Exactly-once comes from two things together: the bill's row lock serialises every report
 * about one bill, and `channel_payment (channel, channel_trade_no)` is unique, so the second
 * report of the same money finds its row and changes nothing. The first report of a capture
 * decides what it is: it pays an open bill (SETTLED), or — because the bill is already paid
 * or closed — it is money we must give back (DUPLICATE / LATE), refunded automatically.
 */
export async function settleCapture(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: { channel: string; capture: ChannelCapture; reportedBy: ReportedBy; actor: Actor },
): Promise<SettleResult> {
  return ctx.db.transaction().execute((trx) => settleCaptureIn(trx, ctx.clock.now(), input));
}

export async function settleCaptureIn(
  trx: Trx,
  now: Date,
  { channel, capture, reportedBy, actor }: { channel: string; capture: ChannelCapture; reportedBy: ReportedBy; actor: Actor },
): Promise<SettleResult> {
  // capture.billNo is the channel's merchant order number: the bill number or bill number + seq.
  const attempt = await trx.selectFrom('payment_attempt').selectAll().where('out_trade_no', '=', capture.billNo).executeTakeFirst();
  if (!attempt) return { ok: false, reason: 'UNKNOWN_ORDER', detail: `no channel order ${capture.billNo}` };
  if (attempt.channel !== channel) {
    return { ok: false, reason: 'CHANNEL_MISMATCH', detail: `order ${capture.billNo} belongs to ${attempt.channel}, reported by ${channel}` };
  }
  const bill = await lockBill(trx, { id: attempt.bill_id });
  if (!bill) throw new Error(`payment_attempt ${attempt.id} points at a missing bill`);
  if (capture.amountFen !== bill.amount_fen) {
    return { ok: false, reason: 'AMOUNT_MISMATCH', detail: `bill ${bill.bill_no} is ${bill.amount_fen} fen, channel reports ${capture.amountFen}` };
  }

  const existing = await trx
    .selectFrom('channel_payment')
    .select(['outcome'])
    .where('channel', '=', channel)
    .where('channel_trade_no', '=', capture.channelTradeNo)
    .executeTakeFirst();
  if (existing) {
    const refund = await trx.selectFrom('refund as r').innerJoin('channel_payment as p', 'p.id', 'r.channel_payment_id')
      .select('r.refund_no').where('p.channel', '=', channel).where('p.channel_trade_no', '=', capture.channelTradeNo).executeTakeFirst();
    return { ok: true, outcome: existing.outcome, billNo: bill.bill_no, firstReport: false, ...(refund ? { refundNo: refund.refund_no } : {}) };
  }

  const outcome: CaptureOutcome = isOpen(bill.state) ? 'SETTLED' : bill.state === 'CLOSED' ? 'LATE' : 'DUPLICATE';
  const payment = await trx
    .insertInto('channel_payment')
    .values({
      bill_id: bill.id,
      attempt_id: attempt.id,
      channel,
      channel_trade_no: capture.channelTradeNo,
      amount_fen: capture.amountFen,
      paid_at: capture.paidAt,
      outcome,
      reported_by: reportedBy,
      recorded_at: now,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  // PAY-11: booked in the same commit that records the money.
  await postEntry(trx, {
    kind: outcome === 'SETTLED' ? 'CAPTURE_SETTLED' : 'CAPTURE_UNWANTED', at: now, channel, sittingId: bill.sitting_id,
    billId: bill.id, amountFen: payment.amount_fen, channelPaymentId: payment.id,
  });
  // The channel order that took money can take no more: it is done, whatever the bill says.
  await trx.updateTable('payment_attempt').set({ state: 'CLOSED', closed_at: now }).where('id', '=', attempt.id).where('state', '=', 'OPEN').execute();

  if (outcome === 'SETTLED') {
    await transitionBill(trx, bill, {
      to: 'PAID',
      cause: 'CHANNEL_PAID',
      actor,
      at: now,
      detail: { channel, channelTradeNo: capture.channelTradeNo, reportedBy },
      patch: { paid_at: capture.paidAt, channel, channel_trade_no: capture.channelTradeNo, next_query_at: null },
    });
    const items = await trx.selectFrom('bill_item').select('registration_id').where('bill_id', '=', bill.id).execute();
    const registrationIds = items.map((i) => i.registration_id);
    await trx.updateTable('registration').set({ paid_at: capture.paidAt }).where('id', 'in', registrationIds).execute();
    // REG-6: payment sells the held seats, in the same commit that makes the bill PAID.
    await sellSeats(trx, registrationIds);
    await flagIfRegistrationsDisagree(trx, bill.id, registrationIds, now);
    return { ok: true, outcome, billNo: bill.bill_no, firstReport: true };
  }
  const refund = await createRefund(trx, {
    bill,
    payment,
    amountFen: payment.amount_fen,
    reason: outcome === 'LATE' ? 'LATE_PAYMENT' : 'DUPLICATE_PAYMENT',
    now,
  });
  return { ok: true, outcome, billNo: bill.bill_no, refundNo: refund.refund_no, firstReport: true };
}

/**
 * The money is real and the bill is paid whatever happens here; but if a registration on it is no
 * longer active, or one that holds a place at a site has no sold seat, the bill is flagged for
 * staff rather than passing silently (no money unaccounted, every state explained).
 */
async function flagIfRegistrationsDisagree(trx: Trx, billId: bigint, registrationIds: bigint[], now: Date): Promise<void> {
  const regs = await trx.selectFrom('registration as r')
    .leftJoin('seat as s', (j) => j.onRef('s.registration_id', '=', 'r.id').on('s.state', '=', 'SOLD'))
    .select(['r.id', 'r.status', 'r.slot_id', 's.id as seat_id'])
    .where('r.id', 'in', registrationIds).execute();
  const odd = regs.filter((r) => r.status !== 'ACTIVE' || (r.slot_id !== null && r.seat_id === null));
  if (odd.length === 0) return;
  await trx.updateTable('bill').set({ flagged_at: now, flag_reason: 'SETTLEMENT_ANOMALY' }).where('id', '=', billId).where('flagged_at', 'is', null).execute();
}

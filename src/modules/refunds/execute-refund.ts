import { sql } from 'kysely';
import type { Refund } from '../../db/schema.ts';
import { MINUTE } from '../../shared/clock.ts';
import type { AppContext } from '../context.ts';
import type { Trx } from '../../db/database.ts';
import type { Bill } from '../../db/schema.ts';
import { lockBill, transitionBill } from '../billing/bill-transition.repo.ts';
import { postEntry } from '../ledger/journal.ts';
import { billStateAfterRefunds } from './refund-rules.ts';

type Ctx = Pick<AppContext, 'db' | 'clock' | 'channels' | 'log'>;

/** Retry a refund the channel did not confirm: soon at first, then every half hour. */
const REFUND_BACKOFF_MS = [1, 2, 5, 10, 30].map((m) => m * MINUTE);
/** Unconfirmed after this many sends (≈ 1.5 h): a person must look, though retries go on. */
const FLAG_AFTER_ATTEMPTS = 6;
/** A claimed refund is someone's for this long; if that process dies, another takes it over. */
const CLAIM_MS = 5 * MINUTE;

/**
 * Sends due refunds to their channel. Refunds are claimed with SKIP LOCKED so several
 * processes share the work without sending one twice at once — and sending twice would still
 * be harmless: the channel deduplicates on the refund number (Alipay out_request_no).
 */
export async function executeDueRefunds(ctx: Ctx, limit = 20): Promise<number> {
  const now = ctx.clock.now();
  const claimed = await ctx.db
    .updateTable('refund')
    .set({ next_attempt_at: new Date(now.getTime() + CLAIM_MS) })
    .where('id', 'in', (eb) => eb.selectFrom('refund').select('id')
      .where('state', '=', 'PENDING').where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at').limit(limit).forUpdate().skipLocked())
    .returningAll()
    .execute();
  for (const refund of claimed) await executeRefund(ctx, refund);
  return claimed.length;
}

export async function executeRefund(ctx: Ctx, refund: Refund): Promise<void> {
  const capture = await ctx.db.selectFrom('channel_payment as p').innerJoin('payment_attempt as a', 'a.id', 'p.attempt_id')
    .select(['a.out_trade_no', 'p.channel_trade_no']).where('p.id', '=', refund.channel_payment_id).executeTakeFirstOrThrow();
  const channel = ctx.channels.get(refund.channel);
  const result = channel
    ? await channel.refund({
        billNo: capture.out_trade_no,
        refundNo: refund.refund_no,
        channelTradeNo: capture.channel_trade_no,
        amountFen: refund.amount_fen,
        reason: REASON_TEXT[refund.reason],
      })
    : ({ status: 'UNKNOWN', reason: `channel ${refund.channel} is not configured` } as const);
  const now = ctx.clock.now();
  if (result.status === 'SUCCEEDED') {
    await ctx.db.transaction().execute(async (trx) => {
      // The bill first, like every other writer of a bill and its refunds (no lock-order cycle).
      const bill = (await lockBill(trx, { id: refund.bill_id }))!;
      const done = await trx.updateTable('refund').set({ state: 'SUCCEEDED', succeeded_at: result.refundedAt, attempts: sql`attempts + 1`, last_error: null })
        .where('id', '=', refund.id).where('state', '=', 'PENDING').returning(['id', 'bill_item_id']).executeTakeFirst();
      if (!done) return; // another process recorded it first
      // PAY-11: the money left the channel back to the payer; booked with the state change.
      await postEntry(trx, { kind: 'REFUND_SUCCEEDED', at: now, channel: refund.channel, sittingId: bill.sitting_id, billId: bill.id, amountFen: refund.amount_fen, refundId: refund.id });
      if (done.bill_item_id !== null) await markBillRefunded(trx, bill, { refundNo: refund.refund_no, at: now });
    });
    return;
  }
  if (result.status === 'FAILED') {
    // A definite refusal (e.g. amount above what was paid) needs a person: flagged for staff.
    ctx.log.error({ refundNo: refund.refund_no, code: result.code }, 'channel refused a refund');
    await ctx.db.updateTable('refund').set({ state: 'FAILED', attempts: sql`attempts + 1`, last_error: `${result.code}: ${result.message}`, flagged_at: now })
      .where('id', '=', refund.id).where('state', '=', 'PENDING').execute();
    return;
  }
  const delay = REFUND_BACKOFF_MS[Math.min(refund.attempts, REFUND_BACKOFF_MS.length - 1)]!;
  await ctx.db.updateTable('refund').set({
    attempts: sql`attempts + 1`,
    next_attempt_at: new Date(now.getTime() + delay),
    last_error: result.status === 'UNKNOWN' ? result.reason : 'pending at channel',
    ...(refund.attempts + 1 >= FLAG_AFTER_ATTEMPTS && !refund.flagged_at ? { flagged_at: now } : {}),
  }).where('id', '=', refund.id).where('state', '=', 'PENDING').execute();
  if (refund.attempts + 1 === FLAG_AFTER_ATTEMPTS) ctx.log.error({ refundNo: refund.refund_no }, 'refund still unconfirmed by the channel; flagged for staff');
}

const REASON_TEXT: Record<Refund['reason'], string> = {
  DUPLICATE_PAYMENT: '重复缴费退款 duplicate payment',
  LATE_PAYMENT: '订单关闭后到账退款 payment after bill closed',
  AUTHORITY_CHANGE: '考试机构变更退款 changed by the authority',
  AUTHORITY_CANCEL: '考试机构取消退款 cancelled by the authority',
  PERSONAL: '个人原因退费 personal reasons, approved by staff',
  STAFF: '人工退款 refund by staff',
};

/**
 * PAY-3 / REF-4: once money that paid the bill has gone back, the bill says so — PARTIALLY_REFUNDED
 * while part of it is still the authority's, REFUNDED when all of it went back. Counted from the
 * refunds the channel confirmed, in the transaction that records the latest one.
 */
async function markBillRefunded(trx: Trx, bill: Bill, at: { refundNo: string; at: Date }): Promise<void> {
  if (bill.state !== 'PAID' && bill.state !== 'PARTIALLY_REFUNDED') return;
  const { total } = await trx.selectFrom('refund').select((eb) => eb.fn.coalesce(eb.fn.sum<string>('amount_fen'), eb.val('0')).as('total'))
    .where('bill_id', '=', bill.id).where('bill_item_id', 'is not', null).where('state', '=', 'SUCCEEDED').executeTakeFirstOrThrow();
  const to = billStateAfterRefunds(bill.amount_fen, BigInt(total));
  if (to === 'PAID') return;
  await transitionBill(trx, bill, { to, cause: to, actor: 'job:execute-refunds', at: at.at, detail: { refundNo: at.refundNo, refundedFen: String(total) } });
}

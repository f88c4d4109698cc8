import type { Bill } from '../../db/schema.ts';
import { HOUR } from '../../shared/clock.ts';
import { lockBill, transitionBill } from '../billing/bill-transition.repo.ts';
import type { Actor, AppContext } from '../context.ts';
import { closeAttempt, openAttempts } from './channel-orders.ts';
import { settleCapture } from './settle-capture.ts';
import { nextQueryDelay } from './query-backoff.ts';

export type ChannelAnswerSummary = { outTradeNo: string; channel: string; answer: string };

/** 确认缴费状态 presses closer together than this reuse the last answer instead of asking again. */
export const CANDIDATE_QUERY_INTERVAL_MS = 5_000;

/**
 * 确认缴费状态 (PAY-4): ask the channel about every open order of the bill and act on the
 * answers — paid → settle, closed/failed → the order is done, no answer → nothing changes.
 * The candidate's button and the poll job both call this; the job simply calls it on a
 * schedule, so nobody has to click for a bill to leave 缴费中. Only the job moves the backoff,
 * so a candidate pressing the button cannot push the job's next query further away.
 */
export async function checkBillStatus(
  ctx: Pick<AppContext, 'db' | 'clock' | 'channels' | 'log'>,
  input: { billId: bigint; actor: Actor; by: 'candidate' | 'job' | 'notify' },
): Promise<{ bill: Bill; answers: ChannelAnswerSummary[] }> {
  const answers: ChannelAnswerSummary[] = [];
  const before = await ctx.db.selectFrom('bill').select('last_queried_at').where('id', '=', input.billId).executeTakeFirstOrThrow();
  const throttled = input.by === 'candidate' && before.last_queried_at !== null
    && ctx.clock.now().getTime() - before.last_queried_at.getTime() < CANDIDATE_QUERY_INTERVAL_MS;
  for (const attempt of throttled ? [] : await openAttempts(ctx.db, input.billId)) {
    const channel = ctx.channels.get(attempt.channel);
    if (!channel) {
      answers.push({ outTradeNo: attempt.out_trade_no, channel: attempt.channel, answer: 'CHANNEL_NOT_CONFIGURED' });
      continue;
    }
    const result = await channel.queryPayment({ billNo: attempt.out_trade_no });
    answers.push({ outTradeNo: attempt.out_trade_no, channel: attempt.channel, answer: result.status });
    if (result.status === 'PAID') {
      const settled = await settleCapture(ctx, { channel: attempt.channel, capture: result, reportedBy: 'query', actor: input.actor });
      if (!settled.ok) ctx.log.error({ outTradeNo: attempt.out_trade_no, reason: settled.reason, detail: settled.detail }, 'channel query reported a capture we cannot settle');
    } else if (result.status === 'CLOSED') {
      await ctx.db.transaction().execute((trx) => closeAttempt(trx, attempt, ctx.clock.now()));
    } else if (result.status === 'UNKNOWN') {
      ctx.log.warn({ outTradeNo: attempt.out_trade_no, reason: result.reason }, 'channel query gave no answer');
    }
  }
  const bill = await ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    let bill = await lockBill(trx, { id: input.billId });
    if (!bill) throw new Error(`bill ${input.billId} not found`);
    if (!throttled) bill = await trx.updateTable('bill').set({ last_queried_at: now }).where('id', '=', bill.id).returningAll().executeTakeFirstOrThrow();
    if (bill.state !== 'PAYING') return bill;
    if ((await openAttempts(trx, bill.id)).length === 0) {
      // Every order the bill was sent to ended without money: back to 未缴费, pay again.
      return transitionBill(trx, bill, {
        to: 'UNPAID', cause: 'CHANNEL_FAILED', actor: input.actor, at: now,
        detail: { answers }, patch: { next_query_at: null, paying_since: null },
      });
    }
    if (input.by !== 'job') return bill;
    const attempts = bill.query_attempts + 1;
    // PAY-4: a bill never stays 缴费中 silently; past 24 h staff see it flagged.
    const overdue = !bill.flagged_at && bill.paying_since !== null && now.getTime() - bill.paying_since.getTime() >= 24 * HOUR;
    return trx.updateTable('bill').set({
      query_attempts: attempts,
      next_query_at: new Date(now.getTime() + nextQueryDelay(attempts)),
      ...(overdue ? { flagged_at: now, flag_reason: 'PAYING_OVER_24H' as const } : {}),
    }).where('id', '=', bill.id).returningAll().executeTakeFirstOrThrow();
  });
  return { bill, answers };
}

import type { Bill } from '../../db/schema.ts';
import { HOUR } from '../../shared/clock.ts';
import { lockBill, transitionBill } from '../billing/bill-transition.repo.ts';
import type { Actor, AppContext } from '../context.ts';
import { closeAttempt, openAttempts } from './channel-orders.ts';
import { settleCapture } from './settle-capture.ts';
import { nextQueryDelay } from './start-payment.ts';

export type ChannelAnswerSummary = { outTradeNo: string; channel: string; answer: string };

/**
 * 确认缴费状态 (PAY-4): ask the channel about every open order of the bill and act on the
 * answers — paid → settle, closed/failed → the order is done, no answer → nothing changes.
 * The candidate's button and the poll job both call this; the job simply calls it on a
 * schedule, so nobody has to click for a bill to leave 缴费中.
 */
export async function checkBillStatus(
  ctx: Pick<AppContext, 'db' | 'clock' | 'channels' | 'log'>,
  input: { billId: bigint; actor: Actor },
): Promise<{ bill: Bill; answers: ChannelAnswerSummary[] }> {
  const answers: ChannelAnswerSummary[] = [];
  for (const attempt of await openAttempts(ctx.db, input.billId)) {
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
      await ctx.db.transaction().execute((trx) => closeAttempt(trx, attempt.id, ctx.clock.now()));
    } else if (result.status === 'UNKNOWN') {
      ctx.log.warn({ outTradeNo: attempt.out_trade_no, reason: result.reason }, 'channel query gave no answer');
    }
  }
  const bill = await ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    let bill = await lockBill(trx, { id: input.billId });
    if (!bill) throw new Error(`bill ${input.billId} not found`);
    if (bill.state !== 'PAYING') return bill;
    if ((await openAttempts(trx, bill.id)).length === 0) {
      // Every order the bill was sent to ended without money: back to 未缴费, pay again.
      return transitionBill(trx, bill, {
        to: 'UNPAID', cause: 'CHANNEL_FAILED', actor: input.actor, at: now,
        detail: { answers }, patch: { next_query_at: null, paying_since: null },
      });
    }
    const attempts = bill.query_attempts + 1;
    bill = await trx.updateTable('bill').set({
      query_attempts: attempts,
      next_query_at: new Date(now.getTime() + nextQueryDelay(attempts)),
      // PAY-4: a bill never stays 缴费中 silently; past 24 h staff see it flagged.
      flagged_at: bill.flagged_at ?? (bill.paying_since && now.getTime() - bill.paying_since.getTime() >= 24 * HOUR ? now : null),
    }).where('id', '=', bill.id).returningAll().executeTakeFirstOrThrow();
    return bill;
  });
  return { bill, answers };
}

import type { ChannelAnswer, RawNotification } from '../../channels/channel.ts';
import type { AppContext } from '../context.ts';
import { checkBillStatus } from './check-bill-status.ts';
import { settleCapture } from './settle-capture.ts';

export interface NotificationOutcome {
  accepted: boolean;
  outcome: string;
  answer: ChannelAnswer;
}

/**
 * A channel's asynchronous notification (PAY-5, PAY-9). The signature is checked on the raw
 * bytes before any field is believed; what it reports goes through the same settle step as
 * everything else; the answer that stops the channel retrying is given only after the commit
 * (a crash before it means the channel simply tells us again). Every notification, accepted
 * or not, leaves a row in channel_notification.
 */
export async function handleNotification(
  ctx: Pick<AppContext, 'db' | 'clock' | 'channels' | 'log'>,
  input: { channel: string; raw: RawNotification; remoteAddr: string },
): Promise<NotificationOutcome | undefined> {
  const channel = ctx.channels.get(input.channel);
  if (!channel) return undefined;
  const parsed = channel.parseNotification(input.raw);
  let accepted: boolean;
  let outcome: string;
  let detail = '';
  let billNo: string | null = null;
  let notifyId: string | null = null;

  if (!parsed.ok) {
    accepted = false;
    outcome = parsed.reason;
    detail = parsed.detail;
  } else {
    const event = parsed.event;
    billNo = event.billNo;
    notifyId = event.notifyId;
    if (event.kind === 'PAID') {
      const settled = await settleCapture(ctx, { channel: input.channel, capture: event, reportedBy: 'notify', actor: `notify:${input.channel}` });
      accepted = settled.ok;
      if (settled.ok) {
        outcome = settled.firstReport ? settled.outcome : 'ALREADY_RECORDED';
        if (settled.refundNo) detail = `refund ${settled.refundNo}`;
      } else {
        outcome = settled.reason;
        detail = settled.detail;
      }
    } else if (event.kind === 'CLOSED') {
      // Verify, then ask: the channel's own answer decides what the bill becomes.
      const attempt = await ctx.db.selectFrom('payment_attempt').select('bill_id').where('out_trade_no', '=', event.billNo).executeTakeFirst();
      if (attempt) await checkBillStatus(ctx, { billId: attempt.bill_id, actor: `notify:${input.channel}`, by: 'notify' });
      accepted = true;
      outcome = attempt ? 'CLOSED' : 'UNKNOWN_ORDER';
    } else {
      accepted = true;
      outcome = 'IGNORED';
      detail = event.reason;
    }
  }

  await ctx.db.insertInto('channel_notification').values({
    channel: input.channel,
    received_at: ctx.clock.now(),
    accepted,
    outcome,
    detail: detail.slice(0, 500),
    bill_no: billNo,
    notify_id: notifyId,
    remote_addr: input.remoteAddr,
  }).execute();
  if (!accepted) ctx.log.warn({ channel: input.channel, outcome, detail, billNo, remoteAddr: input.remoteAddr }, 'channel notification rejected');
  return { accepted, outcome, answer: channel.notificationAnswer(accepted) };
}

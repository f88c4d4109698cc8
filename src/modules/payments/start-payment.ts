import type { Channel } from '../../channels/channel.ts';
import type { PaymentAttempt } from '../../db/schema.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import { isOpen } from '../billing/bill-state.ts';
import { channelsFor, ownsBill, type BillOwner } from '../billing/bill-owner.ts';
import type { Trx } from '../../db/database.ts';
import { lockBill, transitionBill } from '../billing/bill-transition.repo.ts';
import type { AppContext } from '../context.ts';
import { checkBillStatus } from './check-bill-status.ts';
import { QUERY_BACKOFF_MS } from './query-backoff.ts';
import { sittingWindows } from '../registration/sitting-facts.repo.ts';
import { checkPaymentWindows } from '../registration/windows.ts';

export interface StartedPayment {
  billNo: string;
  outTradeNo: string;
  channel: string;
  payUrl: string;
  qrContent: string;
  expiresAt: Date;
}

/**
 * 缴费: send an unpaid bill to a channel. The channel order number is reserved first (its own
 * short transaction, under the bill lock), the channel is called outside any transaction
 * (STYLE 5), and the result is recorded after. A retry — double click, two tabs, a timeout —
 * finds the same open order and re-creates it at the channel with the same number, which
 * channels treat as the same order; so one bill never has two live orders on one channel.
 */
export async function startPayment(
  ctx: Pick<AppContext, 'db' | 'clock' | 'channels' | 'publicBaseUrl' | 'log'>,
  input: BillOwner & {
    billNo: string; channel: string; actor: string;
    /** Runs in the transaction that moves the bill to 缴费中 (a staff action's audit record). */
    record?: (trx: Trx, started: StartedPayment) => Promise<void>;
  },
): Promise<Result<StartedPayment>> {
  const channel = ctx.channels.get(input.channel);
  const reserved = await ctx.db.transaction().execute(async (trx): Promise<Result<{ attempt: PaymentAttempt; subject: string; bankCardOnly: boolean; expiresAt: Date; amountFen: bigint }>> => {
    const bill = await lockBill(trx, { billNo: input.billNo });
    if (!bill || !ownsBill(bill, input)) return fail('BILL_NOT_FOUND');
    if (!isOpen(bill.state)) return fail(bill.state === 'CLOSED' ? 'BILL_CLOSED' : 'BILL_ALREADY_PAID');
    if (ctx.clock.now() >= bill.expires_at) return fail('BILL_CLOSED', { expiresAt: bill.expires_at.toISOString() });
    if (!bill.agreement_accepted_at) return fail('AGREEMENT_REQUIRED');
    // A bill made just before the deadline cannot be paid after it (seed 004: no late payment).
    const windows = await sittingWindows(trx, bill.sitting_id);
    const sites = await trx.selectFrom('bill_item as i').innerJoin('registration as r', 'r.id', 'i.registration_id').select('r.site_id').where('i.bill_id', '=', bill.id).execute();
    const window = checkPaymentWindows(windows, ctx.clock.now(), sites.map((s) => s.site_id));
    if (!window.ok) return fail('WINDOW_CLOSED', { windows: window.windows });
    const exam = await trx.selectFrom('sitting as st').innerJoin('exam as e', 'e.id', 'st.exam_id')
      .select(['e.channels', 'e.institution_channels', 'e.bank_card_only', 'e.name as exam_name', 'st.name as sitting_name'])
      .where('st.id', '=', bill.sitting_id).executeTakeFirstOrThrow();
    // An institution's batch bill is offered the exam's institution channels (ORG-1).
    const offered = channelsFor(bill.owner, exam);
    if (!offered.includes(input.channel)) return fail('CHANNEL_NOT_OFFERED', { channel: input.channel, offered });
    // Offered by the exam but not set up in this deployment: the channel is unavailable, not "not offered".
    if (!channel) return fail('CHANNEL_UNAVAILABLE', { channel: input.channel, reason: 'not configured' });

    let attempt = await trx.selectFrom('payment_attempt').selectAll()
      .where('bill_id', '=', bill.id).where('channel', '=', input.channel).where('state', '=', 'OPEN').executeTakeFirst();
    if (!attempt) {
      const last = await trx.selectFrom('payment_attempt').select((eb) => eb.fn.max('seq').as('seq')).where('bill_id', '=', bill.id).executeTakeFirst();
      const seq = (last?.seq ?? 0) + 1;
      if (seq > 99) return fail('TOO_MANY_ATTEMPTS');
      attempt = await trx.insertInto('payment_attempt').values({
        bill_id: bill.id,
        seq,
        out_trade_no: seq === 1 ? bill.bill_no : `${bill.bill_no}${String(seq).padStart(2, '0')}`,
        channel: input.channel,
        pay_url: '',
        qr_content: '',
        created_at: ctx.clock.now(),
      }).returningAll().executeTakeFirstOrThrow();
    }
    return ok({ attempt, subject: `${exam.exam_name} ${exam.sitting_name}`, bankCardOnly: exam.bank_card_only, expiresAt: bill.expires_at, amountFen: bill.amount_fen });
  });
  if (!reserved.ok) return reserved;
  const { attempt, subject, bankCardOnly, expiresAt, amountFen } = reserved.value;

  const created = await (channel as Channel).createPayment({
    billNo: attempt.out_trade_no,
    amountFen,
    subject,
    expiresAt,
    notifyUrl: `${ctx.publicBaseUrl}/notify/${input.channel}`,
    returnUrl: `${ctx.publicBaseUrl}/pay/return/${input.channel}?bill=${encodeURIComponent(input.billNo)}`,
    bankCardOnly,
  });
  if (!created.ok) {
    // The channel says this order can no longer be paid: most often the payer already paid it
    // (a second click after paying). Ask, settle, and tell the truth instead of "channel down".
    if (created.code === 'TRADE_STATE_INVALID') {
      const { bill } = await checkBillStatus(ctx, { billId: attempt.bill_id, actor: input.actor, by: 'candidate' });
      return fail(bill.state === 'PAID' ? 'BILL_ALREADY_PAID' : 'BILL_STATE_CONFLICT');
    }
    // The order may or may not exist at the channel now; either way the attempt stays OPEN so
    // the jobs query it and close it at expiry. Nothing is lost by failing here.
    return fail('CHANNEL_UNAVAILABLE', { channel: input.channel, channelCode: created.code });
  }

  return ctx.db.transaction().execute(async (trx): Promise<Result<StartedPayment>> => {
    const bill = await lockBill(trx, { id: attempt.bill_id });
    if (!bill) throw new Error('bill vanished');
    const now = ctx.clock.now();
    const current = await trx.updateTable('payment_attempt').set({ pay_url: created.payUrl, qr_content: created.qrContent })
      .where('id', '=', attempt.id).where('state', '=', 'OPEN').returningAll().executeTakeFirst();
    if (!isOpen(bill.state)) {
      // Closed or paid while we were at the channel: the order we just made must not take money.
      // The orphan sweep closes it at the channel; tell the candidate what happened.
      return fail(bill.state === 'CLOSED' ? 'BILL_CLOSED' : 'BILL_ALREADY_PAID');
    }
    // The bill is open but this order was closed meanwhile (the channel said so to a query):
    // the candidate simply starts again, which makes a new order.
    if (!current) return fail('BILL_STATE_CONFLICT');
    if (bill.state === 'UNPAID') {
      await transitionBill(trx, bill, {
        to: 'PAYING', cause: 'PAYMENT_STARTED', actor: input.actor, at: now,
        detail: { channel: input.channel, outTradeNo: attempt.out_trade_no },
        patch: { channel: input.channel, paying_since: now, next_query_at: new Date(now.getTime() + QUERY_BACKOFF_MS[0]!), query_attempts: 0 },
      });
    }
    const started = { billNo: bill.bill_no, outTradeNo: attempt.out_trade_no, channel: input.channel, payUrl: created.payUrl, qrContent: created.qrContent, expiresAt: bill.expires_at };
    await input.record?.(trx, started);
    return ok(started);
  });
}

import { Type } from 'typebox';
import { BILL_STATE_LABELS } from '../../../modules/billing/bill-state.ts';
import { explainBill } from '../../../modules/billing/bill-explanation.ts';
import type { BillDetail } from '../../../modules/billing/bill-queries.ts';
import type { Bill } from '../../../db/schema.ts';
import { formatShanghai } from '../../../shared/time.ts';
import { channelLabel, explainRefund, REFUND_REASON_LABELS, REFUND_STATE_LABELS } from '../../../modules/refunds/refund-state.ts';
import { BillNo, Fen, NullableTimestamp, Timestamp } from '../../schemas.ts';

const Label = Type.Object({ zh: Type.String(), en: Type.String() });
const BillStateEnum = Type.Union(['UNPAID', 'PAYING', 'PAID', 'CLOSED', 'REFUNDED', 'PARTIALLY_REFUNDED'].map((s) => Type.Literal(s)));

export const BillSummary = Type.Object({
  billNo: BillNo,
  state: BillStateEnum,
  stateLabel: Label,
  explanation: Label,
  amountFen: Fen,
  channel: Type.Union([Type.String(), Type.Null()]),
  channelTradeNo: Type.Union([Type.String(), Type.Null()], { description: 'Channel serial number (交易流水号) of the settled payment' }),
  agreementAcceptedAt: NullableTimestamp,
  createdAt: Timestamp,
  expiresAt: Timestamp,
  payingSince: NullableTimestamp,
  paidAt: NullableTimestamp,
  closedAt: NullableTimestamp,
  flaggedForStaff: Type.Boolean(),
  /** Beijing-time strings for display, so no client has to convert. */
  shownTimes: Type.Record(Type.String(), Type.String()),
});

export const BillDetailBody = Type.Intersect([BillSummary, Type.Object({
  items: Type.Array(Type.Object({ registrationId: Type.String(), subjectCode: Type.String(), subjectName: Type.String(), kind: Type.String(), amountFen: Fen,
    refundedFen: Type.Integer({ minimum: 0, description: 'What has been promised back for this item (refunds in any state), REF-4' }) })),
  orders: Type.Array(Type.Object({ outTradeNo: Type.String(), channel: Type.String(), state: Type.String(), payUrl: Type.String(), qrContent: Type.String() })),
  payments: Type.Array(Type.Object({ channel: Type.String(), channelTradeNo: Type.String(), amountFen: Fen, paidAt: Timestamp, outcome: Type.String() })),
  refunds: Type.Array(Type.Object({
    refundNo: Type.String(), channel: Type.String(), amountFen: Fen, reason: Type.String(), state: Type.String(), createdAt: Timestamp, succeededAt: NullableTimestamp,
    // REF-4: which subject's money, in words the candidate reads, and what it means now.
    registrationId: Type.Union([Type.String(), Type.Null()], { description: 'The registration whose fee goes back; null for a duplicate or late payment given back whole' }),
    subjectName: Type.Union([Type.String(), Type.Null()]),
    channelLabel: Label,
    reasonLabel: Label,
    stateLabel: Label,
    explanation: Label,
    note: Type.Union([Type.String(), Type.Null()], { description: 'Why, in the words of whoever decided it' }),
  })),
  history: Type.Array(Type.Object({ from: Type.String(), to: Type.String(), cause: Type.String(), at: Timestamp })),
  channels: Type.Array(Type.String(), { description: 'Channels the exam offers that this deployment can take payment through, in the order to show' }),
  agreementText: Type.String({ description: "The exam's own 缴费协议 (PAY-2), shown before it is accepted" }),
})]);

const iso = (d: Date | null) => (d ? d.toISOString() : null);
/** Fen fit a JS number exactly up to 2^53 (≈ 90 trillion yuan); past that is a bug, not a bill. */
export const fenJson = (f: bigint): number => {
  if (f > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('amount beyond safe JSON integer');
  return Number(f);
};

export function billSummaryView(b: Bill, now: Date) {
  const shown: Record<string, string> = { createdAt: formatShanghai(b.created_at), expiresAt: formatShanghai(b.expires_at) };
  if (b.paid_at) shown.paidAt = formatShanghai(b.paid_at);
  if (b.closed_at) shown.closedAt = formatShanghai(b.closed_at);
  return {
    billNo: b.bill_no,
    state: b.state,
    stateLabel: BILL_STATE_LABELS[b.state],
    explanation: explainBill(b, now),
    amountFen: fenJson(b.amount_fen),
    channel: b.channel,
    channelTradeNo: b.channel_trade_no,
    agreementAcceptedAt: iso(b.agreement_accepted_at),
    createdAt: b.created_at.toISOString(),
    expiresAt: b.expires_at.toISOString(),
    payingSince: iso(b.paying_since),
    paidAt: iso(b.paid_at),
    closedAt: iso(b.closed_at),
    flaggedForStaff: b.flagged_at !== null,
    shownTimes: shown,
  };
}

export function billDetailView(d: BillDetail, now: Date, available: (channel: string) => boolean = () => true) {
  return {
    ...billSummaryView(d.bill, now),
    explanation: explainBill(d.bill, now, d.refunds),
    items: d.items.map((i) => ({ registrationId: String(i.registration_id), subjectCode: i.subject_code, subjectName: i.subject_name, kind: i.kind, amountFen: fenJson(i.amount_fen), refundedFen: fenJson(i.refunded_fen) })),
    // A closed order's QR no longer works: don't hand it out.
    orders: d.attempts.map((a) => ({ outTradeNo: a.out_trade_no, channel: a.channel, state: a.state, payUrl: a.state === 'OPEN' ? a.pay_url : '', qrContent: a.state === 'OPEN' ? a.qr_content : '' })),
    payments: d.captures.map((p) => ({ channel: p.channel, channelTradeNo: p.channel_trade_no, amountFen: fenJson(p.amount_fen), paidAt: p.paid_at.toISOString(), outcome: p.outcome })),
    refunds: d.refunds.map((r) => ({
      refundNo: r.refund_no, channel: r.channel, amountFen: fenJson(r.amount_fen), reason: r.reason, state: r.state, createdAt: r.created_at.toISOString(), succeededAt: iso(r.succeeded_at),
      registrationId: r.registration_id === null ? null : String(r.registration_id),
      subjectName: r.subject_name,
      channelLabel: channelLabel(r.channel),
      reasonLabel: REFUND_REASON_LABELS[r.reason],
      stateLabel: REFUND_STATE_LABELS[r.state],
      explanation: explainRefund({ state: r.state, reason: r.reason, channel: r.channel, amountFen: r.amount_fen, succeededAt: r.succeeded_at, flagged: r.flagged_at !== null }),
      note: r.note,
    })),
    history: d.history.map((h) => ({ from: h.from_state, to: h.to_state, cause: h.cause, at: h.at.toISOString() })),
    channels: d.offeredChannels.filter(available),
    agreementText: d.agreementText,
  };
}

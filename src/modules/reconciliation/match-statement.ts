import type { ChannelCapture, StatementLine } from '../../channels/channel.ts';
import { addDays, beijingDayOf, beijingDayStart, DAY_MS } from '../../shared/beijing-day.ts';
import type { Fen } from '../../shared/money.ts';

/**
 * PAY-10, the rule: one channel's statement of one Beijing day × our books → what matches and
 * what does not. Pure: no I/O, no clock; reconcile-day.ts feeds it and acts on its findings.
 *
 * Lines are matched by key, whatever day we booked them: a payment by the channel's trade number,
 * a refund by our refund number. Our records are expected on the statement of the day the
 * channel booked them — we keep the channel's own time (`paid_at`, `succeeded_at`), so a payment
 * at 23:59:59 belongs to that day on both sides. Near midnight the days may still differ (clock
 * skew; UnionPay's clearing day closes before midnight), so each record is examined by exactly
 * one run, with an hour's slack: the run for day D examines records booked in
 * [D 00:00 − 1 h, D 24:00 − 1 h) and accepts them on D's statement or, for those within the hour
 * around D's start, on D−1's.
 */
export const BOUNDARY_MS = 60 * 60_000;

export type MismatchKind = 'MISSING_AT_US' | 'MISSING_AT_CHANNEL' | 'AMOUNT_DIFFERS';
export type MismatchReason =
  /** MISSING_AT_US: the channel took money on our order and we never recorded it — settled by rule. */
  | 'CAPTURE_NOT_RECORDED'
  /** MISSING_AT_US: money on an order number we never created. */
  | 'ORDER_UNKNOWN'
  /** MISSING_AT_US: money on an order we sent to another channel. */
  | 'ORDER_OF_OTHER_CHANNEL'
  /** MISSING_AT_US, not settled by rule: the order's recorded capture is missing from the statement at the same time. */
  | 'CAPTURE_NOT_RECORDED_PAIRED'
  /** MISSING_AT_US: a refund the channel made that we never asked for (merchant console, out of band). */
  | 'REFUND_NOT_RECORDED'
  /** MISSING_AT_US: a refund the channel made that our books still show as pending or failed. */
  | 'REFUND_NOT_SUCCEEDED'
  /** AMOUNT_DIFFERS: a capture we recorded, of another amount. */
  | 'CAPTURE_AMOUNT'
  /** AMOUNT_DIFFERS: a capture we could not record because its amount is not the bill's. */
  | 'ORDER_AMOUNT'
  /** AMOUNT_DIFFERS: a refund we recorded, of another amount. */
  | 'REFUND_AMOUNT'
  /** MISSING_AT_CHANNEL: a capture in our books the channel does not list. */
  | 'CAPTURE_NOT_ON_STATEMENT'
  /** MISSING_AT_CHANNEL: a refund our books show as succeeded that the channel does not list. */
  | 'REFUND_NOT_ON_STATEMENT';

export interface OurCapture {
  id: bigint;
  /** The channel order number (bill number, or bill number + sequence). */
  outTradeNo: string;
  channelTradeNo: string;
  /** As the ledger books it. */
  amountFen: Fen;
  /** The channel's payment time. */
  at: Date;
}

export interface OurRefund {
  id: bigint;
  refundNo: string;
  outTradeNo: string;
  channelTradeNo: string;
  amountFen: Fen;
  state: 'PENDING' | 'SUCCEEDED' | 'FAILED';
  /** The channel's refund time, once succeeded. */
  at: Date | null;
}

/** A channel order we created: which channel it went to and what the bill asks. */
export interface OurOrder {
  outTradeNo: string;
  channel: string;
  amountFen: Fen;
}

export interface MatchInput {
  channel: string;
  day: string;
  lines: readonly StatementLine[];
  /** D−1's lines, once `needsPreviousDay` asked for them. */
  previousDayLines?: readonly StatementLine[];
  captures: readonly OurCapture[];
  refunds: readonly OurRefund[];
  orders: ReadonlyMap<string, OurOrder>;
}

export interface Finding {
  kind: MismatchKind;
  reason: MismatchReason;
  /** Identity of the line within the (channel, day): `P:<trade no>` or `R:<refund no>`. */
  lineKey: string;
  billNo: string;
  channelTradeNo: string;
  refundNo: string | null;
  ourAmountFen: Fen | null;
  theirAmountFen: Fen | null;
  at: Date;
  /** For CAPTURE_NOT_RECORDED: what to hand to the settlement. */
  capture?: ChannelCapture;
}

export interface MatchTotals {
  statementPayments: number;
  statementPaymentFen: Fen;
  statementRefunds: number;
  statementRefundFen: Fen;
  ourCaptures: number;
  ourCaptureFen: Fen;
  ourRefunds: number;
  ourRefundFen: Fen;
}

export interface MatchResult {
  /** Lines that match our books exactly; `otherDay` when we booked it on another Beijing day. */
  matched: Array<{ lineKey: string; kind: StatementLine['kind']; ourId: bigint; otherDay: boolean }>;
  findings: Finding[];
  /** Some examined records near D's start are not on D's statement: fetch D−1's and match again. */
  needsPreviousDay: boolean;
  totals: MatchTotals;
}

export const paymentKey = (channelTradeNo: string): string => `P:${channelTradeNo}`;
export const refundKey = (refundNo: string): string => `R:${refundNo}`;
const lineKey = (l: StatementLine): string =>
  l.kind === 'PAYMENT' ? paymentKey(l.channelTradeNo) : refundKey(l.refundNo || `${l.channelTradeNo}@${l.at.toISOString()}`);

/** Lines with one key are one movement (a statement should not repeat it); their amounts add up. */
function byKey(lines: readonly StatementLine[]): Map<string, StatementLine> {
  const out = new Map<string, StatementLine>();
  for (const l of lines) {
    const key = lineKey(l);
    const seen = out.get(key);
    out.set(key, seen ? { ...seen, amountFen: seen.amountFen + l.amountFen } : l);
  }
  return out;
}

export function matchStatement(input: MatchInput): MatchResult {
  const { day } = input;
  const lines = byKey(input.lines);
  const previous = input.previousDayLines ? byKey(input.previousDayLines) : undefined;
  const captures = new Map(input.captures.map((c) => [c.channelTradeNo, c]));
  const refunds = new Map(input.refunds.map((r) => [r.refundNo, r]));
  const matched: MatchResult['matched'] = [];
  const findings: Finding[] = [];

  for (const [key, line] of lines) {
    const their = { lineKey: key, channelTradeNo: line.channelTradeNo, theirAmountFen: line.amountFen, at: line.at };
    if (line.kind === 'PAYMENT') {
      const ours = captures.get(line.channelTradeNo);
      const base = { ...their, billNo: line.billNo, refundNo: null };
      if (ours) {
        if (ours.amountFen === line.amountFen) matched.push({ lineKey: key, kind: 'PAYMENT', ourId: ours.id, otherDay: beijingDayOf(ours.at) !== day });
        else findings.push({ ...base, kind: 'AMOUNT_DIFFERS', reason: 'CAPTURE_AMOUNT', ourAmountFen: ours.amountFen });
        continue;
      }
      const order = input.orders.get(line.billNo);
      if (!order) findings.push({ ...base, kind: 'MISSING_AT_US', reason: 'ORDER_UNKNOWN', ourAmountFen: null });
      else if (order.channel !== input.channel) findings.push({ ...base, kind: 'MISSING_AT_US', reason: 'ORDER_OF_OTHER_CHANNEL', ourAmountFen: null });
      else if (order.amountFen !== line.amountFen) findings.push({ ...base, kind: 'AMOUNT_DIFFERS', reason: 'ORDER_AMOUNT', ourAmountFen: order.amountFen });
      else {
        findings.push({
          ...base, kind: 'MISSING_AT_US', reason: 'CAPTURE_NOT_RECORDED', ourAmountFen: null,
          capture: { billNo: line.billNo, channelTradeNo: line.channelTradeNo, amountFen: line.amountFen, paidAt: line.at },
        });
      }
    } else {
      const ours = line.refundNo ? refunds.get(line.refundNo) : undefined;
      const billNo = line.billNo || ours?.outTradeNo || captures.get(line.channelTradeNo)?.outTradeNo || '';
      const base = { ...their, billNo, refundNo: line.refundNo ?? null };
      if (!ours) findings.push({ ...base, kind: 'MISSING_AT_US', reason: 'REFUND_NOT_RECORDED', ourAmountFen: null });
      else if (ours.state !== 'SUCCEEDED') findings.push({ ...base, kind: 'MISSING_AT_US', reason: 'REFUND_NOT_SUCCEEDED', ourAmountFen: ours.amountFen });
      else if (ours.amountFen !== line.amountFen) findings.push({ ...base, kind: 'AMOUNT_DIFFERS', reason: 'REFUND_AMOUNT', ourAmountFen: ours.amountFen });
      else matched.push({ lineKey: key, kind: 'REFUND', ourId: ours.id, otherDay: ours.at !== null && beijingDayOf(ours.at) !== day });
    }
  }

  // Our side: what we booked in this run's window must be on the statement.
  const start = beijingDayStart(day).getTime();
  const from = start - BOUNDARY_MS;
  const to = start + DAY_MS - BOUNDARY_MS;
  const nearStart = (at: Date): boolean => at.getTime() < start + BOUNDARY_MS;
  let needsPreviousDay = false;
  const examine = (key: string, at: Date): 'FOUND' | 'MISSING' | 'UNDECIDED' => {
    if (lines.has(key)) return 'FOUND';
    if (!nearStart(at)) return 'MISSING';
    if (!previous) {
      needsPreviousDay = true;
      return 'UNDECIDED';
    }
    return previous.has(key) ? 'FOUND' : 'MISSING';
  };
  const totals: MatchTotals = {
    statementPayments: 0, statementPaymentFen: 0n, statementRefunds: 0, statementRefundFen: 0n,
    ourCaptures: 0, ourCaptureFen: 0n, ourRefunds: 0, ourRefundFen: 0n,
  };
  for (const l of lines.values()) {
    if (l.kind === 'PAYMENT') { totals.statementPayments += 1; totals.statementPaymentFen += l.amountFen; } else { totals.statementRefunds += 1; totals.statementRefundFen += l.amountFen; }
  }
  const inWindow = (at: Date): boolean => at.getTime() >= from && at.getTime() < to;
  const missingOrders = new Set<string>();
  for (const c of input.captures) {
    if (!inWindow(c.at)) continue;
    totals.ourCaptures += 1;
    totals.ourCaptureFen += c.amountFen;
    if (examine(paymentKey(c.channelTradeNo), c.at) !== 'MISSING') continue;
    missingOrders.add(c.outTradeNo);
    findings.push({
      kind: 'MISSING_AT_CHANNEL', reason: 'CAPTURE_NOT_ON_STATEMENT', lineKey: paymentKey(c.channelTradeNo), billNo: c.outTradeNo,
      channelTradeNo: c.channelTradeNo, refundNo: null, ourAmountFen: c.amountFen, theirAmountFen: null, at: c.at,
    });
  }
  for (const r of input.refunds) {
    if (r.state !== 'SUCCEEDED' || !r.at || !inWindow(r.at)) continue;
    totals.ourRefunds += 1;
    totals.ourRefundFen += r.amountFen;
    if (examine(refundKey(r.refundNo), r.at) !== 'MISSING') continue;
    findings.push({
      kind: 'MISSING_AT_CHANNEL', reason: 'REFUND_NOT_ON_STATEMENT', lineKey: refundKey(r.refundNo), billNo: r.outTradeNo,
      channelTradeNo: r.channelTradeNo, refundNo: r.refundNo, ourAmountFen: r.amountFen, theirAmountFen: null, at: r.at,
    });
  }
  // A capture we never saw, on an order whose capture we did record but the channel does not
  // list: most likely one movement told two ways (our record is wrong). Refunding it by rule
  // could give back the only payment of a paid bill, so a person decides.
  for (const f of findings) {
    if (f.reason === 'CAPTURE_NOT_RECORDED' && missingOrders.has(f.billNo)) {
      f.reason = 'CAPTURE_NOT_RECORDED_PAIRED';
      delete f.capture;
    }
  }
  return { matched, findings, needsPreviousDay: needsPreviousDay && !previous, totals };
}

/** The day before, for `needsPreviousDay`. */
export const previousDay = (day: string): string => addDays(day, -1);

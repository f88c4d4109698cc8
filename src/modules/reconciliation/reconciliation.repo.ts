import { sql } from 'kysely';
import type { StatementLine } from '../../channels/channel.ts';
import type { DbOrTrx, Trx } from '../../db/database.ts';
import type { MismatchResolution } from '../../db/schema.ts';
import { beijingDayStart, DAY_MS } from '../../shared/beijing-day.ts';
import { account } from '../ledger/journal.ts';
import { BOUNDARY_MS, type Finding, type OurCapture, type OurOrder, type OurRefund } from './match-statement.ts';

/**
 * Our side of a day, for matchStatement: the captures and refunds of the run's window (by the
 * channel's own time), plus any the statement names from other days, and the orders its
 * payment lines name. Amounts are the ledger's (PAY-11): what the books say, not a copy.
 */
export async function loadOurRecords(db: DbOrTrx, input: { channel: string; day: string; lines: readonly StatementLine[] }): Promise<{
  captures: OurCapture[]; refunds: OurRefund[]; orders: Map<string, OurOrder>;
}> {
  const start = beijingDayStart(input.day).getTime();
  const from = new Date(start - BOUNDARY_MS);
  const to = new Date(start + DAY_MS - BOUNDARY_MS);
  const clearing = account.clearing(input.channel);
  const tradeNos = [...new Set(input.lines.map((l) => l.channelTradeNo))];
  const refundNos = [...new Set(input.lines.flatMap((l) => (l.kind === 'REFUND' && l.refundNo ? [l.refundNo] : [])))];
  const billNos = [...new Set(input.lines.flatMap((l) => (l.kind === 'PAYMENT' ? [l.billNo] : [])))];

  const captures = await db.selectFrom('channel_payment as p')
    .innerJoin('payment_attempt as a', 'a.id', 'p.attempt_id')
    .leftJoin('journal_entry as e', (j) => j.onRef('e.channel_payment_id', '=', 'p.id').on('e.kind', 'in', ['CAPTURE_SETTLED', 'CAPTURE_UNWANTED']))
    .leftJoin('ledger_posting as lp', (j) => j.onRef('lp.entry_id', '=', 'e.id').on('lp.account', '=', clearing))
    .select(['p.id', 'a.out_trade_no', 'p.channel_trade_no', 'p.amount_fen', 'p.paid_at', 'lp.amount_fen as booked_fen'])
    .where('p.channel', '=', input.channel)
    .where((eb) => eb.or([
      eb.and([eb('p.paid_at', '>=', from), eb('p.paid_at', '<', to)]),
      eb(sql<string>`p.channel_trade_no`, '=', sql<string>`any(${tradeNos}::text[])`),
    ]))
    .execute();

  const refunds = await db.selectFrom('refund as r')
    .innerJoin('channel_payment as p', 'p.id', 'r.channel_payment_id')
    .innerJoin('payment_attempt as a', 'a.id', 'p.attempt_id')
    .leftJoin('journal_entry as e', (j) => j.onRef('e.refund_id', '=', 'r.id').on('e.kind', '=', 'REFUND_SUCCEEDED'))
    .leftJoin('ledger_posting as lp', (j) => j.onRef('lp.entry_id', '=', 'e.id').on('lp.account', '=', clearing))
    .select(['r.id', 'r.refund_no', 'a.out_trade_no', 'p.channel_trade_no', 'r.amount_fen', 'r.state', 'r.succeeded_at', 'lp.amount_fen as booked_fen'])
    .where('r.channel', '=', input.channel)
    .where((eb) => eb.or([
      eb.and([eb('r.state', '=', 'SUCCEEDED'), eb('r.succeeded_at', '>=', from), eb('r.succeeded_at', '<', to)]),
      eb(sql<string>`r.refund_no`, '=', sql<string>`any(${refundNos}::text[])`),
    ]))
    .execute();

  const orders = billNos.length === 0 ? [] : await db.selectFrom('payment_attempt as a')
    .innerJoin('bill as b', 'b.id', 'a.bill_id')
    .select(['a.out_trade_no', 'a.channel', 'b.amount_fen'])
    .where(sql<string>`a.out_trade_no`, '=', sql<string>`any(${billNos}::text[])`)
    .execute();

  return {
    captures: captures.map((c) => ({
      id: c.id, outTradeNo: c.out_trade_no, channelTradeNo: c.channel_trade_no, amountFen: c.booked_fen ?? c.amount_fen, at: c.paid_at,
    })),
    refunds: refunds.map((r) => ({
      id: r.id, refundNo: r.refund_no, outTradeNo: r.out_trade_no, channelTradeNo: r.channel_trade_no,
      // The refund entry credits clearing: its posting is negative.
      amountFen: r.booked_fen === null ? r.amount_fen : -r.booked_fen, state: r.state, at: r.succeeded_at,
    })),
    orders: new Map(orders.map((o) => [o.out_trade_no, { outTradeNo: o.out_trade_no, channel: o.channel, amountFen: o.amount_fen }])),
  };
}

/** Signed notifications of these orders our settlement refused for their amount (PAY-9 logs them). */
export async function amountMismatchNotifications(db: DbOrTrx, channel: string, billNos: string[]): Promise<Map<string, number>> {
  if (billNos.length === 0) return new Map();
  const rows = await db.selectFrom('channel_notification')
    .select(['bill_no', (eb) => eb.fn.countAll<string>().as('n')])
    .where('channel', '=', channel).where('outcome', '=', 'AMOUNT_MISMATCH')
    .where(sql<string>`bill_no`, '=', sql<string>`any(${billNos}::text[])`)
    .groupBy('bill_no')
    .execute();
  return new Map(rows.map((r) => [r.bill_no ?? '', Number(r.n)]));
}

/** Records a finding once per (channel, day, kind, movement); false when a run recorded it before. */
export async function insertMismatch(trx: Trx | DbOrTrx, m: {
  runId: bigint; channel: string; day: string; finding: Finding; resolution: MismatchResolution; autoRefundNo?: string; detail: string; now: Date;
}): Promise<boolean> {
  const f = m.finding;
  const row = await trx.insertInto('reconciliation_mismatch').values({
    run_id: m.runId, channel: m.channel, day: m.day, kind: f.kind, reason: f.reason, line_key: f.lineKey,
    bill_no: f.billNo, channel_trade_no: f.channelTradeNo, refund_no: f.refundNo,
    our_amount_fen: f.ourAmountFen, their_amount_fen: f.theirAmountFen, at: f.at,
    resolution: m.resolution, auto_refund_no: m.autoRefundNo ?? null, detail: m.detail.slice(0, 1000), created_at: m.now,
  }).onConflict((oc) => oc.columns(['channel', 'day', 'kind', 'line_key']).doNothing()).returning('id').executeTakeFirst();
  return row !== undefined;
}

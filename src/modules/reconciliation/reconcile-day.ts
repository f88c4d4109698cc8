import { sql } from 'kysely';
import type { ReconciliationRun } from '../../db/schema.ts';
import type { AppContext } from '../context.ts';
import { settleCaptureIn } from '../payments/settle-capture.ts';
import { executeRefund } from '../refunds/execute-refund.ts';
import { matchStatement, previousDay, type Finding, type MismatchReason } from './match-statement.ts';
import { amountMismatchNotifications, insertMismatch, loadOurRecords } from './reconciliation.repo.ts';

type Ctx = Pick<AppContext, 'db' | 'clock' | 'channels' | 'log'>;

export type RunOutcome =
  | { status: 'DONE'; matched: number; newMismatches: number; autoResolved: number }
  | { status: 'NOT_READY' | 'UNKNOWN'; reason: string };

/** What each finding means, for the staff who read the list (zh first, then en). */
const DETAIL: Record<MismatchReason, string> = {
  CAPTURE_NOT_RECORDED: '渠道已收款、我方无记录（通知与查询均未到达） captured at the channel, never reported to us',
  CAPTURE_NOT_RECORDED_PAIRED: '渠道有我方未记录的收款，且该订单我方记录的收款不在对账单上：可能是我方记录有误，请人工核对，不自动退款 an unknown capture on an order whose recorded capture the channel does not list: check by hand, not refunded by rule',
  ORDER_UNKNOWN: '渠道收款的订单号不是本系统创建的 money on an order number ExamPay never created',
  ORDER_OF_OTHER_CHANNEL: '该订单发往其他渠道 money on an order sent to another channel',
  REFUND_NOT_RECORDED: '渠道有我方未发起的退款（如商户后台操作） a refund the channel made that ExamPay never asked for (e.g. from the merchant console)',
  REFUND_NOT_SUCCEEDED: '渠道已退款，我方记录仍为未成功 the channel refunded; our books do not show the refund as succeeded',
  CAPTURE_AMOUNT: '收款金额与我方账簿不符 the capture’s amount differs from our books',
  ORDER_AMOUNT: '渠道收款金额与缴费单金额不符，未能入账 the channel took an amount other than the bill’s; it could not be settled',
  REFUND_AMOUNT: '退款金额与我方账簿不符 the refund’s amount differs from our books',
  CAPTURE_NOT_ON_STATEMENT: '我方已记收款，对账单上没有 a capture in our books the channel does not list',
  REFUND_NOT_ON_STATEMENT: '我方已记退款成功，对账单上没有 a succeeded refund in our books the channel does not list',
};

/**
 * One reconciliation run of a claimed (channel, day) (PAY-10): download the statement, let the
 * refunds the channel already made catch up, match line by line, settle by rule what a rule can
 * settle, list the rest, and record the counts. Returns NOT_READY/UNKNOWN (nothing recorded)
 * when the statement cannot be had; the caller retries.
 *
 * `doubtEmptyStatement`: Alipay says "no bill" both for a day without trades and for one not made
 * yet, so an empty statement on a day we booked money is first taken as not ready.
 */
export async function runReconciliation(ctx: Ctx, run: Pick<ReconciliationRun, 'id' | 'channel' | 'day'>, opts: { doubtEmptyStatement: boolean }): Promise<RunOutcome> {
  const channel = ctx.channels.get(run.channel);
  if (!channel) return { status: 'UNKNOWN', reason: `channel ${run.channel} is not configured` };
  const statement = await channel.downloadStatement({ date: run.day });
  if (statement.status !== 'READY') return statement.status === 'NOT_READY' ? { status: 'NOT_READY', reason: 'statement not ready' } : statement;
  const lines = statement.lines;

  // A refund the channel made while our books still wait for its answer (a crash between send
  // and record, a timeout): the refund step asks the channel and books it, as its job would.
  const refundNos = lines.flatMap((l) => (l.kind === 'REFUND' && l.refundNo ? [l.refundNo] : []));
  if (refundNos.length > 0) {
    const pending = await ctx.db.selectFrom('refund').selectAll().where('channel', '=', run.channel).where('state', '=', 'PENDING')
      .where(sql<string>`refund_no`, '=', sql<string>`any(${refundNos}::text[])`).execute();
    for (const refund of pending) await executeRefund(ctx, refund);
  }

  let ours = await loadOurRecords(ctx.db, { channel: run.channel, day: run.day, lines });
  let result = matchStatement({ channel: run.channel, day: run.day, lines, ...ours });
  if (result.needsPreviousDay) {
    const before = await channel.downloadStatement({ date: previousDay(run.day) });
    if (before.status !== 'READY') return { status: before.status, reason: `statement of ${previousDay(run.day)}: ${before.status === 'UNKNOWN' ? before.reason : 'not ready'}` };
    ours = await loadOurRecords(ctx.db, { channel: run.channel, day: run.day, lines: [...lines, ...before.lines] });
    result = matchStatement({ channel: run.channel, day: run.day, lines, previousDayLines: before.lines, ...ours });
  }
  if (opts.doubtEmptyStatement && lines.length === 0 && result.totals.ourCaptures + result.totals.ourRefunds > 0) {
    return { status: 'NOT_READY', reason: 'the statement is empty on a day ExamPay booked money' };
  }

  const notified = await amountMismatchNotifications(ctx.db, run.channel, result.findings.filter((f) => f.reason === 'ORDER_AMOUNT').map((f) => f.billNo));
  let newMismatches = 0;
  for (const finding of result.findings) {
    if (await recordFinding(ctx, run, finding, notified)) newMismatches += 1;
  }

  const now = ctx.clock.now();
  const counts = await ctx.db.selectFrom('reconciliation_mismatch')
    .select([(eb) => eb.fn.countAll<string>().as('all'), sql<string>`count(*) filter (where resolution in ('AUTO_SETTLED', 'AUTO_REFUNDED'))`.as('auto')])
    .where('channel', '=', run.channel).where('day', '=', run.day).executeTakeFirstOrThrow();
  const t = result.totals;
  await ctx.db.updateTable('reconciliation_run').set({
    status: 'DONE', finished_at: now, claimed_until: null, last_error: null,
    statement_payments: t.statementPayments, statement_payment_fen: t.statementPaymentFen,
    statement_refunds: t.statementRefunds, statement_refund_fen: t.statementRefundFen,
    our_captures: t.ourCaptures, our_capture_fen: t.ourCaptureFen, our_refunds: t.ourRefunds, our_refund_fen: t.ourRefundFen,
    matched: result.matched.length, mismatches: Number(counts.all), auto_resolved: Number(counts.auto),
  }).where('id', '=', run.id).execute();
  if (newMismatches > 0) ctx.log.warn({ channel: run.channel, day: run.day, newMismatches }, 'reconciliation found mismatches');
  return { status: 'DONE', matched: result.matched.length, newMismatches, autoResolved: Number(counts.auto) };
}

/**
 * Settles by rule what a rule can settle — money at the channel on our order that no report
 * reached: through the one settlement (SETTLED pays the bill; DUPLICATE/LATE creates its refund),
 * in the same transaction that records the finding, so a crash leaves both or neither and two
 * racing runs settle it once (the bill lock and the capture's unique key decide). Everything
 * else is listed OPEN for staff.
 */
async function recordFinding(ctx: Ctx, run: Pick<ReconciliationRun, 'id' | 'channel' | 'day'>, f: Finding, notified: Map<string, number>): Promise<boolean> {
  const now = ctx.clock.now();
  const base = { runId: run.id, channel: run.channel, day: run.day, finding: f, now };
  if (f.reason === 'CAPTURE_NOT_RECORDED' && f.capture) {
    const capture = f.capture;
    return ctx.db.transaction().execute(async (trx) => {
      const settled = await settleCaptureIn(trx, now, { channel: run.channel, capture, reportedBy: 'reconciliation', actor: `reconciliation:${run.channel}:${run.day}` });
      if (!settled.ok) return insertMismatch(trx, { ...base, resolution: 'OPEN', detail: `${DETAIL[f.reason]}; ${settled.reason}: ${settled.detail}` });
      // Reported meanwhile by notify or query: not a mismatch any more.
      if (!settled.firstReport) return false;
      if (settled.outcome === 'SETTLED') {
        return insertMismatch(trx, { ...base, resolution: 'AUTO_SETTLED', detail: `${DETAIL[f.reason]}；已入账，缴费单已缴费 settled: the bill is paid` });
      }
      return insertMismatch(trx, {
        ...base, resolution: 'AUTO_REFUNDED', autoRefundNo: settled.refundNo!,
        detail: `${DETAIL[f.reason]}；缴费单${settled.outcome === 'LATE' ? '已关闭' : '已缴费'}，自动退款 ${settled.refundNo} the bill was ${settled.outcome === 'LATE' ? 'closed' : 'already paid'} (${settled.outcome}): refunded automatically`,
      });
    });
  }
  const times = notified.get(f.billNo) ?? 0;
  const extra = f.reason === 'ORDER_AMOUNT' && times > 0 ? `；渠道签名通知因金额不符被拒 ${times} 次 signed notifications refused for the amount: ${times}` : '';
  return insertMismatch(ctx.db, { ...base, resolution: 'OPEN', detail: DETAIL[f.reason] + extra });
}

import type { DbOrTrx } from '../../db/database.ts';
import type { ReconciliationMismatch, ReconciliationRun } from '../../db/schema.ts';
import { fenToYuan } from '../../shared/money.ts';
import { formatShanghai } from '../../shared/time.ts';

export interface ReconciliationReport {
  run: ReconciliationRun | undefined;
  mismatches: ReconciliationMismatch[];
}

/** A channel's day as staff read it: the run's counts and every mismatch, in the order found. */
export async function reconciliationReport(db: DbOrTrx, input: { channel: string; day: string }): Promise<ReconciliationReport> {
  const run = await db.selectFrom('reconciliation_run').selectAll().where('channel', '=', input.channel).where('day', '=', input.day).executeTakeFirst();
  const mismatches = await db.selectFrom('reconciliation_mismatch').selectAll()
    .where('channel', '=', input.channel).where('day', '=', input.day).orderBy('id').execute();
  return { run, mismatches };
}

/** Every mismatch still waiting for staff, oldest first (ADM-3's list). */
export async function openMismatches(db: DbOrTrx, opts: { limit?: number } = {}): Promise<ReconciliationMismatch[]> {
  return db.selectFrom('reconciliation_mismatch').selectAll().where('resolution', '=', 'OPEN').orderBy('created_at').orderBy('id').limit(opts.limit ?? 500).execute();
}

const yuan = (fen: bigint | null): string => (fen === null ? '—' : `¥${fen < 0n ? `-${fenToYuan(-fen)}` : fenToYuan(fen)}`);

/** Plain text for the terminal (npm run reconcile): 对账报告 / reconciliation report. */
export function formatReport(channel: string, day: string, r: ReconciliationReport): string {
  const out = [`对账报告 Reconciliation report — ${channel} ${day}`];
  if (!r.run) return [...out, '  尚未对账 not reconciled yet'].join('\n');
  const run = r.run;
  out.push(
    `  状态 status: ${run.status}${run.last_error ? ` (${run.last_error})` : ''}; 尝试 attempts: ${run.attempts}; 完成 finished: ${run.finished_at ? formatShanghai(run.finished_at) : '—'}`,
    `  对账单 statement: ${run.statement_payments} 笔收款 payments ${yuan(run.statement_payment_fen)}, ${run.statement_refunds} 笔退款 refunds ${yuan(run.statement_refund_fen)}`,
    `  我方 our books: ${run.our_captures} 笔收款 captures ${yuan(run.our_capture_fen)}, ${run.our_refunds} 笔退款 refunds ${yuan(run.our_refund_fen)}`,
    `  相符 matched: ${run.matched}; 差异 mismatches: ${run.mismatches} (自动处理 resolved by rule: ${run.auto_resolved})`,
  );
  for (const m of r.mismatches) {
    out.push(`  #${m.id} ${m.kind}/${m.reason} ${m.resolution}${m.auto_refund_no ? ` ${m.auto_refund_no}` : ''}`
      + ` 订单 bill ${m.bill_no || '—'} 流水 trade ${m.channel_trade_no}${m.refund_no ? ` 退款 refund ${m.refund_no}` : ''}`
      + ` 我方 ours ${yuan(m.our_amount_fen)} 渠道 theirs ${yuan(m.their_amount_fen)} @ ${formatShanghai(m.at)}`);
    out.push(`      ${m.detail}`);
    if (m.resolved_by) out.push(`      ${m.resolved_by} ${formatShanghai(m.resolved_at!)}: ${m.resolved_note}`);
  }
  return out.join('\n');
}

import { sql } from 'kysely';
import type { ReconciliationRun } from '../../db/schema.ts';
import { addDays, atBeijing, beijingDayOf, isBeijingDay } from '../../shared/beijing-day.ts';
import { MINUTE } from '../../shared/clock.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import type { Actor, AppContext } from '../context.ts';
import { runReconciliation, type RunOutcome } from './reconcile-day.ts';

type Ctx = Pick<AppContext, 'db' | 'clock' | 'channels' | 'log'>;

/**
 * When each channel's statement of day D is usually there, Beijing time on D+1 (statements.md):
 * Alipay "before 09:00", WeChat Pay "from 10:00", UnionPay "in the morning" (unconfirmed). A
 * channel not listed (the generic ones) is asked from 10:00.
 */
export const STATEMENT_READY: Readonly<Record<string, readonly [hour: number, minute: number]>> = {
  alipay: [9, 30],
  wechatpay: [10, 0],
  unionpay: [9, 30],
};
const DEFAULT_READY: readonly [number, number] = [10, 0];
export const statementReadyAt = (channel: string, day: string): Date => {
  const [h, m] = STATEMENT_READY[channel] ?? DEFAULT_READY;
  return atBeijing(addDays(day, 1), h, m);
};

/** Days missed while no process ran are caught up this far back. */
const CATCH_UP_DAYS = 7;
/** A claimed run is its process's for this long; if that process dies, another takes it over. */
const CLAIM_MS = 10 * MINUTE;
/** Not ready: ask again every half hour (WeChat's advice); no answer: back off from 5 min to 2 h. */
const NOT_READY_RETRY_MS = 30 * MINUTE;
const unknownRetryMs = (attempts: number): number => Math.min(5 * 2 ** Math.max(0, attempts - 1), 120) * MINUTE;
/** About a day of retries, then the run is FAILED and waits for staff to re-run it. */
const MAX_ATTEMPTS = 48;
/** The first few times the job finds an empty statement on a day we booked money, it is taken as not ready. */
const DOUBT_EMPTY_ATTEMPTS = 6;

/**
 * The daily job's first step: a run for each configured channel and each day whose statement
 * should be there by now — yesterday, and days missed while nothing ran — from the first day the
 * channel was ever sent an order. Idempotent: a day has one run.
 */
export async function ensureDueRuns(ctx: Ctx): Promise<number> {
  const now = ctx.clock.now();
  const yesterday = addDays(beijingDayOf(now), -1);
  const rows = [];
  for (const code of ctx.channels.codes()) {
    // An index lookup (payment_attempt_channel_created), not a scan, once a minute.
    const { first } = await ctx.db.selectFrom('payment_attempt').select((eb) => eb.fn.min('created_at').as('first')).where('channel', '=', code).executeTakeFirstOrThrow();
    if (!first) continue;
    const firstDay = beijingDayOf(new Date(first));
    for (let back = CATCH_UP_DAYS - 1; back >= 0; back--) {
      const day = addDays(yesterday, -back);
      if (day < firstDay || now < statementReadyAt(code, day)) continue;
      rows.push({ channel: code, day, next_attempt_at: statementReadyAt(code, day), requested_by: 'job', created_at: now });
    }
  }
  if (rows.length === 0) return 0;
  const made = await ctx.db.insertInto('reconciliation_run').values(rows).onConflict((oc) => oc.columns(['channel', 'day']).doNothing()).returning('id').execute();
  return made.length;
}

/** Claims due runs (SKIP LOCKED, so processes share them) and runs each; returns how they went. */
export async function runDueReconciliations(ctx: Ctx, limit = 6): Promise<{ done: number; retry: number; failed: number }> {
  const now = ctx.clock.now();
  const claimed = await ctx.db.updateTable('reconciliation_run')
    .set({ status: 'RUNNING', claimed_until: new Date(now.getTime() + CLAIM_MS), started_at: now, attempts: sql`attempts + 1` })
    .where('id', 'in', (eb) => eb.selectFrom('reconciliation_run').select('id')
      .where((w) => w.or([
        w.and([w('status', '=', 'PENDING'), w('next_attempt_at', '<=', now)]),
        w.and([w('status', '=', 'RUNNING'), w('claimed_until', '<', now)]),
      ]))
      .orderBy('next_attempt_at').limit(limit).forUpdate().skipLocked())
    .returningAll()
    .execute();
  const tally = { done: 0, retry: 0, failed: 0 };
  for (const run of claimed) {
    // Staff who asked for a day take its statement as it is.
    const outcome = await executeClaimedRun(ctx, run, { doubtEmptyStatement: run.requested_by === 'job' && run.attempts <= DOUBT_EMPTY_ATTEMPTS });
    if (outcome.status === 'DONE') tally.done += 1;
    else if (outcome.failed) tally.failed += 1;
    else tally.retry += 1;
  }
  return tally;
}

async function executeClaimedRun(ctx: Ctx, run: ReconciliationRun, opts: { doubtEmptyStatement: boolean }): Promise<RunOutcome & { failed?: boolean }> {
  let outcome: RunOutcome;
  try {
    outcome = await runReconciliation(ctx, run, opts);
  } catch (err) {
    ctx.log.error({ err, channel: run.channel, day: run.day }, 'reconciliation run failed');
    outcome = { status: 'UNKNOWN', reason: err instanceof Error ? err.message : String(err) };
  }
  if (outcome.status === 'DONE') return outcome;
  const now = ctx.clock.now();
  const failed = run.attempts >= MAX_ATTEMPTS;
  const delay = outcome.status === 'NOT_READY' ? NOT_READY_RETRY_MS : unknownRetryMs(run.attempts);
  await ctx.db.updateTable('reconciliation_run').set({
    status: failed ? 'FAILED' : 'PENDING', claimed_until: null, last_error: `${outcome.status}: ${outcome.reason}`.slice(0, 500),
    next_attempt_at: new Date(now.getTime() + delay),
  }).where('id', '=', run.id).where('status', '=', 'RUNNING').execute();
  if (failed) ctx.log.error({ channel: run.channel, day: run.day, reason: outcome.reason }, 'reconciliation gave up on a day; staff must re-run it');
  return { ...outcome, failed };
}

/**
 * Reconciles one channel and day now — what staff use to re-run a day (npm run reconcile) and
 * what tests call. Idempotent: findings recorded before are not recorded again, money settled
 * before is not settled again. Refused while another process is running that day.
 */
export async function reconcileDay(ctx: Ctx, input: { channel: string; day: string; actor: Actor }): Promise<Result<RunOutcome>> {
  if (!isBeijingDay(input.day)) return fail('RECONCILIATION_DAY_INVALID', { day: input.day });
  if (!ctx.channels.get(input.channel)) return fail('RECONCILIATION_CHANNEL_UNKNOWN', { channel: input.channel });
  const now = ctx.clock.now();
  if (input.day >= beijingDayOf(now)) return fail('RECONCILIATION_DAY_NOT_OVER', { day: input.day });
  await ctx.db.insertInto('reconciliation_run').values({ channel: input.channel, day: input.day, next_attempt_at: now, requested_by: input.actor, created_at: now })
    .onConflict((oc) => oc.columns(['channel', 'day']).doNothing()).execute();
  const run = await ctx.db.updateTable('reconciliation_run')
    .set({ status: 'RUNNING', claimed_until: new Date(now.getTime() + CLAIM_MS), started_at: now, attempts: sql`attempts + 1`, requested_by: input.actor })
    .where('channel', '=', input.channel).where('day', '=', input.day)
    .where((w) => w.or([w('status', '<>', 'RUNNING'), w('claimed_until', '<', now)]))
    .returningAll().executeTakeFirst();
  if (!run) return fail('RECONCILIATION_RUNNING', { channel: input.channel, day: input.day });
  const { failed: _failed, ...outcome } = await executeClaimedRun(ctx, { ...run, attempts: 1 }, { doubtEmptyStatement: false });
  return ok(outcome);
}

/**
 * For `npm run reconcile` against a running ExamPay: queue the day again (now, attempts reset)
 * for the job runner to do, whatever process that is. Nothing changes while it is running.
 */
export async function requestRerun(db: AppContext['db'], input: { channel: string; day: string; actor: Actor; now: Date }): Promise<void> {
  await db.insertInto('reconciliation_run').values({ channel: input.channel, day: input.day, next_attempt_at: input.now, requested_by: input.actor, created_at: input.now })
    .onConflict((oc) => oc.columns(['channel', 'day']).doUpdateSet({ status: 'PENDING', attempts: 0, next_attempt_at: input.now, requested_by: input.actor, last_error: null })
      .where('reconciliation_run.status', '<>', 'RUNNING'))
    .execute();
}

import PgBoss from 'pg-boss';
import type { AppContext } from '../modules/context.ts';
import { closeExpiredBillsJob } from './close-expired-bills.job.ts';
import { executeRefundsJob } from './execute-refunds.job.ts';
import { expireUnpaidRegistrationsJob } from './expire-unpaid-registrations.job.ts';
import type { ScheduledJob } from './job.ts';
import { pollPayingBillsJob } from './poll-paying-bills.job.ts';
import { purgeExpiredJob } from './purge-expired.job.ts';
import { composeAccountMailJob } from './compose-account-mail.job.ts';
import { reconcileStatementsJob } from './reconcile-statements.job.ts';
import { resealPersonalDataJob } from './reseal-personal-data.job.ts';
import { releaseStaleSeatHoldsJob } from './release-stale-seat-holds.job.ts';
import { runAuthorityActionsJob } from './run-authority-actions.job.ts';
import { runImportsJob } from './run-imports.job.ts';
import { sendMailJob } from './send-mail.job.ts';

/**
 * Every scheduled job, in one list. The authority's cancellations and reconciliation run before
 * the refunds job, so a refund they create (a cancelled registration's fee, a duplicate only the
 * statement showed) is sent in the same round.
 */
export const JOBS: readonly ScheduledJob[] = [
  pollPayingBillsJob, closeExpiredBillsJob, runAuthorityActionsJob, reconcileStatementsJob, executeRefundsJob, expireUnpaidRegistrationsJob, releaseStaleSeatHoldsJob,
  purgeExpiredJob, composeAccountMailJob, sendMailJob, resealPersonalDataJob,
  runImportsJob,
];

/** Runs every job once, in order — what tests call after moving the clock. */
export async function runAllJobs(ctx: AppContext): Promise<Record<string, Record<string, number>>> {
  const out: Record<string, Record<string, number>> = {};
  for (const job of JOBS) out[job.id] = await job.execute(ctx);
  return out;
}

/**
 * Runs the jobs through pg-boss on the application database, so any number of processes
 * cooperate (OPS-4): each queue is 'stately' (at most one run active and one waiting, across
 * all processes); every run queues the next one `everySeconds` later, and a once-a-minute
 * cron restarts the chain if a process died holding it (OPS-3).
 */
export async function startJobRunner(ctx: AppContext, databaseUrl: string): Promise<{ stop(): Promise<void> }> {
  const boss = new PgBoss({ connectionString: databaseUrl, max: 4, schema: 'pgboss' });
  boss.on('error', (err: Error) => ctx.log.error({ err }, 'pg-boss error'));
  await boss.start();
  for (const job of JOBS) {
    await againOnDeadlock(() => boss.createQueue(job.id, { name: job.id, policy: 'stately', retryLimit: 0, expireInSeconds: 15 * 60 }));
    await againOnDeadlock(() => boss.schedule(job.id, '* * * * *'));
    await boss.work(job.id, { pollingIntervalSeconds: 1 }, async () => {
      try {
        const result = await job.execute(ctx);
        if (Object.values(result).some((n) => n > 0)) ctx.log.info({ job: job.id, ...result }, 'job ran');
        // Kept by pg-boss as the run's output: which process ran it (test/cluster-workers.test.ts).
        return { pid: process.pid, ...result };
      } finally {
        await boss.send(job.id, {}, { startAfter: job.everySeconds }).catch((err: unknown) => ctx.log.warn({ err, job: job.id }, 'could not queue next run'));
      }
    });
    await boss.send(job.id, {});
  }
  return { stop: () => boss.stop({ graceful: true, wait: true, timeout: 10_000 }) };
}

/**
 * Workers started together (WORKERS=N on a fresh database) create the same queues and schedules
 * at the same moment, and PostgreSQL can pick one of them as a deadlock victim (seen in
 * test/cluster-workers.test.ts: the worker died at start and was replaced). Both calls are
 * idempotent, so the victim simply does it again after a short, jittered pause.
 */
async function againOnDeadlock(step: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await step();
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== '40P01' || attempt >= 5) throw err;
      await new Promise((r) => setTimeout(r, 20 * attempt + Math.random() * 80));
    }
  }
}

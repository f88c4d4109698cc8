import { ensureDueRuns, runDueReconciliations } from '../modules/reconciliation/reconciliation-runs.ts';
import type { ScheduledJob } from './job.ts';

/**
 * PAY-10: each morning, for each configured channel, yesterday's (Beijing) statement once the
 * channel usually has it ready; not ready or no answer → asked again on a backoff. One run per
 * (channel, day), claimed with SKIP LOCKED, so processes share the work and a re-run adds nothing.
 */
export const reconcileStatementsJob: ScheduledJob = {
  id: 'reconcile-statements',
  description: "Match each channel's daily statement with the books; settle by rule or list for staff",
  everySeconds: 60,
  async execute(ctx) {
    const queued = await ensureDueRuns(ctx);
    return { queued, ...(await runDueReconciliations(ctx)) };
  },
};

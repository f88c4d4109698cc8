import { runAuthorityActions } from '../modules/refunds/sitting-cancel.ts';
import type { ScheduledJob } from './job.ts';

/**
 * REF-2: a sitting or subject the authority cancelled has its registrations ended, refunded and
 * told in batches of candidates; restartable and idempotent (see runAuthorityActions).
 */
export const runAuthorityActionsJob: ScheduledJob = {
  id: 'run-authority-actions',
  description: 'End, refund and notify the registrations of sittings and subjects the authority cancelled, in batches',
  everySeconds: 5,
  async execute(ctx) {
    const { actions, candidates, cancelled, refunds, failed, finished } = await runAuthorityActions(ctx);
    return { actions, candidates, cancelled, refunds, failed, finished };
  },
};

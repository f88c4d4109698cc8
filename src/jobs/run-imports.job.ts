import { claimImport, runImport } from '../modules/imports/imports.ts';
import type { ScheduledJob } from './job.ts';

/** ADM-2: runs uploaded roster / student-record imports, one file at a time per process. */
export const runImportsJob: ScheduledJob = {
  id: 'run-imports',
  description: 'Check and apply uploaded roster and student-record files (all rows or none)',
  everySeconds: 2,
  async execute(ctx) {
    const out = { done: 0, rejected: 0, failed: 0 };
    // A few small files in one round; a large one ends the round when it is done.
    for (let i = 0; i < 5; i++) {
      const job = await claimImport(ctx);
      if (!job) break;
      const state = await runImport(ctx, job);
      if (state === 'DONE') out.done++;
      else if (state === 'REJECTED') out.rejected++;
      else out.failed++;
    }
    return out;
  },
};

import { resealOlderKeyVersions } from '../modules/accounts/personal-data-keys.ts';
import type { ScheduledJob } from './job.ts';

const BATCHES_PER_RUN = 10;

/**
 * OPS-6 key rotation: once a new PERSONAL_DATA_KEYS version is configured, ID numbers and phones
 * sealed with older versions are re-sealed with it in the background; the old key can be removed
 * when this job finds nothing left (docs/personal-data.md). Idle cost: one index probe per column.
 */
export const resealPersonalDataJob: ScheduledJob = {
  id: 'reseal-personal-data',
  description: 'Re-seal ID numbers and phones sealed with an older personal-data key version',
  everySeconds: 300,
  async execute(ctx) {
    let resealed = 0;
    for (let i = 0; i < BATCHES_PER_RUN; i++) {
      const n = await resealOlderKeyVersions(ctx);
      resealed += n;
      if (n === 0) break;
    }
    return { resealed };
  },
};

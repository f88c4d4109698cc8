import { executeDueRefunds } from '../modules/refunds/execute-refund.ts';
import type { ScheduledJob } from './job.ts';

const BATCH = 20;
const MAX_ROUNDS = 10;

/** PAY-8, REF-4: send recorded refunds back through their channel, and ask again until each is final. */
export const executeRefundsJob: ScheduledJob = {
  id: 'execute-refunds',
  description: 'Send due refunds to their channel; retry the unconfirmed ones on a backoff',
  everySeconds: 10,
  async execute(ctx) {
    // A cancelled sitting makes thousands of refunds at once (REF-2): keep sending while full
    // batches come back, up to a bound, instead of 20 per run.
    let sent = 0;
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const n = await executeDueRefunds(ctx, BATCH);
      sent += n;
      if (n < BATCH) break;
    }
    return { sent };
  },
};

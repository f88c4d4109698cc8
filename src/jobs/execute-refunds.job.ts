import { executeDueRefunds } from '../modules/refunds/execute-refund.ts';
import type { ScheduledJob } from './job.ts';

/** PAY-8: send recorded refunds (duplicate and late captures) back through their channel. */
export const executeRefundsJob: ScheduledJob = {
  id: 'execute-refunds',
  description: 'Send due refunds to their channel; retry the unconfirmed ones on a backoff',
  everySeconds: 10,
  async execute(ctx) {
    return { sent: await executeDueRefunds(ctx) };
  },
};

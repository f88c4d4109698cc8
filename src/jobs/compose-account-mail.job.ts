import { composeAccountMail, purgeAccountMailRequests } from '../modules/accounts/account-mail-requests.ts';
import type { ScheduledJob } from './job.ts';

/**
 * ACC-5, ACC-6: turns 忘记密码 and 找回已报名账号 requests into reset links and reminders in the
 * mail outbox (the request itself does only the same one insert for every account, existing or
 * not). Runs with or without SMTP_URL, so the development mail page shows them too.
 */
export const composeAccountMailJob: ScheduledJob = {
  id: 'compose-account-mail',
  description: 'Write reset links and account reminders for the requests made since the last run',
  everySeconds: 2,
  async execute(ctx) {
    const done = await composeAccountMail(ctx);
    return { ...done, purged: await purgeAccountMailRequests(ctx.db, ctx.clock.now()) };
  },
};

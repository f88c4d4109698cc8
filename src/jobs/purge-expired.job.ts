import { purgeLinks } from '../modules/accounts/account-tokens.ts';
import { purgeCaptchas } from '../modules/accounts/captcha.ts';
import { purgeSignInThrottle } from '../modules/accounts/sign-in-throttle.repo.ts';
import type { ScheduledJob } from './job.ts';

/** Housekeeping: used or expired captchas and ended sessions are deleted, so the tables stay small. */
export const purgeExpiredJob: ScheduledJob = {
  id: 'purge-expired',
  description: 'Delete expired captchas, ended candidate sessions, payment passes, idle sign-in counters and long-expired mailed links',
  everySeconds: 15 * 60,
  async execute(ctx) {
    const now = ctx.clock.now();
    const captchas = await purgeCaptchas(ctx.db, now);
    const sessions = await ctx.db.deleteFrom('candidate_session').where('expires_at', '<', now).executeTakeFirst();
    const passes = await ctx.db.deleteFrom('payment_pass').where('expires_at', '<=', now).executeTakeFirst();
    const signInCounters = await purgeSignInThrottle(ctx.db, now);
    const links = await purgeLinks(ctx.db, now);
    return { captchas, sessions: Number(sessions.numDeletedRows), paymentPasses: Number(passes.numDeletedRows), signInCounters, links };
  },
};

import { purgeOldMail, sendDueMail } from '../modules/mail/send-mail.ts';
import type { ScheduledJob } from './job.ts';

/**
 * Delivers the mail outbox through SMTP_URL, with retries. Without SMTP_URL there is no mailer:
 * messages stay in the outbox, readable at /dev/mail (development only).
 */
export const sendMailJob: ScheduledJob = {
  id: 'send-mail',
  description: 'Send due messages from the mail outbox; retry failures on a backoff; delete old ones',
  everySeconds: 3,
  async execute(ctx) {
    const now = ctx.clock.now();
    const purged = await purgeOldMail(ctx.db, now);
    if (!ctx.mailer) return { sent: 0, purged };
    return { ...(await sendDueMail({ db: ctx.db, mailer: ctx.mailer, now, log: ctx.log })), purged };
  },
};

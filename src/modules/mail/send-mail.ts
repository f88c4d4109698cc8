import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { DbOrTrx } from '../../db/database.ts';
import { HOUR, MINUTE } from '../../shared/clock.ts';
import type { Mailer } from './mailer.ts';
import { maskEmail } from '../accounts/email-address.ts';

/** A failed send is tried again: soon at first, then less often (the link's life bounds it). */
export const MAIL_BACKOFF_MS = [0.5, 1, 2, 5, 10, 30].map((m) => m * MINUTE);
export const MAX_MAIL_ATTEMPTS = 10;
/** A claimed message is one process's for this long; if it dies, another takes it over. */
const CLAIM_MS = 2 * MINUTE;

/** Pure: what happens to a message after a failed send. */
export function afterFailure(message: { attempts: number; expires_at: Date }, now: Date): { giveUp: true } | { giveUp: false; nextAttemptAt: Date } {
  const attempts = message.attempts + 1;
  const next = new Date(now.getTime() + MAIL_BACKOFF_MS[Math.min(attempts - 1, MAIL_BACKOFF_MS.length - 1)]!);
  if (attempts >= MAX_MAIL_ATTEMPTS || next >= message.expires_at) return { giveUp: true };
  return { giveUp: false, nextAttemptAt: next };
}

/**
 * Sends the due messages. Messages are claimed with SKIP LOCKED, so several processes share the
 * outbox without sending one twice at once, and a process that dies mid-send leaves its claim to
 * expire. A sent or abandoned message loses its body: it held a single-use link (ACC-5), and the
 * outbox must not become a second place to find working links. Logs name the message, never its
 * body or full address.
 */
export async function sendDueMail(input: { db: DbOrTrx; mailer: Mailer; now: Date; log: Logger }, limit = 20): Promise<{ sent: number; failed: number; retried: number }> {
  const { db, mailer, now, log } = input;
  const claimed = await db.updateTable('mail_outbox')
    .set({ next_attempt_at: new Date(now.getTime() + CLAIM_MS) })
    .where('id', 'in', (eb) => eb.selectFrom('mail_outbox').select('id')
      .where('state', '=', 'PENDING').where('next_attempt_at', '<=', now)
      .orderBy('next_attempt_at').limit(limit).forUpdate().skipLocked())
    .returningAll().execute();
  const out = { sent: 0, failed: 0, retried: 0 };
  for (const m of claimed) {
    if (now >= m.expires_at) {
      await db.updateTable('mail_outbox').set({ state: 'FAILED', body_text: '', last_error: 'expired before it could be sent' }).where('id', '=', m.id).where('state', '=', 'PENDING').execute();
      out.failed++;
      continue;
    }
    try {
      await mailer.send({ to: m.to_address, subject: m.subject, text: m.body_text, messageRef: String(m.id) });
      await db.updateTable('mail_outbox').set({ state: 'SENT', sent_at: now, body_text: '', attempts: sql`attempts + 1`, last_error: null })
        .where('id', '=', m.id).execute();
      out.sent++;
    } catch (err) {
      // The SMTP error's own text: reply codes and host names, no message content.
      const reason = err instanceof Error ? `${(err as { code?: string }).code ?? 'ERROR'}: ${err.message}`.slice(0, 300) : 'send failed';
      const next = afterFailure(m, now);
      if (next.giveUp) {
        await db.updateTable('mail_outbox').set({ state: 'FAILED', body_text: '', attempts: sql`attempts + 1`, last_error: reason }).where('id', '=', m.id).execute();
        log.error({ mailId: String(m.id), kind: m.kind, to: maskEmail(m.to_address), reason }, 'mail given up');
        out.failed++;
      } else {
        await db.updateTable('mail_outbox').set({ attempts: sql`attempts + 1`, last_error: reason, next_attempt_at: next.nextAttemptAt }).where('id', '=', m.id).execute();
        log.warn({ mailId: String(m.id), kind: m.kind, to: maskEmail(m.to_address), reason }, 'mail not sent; will retry');
        out.retried++;
      }
    }
  }
  return out;
}

/** Housekeeping: messages are kept 30 days after they were written or stopped mattering. */
export async function purgeOldMail(db: DbOrTrx, now: Date): Promise<number> {
  const before = new Date(now.getTime() - 30 * 24 * HOUR);
  const r = await db.deleteFrom('mail_outbox').where('created_at', '<', before).where('expires_at', '<', before).executeTakeFirst();
  return Number(r.numDeletedRows);
}

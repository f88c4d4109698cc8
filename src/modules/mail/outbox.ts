import type { DbOrTrx } from '../../db/database.ts';
import type { MailMessage } from '../../db/schema.ts';

export interface MailToSend {
  /** What caused it, e.g. RESET_PASSWORD; shown on the dev page and in logs instead of the body. */
  kind: string;
  to: string;
  subject: string;
  text: string;
  /** After this the message is worthless (its link has expired) and is not sent any more. */
  expiresAt: Date;
}

/**
 * Writes a message into the outbox. Call it inside the transaction that causes the mail, so the
 * mail exists exactly when the thing it announces does; the send-mail job delivers it.
 */
export async function enqueueMail(trx: DbOrTrx, mail: MailToSend, now: Date): Promise<void> {
  await trx.insertInto('mail_outbox').values({
    kind: mail.kind, to_address: mail.to, subject: mail.subject, body_text: mail.text,
    next_attempt_at: now, expires_at: mail.expiresAt, created_at: now,
  }).execute();
}

/** The newest messages, for the development mail page. */
export function latestMail(db: DbOrTrx, limit = 50): Promise<MailMessage[]> {
  return db.selectFrom('mail_outbox').selectAll().orderBy('id', 'desc').limit(limit).execute();
}

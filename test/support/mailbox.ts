import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { Db } from '../../src/db/database.ts';
import type { MailMessage } from '../../src/db/schema.ts';

/** Outbox rows written to an address (newest last), as the send-mail job will see them. */
export function outboxTo(db: Db, to: string): Promise<MailMessage[]> {
  return db.selectFrom('mail_outbox').selectAll().where('to_address', '=', to).orderBy('id').execute();
}

export async function lastMailTo(db: Db, to: string): Promise<MailMessage> {
  const all = await outboxTo(db, to);
  const last = all.at(-1);
  if (!last) throw new Error(`no mail to ${to}`);
  return last;
}

/** The token of a mailed link (`…/verify-email#token=TOKEN` or `…/reset#token=TOKEN`) in a message body. */
export function linkToken(text: string, kind: 'verify' | 'reset'): string {
  const m = new RegExp(`/${kind === 'verify' ? 'verify-email' : 'reset'}#token=([A-Za-z0-9_-]{43})\\b`).exec(text);
  if (!m) throw new Error(`no ${kind} link in: ${text.slice(0, 200)}`);
  return m[1]!;
}

export async function outboxCount(db: Db): Promise<number> {
  const r = await db.selectFrom('mail_outbox').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(r.n);
}

/**
 * A real SMTP server (smtp-server) on 127.0.0.1 that keeps what it receives, parsed by
 * mailparser. `refuse` makes it answer RCPT TO with a temporary failure, as a busy server does.
 */
export async function startSmtpSink() {
  const received: (ParsedMail & { envelopeTo: string[] })[] = [];
  const state = { refuse: false };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onRcptTo(address, _session, callback) {
      if (state.refuse) {
        const err = Object.assign(new Error('mailbox busy, try later'), { responseCode: 451 });
        return callback(err);
      }
      callback();
    },
    onData(stream, session, callback) {
      simpleParser(stream).then((parsed) => {
        received.push(Object.assign(parsed, { envelopeTo: session.envelope.rcptTo.map((r) => r.address) }));
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as { port: number }).port;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    state,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

import nodemailer from 'nodemailer';

/** One message as it leaves: plain text, Chinese first with the English below it. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** Our outbox id, sent as a header so a bounce or a complaint can be traced to the row. */
  messageRef: string;
}

/** Where mail goes. The SMTP one in production and in the tests (against smtp-server). */
export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

/**
 * nodemailer to SMTP_URL. Timeouts are short: the send-mail job retries later, and a server that
 * hangs must not hold the job's other messages.
 */
export function smtpMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 20_000,
    // Never let nodemailer write the conversation (with the message and its link) to a log.
    logger: false,
    debug: false,
  });
  return {
    async send(mail) {
      await transport.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text, headers: { 'X-ExamPay-Message': mail.messageRef } });
    },
    close: () => transport.close(),
  };
}

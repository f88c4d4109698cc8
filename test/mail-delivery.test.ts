import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { composeAccountMailJob } from '../src/jobs/compose-account-mail.job.ts';
import { startJobRunner } from '../src/jobs/schedule.ts';
import { sendMailJob } from '../src/jobs/send-mail.job.ts';
import type { AppContext } from '../src/modules/context.ts';
import { afterFailure, MAIL_BACKOFF_MS } from '../src/modules/mail/send-mail.ts';
import { smtpMailer } from '../src/modules/mail/mailer.ts';
import { ManualClock, MINUTE } from '../src/shared/clock.ts';
import { makeEmailExam, signUp, signUpData } from './support/email-accounts.ts';
import { makeCandidate, makeExam, type ExamFixture } from './support/fixtures.ts';
import { Browser } from './support/http.ts';
import { lastMailTo, linkToken, startSmtpSink } from './support/mailbox.ts';
import { buildTestApp } from './support/test-app.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';
import { testLogger } from './support/test-log.ts';

let t: TestDatabase;
let app: FastifyInstance;
let ctx: AppContext;
let exam: ExamFixture;
let sink: Awaited<ReturnType<typeof startSmtpSink>>;
const clock = new ManualClock('2026-03-15T01:00:00Z');
const logLines: string[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  ({ app, ctx } = await buildTestApp(t, { clock, publicBaseUrl: 'https://exam.example.cn' }));
  sink = await startSmtpSink();
  ctx.mailer = smtpMailer(sink.url, 'CET 考试中心 <no-reply@exam.example.cn>');
  // The logger `npm start` uses (with its redaction), writing where the test can read it.
  ctx.log = testLogger(new Writable({ write(c, _e, cb) { logLines.push(String(c)); cb(); } }));
  exam = await makeEmailExam(t.db);
  await t.db.updateTable('authority').set({ name: 'CET 考试中心' }).where('id', '=', exam.authorityId).execute();
});
afterAll(async () => {
  ctx.mailer?.close();
  await sink.close();
  await app.close();
  await t.drop();
});

const runMailJobs = async () => {
  await composeAccountMailJob.execute(ctx);
  return sendMailJob.execute(ctx);
};
const message = (id: bigint) => t.db.selectFrom('mail_outbox').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('mail goes out through SMTP_URL, from the outbox, by a job (ACC-1, ACC-5)', () => {
  it('ACC-1: the verification mail reaches a real SMTP server: to, subject, Chinese and English text, a working link; the outbox keeps no body', async () => {
    const data = signUpData(exam.authorityCode, { email: 'delivery@example.cn', name: '李雷' });
    expect((await signUp(new Browser(app), data)).status).toBe(202);
    const row = await lastMailTo(t.db, 'delivery@example.cn');
    expect(sink.received).toHaveLength(0); // nothing is sent inside the request
    expect(await runMailJobs()).toMatchObject({ sent: 1, failed: 0, retried: 0 });

    const got = sink.received.at(-1)!;
    expect(got.envelopeTo).toEqual(['delivery@example.cn']);
    expect(got.to && 'text' in got.to ? got.to.text : '').toBe('delivery@example.cn');
    expect(got.from?.text).toContain('no-reply@exam.example.cn');
    expect(got.subject).toBe('【CET 考试中心】请验证您的通行证邮箱 Verify your e-mail address');
    expect(got.text).toContain('李雷，您好');
    expect(got.text).toContain('验证前可以登录，但不能报考科目');
    expect(got.text).toContain('Until then you can sign in but cannot register for subjects');
    expect(got.headers.get('x-exampay-message')).toBe(String(row.id));
    const token = linkToken(got.text ?? '', 'verify');
    expect(got.text).toContain(`https://exam.example.cn/verify-email#token=${token}`);

    const sent = await message(row.id);
    expect(sent).toMatchObject({ state: 'SENT', body_text: '', attempts: 1 });
    expect(sent.sent_at).toEqual(clock.now());
    expect((await new Browser(app).post('/api/v1/email-verifications', { token })).status).toBe(200);
    // Run again: nothing is sent twice.
    expect(await runMailJobs()).toMatchObject({ sent: 0 });
    expect(sink.received).toHaveLength(1);
  });

  it('ACC-5: the reset mail arrives after the compose job; a refusing server is retried on a backoff and the mail still arrives', async () => {
    const idExam = await makeExam(t.db);
    const c = await makeCandidate(t.db, idExam);
    await t.db.updateTable('candidate').set({ email: 'retry@example.cn', email_verified_at: clock.now() }).where('id', '=', c.candidateId).execute();
    const b = new Browser(app);
    await b.post('/api/v1/password-resets', { authority: idExam.authorityCode, identifier: c.idNumber, ...(await b.captcha()) });
    sink.state.refuse = true;
    expect(await runMailJobs()).toMatchObject({ sent: 0, retried: 1 });
    const row = await lastMailTo(t.db, 'retry@example.cn');
    expect(row).toMatchObject({ state: 'PENDING', attempts: 1 });
    expect(row.last_error).toMatch(/451/);
    expect(row.next_attempt_at.getTime() - clock.now().getTime()).toBe(MAIL_BACKOFF_MS[0]);
    // Not due yet: nothing happens.
    expect(await runMailJobs()).toMatchObject({ sent: 0, retried: 0 });
    sink.state.refuse = false;
    clock.advance(MAIL_BACKOFF_MS[0]!);
    expect(await runMailJobs()).toMatchObject({ sent: 1 });
    const got = sink.received.at(-1)!;
    expect(got.subject).toMatch(/重置密码 Reset your password/);
    expect(got.text).toContain('之前发出的重置链接均已失效');
    expect(got.text).toContain('any reset link sent before no longer works');
    const token = linkToken(got.text ?? '', 'reset');
    expect((await new Browser(app).post('/api/v1/password-resets/confirm', { token, newPassword: 'Mailed2026pw' })).status).toBe(204);
  });

  it('a message whose link would expire before the next try is given up: FAILED, body erased, logged without body, link or full address', async () => {
    const idExam = await makeExam(t.db);
    const c = await makeCandidate(t.db, idExam);
    await t.db.updateTable('candidate').set({ email: 'bounce@example.cn', email_verified_at: clock.now() }).where('id', '=', c.candidateId).execute();
    const b = new Browser(app);
    await b.post('/api/v1/password-resets', { authority: idExam.authorityCode, identifier: c.idNumber, ...(await b.captcha()) });
    await composeAccountMailJob.execute(ctx);
    const row = await lastMailTo(t.db, 'bounce@example.cn');
    const token = linkToken(row.body_text, 'reset');
    sink.state.refuse = true;
    let tries = 0;
    while ((await message(row.id)).state === 'PENDING' && tries < 20) {
      await sendMailJob.execute(ctx);
      tries++;
      clock.set((await message(row.id)).next_attempt_at);
    }
    sink.state.refuse = false;
    const failed = await message(row.id);
    expect(failed).toMatchObject({ state: 'FAILED', body_text: '' });
    expect(failed.attempts).toBeLessThan(10);
    const log = logLines.join('');
    expect(log).toContain('mail given up');
    expect(log).toContain('b***@example.cn');
    expect(log).not.toContain('bounce@example.cn');
    expect(log).not.toContain(token);
    expect(log).not.toMatch(/重置|Reset your password/);
  });

  it('the retry schedule as a pure rule: backoff grows, gives up at the attempt limit or when the next try would come after expiry', () => {
    const now = new Date('2026-03-15T01:00:00Z');
    const far = new Date(now.getTime() + 24 * 60 * MINUTE);
    expect(afterFailure({ attempts: 0, expires_at: far }, now)).toEqual({ giveUp: false, nextAttemptAt: new Date(now.getTime() + 30_000) });
    expect(afterFailure({ attempts: 3, expires_at: far }, now)).toEqual({ giveUp: false, nextAttemptAt: new Date(now.getTime() + 5 * MINUTE) });
    expect(afterFailure({ attempts: 8, expires_at: far }, now)).toEqual({ giveUp: false, nextAttemptAt: new Date(now.getTime() + 30 * MINUTE) });
    expect(afterFailure({ attempts: 9, expires_at: far }, now)).toEqual({ giveUp: true });
    expect(afterFailure({ attempts: 0, expires_at: new Date(now.getTime() + 30_000) }, now)).toEqual({ giveUp: true });
  });

  it('pg-boss runs compose and send by itself: a reset request becomes a delivered mail without anyone calling the jobs', async () => {
    const idExam = await makeExam(t.db);
    const c = await makeCandidate(t.db, idExam);
    await t.db.updateTable('candidate').set({ email: 'boss@example.cn', email_verified_at: clock.now() }).where('id', '=', c.candidateId).execute();
    const runner = await startJobRunner(ctx, t.url);
    try {
      const b = new Browser(app);
      await b.post('/api/v1/password-resets', { authority: idExam.authorityCode, identifier: c.idNumber, ...(await b.captcha()) });
      const deadline = Date.now() + 30_000;
      while (!sink.received.some((m) => m.envelopeTo.includes('boss@example.cn')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    } finally {
      await runner.stop();
    }
    expect(sink.received.filter((m) => m.envelopeTo.includes('boss@example.cn'))).toHaveLength(1);
  });
});

describe('without SMTP_URL: the outbox and the development mail page', () => {
  it('mail stays in the outbox with its link and is readable at /dev/mail; without the page option there is no page', async () => {
    const dev = await buildTestApp(t, { clock, publicBaseUrl: 'http://127.0.0.1:3000', devMailPage: true });
    const prod = await buildTestApp(t, { clock });
    try {
      const data = signUpData(exam.authorityCode, { email: 'devpage@example.cn' });
      await signUp(new Browser(dev.app), data);
      // No mailer in this context: the send job leaves the message where it is.
      expect(await sendMailJob.execute(dev.ctx)).toMatchObject({ sent: 0 });
      const row = await lastMailTo(t.db, 'devpage@example.cn');
      expect(row.state).toBe('PENDING');
      const token = linkToken(row.body_text, 'verify');
      const page = await dev.app.inject({ method: 'GET', url: '/dev/mail' });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(page.body).toContain('devpage@example.cn');
      expect(page.body).toContain(`<a href="http://127.0.0.1:3000/verify-email#token=${token}">`);
      expect(page.body).toContain('请验证您的通行证邮箱');
      expect((await prod.app.inject({ method: 'GET', url: '/dev/mail' })).statusCode).toBe(404);
    } finally {
      await dev.app.close();
      await prod.app.close();
    }
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { composeAccountMail } from '../src/modules/accounts/account-mail-requests.ts';
import type { AppContext } from '../src/modules/context.ts';
import { makeEmailExam, signUp, signUpData } from './support/email-accounts.ts';
import { makeCandidate, makeExam, type ExamFixture } from './support/fixtures.ts';
import { Browser } from './support/http.ts';
import { lastMailTo, outboxCount } from './support/mailbox.ts';
import { buildTestApp } from './support/test-app.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';

let t: TestDatabase;
let app: FastifyInstance;
let ctx: AppContext;
let emailExam: ExamFixture;
let idExam: ExamFixture;

beforeAll(async () => {
  t = await createTestDatabase();
  ({ app, ctx } = await buildTestApp(t));
  emailExam = await makeEmailExam(t.db);
  idExam = await makeExam(t.db);
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

const recover = async (authority: string, name: string, idNumber: string) => {
  const b = new Browser(app);
  const r = await b.post('/api/v1/account-recoveries', { authority, name, idNumber, ...(await b.captcha()) });
  await composeAccountMail(ctx);
  return r;
};
const nameOf = async (id: bigint) => (await t.db.selectFrom('candidate').select('name').where('id', '=', id).executeTakeFirstOrThrow()).name;

describe('找回已报名账号 (ACC-6, seed 002)', () => {
  it('ACC-6: name + ID number of a 通行证 → a reminder to its address, shown masked', async () => {
    const data = signUpData(emailExam.authorityCode, { email: 'zhangsan@qq.com', name: '张三' });
    await signUp(new Browser(app), data);
    const r = await recover(emailExam.authorityCode, '张 三', data.idNumber.toLowerCase());
    expect(r.status).toBe(200);
    expect(r.body.maskedEmail).toBe('z***@qq.com');
    expect(r.body.message.zh).toContain('z***@qq.com');
    expect(r.text).not.toContain('zhangsan');
    const mail = await lastMailTo(t.db, 'zhangsan@qq.com');
    expect(mail.kind).toBe('ACCOUNT_REMINDER');
    expect(mail.subject).toMatch(/找回已报名账号 Your account/);
    expect(mail.body_text).toContain('您的通行证账号（登录邮箱）是：zhangsan@qq.com');
    expect(mail.body_text).toContain('Your account (sign-in e-mail) is: zhangsan@qq.com');
  });

  it('ACC-6: an ID-document account with a verified contact address is reminded that it signs in with its ID number (masked)', async () => {
    const c = await makeCandidate(t.db, idExam);
    await t.db.updateTable('candidate').set({ email: 'lisi@163.com', email_verified_at: new Date() }).where('id', '=', c.candidateId).execute();
    const r = await recover(idExam.authorityCode, await nameOf(c.candidateId), c.idNumber);
    expect(r.body.maskedEmail).toBe('l***@163.com');
    const mail = await lastMailTo(t.db, 'lisi@163.com');
    expect(mail.body_text).toContain(`${c.idNumber.slice(0, 3)}${'*'.repeat(11)}${c.idNumber.slice(-4)}`);
    expect(mail.body_text).not.toContain(c.idNumber);
  });

  it('ACC-6: wrong name, unknown ID number, no e-mail on file, unknown authority: one generic answer, no mail — an ID number alone reveals nothing', async () => {
    const data = signUpData(emailExam.authorityCode, { email: 'wangwu@qq.com', name: '王五' });
    await signUp(new Browser(app), data);
    const noEmail = await makeCandidate(t.db, idExam);
    const before = await outboxCount(t.db);
    const answers = [
      await recover(emailExam.authorityCode, '王六', data.idNumber),
      await recover(emailExam.authorityCode, '王五', '110105199912317777'),
      await recover(idExam.authorityCode, await nameOf(noEmail.candidateId), noEmail.idNumber),
      await recover('NOSUCHAUTH', '王五', data.idNumber),
    ];
    for (const a of answers) {
      expect(a.status).toBe(200);
      expect(a.text).toBe(answers[0]!.text);
      expect(a.headers['content-length']).toBe(answers[0]!.headers['content-length']);
    }
    expect(answers[0]!.body.maskedEmail).toBeNull();
    expect(answers[0]!.body.message.zh).toMatch(/如果姓名和证件号码与某个账号一致/);
    expect(await outboxCount(t.db)).toBe(before);
  });

  it('OPS-5: bad recovery input gets its own code and sends nothing', async () => {
    const before = await outboxCount(t.db);
    const b = new Browser(app);
    const cases: [Record<string, unknown>, string][] = [
      [{ authority: emailExam.authorityCode, name: '张三', idNumber: '110105199003071234' }, 'VALIDATION_FAILED'], // no captcha
      [{ authority: emailExam.authorityCode, name: '', idNumber: '110105199003071234', captchaId: 'x', captchaAnswer: 'y' }, 'VALIDATION_FAILED'],
      [{ authority: emailExam.authorityCode, name: '张三', idNumber: '1101 0519', captchaId: 'x', captchaAnswer: 'y' }, 'VALIDATION_FAILED'],
      [{ authority: emailExam.authorityCode, name: '张三', idNumber: '110105199003071234', captchaId: 'x', captchaAnswer: 'y' }, 'CAPTCHA_INVALID'],
    ];
    await b.captcha();
    for (const [body, code] of cases) {
      const r = await b.post('/api/v1/account-recoveries', body);
      expect(r.status).toBe(400);
      expect(r.body.error.code).toBe(code);
    }
    await composeAccountMail(ctx);
    expect(await outboxCount(t.db)).toBe(before);
  });
});

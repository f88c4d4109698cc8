import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { composeAccountMail } from '../../src/modules/accounts/account-mail-requests.ts';
import type { AppContext } from '../../src/modules/context.ts';
import { artifactPath, launchChromium, watchCaptchas } from '../support/browser.ts';
import { makeEmailExam, newResidentId } from '../support/email-accounts.ts';
import type { ExamFixture } from '../support/fixtures.ts';
import { freePort } from '../support/free-port.ts';
import { buildTestApp } from '../support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-db.ts';

let t: TestDatabase;
let app: FastifyInstance;
let ctx: AppContext;
let browser: Browser;
let exam: ExamFixture;
let base = '';

beforeAll(async () => {
  browser = await launchChromium();
  t = await createTestDatabase();
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  ({ app, ctx } = await buildTestApp(t, { publicBaseUrl: base, devMailPage: true }));
  await app.listen({ host: '127.0.0.1', port });
  exam = await makeEmailExam(t.db);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await t?.drop();
});

describe('通行证 on the plain page, mail read at /dev/mail (ACC-1, ACC-5)', () => {
  it('sign up → verify from the mailed link → sign in by e-mail → forgot password → reset from the mailed link → sign in with the new password', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, locale: 'zh-CN' });
    const captcha = watchCaptchas(page);
    const email = 'browser.cet@example.cn';

    await page.goto(base + '/classic');
    await page.click('a[href="#signup"]');
    await page.waitForSelector('#signup:not([hidden])');
    await page.fill('#su-authority', exam.authorityCode);
    await page.fill('#su-email', email);
    await page.fill('#su-password', 'Page2026!pass');
    await page.fill('#su-name', '韩梅梅');
    await page.fill('#su-idnumber', newResidentId());
    await captcha.fillCaptcha();
    await page.screenshot({ path: artifactPath('email-signup-phone.png'), fullPage: true });
    await page.click('#signup-form button[type=submit]');
    await page.waitForSelector('#notice:not([hidden])');
    expect(await page.textContent('#notice-text')).toContain('请查收邮件');

    await page.goto(base + '/dev/mail');
    await page.click('a[href*="#verify="]');
    await page.waitForSelector('#notice:not([hidden])');
    expect(await page.textContent('#notice-title')).toContain('邮箱已验证');
    expect(page.url()).not.toContain('verify=');

    await page.click('#notice button[data-go=signin]');
    await page.fill('#authority', exam.authorityCode);
    await page.fill('#idNumber', email);
    await page.fill('#password', 'Page2026!pass');
    await captcha.fillCaptcha();
    await page.click('#signin-form button[type=submit]');
    await page.waitForSelector('#home:not([hidden])');
    await expect.poll(() => page.textContent('#account-box')).toContain('已验证');
    await page.click('#signout');

    await page.click('a[href="#forgot"]');
    await page.waitForSelector('#forgot:not([hidden])');
    await page.fill('#fg-authority', exam.authorityCode);
    await page.fill('#fg-identifier', email);
    await captcha.fillCaptcha();
    await page.click('#forgot-form button[type=submit]');
    await page.waitForSelector('#notice:not([hidden])');
    expect(await page.textContent('#notice-text')).toContain('30分钟');
    await composeAccountMail(ctx); // the job's run

    await page.goto(base + '/dev/mail');
    await page.click('a[href*="#reset="]');
    await page.waitForSelector('#reset:not([hidden])');
    expect(page.url()).not.toContain('reset=');
    await page.fill('#rs-password', 'short');
    await page.fill('#rs-again', 'short');
    await page.click('#reset-form button[type=submit]');
    await expect.poll(() => page.textContent('#error')).toContain('新密码不符合要求');
    await page.fill('#rs-password', 'Newer2026!pass');
    await page.fill('#rs-again', 'Newer2026!pass');
    await page.click('#reset-form button[type=submit]');
    await page.waitForSelector('#notice:not([hidden])');
    expect(await page.textContent('#notice-title')).toContain('密码已重置');
    await page.screenshot({ path: artifactPath('email-reset-done-phone.png'), fullPage: true });

    await page.click('#notice button[data-go=signin]');
    await page.fill('#authority', exam.authorityCode);
    await page.fill('#idNumber', email);
    await page.fill('#password', 'Newer2026!pass');
    await captcha.fillCaptcha();
    await page.click('#signin-form button[type=submit]');
    await page.waitForSelector('#home:not([hidden])');
    await page.close();
  });
});

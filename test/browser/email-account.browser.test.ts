import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { FastifyInstance } from 'fastify';
import { composeAccountMail } from '../../src/modules/accounts/account-mail-requests.ts';
import type { AppContext } from '../../src/modules/context.ts';
import { checkAtBothSizes } from '../support/axe.ts';
import { artifactPath, launchChromium, watchCaptchas } from '../support/browser.ts';
import { makeEmailExam, newResidentId } from '../support/email-accounts.ts';
import type { ExamFixture } from '../support/fixtures.ts';
import { freePort } from '../support/free-port.ts';
import { buildTestApp } from '../support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-db.ts';

/** The page answers after a request: wait for it, generously, as the machine may be busy. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });

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

describe('通行证 on the web app\'s pages, mail read at /dev/mail (ACC-1, ACC-5, ACC-6)', () => {
  it('sign up → verify from the mailed link → sign in by e-mail → forgot password → reset from the mailed link → sign in with the new password', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, locale: 'zh-CN' });
    const captcha = watchCaptchas(page);
    const email = 'browser.cet@example.cn';

    await page.goto(base + '/sign-in');
    expect(await page.getByRole('link', { name: '注册通行证' }).getAttribute('href')).toBe('/sign-up');
    // Each page fetches its own captcha: let this one arrive before moving on, so answers are not crossed.
    await page.waitForSelector('#captcha-img[src^="data:image/svg"]');
    // Opened from the exam's notice, the page shows that exam's password rules before typing.
    await page.goto(base + `/sign-up?authority=${exam.authorityCode}&exam=CET`);
    await page.waitForSelector('#policy-rules li');
    expect(await page.inputValue('#authority')).toBe(exam.authorityCode);
    await page.fill('#email', email);
    await page.fill('#password', 'short');
    await page.fill('#name', '韩梅梅');
    await page.fill('#idNumber', newResidentId());
    await captcha.fillCaptcha();
    await page.getByRole('button', { name: '注 册' }).or(page.getByRole('button', { name: '注册' })).click();
    await poll(() => page.textContent('#error')).toContain('不符合要求');
    await page.waitForSelector('#policy-rules li.broken');
    expect(await page.textContent('#policy-rules li.broken')).toContain('未满足');
    await page.fill('#password', 'Page2026!pass');
    await captcha.fillCaptcha();
    await page.screenshot({ path: artifactPath('email-signup-phone.png'), fullPage: true });
    await checkAtBothSizes(page, 'sign-up', artifactPath);
    await page.getByRole('button', { name: '注 册' }).or(page.getByRole('button', { name: '注册' })).click();
    await page.waitForSelector('#notice-text');
    expect(await page.textContent('#notice-text')).toContain('请查收邮件');
    expect(await page.textContent('#notice-text')).toContain(email);
    await checkAtBothSizes(page, 'sign-up-sent', artifactPath);

    // Signed in before the address is verified: the account says so and how to fix it.
    await page.goto(base + '/sign-in?style=email');
    await page.fill('#authority', exam.authorityCode);
    await page.fill('#email', email);
    await page.fill('#password', 'Page2026!pass');
    await captcha.fillCaptcha();
    await page.click('#signin-submit');
    await page.waitForURL(base + '/sittings');
    await page.goto(base + '/account');
    await poll(() => page.textContent('#account-email')).toContain('未验证');
    expect(await page.textContent('main')).toContain('验证后才能报考科目');
    await checkAtBothSizes(page, 'account-email-unverified', artifactPath);
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.waitForURL(base + '/sign-in');

    await page.goto(base + '/dev/mail');
    await page.click('a[href*="/verify-email#token="]');
    await page.waitForSelector('#notice-title');
    expect(await page.textContent('#notice-title')).toContain('邮箱已验证');
    expect(page.url()).toBe(base + '/verify-email');
    await checkAtBothSizes(page, 'verify-email', artifactPath);
    // The link worked once: a Refresh does not send it again, and says what to do.
    await page.reload();
    await poll(() => page.textContent('#notice-title')).toContain('没有可用的验证链接');

    await page.getByRole('link', { name: '去登录' }).click();
    await page.waitForURL(base + '/sign-in');
    await page.getByRole('tab', { name: '通行证（邮箱）登录' }).click();
    await page.waitForURL(base + '/sign-in?style=email');
    expect(await page.inputValue('#authority')).toBe(exam.authorityCode);
    await page.fill('#email', email);
    await page.fill('#password', 'Page2026!pass');
    await captcha.fillCaptcha();
    await page.click('#signin-submit');
    await page.waitForURL(base + '/sittings');
    await page.goto(base + '/account');
    await poll(() => page.textContent('#account-email')).toContain('已验证');
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.waitForURL(base + '/sign-in');

    await page.getByRole('link', { name: '忘记密码' }).click();
    await page.waitForURL(base + '/forgot');
    await page.fill('#identifier', email);
    await captcha.fillCaptcha();
    await checkAtBothSizes(page, 'forgot', artifactPath);
    await page.getByRole('button', { name: '发送重置邮件' }).click();
    await page.waitForSelector('#notice-text');
    expect(await page.textContent('#notice-text')).toContain('30分钟');
    await composeAccountMail(ctx); // the job's run

    await page.goto(base + '/dev/mail');
    await page.click('a[href*="/reset#token="]');
    await page.waitForSelector('#password');
    expect(page.url()).toBe(base + '/reset');
    await page.fill('#password', 'short');
    await page.fill('#again', 'short');
    await page.getByRole('button', { name: '重置密码' }).click();
    await poll(() => page.textContent('#error')).toContain('新密码不符合要求');
    await checkAtBothSizes(page, 'reset-refused', artifactPath);
    // Refresh keeps the form usable: the token stays in this tab, not in the address.
    await page.reload();
    await page.waitForSelector('#password');
    expect(page.url()).toBe(base + '/reset');
    await page.fill('#password', 'Newer2026!pass');
    await page.fill('#again', 'Newer2026!pass');
    await page.getByRole('button', { name: '重置密码' }).click();
    await page.waitForSelector('#notice-title');
    expect(await page.textContent('#notice-title')).toContain('密码已重置');
    await page.screenshot({ path: artifactPath('email-reset-done-phone.png'), fullPage: true });

    await page.getByRole('link', { name: '去登录' }).click();
    await page.getByRole('tab', { name: '通行证（邮箱）登录' }).click();
    await page.fill('#email', email);
    await page.fill('#password', 'Newer2026!pass');
    await captcha.fillCaptcha();
    await page.click('#signin-submit');
    await page.waitForURL(base + '/sittings');
    await page.close();
  });

  it('找回已报名账号: name + ID number → the answer in the server\'s words, the same whether or not they match', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const captcha = watchCaptchas(page);
    await page.goto(base + `/recover?authority=${exam.authorityCode}`);
    await page.fill('#name', '无此人');
    await page.fill('#idNumber', newResidentId());
    await captcha.fillCaptcha();
    await checkAtBothSizes(page, 'recover', artifactPath);
    await page.getByRole('button', { name: '找 回' }).or(page.getByRole('button', { name: '找回' })).click();
    await page.waitForSelector('#notice-text, #error', { timeout: 10_000 });
    expect(await page.locator('#error').count() ? await page.textContent('#error') : '').toBe('');
    expect(await page.textContent('#notice-text')).toContain('如果姓名和证件号码与某个账号一致');
    await page.close();
  });
});

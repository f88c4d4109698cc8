import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.ts';
import { formatShanghai } from '../../src/shared/time.ts';
import { checkAtBothSizes } from '../support/axe.ts';
import { makeCandidate, makeExam, type ExamFixture } from '../support/fixtures.ts';
import { artifactPath, launchChromium, watchCaptchas } from '../support/browser.ts';
import { buildTestApp } from '../support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-db.ts';

/** The page answers after a request: wait for it, generously, as the machine may be busy. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });

let t: TestDatabase;
let app: FastifyInstance;
let browser: Browser;
let baseUrl: string;
let exam: ExamFixture;
const clock = new ManualClock('2026-03-15T01:00:00Z');

beforeAll(async () => {
  browser = await launchChromium();
  t = await createTestDatabase();
  ({ app } = await buildTestApp(t, { clock }));
  // Fastify answers with the address it bound: http://127.0.0.1:<port>.
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  exam = await makeExam(t.db);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await t?.drop();
});

async function signInOnPage(page: Page, fillCaptcha: () => Promise<void>, idNumber: string, password: string) {
  await page.fill('#authority', exam.authorityCode);
  await page.fill('#idNumber', idNumber);
  await page.fill('#password', password);
  await fillCaptcha();
  await page.click('#signin-submit');
}

describe('the sign-in and change-password pages of the web app explain the refusals (ACC-1, ACC-3, ACC-4, ACC-7)', () => {
  it('a wrong check digit is named; wrong passwords count down; the lockout shows until when and disables the button', async () => {
    const c = await makeCandidate(t.db, exam);
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, locale: 'zh-CN' });
    const captcha = watchCaptchas(page);
    await page.goto(baseUrl + '/sign-in');
    await page.waitForSelector('#captcha-img[src^="data:image/svg"]');
    await checkAtBothSizes(page, 'sign-in', artifactPath);

    // The captcha image can be replaced; the new one is the one that counts.
    const first = await page.getAttribute('#captcha-img', 'src');
    await page.getByRole('button', { name: '换一张' }).click();
    await poll(() => page.getAttribute('#captcha-img', 'src')).not.toBe(first);

    const wrongCheck = c.idNumber.slice(0, 17) + (c.idNumber[17] === '0' ? '1' : '0');
    await signInOnPage(page, captcha.fillCaptcha, wrongCheck, 'Wrong2026x');
    await poll(() => page.textContent('#error')).toContain('校验码');
    await checkAtBothSizes(page, 'sign-in-refused', artifactPath);
    for (let left = 4; left >= 1; left--) {
      await signInOnPage(page, captcha.fillCaptcha, c.idNumber, 'Wrong2026x');
      await poll(() => page.textContent('#error')).toContain(`还可尝试 ${left} 次`);
    }
    await signInOnPage(page, captcha.fillCaptcha, c.idNumber, 'Wrong2026x');
    const until = formatShanghai(new Date(clock.now().getTime() + 15 * 60_000));
    await page.waitForSelector('#lockout');
    expect(await page.textContent('#lockout')).toContain(`请于北京时间 ${until} 后再试`);
    expect(await page.textContent('#lockout')).toMatch(/还需 1[45] 分 \d+ 秒/);
    expect(await page.textContent('#error')).toContain(until);
    expect(await page.isDisabled('#signin-submit')).toBe(true);
    await page.screenshot({ path: artifactPath('sign-in-locked-phone.png'), fullPage: true });
    await page.close();
  });

  it('in English, the same page and the server\'s refusal in English', async () => {
    const c = await makeCandidate(t.db, exam);
    const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
    const captcha = watchCaptchas(page);
    await page.goto(baseUrl + '/sign-in?lang=en');
    await poll(() => page.textContent('h1')).toBe('Candidate sign-in');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await signInOnPage(page, captcha.fillCaptcha, c.idNumber, 'Wrong2026x');
    await poll(() => page.textContent('#error')).toContain('The ID number or password is incorrect.');
    expect(await page.textContent('#error')).toContain('4 attempts left');
    await checkAtBothSizes(page, 'sign-in-english', artifactPath);
    await page.getByRole('tab', { name: '通行证 (e-mail)' }).click();
    await page.waitForSelector('#email');
    expect(await page.textContent('main')).toContain('Exams with e-mail accounts');
    await page.close();
  });

  it('a wrong captcha is refused in words and a new image comes; a bad ?next= stays on this site', async () => {
    const c = await makeCandidate(t.db, exam);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const captcha = watchCaptchas(page);
    await page.goto(baseUrl + '/sign-in?next=//evil.example/x');
    await page.waitForSelector('#captcha-img[src^="data:image/svg"]');
    const before = await page.getAttribute('#captcha-img', 'src');
    await page.fill('#authority', exam.authorityCode);
    await page.fill('#idNumber', c.idNumber);
    await page.fill('#password', c.password);
    await page.fill('#captcha', 'WRONG');
    await page.click('#signin-submit');
    await poll(() => page.textContent('#error')).toContain('验证码不正确');
    expect(await page.getAttribute('#captcha-img', 'src')).not.toBe(before);
    expect(await page.inputValue('#captcha')).toBe('');
    await captcha.fillCaptcha();
    await page.click('#signin-submit');
    await page.waitForURL(baseUrl + '/sittings');
    await page.close();
  });

  it('the forced change lists the exam\'s rules from the API and marks the ones a refused password broke; then ?next= brings the candidate back', async () => {
    const c = await makeCandidate(t.db, exam, { mustChangePassword: true });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const captcha = watchCaptchas(page);
    // A signed-in page asked for first: sign-in, then the forced change, then back to it.
    await page.goto(baseUrl + '/account');
    await page.waitForURL(/\/sign-in\?next=%2Faccount$/);
    await signInOnPage(page, captcha.fillCaptcha, c.idNumber, c.password);
    await page.waitForURL(/\/account\/password\?next=%2Faccount$/);
    await page.waitForSelector('#policy-rules li');
    const rules = await page.$$eval('#policy-rules li', (lis) => lis.map((li) => li.textContent ?? ''));
    expect(rules[0]).toContain('长度为 8–16 位');
    expect(rules.some((r) => r.includes('常见密码'))).toBe(true);
    expect(await page.textContent('h1')).toContain('首次登录请修改密码');
    await checkAtBothSizes(page, 'change-password', artifactPath);
    // Nothing else opens before the change (the server refuses it; the page sends the candidate back).
    await page.goto(baseUrl + '/sittings');
    await page.waitForURL(/\/account\/password\?next=%2Fsittings$/);
    await page.goto(baseUrl + '/account/password?next=%2Faccount');
    await page.waitForSelector('#policy-rules li');

    await page.fill('#current', c.password);
    await page.fill('#next', 'Woaini1314');
    await page.fill('#again', 'Woaini1314');
    await page.click('#password-submit');
    await page.waitForSelector('#policy-rules li.broken');
    expect(await page.$$eval('#policy-rules li.broken', (lis) => lis.map((li) => li.dataset.codes))).toEqual(['COMMON_PASSWORD']);
    expect(await page.textContent('#policy-rules li.broken')).toContain('未满足');
    expect(await page.textContent('#error')).toContain('不能是常见密码');
    await page.screenshot({ path: artifactPath('change-password-refused-desktop.png'), fullPage: true });
    await checkAtBothSizes(page, 'change-password-refused', artifactPath);
    await page.fill('#next', 'Kp7wq2mz!');
    await page.fill('#again', 'Kp7wq2mz!');
    await page.click('#password-submit');
    await page.waitForURL(baseUrl + '/account');

    // The account page: name, masked ID number, and the contact e-mail (ACC-5).
    await poll(() => page.textContent('main')).toContain('账户信息');
    const main = (await page.textContent('main')) ?? '';
    expect(main).not.toContain(c.idNumber);
    expect(main).toContain(c.idNumber.slice(-4));
    expect(main).toContain('未设置');
    await checkAtBothSizes(page, 'account', artifactPath);
    await page.fill('#email', 'contact.page@example.cn');
    await page.fill('#currentPassword', 'Kp7wq2mz!');
    await page.getByRole('button', { name: '发送确认邮件' }).click();
    await poll(() => page.textContent('main')).toContain('确认邮件已发送到 contact.page@example.cn');
    // The address counts only once its link is opened: until then the account shows none.
    expect(await page.textContent('#account-email')).toContain('未设置');

    // A voluntary change shows the same rules and says it is done.
    await page.getByRole('link', { name: '修改密码' }).first().click();
    await page.waitForURL(baseUrl + '/account/password');
    await poll(() => page.textContent('h1')).toContain('修改密码');
    await page.fill('#current', 'Kp7wq2mz!');
    await page.fill('#next', 'Zq8wn3vx!');
    await page.fill('#again', 'Zq8wn3vx!');
    await page.click('#password-submit');
    await poll(() => page.textContent('main')).toContain('密码已修改');
    await page.close();
  });
});

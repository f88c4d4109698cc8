import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.ts';
import { formatShanghai } from '../../src/shared/time.ts';
import { makeCandidate, makeExam, type ExamFixture } from '../support/fixtures.ts';
import { artifactPath, launchChromium, watchCaptchas } from '../support/browser.ts';
import { buildTestApp } from '../support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-db.ts';

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
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
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
  await page.click('#signin-form button[type=submit]');
}

describe('the sign-in and change-password forms explain the new refusals (ACC-1, ACC-3, ACC-7)', () => {
  it('a wrong check digit is named; wrong passwords count down; the lockout shows until when and disables the button', async () => {
    const c = await makeCandidate(t.db, exam);
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, locale: 'zh-CN' });
    const captcha = watchCaptchas(page);
    await page.goto(baseUrl + '/classic');
    await page.waitForSelector('#signin:not([hidden])');
    const wrongCheck = c.idNumber.slice(0, 17) + (c.idNumber[17] === '0' ? '1' : '0');
    await signInOnPage(page, captcha.fillCaptcha, wrongCheck, 'Wrong2026x');
    await expect.poll(() => page.textContent('#error')).toContain('校验码');
    for (let left = 4; left >= 1; left--) {
      await signInOnPage(page, captcha.fillCaptcha, c.idNumber, 'Wrong2026x');
      await expect.poll(() => page.textContent('#error')).toContain(`还可尝试 ${left} 次`);
    }
    await signInOnPage(page, captcha.fillCaptcha, c.idNumber, 'Wrong2026x');
    const until = formatShanghai(new Date(clock.now().getTime() + 15 * 60_000));
    await page.waitForSelector('#lockout:not([hidden])');
    expect(await page.textContent('#lockout')).toContain(`请于北京时间 ${until} 后再试`);
    expect(await page.textContent('#error')).toContain(until);
    expect(await page.isDisabled('#signin-submit')).toBe(true);
    await page.screenshot({ path: artifactPath('sign-in-locked-phone.png'), fullPage: true });
    await page.close();
  });

  it('the change-password form lists the exam\'s rules from the API and marks the ones a refused password broke', async () => {
    const c = await makeCandidate(t.db, exam, { mustChangePassword: true });
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: 'zh-CN' });
    const captcha = watchCaptchas(page);
    await page.goto(baseUrl + '/classic');
    await page.waitForSelector('#signin:not([hidden])');
    await signInOnPage(page, captcha.fillCaptcha, c.idNumber, c.password);
    await page.waitForSelector('#change:not([hidden]) #policy-rules li');
    const rules = await page.$$eval('#policy-rules li', (lis) => lis.map((li) => li.textContent ?? ''));
    expect(rules[0]).toContain('长度为 8–16 位');
    expect(rules.some((r) => r.includes('常见密码'))).toBe(true);
    await page.fill('#current', c.password);
    await page.fill('#next', 'Woaini1314');
    await page.click('#change-form button[type=submit]');
    await page.waitForSelector('#policy-rules li.broken');
    expect(await page.$$eval('#policy-rules li.broken', (lis) => lis.map((li) => li.dataset.codes))).toEqual(['COMMON_PASSWORD']);
    expect(await page.textContent('#error')).toContain('不能是常见密码');
    await page.screenshot({ path: artifactPath('change-password-refused-desktop.png'), fullPage: true });
    await page.fill('#next', 'Kp7wq2mz!');
    await page.click('#change-form button[type=submit]');
    await page.waitForSelector('#home:not([hidden])');
    await page.close();
  });
});

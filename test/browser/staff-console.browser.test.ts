import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { artifactPath, launchChromium, watchCaptchas } from '../support/browser.ts';
import { makeExam, type ExamFixture } from '../support/fixtures.ts';
import { makeInstitution, makeStaff } from '../support/staff-fixtures.ts';
import { buildTestApp } from '../support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-db.ts';

let t: TestDatabase;
let app: FastifyInstance;
let browser: Browser;
let baseUrl: string;
let exam: ExamFixture;

beforeAll(async () => {
  browser = await launchChromium();
  t = await createTestDatabase();
  ({ app } = await buildTestApp(t));
  // Fastify answers with the address it bound: http://127.0.0.1:<port>.
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  exam = await makeExam(t.db);
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await t?.drop();
});

describe('console sign-in (ADM-5, ACC-4)', () => {
  it('an administrator is sent to sign in, changes the initial password first, then lands where they were going', async () => {
    const admin = await makeStaff(t.db, exam, 'AUTHORITY_ADMIN', { mustChangePassword: true });
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const captcha = watchCaptchas(page);
    await page.goto(`${baseUrl}/admin`);
    await page.waitForURL(/\/admin\/sign-in\?next=%2Fadmin$/);
    await page.fill('#staff-authority', exam.authorityCode);
    await page.fill('#staff-login', admin.loginName);
    await page.fill('#staff-password', 'wrong-password-1');
    await captcha.fillCaptcha();
    await page.screenshot({ path: artifactPath('console-sign-in-desktop.png'), fullPage: true });
    await page.click('button[type=submit]');
    // The server's own words, and a new captcha (the old one answered once).
    await expect.poll(() => page.textContent('[role=alert]')).toMatch(/密码|账号/);
    await page.fill('#staff-password', admin.password);
    await captcha.fillCaptcha();
    await page.click('button[type=submit]');
    await page.waitForURL(/\/admin\/password/);
    await page.fill('#staff-current-password', admin.password);
    await page.fill('#staff-new-password', 'Console2026ok');
    await page.fill('#staff-new-password-again', 'Console2026ok');
    await page.click('button[type=submit]');
    await page.waitForURL(`${baseUrl}/admin`);
    await expect.poll(() => page.textContent('main')).toContain(admin.loginName);
    expect(await t.db.selectFrom('staff_account').select('must_change_password').where('id', '=', admin.staffId).executeTakeFirstOrThrow()).toEqual({ must_change_password: false });
    await page.screenshot({ path: artifactPath('console-home-desktop.png'), fullPage: true });
    // Refresh keeps the session (server-side), sign-out ends it.
    await page.reload();
    await expect.poll(() => page.textContent('main')).toContain(admin.loginName);
    await page.getByRole('button', { name: '退出登录' }).click();
    await page.waitForURL(/\/admin\/sign-in/);
    await page.goto(`${baseUrl}/admin`);
    await page.waitForURL(/\/admin\/sign-in/);
    await page.close();
  });

  it('institution staff sign in to their own console, not the authority\'s', async () => {
    const inst = await makeInstitution(t.db, exam.authorityId);
    const staff = await makeStaff(t.db, exam, 'INSTITUTION_STAFF', { institutionId: inst.institutionId });
    const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
    const captcha = watchCaptchas(page);
    await page.goto(`${baseUrl}/admin/sign-in`);
    await page.fill('#staff-authority', exam.authorityCode);
    await page.fill('#staff-login', staff.loginName);
    await page.fill('#staff-password', staff.password);
    await captcha.fillCaptcha();
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('[role=alert]')).toBeTruthy();
    expect(page.url()).toContain('/admin/sign-in');
    await page.goto(`${baseUrl}/institution/sign-in`);
    await page.fill('#staff-authority', exam.authorityCode);
    await page.fill('#staff-login', staff.loginName);
    await page.fill('#staff-password', staff.password);
    await captcha.fillCaptcha();
    await page.screenshot({ path: artifactPath('institution-sign-in-phone.png'), fullPage: true });
    await page.click('button[type=submit]');
    await page.waitForURL(`${baseUrl}/institution`);
    await page.close();
  });
});

import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/shared/clock.ts';
import { checkAtBothSizes } from '../support/axe.ts';
import { artifactPath, launchChromium, signInToConsole, watchCaptchas } from '../support/browser.ts';
import { makeCandidate, makeExam, type ExamFixture } from '../support/fixtures.ts';
import { makeInstitution, makeStaff, type StaffFixture } from '../support/staff-fixtures.ts';
import { buildTestApp } from '../support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-db.ts';

/** The page answers after a request: wait for it, generously, as the machine may be busy. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });

let t: TestDatabase;
let app: FastifyInstance;
let browser: Browser;
let baseUrl: string;
const clock = new ManualClock('2026-03-15T01:00:00Z');

beforeAll(async () => {
  browser = await launchChromium();
  t = await createTestDatabase();
  ({ app } = await buildTestApp(t, { clock }));
  // Fastify answers with the address it bound: http://127.0.0.1:<port>.
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await t?.drop();
});

/**
 * Seed 000's 统考 in its registration window: 大学英语A, 计算机应用基础 (already passed), 大学语文A
 * (exempt); a learning centre, its staff member, and one of its candidates with nothing registered.
 */
async function world() {
  const exam: ExamFixture = await makeExam(t.db, { fees: [7000n, 8000n, 7000n] });
  const [english, computing, chinese] = exam.subjectIds as [bigint, bigint, bigint];
  for (const [id, name] of [[english, '大学英语A'], [computing, '计算机应用基础'], [chinese, '大学语文A']] as const) await t.db.updateTable('subject').set({ name }).where('id', '=', id).execute();
  await t.db.insertInto('sitting_window').values({ sitting_id: exam.sittingId, kind: 'REGISTRATION', opens_at: new Date('2026-03-01T01:00:00Z'), closes_at: new Date('2026-03-25T09:00:00Z') }).execute();
  const centre = await makeInstitution(t.db, exam.authorityId, 'LEARNING_CENTRE');
  const c = await makeCandidate(t.db, exam);
  await t.db.updateTable('registration').set({ status: 'CANCELLED', cancelled_at: clock.now(), cancelled_reason: 'CANDIDATE' }).where('candidate_id', '=', c.candidateId).execute();
  await t.db.updateTable('candidate').set({ institution_id: centre.institutionId }).where('id', '=', c.candidateId).execute();
  await t.db.insertInto('candidate_subject_standing').values([
    { candidate_id: c.candidateId, subject_id: computing, status: 'PASSED' },
    { candidate_id: c.candidateId, subject_id: chinese, status: 'EXEMPT' },
  ]).execute();
  const { name } = await t.db.selectFrom('candidate').select('name').where('id', '=', c.candidateId).executeTakeFirstOrThrow();
  const staff = await makeStaff(t.db, exam, 'INSTITUTION_STAFF', { institutionId: centre.institutionId });
  return { exam, c, name, staff, ids: { english, computing, chinese } };
}

async function candidateSignIn(page: Page, w: Awaited<ReturnType<typeof world>>, next: string) {
  const captcha = watchCaptchas(page);
  await page.goto(`${baseUrl}${next}`);
  await page.waitForURL(/\/sign-in\?next=/);
  await page.fill('#authority', w.exam.authorityCode);
  await page.fill('#idNumber', w.c.idNumber);
  await page.fill('#password', w.c.password);
  await captcha.fillCaptcha();
  await page.click('#signin-submit');
  await page.waitForURL(`${baseUrl}${next}`);
}

async function consoleSignIn(page: Page, s: StaffFixture) {
  await signInToConsole(page, `${baseUrl}/institution/appeals`, s);
}

const card = (page: Page, subjectCode: string) => page.locator(`[data-subject="${subjectCode}"]`);

describe('appeals and the student record in the browser (ORG-2, seed 000, issue 7 item 1)', () => {
  it('the record shows passed/exempt subjects; a subject appeal holds the subject back (reason shown) until the learning centre rejects, then accepts, another; the candidate sees each outcome', async () => {
    const w = await world();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    await candidateSignIn(page, w, '/records');

    // 学籍与报考资格: passed and exempt subjects, in the server's facts.
    await poll(() => page.textContent('main')).toContain('学籍与报考资格');
    expect(await card(page, 'S1').textContent()).toContain('已通过');
    expect(await card(page, 'S2').textContent()).toContain('免考');
    expect(await card(page, 'S0').textContent()).toContain('未报考');
    expect(await page.textContent('main')).toContain(w.name);
    expect(await page.textContent('main')).not.toContain(w.c.idNumber);
    await checkAtBothSizes(page, 'student-record', artifactPath);

    // File a 报考科目申诉 about 大学英语A (preselected from the address: Back and Refresh keep it).
    await page.goto(`${baseUrl}/appeals?subject=${w.ids.english}`);
    await poll(() => page.textContent('main')).toContain('提交报考科目申诉');
    await poll(() => page.locator('.ant-select').first().textContent()).toContain('大学英语A');
    await page.getByLabel('申诉说明').fill('学习中心把我的大学英语A报错了');
    await page.getByRole('button', { name: '提交申诉' }).click();
    await poll(() => page.locator('[data-testid="appeal-row"]').count()).toBe(1);
    expect(await page.locator('[data-testid="appeal-row"]').getAttribute('data-state')).toBe('PENDING');
    expect(await page.locator('[data-testid="appeal-row"]').textContent()).toContain('待处理');
    await checkAtBothSizes(page, 'my-appeals', artifactPath);

    // Meanwhile the registration page says why 大学英语A cannot be registered (the server's verdict).
    await page.goto(`${baseUrl}/sittings/${w.exam.sittingId}`);
    await poll(() => card(page, 'S0').locator('[data-reason]').first().getAttribute('data-reason')).toBe('SUBJECT_APPEAL_PENDING');
    expect(await card(page, 'S0').textContent()).toContain('申诉');
    await page.goto(`${baseUrl}/records`);
    await poll(() => card(page, 'S0').locator('[data-testid="appeal-pending"]').count()).toBe(1);

    // The learning centre's console: reject with a reason (none → the button waits for one).
    const staffPage = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    await consoleSignIn(staffPage, w.staff);
    const row = () => staffPage.locator('tr', { hasText: w.name });
    await poll(() => row().count()).toBe(1);
    expect(await row().textContent()).toContain('大学英语A');
    expect(await row().textContent()).toContain('学习中心把我的大学英语A报错了');
    await checkAtBothSizes(staffPage, 'console-appeals', artifactPath);
    await row().getByRole('button', { name: '不予受理', exact: true }).click();
    const dialog = staffPage.getByRole('dialog');
    expect(await dialog.getByRole('button', { name: '不予受理' }).isDisabled()).toBe(true);
    await dialog.getByLabel('原因（考生可见，必填）').fill('经核对，报考科目与您的申请一致');
    await dialog.getByRole('button', { name: '不予受理' }).click();
    await poll(() => row().count()).toBe(0);
    await staffPage.getByText('不予受理', { exact: true }).first().click();
    await staffPage.waitForURL(/state=REJECTED/);
    await poll(() => row().textContent()).toContain('经核对，报考科目与您的申请一致');

    // The candidate sees the outcome and its reason; the subject is free again.
    await page.goto(`${baseUrl}/appeals`);
    await poll(() => page.locator('[data-testid="appeal-row"]').first().getAttribute('data-state')).toBe('REJECTED');
    expect(await page.locator('[data-testid="appeal-row"]').first().textContent()).toContain('经核对，报考科目与您的申请一致');
    await page.goto(`${baseUrl}/sittings/${w.exam.sittingId}`);
    await poll(() => card(page, 'S0').textContent()).not.toContain('申诉');

    // A second appeal, accepted this time.
    await page.goto(`${baseUrl}/appeals?subject=${w.ids.english}`);
    await poll(() => page.locator('.ant-select').first().textContent()).toContain('大学英语A');
    await page.getByLabel('申诉说明').fill('再次申诉：应为大学英语B');
    await page.getByRole('button', { name: '提交申诉' }).click();
    await poll(() => page.locator('[data-testid="appeal-row"][data-state="PENDING"]').count()).toBe(1);
    await staffPage.getByText('待处理', { exact: true }).first().click();
    await poll(() => row().count()).toBe(1);
    await row().getByRole('button', { name: '受理', exact: true }).click();
    await poll(() => row().count()).toBe(0);
    await page.reload();
    await poll(() => page.locator('[data-testid="appeal-row"]').first().getAttribute('data-state')).toBe('ACCEPTED');
    expect(await page.locator('[data-testid="appeal-row"]').first().textContent()).toContain('已受理');
    await checkAtBothSizes(page, 'my-appeals-decided', artifactPath);
    await staffPage.close();
    await page.close();
  }, 180_000);

  it('关联申诉 without signing in: the form (captcha) answers the same words whatever matched; the appeal reaches the learning centre', async () => {
    const w = await world();
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, locale: 'zh-CN' });
    const captcha = watchCaptchas(page);
    // Found where a locked-out owner looks: under the sign-in form.
    await page.goto(`${baseUrl}/sign-in`);
    await page.getByRole('link', { name: /关联申诉/ }).click();
    await page.waitForURL(/\/link-appeal$/);
    await poll(() => page.textContent('main')).toContain('关联申诉');
    await checkAtBothSizes(page, 'link-appeal', artifactPath);
    await page.getByLabel('考试机构代码').fill(w.exam.authorityCode);
    await page.getByLabel('姓名').fill(w.name);
    await page.getByLabel('证件号码').fill(w.c.idNumber);
    await page.getByLabel('接收结果的邮箱').fill('owner@example.com');
    await page.getByLabel('申诉说明').fill('我的身份证被别人注册了账号');
    await captcha.fillCaptcha();
    await page.getByRole('button', { name: '提交关联申诉' }).click();
    await poll(() => page.locator('#link-appeal-answer').textContent()).toContain('请查收邮件');
    const rows = await t.db.selectFrom('appeal').select(['kind', 'state', 'institution_id']).where('candidate_id', '=', w.c.candidateId).execute();
    expect(rows).toEqual([{ kind: 'LINK', state: 'PENDING', institution_id: w.staff.institutionId }]);
    await page.close();
  }, 120_000);
});

import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { releaseStaleSeatHoldsJob } from '../../src/jobs/release-stale-seat-holds.job.ts';
import { sealIdNumber } from '../../src/modules/accounts/candidate-identity.ts';
import type { AppContext } from '../../src/modules/context.ts';
import { decideReview } from '../../src/modules/registration/eligibility-review.ts';
import { provisionSeats } from '../../src/modules/registration/seat-holds.sql.ts';
import { ManualClock, MINUTE } from '../../src/shared/clock.ts';
import { checkAtBothSizes } from '../support/axe.ts';
import { artifactPath, launchChromium, watchCaptchas } from '../support/browser.ts';
import { makeCandidate, makeExam } from '../support/fixtures.ts';
import { buildTestApp } from '../support/test-app.ts';
import { TEST_PERSONAL_DATA } from '../support/test-keys.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-db.ts';

/** The page answers after a request: wait for it, generously, as the machine may be busy. */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });

let t: TestDatabase;
let app: FastifyInstance;
let ctx: AppContext;
let browser: Browser;
let baseUrl: string;
const clock = new ManualClock('2026-03-15T01:00:00Z');

beforeAll(async () => {
  browser = await launchChromium();
  t = await createTestDatabase();
  ({ app, ctx } = await buildTestApp(t, { clock }));
  // Fastify answers with the address it bound: http://127.0.0.1:<port>.
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await t?.drop();
});

/**
 * A CET-like sitting in its registration window: 英语笔试 with seats at two sites and times,
 * its 英语口试 (written before oral), 大学英语A/B excluding each other, CET6 needing a review;
 * a candidate who has registered 大学英语A only.
 */
async function sittingWorld() {
  const exam = await makeExam(t.db, { fees: [8000n, 5000n, 6000n, 6000n, 3000n] });
  const [written, oral, engA, engB, cet6] = exam.subjectIds as [bigint, bigint, bigint, bigint, bigint];
  const names: [bigint, string][] = [[written, '英语笔试'], [oral, '英语口试'], [engA, '大学英语A'], [engB, '大学英语B'], [cet6, 'CET6笔试']];
  for (const [id, name] of names) await t.db.updateTable('subject').set({ name }).where('id', '=', id).execute();
  await t.db.updateTable('subject').set({ kind: 'ORAL', written_subject_id: written }).where('id', '=', oral).execute();
  await t.db.updateTable('subject').set({ exclusion_group: 'ENGLISH' }).where('id', 'in', [engA, engB]).execute();
  await t.db.updateTable('subject').set({ requires_review: true }).where('id', '=', cet6).execute();
  await t.db.updateTable('exam').set({ cet6_review_threshold: 425, seat_hold_minutes: 10 }).where('id', '=', exam.examId).execute();
  await t.db.insertInto('sitting_window').values({ sitting_id: exam.sittingId, kind: 'REGISTRATION', opens_at: new Date('2026-03-01T01:00:00Z'), closes_at: new Date('2026-03-25T09:00:00Z') }).execute();
  const [site1, site2] = await t.db.insertInto('site').values([{ sitting_id: exam.sittingId, code: 'S1', name: '第一考点' }, { sitting_id: exam.sittingId, code: 'S2', name: '第二考点' }]).returning('id').execute();
  const [am, pm] = await t.db.insertInto('slot').values([
    { sitting_id: exam.sittingId, code: 'AM', starts_at: new Date('2026-04-11T01:00:00Z'), ends_at: new Date('2026-04-11T03:00:00Z') },
    { sitting_id: exam.sittingId, code: 'PM', starts_at: new Date('2026-04-11T06:00:00Z'), ends_at: new Date('2026-04-11T08:00:00Z') },
  ]).returning('id').execute();
  for (const [site, slot, capacity] of [[site1!.id, am!.id, 5], [site2!.id, pm!.id, 3]] as const) {
    const pool = await t.db.insertInto('seat_pool').values({ site_id: site, slot_id: slot, subject_id: written, capacity }).returning('id').executeTakeFirstOrThrow();
    await t.db.transaction().execute((trx) => provisionSeats(trx, pool.id, capacity));
  }
  const c = await makeCandidate(t.db, exam);
  await t.db.updateTable('registration').set({ status: 'CANCELLED', cancelled_at: clock.now(), cancelled_reason: 'CANDIDATE' })
    .where('candidate_id', '=', c.candidateId).where('subject_id', '!=', engA).execute();
  const me = await t.db.selectFrom('candidate').select('name').where('id', '=', c.candidateId).executeTakeFirstOrThrow();
  return { exam, c, name: me.name, ids: { written, oral, engA, engB, cet6 } };
}

const card = (page: Page, subjectCode: string) => page.locator(`[data-subject="${subjectCode}"]`);
const mine = (page: Page, subjectCode: string) => page.locator(`[data-registration="${subjectCode}"]`);

/** What the focus checks read of the page (the test project has no DOM types; this runs in the browser). */
interface FocusProbe {
  document: { activeElement: { matches(selector: string): boolean; checked?: boolean } | null };
  getComputedStyle(element: unknown): { outlineStyle: string; outlineWidth: string; boxShadow: string };
}

/** Tab (only the keyboard) until the focused element matches `selector`. */
async function tabTo(page: Page, selector: string, max = 80) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((sel) => (globalThis as unknown as FocusProbe).document.activeElement?.matches(sel) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

describe('the registration pages (REG-1 … REG-7, PAY-1)', () => {
  it('written before oral, exclusions and the review are explained; register with a slot, change it, delete, seat released, confirm into a bill', async () => {
    const w = await sittingWorld();
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, locale: 'zh-CN' });
    const captcha = watchCaptchas(page);
    await page.goto(baseUrl + '/sittings');
    await page.waitForURL(/\/sign-in\?next=%2Fsittings$/);
    await page.fill('#authority', w.exam.authorityCode);
    await page.fill('#idNumber', w.c.idNumber);
    await page.fill('#password', w.c.password);
    await captcha.fillCaptcha();
    await page.click('#signin-submit');
    await page.waitForURL(baseUrl + '/sittings');

    // The sittings with their windows in Beijing time.
    await poll(() => page.textContent('main')).toContain('网上报名进行中');
    expect(await page.textContent('main')).toContain('网上报名：2026-03-01 09:00:00 — 2026-03-25 17:00:00');
    await checkAtBothSizes(page, 'sittings', artifactPath);
    await page.getByRole('link', { name: '进入2026年3月报名' }).click();
    await page.waitForURL(`${baseUrl}/sittings/${w.exam.sittingId}`);

    // Every subject with the server's verdict, in words.
    await page.waitForSelector('[data-subject="S1"] .reason');
    expect(await card(page, 'S1').locator('.reason').getAttribute('data-reason')).toBe('WRITTEN_BEFORE_ORAL');
    expect(await card(page, 'S1').textContent()).toContain('需先报考笔试《英语笔试》');
    expect(await card(page, 'S3').locator('.reason').getAttribute('data-reason')).toBe('EXCLUSIVE_SUBJECT_CONFLICT');
    expect(await card(page, 'S3').textContent()).toContain('与您已报考或已通过的《大学英语A》互斥');
    expect(await card(page, 'S4').locator('.reason').getAttribute('data-reason')).toBe('REVIEW_REQUIRED');
    expect(await card(page, 'S2').textContent()).toContain('已报考');
    expect(await card(page, 'S0').textContent()).toContain('第一考点 · 2026-04-11 09:00:00 — 11:00:00 · 余 5 / 5 座');
    await checkAtBothSizes(page, 'sitting', artifactPath);

    // No slot chosen: the server's refusal is shown. Then with a slot: a seat is held.
    await card(page, 'S0').getByRole('button', { name: '报考 英语笔试' }).click();
    await poll(() => page.textContent('#error')).toContain('请选择考点和考试时间');
    await card(page, 'S0').getByLabel(/第一考点/).check();
    await card(page, 'S0').getByRole('button', { name: '报考 英语笔试' }).click();
    await poll(() => page.textContent('main')).toContain('报考成功');
    await poll(() => mine(page, 'S0').textContent()).toContain('第一考点 · 2026-04-11 09:00:00 · 座位 1');
    expect(await mine(page, 'S0').textContent()).toContain('未缴费');
    // Now the oral subject can be registered.
    await poll(() => card(page, 'S1').getByRole('button', { name: '报考 英语口试' }).count()).toBe(1);
    await card(page, 'S1').getByRole('button', { name: '报考 英语口试' }).click();
    await poll(() => mine(page, 'S1').count()).toBe(1);
    await checkAtBothSizes(page, 'sitting-registered', artifactPath);

    // Change the slot: the other site and time, with its free seats.
    await mine(page, 'S0').getByRole('button', { name: '修改《英语笔试》考试时间' }).click();
    expect(await mine(page, 'S0').textContent()).toContain('第二考点 · 2026-04-11 14:00:00 — 16:00:00 · 余 3 / 3 座');
    await mine(page, 'S0').getByLabel(/第二考点/).check();
    await mine(page, 'S0').getByRole('button', { name: '保存考试时间' }).click();
    await poll(() => mine(page, 'S0').textContent()).toContain('第二考点 · 2026-04-11 14:00:00 · 座位 1');
    expect(await page.textContent('main')).toContain('考试时间已修改');

    // Delete the unpaid oral registration; and 大学英语A, after which B is no longer excluded.
    await mine(page, 'S1').getByRole('button', { name: '删除《英语口试》' }).click();
    await page.locator('.ant-popconfirm').getByRole('button', { name: /删\s*除/ }).click();
    await poll(() => mine(page, 'S1').count()).toBe(0);
    expect(await page.textContent('main')).toContain('该报考已删除，座位已释放');
    await mine(page, 'S2').getByRole('button', { name: '删除《大学英语A》' }).click();
    await page.locator('.ant-popconfirm:visible').getByRole('button', { name: /删\s*除/ }).click();
    await poll(() => card(page, 'S3').getByRole('button', { name: '报考 大学英语B' }).count()).toBe(1);

    // CET6 review: same name, other ID → 未复核; the school rejects with a reason; own ticket → approved.
    await t.db.insertInto('cet4_score').values([
      { authority_id: w.exam.authorityId, ticket_no: '110011191100101', ...sealIdNumber(TEST_PERSONAL_DATA, w.c.idNumber), name: w.name, score: 520 },
      { authority_id: w.exam.authorityId, ticket_no: '110011191100102', ...sealIdNumber(TEST_PERSONAL_DATA, '110105199901011234'), name: w.name, score: 480 },
    ]).execute();
    await page.fill('#ticketNo', '110011191100102');
    await page.getByRole('button', { name: '提交复核申请' }).click();
    await page.waitForSelector('#review-list li[data-status="PENDING"]');
    expect(await page.textContent('#review-list')).toContain('未复核');
    expect(await page.textContent('#review-list')).toContain('学校管理员处复核');
    const review = await t.db.selectFrom('eligibility_review').select('id').where('candidate_id', '=', w.c.candidateId).executeTakeFirstOrThrow();
    expect(await decideReview(ctx, { reviewId: review.id, approve: false, reason: '证件号码与学籍不符', actor: 'institution:1' })).toMatchObject({ ok: true });
    await page.reload();
    await page.waitForSelector('#review-list li[data-status="REJECTED"]');
    expect(await page.textContent('#review-list')).toContain('未通过原因：证件号码与学籍不符');
    await page.fill('#ticketNo', '110011191100101');
    await page.getByRole('button', { name: '提交复核申请' }).click();
    await page.waitForSelector('#review-list li[data-status="APPROVED"]');
    expect(await page.textContent('#cet6-review')).toContain('复核通过');
    await poll(() => card(page, 'S4').getByRole('button', { name: '报考 CET6笔试' }).count()).toBe(1);
    await checkAtBothSizes(page, 'sitting-review', artifactPath);

    // The seat held without a bill past the exam's hold time is released: the reason and what to do.
    clock.advance(11 * MINUTE);
    expect(await releaseStaleSeatHoldsJob.execute(ctx)).toMatchObject({ released: 1 });
    await page.reload();
    await page.waitForSelector('[data-registration="S0"] .seat-released');
    expect(await mine(page, 'S0').locator('.seat-released').getAttribute('data-reason')).toBe('HOLD_EXPIRED');
    expect(await mine(page, 'S0').textContent()).toContain('报考后10分钟内未生成缴费单，系统已释放为您保留的座位');
    await checkAtBothSizes(page, 'sitting-seat-released', artifactPath);
    await mine(page, 'S0').getByLabel(/第一考点/).check();
    await mine(page, 'S0').getByRole('button', { name: '保存考试时间' }).click();
    await poll(() => mine(page, 'S0').textContent()).toContain('第一考点 · 2026-04-11 09:00:00 · 座位');
    expect(await mine(page, 'S0').locator('.seat-released').count()).toBe(0);

    // 确认科目并缴费: the chosen registrations become one bill; the bill page takes over.
    await mine(page, 'S0').getByLabel('选择《英语笔试》缴费').check();
    await poll(() => page.textContent('#confirm-total')).toContain('已选 1 个科目，合计 80.00 元');
    await page.click('#confirm-bill');
    await page.waitForURL(/\/bills\/[0-9A-Za-z-]+$/);
    const billNo = page.url().split('/').at(-1)!;
    const bill = await t.db.selectFrom('bill').select(['amount_fen', 'candidate_id']).where('bill_no', '=', billNo).executeTakeFirstOrThrow();
    expect(bill).toEqual({ amount_fen: 8000n, candidate_id: w.c.candidateId });
    await page.goBack();
    await poll(() => mine(page, 'S0').textContent()).toContain('已生成缴费单');
    expect(await mine(page, 'S0').getByRole('link', { name: `查看缴费单 ${billNo}` }).count()).toBe(1);
    await page.close();
  });

  it('keyboard only: sign in and register a subject with a slot (Tab, Enter, Space)', async () => {
    const w = await sittingWorld();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    // The captcha's answer as a person reads it from the image (the test server sends it along).
    let answer = '';
    page.on('response', (r) => {
      if (new URL(r.url()).pathname === '/api/v1/captchas') void r.json().then((b: { testAnswer: string }) => { answer = b.testAnswer; });
    });
    await page.goto(baseUrl + '/sittings');
    await page.waitForURL(/\/sign-in/);
    await page.waitForSelector('#captcha-img[src^="data:image/svg"]');
    await tabTo(page, '#authority');
    await page.keyboard.type(w.exam.authorityCode);
    await tabTo(page, '#idNumber');
    await page.keyboard.type(w.c.idNumber);
    await tabTo(page, '#password');
    await page.keyboard.type(w.c.password);
    await tabTo(page, '#captcha');
    await poll(() => answer).not.toBe('');
    await page.keyboard.type(answer);
    await page.keyboard.press('Enter');
    await page.waitForURL(baseUrl + '/sittings');

    await page.waitForSelector('text=网上报名进行中');
    await tabTo(page, 'a[href$="/sittings/' + w.exam.sittingId + '"].ant-btn');
    await page.keyboard.press('Enter');
    await page.waitForURL(`${baseUrl}/sittings/${w.exam.sittingId}`);
    await page.waitForSelector('[data-subject="S0"] input[type=radio]');
    await tabTo(page, '[data-subject="S0"] input[type=radio]');
    // Arrow keys move within the group; Space picks the focused time.
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Space');
    expect(await page.evaluate(() => (globalThis as unknown as FocusProbe).document.activeElement?.checked)).toBe(true);
    await tabTo(page, 'button[aria-label="报考 英语笔试"]');
    // Where the focus is can be seen (WCAG 2.4.7).
    expect(await page.evaluate(() => {
      const win = globalThis as unknown as FocusProbe;
      const s = win.getComputedStyle(win.document.activeElement);
      return (s.outlineStyle !== 'none' && s.outlineWidth !== '0px') || s.boxShadow !== 'none';
    })).toBe(true);
    await page.keyboard.press('Enter');
    await poll(() => mine(page, 'S0').textContent()).toContain('第二考点 · 2026-04-11 14:00:00 · 座位 1');
    await page.screenshot({ path: artifactPath('keyboard-registered-desktop.png'), fullPage: true });
    await page.close();
  });

  it('outside the registration window the page says so, with the window in Beijing time, and offers no 报考', async () => {
    const w = await sittingWorld();
    await t.db.updateTable('sitting_window').set({ opens_at: new Date('2026-03-20T01:00:00Z') }).where('sitting_id', '=', w.exam.sittingId).execute();
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, locale: 'zh-CN' });
    const captcha = watchCaptchas(page);
    await page.goto(`${baseUrl}/sign-in?next=%2Fsittings%2F${w.exam.sittingId}`);
    await page.fill('#authority', w.exam.authorityCode);
    await page.fill('#idNumber', w.c.idNumber);
    await page.fill('#password', w.c.password);
    await captcha.fillCaptcha();
    await page.click('#signin-submit');
    await page.waitForURL(`${baseUrl}/sittings/${w.exam.sittingId}`);
    await poll(() => page.textContent('main')).toContain('当前不在网上报名时间');
    expect(await page.textContent('main')).toContain('网上报名：2026-03-20 09:00:00 — 2026-03-25 17:00:00');
    expect(await card(page, 'S0').textContent()).toContain('当前不在网上报名时间，不能报考');
    expect(await page.getByRole('button', { name: /^报考 / }).count()).toBe(0);
    await checkAtBothSizes(page, 'sitting-window-closed', artifactPath);

    // The session ends while the page is open (ACC-7, idle): the next request sends the candidate to sign in and back.
    clock.advance(31 * MINUTE);
    await page.getByRole('link', { name: '← 返回考次列表' }).click();
    await page.waitForURL(/\/sign-in\?next=%2Fsittings$/);
    await captcha.fillCaptcha();
    await page.fill('#password', w.c.password);
    await page.fill('#idNumber', w.c.idNumber);
    await page.click('#signin-submit');
    await page.waitForURL(baseUrl + '/sittings');
    await page.close();
  });
});

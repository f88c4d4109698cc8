import fs from 'node:fs';
import { sheetRows } from '../support/sheets.ts';
import { sql } from 'kysely';
import type { Browser as Chromium, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runImportsJob } from '../../src/jobs/run-imports.job.ts';
import { findCandidateByIdNumber } from '../../src/modules/accounts/candidate-identity.ts';
import { residentIdCheckChar } from '../../src/shared/resident-id.ts';
import { checkAtBothSizes, expectNoSeriousA11yViolations } from '../support/axe.ts';
import { artifactPath, launchChromium, signInToConsole } from '../support/browser.ts';
import { startPaymentWorld, type PaymentWorld } from '../support/payment-world.ts';
import { paidBill } from '../support/refunds.ts';
import { makeStaff, type StaffFixture } from '../support/staff-fixtures.ts';

/**
 * ADM-2 in the authority console, as staff use it: a roster with bad rows is rejected whole and
 * its error sheet comes through the page's link; a 100,000-row roster runs as a background job
 * whose progress bar the page moves to 100 %; an export downloaded from the page reopens in
 * exceljs with the rows and totals SQL counts of the same data give.
 */

let w: PaymentWorld;
let chromium: Chromium;
let admin: StaffFixture;
let page: Page;
/** A second exam of the same authority: the 100,000 rows go there, so the count is theirs alone. */
let bigExam: { id: bigint; name: string };

beforeAll(async () => {
  chromium = await launchChromium();
  w = await startPaymentWorld();
  admin = await makeStaff(w.db, w.exam, 'AUTHORITY_ADMIN');
  bigExam = { ...(await w.db.insertInto('exam').values({ authority_id: w.exam.authorityId, code: 'BIG', name: '大名单考试', initial_password_rule: 'ID_LAST6', initial_password_fixed: null, channels: ['alipay'] })
    .returning('id').executeTakeFirstOrThrow()), name: '大名单考试' };
  page = await chromium.newPage({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
  await signInToConsole(page, `${w.baseUrl}/admin/imports`, admin);
  // The URL moves before the console replaces the sign-in form; under load axe could see the form.
  await page.locator('#import-file').waitFor();
}, 120_000);
afterAll(async () => {
  await chromium?.close();
  await w?.close();
});

/** A valid 身份证 number, distinct for every n below 1,000,000 within a region (birth day + sequence). */
function residentId(n: number, region: string): string {
  const born = new Date(Date.UTC(1970, 0, 1) + (n % 10_000) * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
  const first17 = `${region}${born}${String(Math.floor(n / 10_000)).padStart(3, '0')}`;
  return first17 + residentIdCheckChar(first17);
}


/** Clicks a link of the page that answers an attachment and gives the downloaded file's bytes. */
async function downloadThrough(click: () => Promise<void>): Promise<{ name: string; bytes: Buffer }> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), bytes: fs.readFileSync(path) };
}

/** Picks an option of an Ant Design select by its visible text, as a mouse user does. */
async function choose(selectId: string, option: string | RegExp) {
  await page.click(`#${selectId}`);
  const item = page.locator(`#${selectId}_list`).locator('xpath=..').locator('.ant-select-item-option', { hasText: option }).first();
  await item.click();
}

const countCandidates = async (examId: bigint) => Number((await w.db.selectFrom('candidate').select((e) => e.fn.countAll<string>().as('n')).where('exam_id', '=', examId).executeTakeFirstOrThrow()).n);
const progressState = () => page.getByTestId('import-progress').getAttribute('data-state').catch(() => null);

async function uploadThroughPage(examName: string, file: { name: string; mimeType: string; buffer: Buffer }): Promise<string> {
  await page.goto(`${w.baseUrl}/admin/imports`);
  await page.getByLabel('考生名单').check();
  await choose('import-exam', examName);
  await page.setInputFiles('#import-file', file);
  await page.getByRole('button', { name: '上传并开始导入' }).click();
  await page.waitForURL(/[?&]import=\d+/);
  await expect.poll(progressState).toBe('QUEUED');
  return new URL(page.url()).searchParams.get('import')!;
}

describe('the console imports and exports pages (ADM-2)', () => {
  it('a roster with bad rows is rejected whole: the page shows the error count and its link gives the error sheet; nothing of the file is in the database', async () => {
    await checkAtBothSizes(page, 'console-imports-imports', artifactPath);

    const existing = await w.candidate();
    const good = residentId(20_001, '440106');
    const dup = residentId(20_002, '440106');
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const csv = [
      '姓名,证件类型,证件号码,手机号,机构代码',
      `张三,居民身份证,${good},13800138000,`,
      `李四,,${bad},,`,
      `,身份证,${residentId(20_003, '440106')},,`,
      `王五,,${dup},,`,
      `赵六,,${dup},,`,
      `钱七,,${existing.idNumber},,`,
      `吴十,,${residentId(20_004, '440106')},12345,`,
    ].join('\r\n');
    const before = await countCandidates(w.exam.examId);
    const importId = await uploadThroughPage('网络教育统考', { name: '坏名单.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });

    // The scheduler's job, as every app process runs it every 2 s; the page polls meanwhile.
    expect(await runImportsJob.execute(w.ctx)).toMatchObject({ rejected: 1 });
    await expect.poll(progressState, { timeout: 15_000 }).toBe('REJECTED');
    expect(await page.getByTestId('import-error-count').textContent()).toBe('5');
    expect(await page.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    expect(await page.getByTestId('import-progress').textContent()).toContain('文件中的任何一行都没有导入');
    await checkAtBothSizes(page, 'console-imports-rejected', artifactPath);

    const sheet = await downloadThrough(() => page.getByTestId('error-sheet-link').click());
    expect(sheet.name).toBe(`import-${importId}-errors.xlsx`);
    const rows = await sheetRows(sheet.bytes);
    expect(rows[0]).toEqual(['行号 Row', '列 Column', '内容 Value', '原因 Reason (中文)', 'Reason (English)']);
    const found = rows.slice(1).map((r) => [r[0], r[1], r[3], r[4]]);
    expect(found).toEqual([
      [3, '证件号码 ID number', expect.stringMatching(/校验码/), expect.stringMatching(/check character/)],
      [4, '姓名 Name', expect.stringMatching(/不能为空/), expect.stringMatching(/must not be empty/)],
      [6, '证件号码 ID number', expect.stringMatching(/与第5行/), expect.stringMatching(/row 5/)],
      [7, '证件号码 ID number', expect.stringMatching(/已有账号/), expect.stringMatching(/already exists/)],
      [8, '手机号 Phone', expect.stringMatching(/手机号/), expect.stringMatching(/mobile/)],
    ]);
    // The page stayed where it was: an attachment, no new window.
    expect(page.url()).toContain(`import=${importId}`);
    expect(page.context().pages()).toHaveLength(1);

    // All or nothing: not even the good row, and no account more than before.
    expect(await countCandidates(w.exam.examId)).toBe(before);
    for (const id of [good, dup, bad, residentId(20_004, '440106')]) expect(await findCandidateByIdNumber(w.ctx, { authorityId: w.exam.authorityId, idNumber: id })).toBeUndefined();

    // The list of recent imports names it too, with its own link to the sheet.
    const listed = page.locator('[data-testid="recent-imports"] tr.ant-table-row', { hasText: '坏名单.csv' });
    await expect.poll(() => listed.textContent()).toContain('有错误，未导入');
    expect(await listed.getByRole('link', { name: new RegExp(`下载错误清单.*#${importId}`) }).getAttribute('href')).toBe(`/api/v1/admin/imports/${importId}/errors.xlsx`);
  }, 120_000);

  it('CET4 scores (REG-4): a sheet with one bad row gives its error sheet; the corrected sheet is loaded', async () => {
    const sheet = (score: string) => ({
      name: 'cet4.csv', mimeType: 'text/csv',
      buffer: Buffer.from(`准考证号,姓名,证件号码,总分\n440011191100101,成绩一,${residentId(30_001, '440106')},500\n440011191100102,成绩二,${residentId(30_002, '440106')},${score}\n`),
    });
    const uploadCet4 = async (score: string) => {
      await page.goto(`${w.baseUrl}/admin/imports`);
      // The kind lives in the URL: the radio shows it once the router has moved (so click, then wait).
      await page.getByLabel('CET4 成绩').click();
      await expect.poll(() => page.getByLabel('CET4 成绩').isChecked()).toBe(true);
      expect(new URL(page.url()).searchParams.get('kind')).toBe('CET4_SCORE');
      await expectNoSeriousA11yViolations(page, 'console import CET4 form');
      // The authority's own results: no exam or sitting to choose.
      await expect.poll(() => page.getByTestId('import-target-authority').textContent()).toContain('本考试机构');
      await page.setInputFiles('#import-file', sheet(score));
      await page.getByRole('button', { name: '上传并开始导入' }).click();
      await page.waitForURL(/[?&]import=\d+/);
      expect(await runImportsJob.execute(w.ctx)).toMatchObject({ done: score === '九百' ? 0 : 1 });
    };
    const scores = () => w.db.selectFrom('cet4_score').select(['ticket_no', 'score']).where('authority_id', '=', w.exam.authorityId).orderBy('ticket_no').execute();

    await uploadCet4('九百');
    await expect.poll(progressState, { timeout: 15_000 }).toBe('REJECTED');
    expect(await page.getByTestId('import-error-count').textContent()).toBe('1');
    const errors = await sheetRows((await downloadThrough(() => page.getByTestId('error-sheet-link').click())).bytes);
    expect(errors.slice(1).map((r) => [r[0], r[1], r[4]])).toEqual([[3, '总分 Score', 'The score is a whole number from 0 to 710']]);
    expect(await scores()).toEqual([]);

    await uploadCet4('430');
    await expect.poll(progressState, { timeout: 15_000 }).toBe('DONE');
    expect(await page.getByTestId('rows-written').textContent()).toBe('2');
    expect(await scores()).toEqual([{ ticket_no: '440011191100101', score: 500 }, { ticket_no: '440011191100102', score: 430 }]);
    // The list names the kind and its target (the authority) too.
    const listed = page.locator('[data-testid="recent-imports"] tr.ant-table-row', { hasText: 'CET4 成绩' }).first();
    await expect.poll(() => listed.textContent()).toMatch(/本考试机构.*已完成/);
    await page.screenshot({ path: artifactPath('console-imports-cet4-desktop.png'), fullPage: true });
  }, 120_000);

  it('a valid 100,000-row roster runs in the background; the page\'s progress bar moves and reaches 100 % with DONE, and the database holds all 100,000', async () => {
    const N = 100_000;
    const lines = ['姓名,证件号码,手机号'];
    for (let i = 0; i < N; i++) lines.push(`考生${i},${residentId(100_000 + i, '320102')},139${String(i).padStart(8, '0')}`);
    const importId = await uploadThroughPage(bigExam.name, { name: '十万名单.csv', mimeType: 'text/csv', buffer: Buffer.from(lines.join('\n')) });

    // Every value the bar shows, as the page shows it (sampled in the page itself).
    await page.evaluate(() => {
      const win = globalThis as unknown as { seenPercents: string[]; document: { querySelector(s: string): { getAttribute(a: string): string | null } | null }; setInterval(f: () => void, ms: number): void };
      win.seenPercents = [];
      win.setInterval(() => {
        const v = win.document.querySelector('[data-testid="import-progress"] [role="progressbar"]')?.getAttribute('aria-valuenow');
        if (v != null && win.seenPercents.at(-1) !== v) win.seenPercents.push(v);
      }, 50);
    });
    const started = performance.now();
    expect(await runImportsJob.execute(w.ctx)).toMatchObject({ done: 1 });
    const seconds = (performance.now() - started) / 1000;
    console.log(`100,000-row roster through the console: ${seconds.toFixed(1)} s`);
    await expect.poll(progressState, { timeout: 15_000 }).toBe('DONE');
    await expect.poll(() => page.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('100');
    expect(await page.getByTestId('rows-written').textContent()).toBe(N.toLocaleString('en-US'));
    expect(await page.getByTestId('import-progress').textContent()).toContain(`全部 ${N.toLocaleString('en-US')} 行已导入`);

    const seen = (await page.evaluate(() => (globalThis as unknown as { seenPercents: string[] }).seenPercents)).map(Number);
    console.log(`progress the page showed: ${seen.join(', ')}`);
    // Never backwards, and ending at 100.
    for (let i = 1; i < seen.length; i++) expect(seen[i]!).toBeGreaterThanOrEqual(seen[i - 1]!);
    expect(seen.at(-1)).toBe(100);
    // A job of several seconds is polled every half second: the bar showed steps in between.
    if (seconds > 3) expect(seen.filter((p) => p > 0 && p < 100).length).toBeGreaterThanOrEqual(2);

    expect(await countCandidates(bigExam.id)).toBe(N);
    expect(await findCandidateByIdNumber(w.ctx, { authorityId: w.exam.authorityId, idNumber: residentId(100_000 + 54_321, '320102') })).toMatchObject({ name: '考生54321', exam_id: bigExam.id });
    const job = await w.db.selectFrom('import_job').select(['state', 'rows_written']).where('id', '=', BigInt(importId)).executeTakeFirstOrThrow();
    expect(job).toEqual({ state: 'DONE', rows_written: N });
    await page.screenshot({ path: artifactPath('console-imports-done-desktop.png'), fullPage: true });
    await expectNoSeriousA11yViolations(page, 'console import done');
  }, 240_000);

  it('an export downloaded through the page, with filters chosen on screen, reopens in exceljs with the rows and totals of SQL counts', async () => {
    // Paid and unpaid bills in the world's sitting; the unpaid candidate's registrations at a site.
    const cs = [await w.candidate(), await w.candidate(), await w.candidate()];
    await paidBill(w, { candidateId: cs[0]!.candidateId, registrationIds: cs[0]!.registrationIds });
    await paidBill(w, { candidateId: cs[1]!.candidateId, registrationIds: cs[1]!.registrationIds });
    await w.payingBill(cs[2]);
    const site = await w.db.insertInto('site').values({ sitting_id: w.exam.sittingId, code: 'KD1', name: '第一考点' }).returning('id').executeTakeFirstOrThrow();
    const slot = await w.db.insertInto('slot').values({ sitting_id: w.exam.sittingId, code: 'AM', starts_at: new Date('2026-04-11T01:00:00Z'), ends_at: new Date('2026-04-11T03:00:00Z') }).returning('id').executeTakeFirstOrThrow();
    for (const subjectId of w.exam.subjectIds) await w.db.insertInto('seat_pool').values({ site_id: site.id, slot_id: slot.id, subject_id: subjectId, capacity: 5 }).execute();
    await w.db.updateTable('registration').set({ site_id: site.id, slot_id: slot.id }).where('id', 'in', cs[2]!.registrationIds).execute();

    await page.goto(`${w.baseUrl}/admin/exports`);
    await page.getByText('缴费单', { exact: true }).click();
    await choose('export-sitting', '2026年3月');
    await choose('export-state', '已缴费（PAID）');
    await expect.poll(() => page.getByTestId('export-summary').textContent()).toContain('状态 已缴费');
    expect(new URL(page.url()).searchParams.get('kind')).toBe('bills');
    // The closed dropdown's fade-out is not what a reader sees.
    await page.waitForTimeout(500);
    await checkAtBothSizes(page, 'console-imports-exports', artifactPath);

    const bills = await downloadThrough(() => page.getByTestId('export-download').click());
    expect(bills.name).toMatch(/^bills-\d{12}\.xlsx$/);
    const expected = (await sql<{ n: string; s: string }>`SELECT count(*) n, coalesce(sum(amount_fen), 0) s FROM bill WHERE sitting_id = ${w.exam.sittingId} AND state = 'PAID'`.execute(w.db)).rows[0]!;
    expect(Number(expected.n)).toBe(2);
    const rows = await sheetRows(bills.bytes);
    const data = rows.slice(1, -1);
    expect(data.length).toBe(Number(expected.n));
    expect(data.every((r) => r[7] === 'PAID')).toBe(true);
    expect(rows.at(-1)![0]).toBe(`合计 Total: ${expected.n}`);
    expect(rows.at(-1)![6]).toBe(Number(expected.s));
    expect(data.reduce((a, r) => a + Number(r[6]), 0)).toBe(Number(expected.s));

    // Registrations at one site, any state: the site filter comes from the sitting's sites.
    await page.getByText('报考记录', { exact: true }).click();
    await choose('export-site', '第一考点');
    await expect.poll(() => page.getByTestId('export-summary').textContent()).toContain('考点 第一考点');
    expect(await page.getByTestId('export-download').getAttribute('href')).toBe(`/api/v1/admin/exports/registrations.xlsx?sittingId=${w.exam.sittingId}&siteId=${site.id}`);
    const regs = await downloadThrough(() => page.getByTestId('export-download').click());
    const regRows = await sheetRows(regs.bytes);
    const atSite = (await sql<{ n: string; s: string }>`SELECT count(*) n, coalesce(sum(s.fee_fen), 0) s FROM registration r JOIN subject s ON s.id = r.subject_id WHERE r.site_id = ${site.id}`.execute(w.db)).rows[0]!;
    expect(Number(atSite.n)).toBe(cs[2]!.registrationIds.length);
    expect(regRows.length - 2).toBe(Number(atSite.n));
    expect(regRows.at(-1)![10]).toBe(Number(atSite.s));

    // Payments, no filter: every payment of the authority.
    await page.goto(`${w.baseUrl}/admin/exports?kind=payments`);
    const pays = await downloadThrough(() => page.getByTestId('export-download').click());
    const payRows = await sheetRows(pays.bytes);
    const allPays = (await sql<{ n: string; s: string }>`SELECT count(*) n, coalesce(sum(cp.amount_fen), 0) s FROM channel_payment cp JOIN bill b ON b.id = cp.bill_id JOIN sitting st ON st.id = b.sitting_id JOIN exam e ON e.id = st.exam_id WHERE e.authority_id = ${w.exam.authorityId}`.execute(w.db)).rows[0]!;
    expect(payRows.length - 2).toBe(Number(allPays.n));
    expect(payRows.at(-1)!.slice(0, 1)).toEqual([`合计 Total: ${allPays.n}`]);
    expect(payRows.at(-1)![6]).toBe(Number(allPays.s));
    expect(page.context().pages()).toHaveLength(1);
  }, 120_000);
});

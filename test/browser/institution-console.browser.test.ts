/**
 * The institution console in Chromium (issue 8 item 6; ORG-1, REG-8, DOC-1), against the real app
 * and the sandbox gateway: a learning centre's staff register twenty candidates from a sheet
 * uploaded through the page, pick them and pay in one bill through the sandbox in the same window
 * (no pop-up), see 已完成缴费 come by itself, and download the receipt, which names the centre as payer.
 * A sheet with a bad row gives the error sheet and registers nobody; another centre's staff never
 * see these candidates. Screenshots of each page at desktop and phone width, axe at both.
 */
import fs from 'node:fs';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionSeats } from '../../src/modules/registration/seat-holds.sql.ts';
import { checkAtBothSizes } from '../support/axe.ts';
import { artifactPath, launchChromium, signInToConsole } from '../support/browser.ts';
import { makeCandidate } from '../support/fixtures.ts';
import { readPdf } from '../support/pdf.ts';
import { startPaymentWorld, type PaymentWorld } from '../support/payment-world.ts';
import { makeInstitution, makeStaff, type StaffFixture } from '../support/staff-fixtures.ts';

let w: PaymentWorld;
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
  w = await startPaymentWorld({ channels: ['alipay', 'wechatpay', 'unionpay'] });
  // Notifications flow by themselves, as in real life.
  w.sandbox.start(200);
});
afterAll(async () => {
  await w?.sandbox.stop();
  await browser?.close();
  await w?.close();
});

async function signIn(page: Page, s: StaffFixture, path: string) {
  await signInToConsole(page, `${w.baseUrl}${path}`, s);
}

async function sheet(rows: (string | null)[][]): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet('报考');
  ws.addRow(['证件号码 ID number', '姓名 Name', '科目代码 Subject code', '考点代码 Site code', '场次代码 Slot code']);
  // ID numbers as text: 18 digits are more than a spreadsheet number holds.
  for (const r of rows) ws.addRow(r).eachCell((c) => { c.numFmt = '@'; });
  return Buffer.from(await wb.xlsx.writeBuffer());
}

async function download(page: Page, selector: string): Promise<Buffer> {
  const [dl] = await Promise.all([page.waitForEvent('download'), page.click(selector)]);
  // The pointer leaves the link, so later checks see it as a reader does (not mid-hover).
  await page.mouse.move(0, 0);
  return fs.promises.readFile((await dl.path())!);
}

const state = (page: Page) => page.locator('[data-testid=bill-state]').textContent({ timeout: 2_000 }).catch(() => null);

describe('the institution console (ORG-1)', () => {
  it('twenty candidates from a sheet, paid in one bill through the sandbox in this window, PAID by itself, the receipt names the centre; a bad sheet registers nobody; another centre sees none of it', async () => {
    // A seed-000-like sitting: a seated subject (one site, one slot), offered to institutions through Alipay and UnionPay.
    const subject = (await w.db.insertInto('subject').values({ sitting_id: w.exam.sittingId, code: 'ENG-B', name: '大学英语B', fee_fen: 8000n }).returning('id').executeTakeFirstOrThrow()).id;
    const site = await w.db.insertInto('site').values({ sitting_id: w.exam.sittingId, code: 'BJ01', name: '北京学习中心考点' }).returning('id').executeTakeFirstOrThrow();
    const slot = await w.db.insertInto('slot').values({ sitting_id: w.exam.sittingId, code: 'AM1', starts_at: new Date('2026-04-11T01:00:00Z'), ends_at: new Date('2026-04-11T03:00:00Z') }).returning('id').executeTakeFirstOrThrow();
    const pool = await w.db.insertInto('seat_pool').values({ site_id: site.id, slot_id: slot.id, subject_id: subject, capacity: 40 }).returning('id').executeTakeFirstOrThrow();
    await w.db.transaction().execute((trx) => provisionSeats(trx, pool.id, 40));
    await w.db.updateTable('exam').set({ institution_channels: ['alipay', 'unionpay'], agreement_text: '集体缴费协议：学习中心为所列考生缴纳报考费，缴费后不因个人原因退费。' }).where('id', '=', w.exam.examId).execute();
    const centre = await makeInstitution(w.db, w.exam.authorityId, 'LEARNING_CENTRE');
    const rival = await makeInstitution(w.db, w.exam.authorityId, 'LEARNING_CENTRE');
    const centreName = (await w.db.selectFrom('institution').select('name').where('id', '=', centre.institutionId).executeTakeFirstOrThrow()).name;
    const twenty: { candidateId: bigint; idNumber: string; name: string }[] = [];
    for (let i = 0; i < 21; i++) {
      const c = await makeCandidate(w.db, w.exam);
      await w.db.updateTable('candidate').set({ institution_id: centre.institutionId }).where('id', '=', c.candidateId).execute();
      const { name } = await w.db.selectFrom('candidate').select('name').where('id', '=', c.candidateId).executeTakeFirstOrThrow();
      // The twenty-first keeps a subject they registered themself: the centre sees it and cannot delete or pay it.
      if (i < 20) {
        await w.db.updateTable('registration').set({ status: 'CANCELLED', cancelled_at: w.clock.now(), cancelled_reason: 'CANDIDATE' }).where('candidate_id', '=', c.candidateId).execute();
        twenty.push({ candidateId: c.candidateId, idNumber: c.idNumber, name });
      }
    }
    const institutionRegs = () => w.db.selectFrom('registration').select('id').where('subject_id', '=', subject).where('status', '=', 'ACTIVE').execute();

    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', acceptDownloads: true });
    let pages = 0;
    context.on('page', () => pages++);
    const page = await context.newPage();
    const importPath = `/institution/import?sittingId=${w.exam.sittingId}`;
    await signIn(page, await makeStaff(w.db, w.exam, 'INSTITUTION_STAFF', { institutionId: centre.institutionId }), importPath);
    await expect.poll(() => page.textContent('main')).toContain('2026年3月');
    await checkAtBothSizes(page, 'institution-import', artifactPath);

    // A sheet with one bad row (a subject code the sitting lacks): the error sheet, nobody registered.
    const rows = twenty.map((c) => [c.idNumber, c.name, 'ENG-B', 'BJ01', 'AM1']);
    const bad = [...rows.slice(0, 10), [twenty[10]!.idNumber, twenty[10]!.name, 'ENG-X', 'BJ01', 'AM1'], ...rows.slice(11)];
    await page.setInputFiles('#import-file', { name: '报考名单.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: await sheet(bad) });
    await page.click('[data-testid=import-submit]');
    await page.waitForSelector('[data-testid=import-rejected]');
    expect(await page.textContent('[data-testid=import-rejected]')).toContain('没有登记任何报考');
    expect(await page.textContent('[data-testid=import-rejected]')).toContain('本考次没有这个科目代码');
    const errorSheet = new ExcelJS.Workbook();
    await errorSheet.xlsx.load((await download(page, '[data-testid=error-sheet]')) as unknown as ArrayBuffer);
    const errorRows: unknown[][] = [];
    errorSheet.worksheets[0]!.eachRow((r) => errorRows.push((r.values as unknown[]).slice(1)));
    expect(errorRows.slice(1)).toEqual([[12, '科目代码 Subject code', 'ENG-X', '本考次没有这个科目代码', 'This sitting has no subject with this code']]);
    expect(await institutionRegs()).toEqual([]);
    await checkAtBothSizes(page, 'institution-import-rejected', artifactPath);

    // The corrected sheet: all twenty registered, seats held.
    await page.setInputFiles('#import-file', { name: '报考名单.xlsx', mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', buffer: await sheet(rows) });
    await page.click('[data-testid=import-submit]');
    await page.waitForSelector('[data-testid=import-done]');
    expect(await page.textContent('[data-testid=import-done]')).toContain('已为 20 行全部完成报考');
    expect(await institutionRegs()).toHaveLength(20);
    expect(await w.db.selectFrom('seat').select('id').where('pool_id', '=', pool.id).where('state', '=', 'HELD').execute()).toHaveLength(20);

    // Each candidate's status; pick the twenty and put them on one bill.
    await page.click('text=去考生与报考');
    await page.waitForURL(`${w.baseUrl}/institution`);
    const pick = (name: string) => page.getByRole('checkbox', { name: `选择 ${name} 大学英语B`, exact: true });
    await expect.poll(() => pick(twenty[19]!.name).count(), { timeout: 15_000 }).toBe(1);
    expect(await page.locator('[data-testid=registration-status]', { hasText: '未缴费' }).count()).toBeGreaterThanOrEqual(20);
    // The candidate's own registration: shown, with the server's words, never deletable or payable here.
    expect(await page.textContent('main')).toContain('考生本人报考的科目，须由考生本人缴费');
    await checkAtBothSizes(page, 'institution-candidates', artifactPath);
    for (const c of twenty) await pick(c.name).check();
    expect(await page.textContent('[data-testid=selected-total]')).toContain('1600.00');
    await page.click('[data-testid=create-bill]');
    await page.waitForURL(/\/institution\/bills\/\d{21}$/);
    const billNo = page.url().split('/').pop()!;
    await expect.poll(() => state(page), { timeout: 15_000 }).toBe('未缴费');
    expect(await page.textContent('[data-testid=bill-payer]')).toBe(centreName);
    expect(await page.locator('[data-testid=bill-items] tbody tr.ant-table-row').count()).toBe(20);
    expect(await page.textContent('[data-testid=bill-amount]')).toContain('1600.00');
    // The channels the exam offers institutions, and only those.
    expect(await page.locator('button[data-channel]').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-channel')))).toEqual(['alipay', 'unionpay']);
    expect(await page.textContent('main')).toContain('集体缴费协议');
    await checkAtBothSizes(page, 'institution-bill', artifactPath);

    // Agreement, Alipay, the sandbox cashier in this window, pay, back.
    await page.getByRole('checkbox', { name: '我已阅读并同意缴费协议' }).check();
    await page.click('button[data-channel=alipay]');
    await page.waitForSelector('img[data-testid=qr]');
    await expect.poll(() => state(page), { timeout: 15_000 }).toBe('缴费中');
    await page.click('a[data-testid=cashier]');
    await page.waitForSelector('text=支付 Pay');
    await page.click('button:has-text("支付 Pay")');
    await page.waitForLoadState();
    const back = page.locator('a[href*="/pay/return/alipay"]');
    if (await back.count()) await back.first().click();
    await page.waitForURL(`${w.baseUrl}/institution/bills/${billNo}`, { timeout: 60_000 });
    // 已完成缴费 arrives by itself (the channel's notification; the page polls), no reload.
    await expect.poll(() => state(page), { timeout: 20_000 }).toBe('已完成缴费');
    expect((await w.bill(billNo)).state).toBe('PAID');
    expect(pages).toBe(1);
    await page.waitForSelector('[data-testid=receipt-link]');
    await checkAtBothSizes(page, 'institution-bill-paid', artifactPath);

    const pdf = await readPdf(await download(page, '[data-testid=receipt-link]'));
    const lines = pdf.text.split('\n').map((l) => l.trim()).filter(Boolean);
    expect(lines[lines.indexOf('缴费人 Payer') + 1]).toBe(centreName);
    expect(pdf.text).toContain(billNo);
    for (const c of twenty) expect(pdf.text).toContain(`${c.name} · 大学英语B`);
    expect(pdf.text.match(/80\.00/g)).toHaveLength(20);
    expect(pdf.text).toContain('1600.00');

    await page.goto(`${w.baseUrl}/institution/bills`);
    await page.waitForSelector(`a[href="/institution/bills/${billNo}"]`);
    await checkAtBothSizes(page, 'institution-bills', artifactPath);
    await page.goto(`${w.baseUrl}/institution/register?candidateId=${twenty[0]!.candidateId}&sittingId=${w.exam.sittingId}`);
    await expect.poll(() => page.textContent('main'), { timeout: 15_000 }).toContain('大学英语B');
    await checkAtBothSizes(page, 'institution-register', artifactPath);
    await context.close();

    // Another centre of the same authority: none of these candidates, not this bill.
    const rivalPage = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    await signIn(rivalPage, await makeStaff(w.db, w.exam, 'INSTITUTION_STAFF', { institutionId: rival.institutionId }), '/institution');
    await expect.poll(() => rivalPage.textContent('main'), { timeout: 15_000 }).toContain('暂无考生');
    const seen = (await rivalPage.textContent('main')) ?? '';
    for (const c of twenty) expect(seen).not.toContain(c.name);
    await rivalPage.goto(`${w.baseUrl}/institution/bills/${billNo}`);
    await expect.poll(() => rivalPage.textContent('main'), { timeout: 15_000 }).toContain('没有找到该订单');
    await rivalPage.close();
  }, 300_000);

  it('registers one candidate from the console page, the registration the centre\'s', async () => {
    const centre = await makeInstitution(w.db, w.exam.authorityId, 'LEARNING_CENTRE');
    const c = await makeCandidate(w.db, w.exam);
    await w.db.updateTable('candidate').set({ institution_id: centre.institutionId }).where('id', '=', c.candidateId).execute();
    await w.db.updateTable('registration').set({ status: 'CANCELLED', cancelled_at: w.clock.now(), cancelled_reason: 'CANDIDATE' }).where('candidate_id', '=', c.candidateId).execute();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    await signIn(page, await makeStaff(w.db, w.exam, 'INSTITUTION_STAFF', { institutionId: centre.institutionId }), '/institution');
    await page.click(`a[href="/institution/register?candidateId=${c.candidateId}"]`);
    await page.waitForURL(/\/institution\/register\?candidateId=/);
    await page.goto(`${page.url()}&sittingId=${w.exam.sittingId}`);
    await page.getByRole('button', { name: '报考 科目0' }).click();
    await expect.poll(() => page.textContent('body'), { timeout: 15_000 }).toContain('已报考：科目0');
    const reg = await w.db.selectFrom('registration').select(['owner', 'institution_id']).where('candidate_id', '=', c.candidateId).where('subject_id', '=', w.exam.subjectIds[0]!).where('status', '=', 'ACTIVE').executeTakeFirstOrThrow();
    expect(reg).toEqual({ owner: 'INSTITUTION', institution_id: centre.institutionId });
    // The page now shows the rule that stops registering it twice, in the server's words.
    await expect.poll(() => page.textContent('main')).toContain('不可报考');
    await page.close();
  }, 120_000);
});

import fs from 'node:fs';
import ExcelJS from 'exceljs';
import type { Browser as Chromium, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endRegistrationByAuthority } from '../../src/modules/refunds/authority-cancel.ts';
import { checkAtBothSizes, expectNoSeriousA11yViolations } from '../support/axe.ts';
import { expectBooksBalance } from '../support/books.ts';
import { artifactPath, launchChromium, signInToConsole } from '../support/browser.ts';
import type { CandidateFixture } from '../support/fixtures.ts';
import { startPaymentWorld, type PaymentWorld } from '../support/payment-world.ts';
import { paidBill, runRefundsToTheEnd, staff } from '../support/refunds.ts';
import { makeStaff, type StaffFixture } from '../support/staff-fixtures.ts';

/*
 * The finance pages of the authority console (issue 8 items 5 and 7; REF-1, REF-2, REF-4, PAY-11,
 * ADM-4, ADM-5), in Chromium against the real app and the sandbox gateway. Finance staff find a
 * candidate, refund one paid subject through the original channel and watch it succeed without a
 * reload; the exam's policy, when it forbids a refund, speaks in the server's words; finance sees
 * no configuration. The administrator finds the refund in the audit log and exports it.
 */

let w: PaymentWorld;
let chromium: Chromium;
let finance: StaffFixture;
let admin: StaffFixture;
let candidate: CandidateFixture;
let billNo: string;
/** A refund the system made itself: the authority cancelled a paid registration (REF-2). */
let systemRefundNo: string;
let refundNo: string;
let financeContext: BrowserContext;
let page: Page;

beforeAll(async () => {
  chromium = await launchChromium();
  w = await startPaymentWorld();
  await w.db.updateTable('exam').set({ refund_policy: 'STAFF_DECIDES' }).where('id', '=', w.exam.examId).execute();
  finance = await makeStaff(w.db, w.exam, 'FINANCE');
  admin = await makeStaff(w.db, w.exam, 'AUTHORITY_ADMIN');
  // A candidate who signed in, confirmed both subjects into a bill and paid it at the sandbox (Alipay).
  candidate = await w.candidate();
  billNo = (await paidBill(w, { candidateId: candidate.candidateId, registrationIds: candidate.registrationIds, channel: 'alipay' })).bill_no;
  // Another candidate's paid subject, cancelled by the authority: the system creates that refund.
  const other = await w.candidate();
  await paidBill(w, { candidateId: other.candidateId, registrationIds: other.registrationIds, channel: 'wechatpay' });
  const ended = await endRegistrationByAuthority(w.ctx, { actor: staff(w.exam, 'AUTHORITY_ADMIN', admin.staffId), registrationId: other.registrationIds[0]!, kind: 'CANCEL_REGISTRATION', note: '考点停用' });
  if (!ended.ok) throw new Error(ended.error.code);
  systemRefundNo = ended.value.refunds[0]!.refund_no;
  financeContext = await chromium.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', acceptDownloads: true });
  page = await financeContext.newPage();
  await signIn(page, finance);
}, 120_000);
afterAll(async () => {
  await chromium?.close();
  await w?.close();
});

async function signIn(p: Page, s: StaffFixture, path = '/admin') {
  await signInToConsole(p, `${w.baseUrl}${path}`, s);
}

const navItems = (p: Page) => p.locator('nav .ant-menu-item').allTextContents();
const body = (p: Page) => p.textContent('body').then((t) => t ?? '');

/** Counts top-level navigations, so the test can prove a change arrived without a reload. */
function countNavigations(p: Page): () => number {
  let n = 0;
  p.on('framenavigated', (f) => { if (f === p.mainFrame()) n++; });
  return () => n;
}

describe('finance refunds a paid subject through the original channel (REF-1, REF-4, PAY-11)', () => {
  it('finance sees refunds but no configuration: the nav hides it and the API answers 403', async () => {
    await expect.poll(() => navItems(page)).toContain('退费');
    const nav = await navItems(page);
    expect(nav).not.toContain('审计日志');
    expect(nav).not.toContain('工作人员账号');
    expect(nav.some((n) => /配置|考试设置/.test(n))).toBe(false);
    for (const url of ['/api/v1/admin/exams', `/api/v1/admin/sittings/${w.exam.sittingId}`, '/api/v1/admin/audit-log', '/api/v1/admin/staff']) {
      const res = await page.request.get(`${w.baseUrl}${url}`);
      expect([url, res.status()]).toEqual([url, 403]);
      expect((await res.json()).error.code).toBe('STAFF_FORBIDDEN');
    }
    const put = await page.request.post(`${w.baseUrl}/api/v1/admin/sittings/${w.exam.sittingId}/cancel`, { data: { note: '财务不能取消考次' }, headers: { 'X-ExamPay-Request': '1' } });
    expect(put.status()).toBe(403);
    // The audit page typed in by hand: the server's refusal, in its words.
    await page.goto(`${w.baseUrl}/admin/audit`);
    await expect.poll(() => body(page)).toContain('您的角色无权进行此操作。');
  });

  it('the refund list shows system-created refunds with their progress', async () => {
    await page.goto(`${w.baseUrl}/admin/refunds`);
    const row = page.locator('tr.ant-table-row', { hasText: systemRefundNo });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('考试机构取消（系统自动）');
    expect(await row.textContent()).toMatch(/退款中|退款成功/);
    await checkAtBothSizes(page, 'console-finance-refunds', artifactPath);
    // A filter lives in the URL and survives a refresh.
    await page.goto(`${w.baseUrl}/admin/refunds?reason=PERSONAL`);
    await expect.poll(() => body(page)).toContain('没有符合条件的退费');
  });

  it('search by ID number → the candidate → the bill → refund one item with a reason → 退款成功 without a reload; the ledger books it', async () => {
    await page.goto(`${w.baseUrl}/admin/refunds/find`);
    await page.getByLabel('姓名 / 证件号码 / 缴费单号').fill(candidate.idNumber);
    await page.getByRole('button', { name: '查找' }).click();
    const found = page.locator('tr.ant-table-row');
    await expect.poll(() => found.count()).toBe(1);
    expect(page.url()).not.toContain(candidate.idNumber);
    expect(await found.textContent()).not.toContain(candidate.idNumber);
    await page.screenshot({ path: artifactPath('console-finance-find-desktop.png'), fullPage: true });
    await expectNoSeriousA11yViolations(page, 'console refund search');
    await found.getByRole('link', { name: /查看缴费单/ }).click();
    await page.waitForURL(`${w.baseUrl}/admin/refunds/candidates/${candidate.candidateId}`);
    const billRow = page.locator('tr.ant-table-row', { hasText: billNo });
    await expect.poll(() => billRow.count()).toBe(1);
    expect(await billRow.textContent()).toContain('¥145.00');
    await page.screenshot({ path: artifactPath('console-finance-candidate-desktop.png'), fullPage: true });
    await expectNoSeriousA11yViolations(page, 'console candidate bills');
    await billRow.getByRole('link', { name: /查看并退费/ }).click();
    await page.waitForURL(`${w.baseUrl}/admin/refunds/bills/${billNo}`);
    await expect.poll(() => page.getByTestId('bill-state').textContent().catch(() => '')).toBe('已完成缴费');
    const ledgerRows = page.locator('[data-testid=ledger] tr.ant-table-row');
    await expect.poll(() => ledgerRows.count()).toBe(2);
    expect(await page.locator('[data-testid=ledger]').textContent()).toContain('收款入账');

    const navigations = countNavigations(page);
    await page.getByRole('checkbox', { name: '选择 科目0' }).check();
    await page.getByLabel('退费原因（必填，考生可见）').fill('考生因病住院，无法参加考试');
    await page.getByRole('button', { name: '原路退款' }).click();
    await expect.poll(() => page.getByTestId('refund-outcomes').textContent()).toMatch(/科目0：已创建退款 \d{21}R\d+（¥80\.00，支付宝）/);
    const made = await w.db.selectFrom('refund').select(['refund_no', 'state', 'amount_fen', 'reason', 'note', 'requested_by']).where('reason', '=', 'PERSONAL').execute();
    expect(made).toEqual([{ refund_no: expect.any(String), state: 'PENDING', amount_fen: 8000n, reason: 'PERSONAL', note: '考生因病住院，无法参加考试', requested_by: `staff:${finance.staffId}` }]);
    refundNo = made[0]!.refund_no;
    const state = page.getByTestId(`refund-state-${refundNo}`);
    await expect.poll(() => state.textContent().catch(() => '')).toBe('退款中');
    await page.screenshot({ path: artifactPath('console-finance-bill-pending-desktop.png'), fullPage: true });

    // The refund job sends it to the sandbox, which pays it back; the page follows by itself.
    await runRefundsToTheEnd(w);
    expect((await w.db.selectFrom('refund').select('state').where('refund_no', '=', refundNo).executeTakeFirstOrThrow()).state).toBe('SUCCEEDED');
    await expect.poll(() => state.textContent(), { timeout: 15_000 }).toBe('退款成功');
    await expect.poll(() => page.getByTestId('bill-state').textContent()).toBe('部分退费');
    await expect.poll(() => ledgerRows.count()).toBe(6);
    const ledger = await page.locator('[data-testid=ledger]').textContent();
    expect(ledger).toMatch(new RegExp(`决定退款（应退）\\s*${refundNo}`));
    expect(ledger).toMatch(new RegExp(`退款成功（已退回）\\s*${refundNo}`));
    expect(ledger).toContain('refundable:alipay');
    expect(navigations()).toBe(0);
    const item = page.locator('tr.ant-table-row', { hasText: '科目0' }).first();
    expect(await item.textContent()).toContain('已无可退金额');
    await expectBooksBalance(w);
    await checkAtBothSizes(page, 'console-finance-bill', artifactPath);
  }, 120_000);

  it("a refund the exam's policy forbids is refused in the server's words, and nothing is refunded", async () => {
    await w.db.updateTable('exam').set({ refund_policy: 'NO_PERSONAL_REFUNDS' }).where('id', '=', w.exam.examId).execute();
    const before = await w.db.selectFrom('refund').select('id').execute();
    await page.getByRole('checkbox', { name: '选择 科目1' }).check();
    await page.getByLabel('退费原因（必填，考生可见）').fill('考生个人原因申请退费');
    await page.getByRole('button', { name: '原路退款' }).click();
    await expect.poll(() => page.getByTestId('refund-outcomes').textContent()).toContain('科目1：未能退费');
    expect(await page.getByTestId('refund-outcomes').textContent()).toContain('本考试缴费成功后，因个人原因申请退费的，一律不予退费。');
    expect(await w.db.selectFrom('refund').select('id').execute()).toEqual(before);
    await page.screenshot({ path: artifactPath('console-finance-bill-refused-desktop.png'), fullPage: true });
    await expectNoSeriousA11yViolations(page, 'console bill refund refused');
  });

  it("the candidate's own bill page shows the refund", async () => {
    const context = await chromium.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
    const headers = { 'X-ExamPay-Request': '1' };
    const captcha = await (await context.request.post(`${w.baseUrl}/api/v1/captchas`, { data: {}, headers })).json() as { captchaId: string; testAnswer: string };
    const res = await context.request.post(`${w.baseUrl}/api/v1/session`, { data: { authority: w.exam.authorityCode, idNumber: candidate.idNumber, password: candidate.password, captchaId: captcha.captchaId, captchaAnswer: captcha.testAnswer }, headers });
    expect(res.status()).toBe(200);
    const p = await context.newPage();
    await p.goto(`${w.baseUrl}/bills/${billNo}`);
    const refund = p.locator('[data-testid=refund]');
    await expect.poll(() => refund.count()).toBe(1);
    expect(await refund.getAttribute('data-refund-state')).toBe('SUCCEEDED');
    const text = await refund.textContent();
    expect(text).toContain(refundNo);
    expect(text).toContain('80.00');
    expect(text).toContain('考生因病住院，无法参加考试');
    await context.close();
  });
});

describe('the audit log (ADM-4) and staff accounts (ADM-5), as the administrator', () => {
  let adminPage: Page;
  beforeAll(async () => {
    adminPage = await (await chromium.newContext({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN', acceptDownloads: true })).newPage();
    await signIn(adminPage, admin);
  });

  it('the refund is in the log with who, when, what and before/after; the exports download and hold that row; nothing offers an edit', async () => {
    await expect.poll(() => navItems(adminPage)).toEqual(expect.arrayContaining(['退费', '审计日志', '工作人员账号']));
    await adminPage.goto(`${w.baseUrl}/admin/audit?action=refund.personal`);
    const row = adminPage.locator('tr.ant-table-row', { hasText: finance.loginName });
    await expect.poll(() => row.count()).toBe(1);
    const text = (await row.textContent()) ?? '';
    expect(text).toContain('办理个人原因退费');
    expect(text).toContain('FINANCE');
    expect(text).toContain('registration');
    expect(text).toContain(String(candidate.registrationIds[0]));
    expect(text).toContain(refundNo);
    expect(text).toMatch(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}/);
    expect(await row.getByTestId('audit-change').textContent()).toMatch(/status: ACTIVE → CANCELLED/);
    // Only searching, paging and exporting: no control that could change an entry.
    const buttons = await adminPage.locator('main button, main [role=button]').allTextContents();
    expect(buttons.filter((b) => /编辑|修改|删除|保存|Edit|Delete/.test(b))).toEqual([]);
    await checkAtBothSizes(adminPage, 'console-finance-audit', artifactPath);

    const [csv] = await Promise.all([adminPage.waitForEvent('download'), adminPage.getByTestId('export-csv').click()]);
    expect(csv.suggestedFilename()).toMatch(/^audit-log-\d{4}-\d{2}-\d{2}\.csv$/);
    const csvText = fs.readFileSync((await csv.path())!, 'utf8');
    const lines = csvText.trim().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(finance.loginName);
    expect(lines[1]).toContain('refund.personal');
    expect(lines[1]).toContain(refundNo);

    const [xlsx] = await Promise.all([adminPage.waitForEvent('download'), adminPage.getByTestId('export-xlsx').click()]);
    expect(xlsx.suggestedFilename()).toMatch(/\.xlsx$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile((await xlsx.path())!);
    const sheet = wb.worksheets[0]!;
    expect(sheet.rowCount).toBe(2);
    expect(String(sheet.getRow(2).getCell(7).value)).toBe(finance.loginName);
    expect(String(sheet.getRow(2).getCell(13).value)).toContain(refundNo);

    // The server has no route that writes the log: an edit or delete is "not found", the row unchanged.
    const entryId = (await (await adminPage.request.get(`${w.baseUrl}/api/v1/admin/audit-log?action=refund.personal`)).json())[0].entryId as string;
    for (const method of ['put', 'delete', 'patch'] as const) {
      const r = await adminPage.request[method](`${w.baseUrl}/api/v1/admin/audit-log/${entryId}`, { data: { outcome: 'FAILURE' }, headers: { 'X-ExamPay-Request': '1' } });
      expect(r.status()).toBe(404);
    }
    expect((await w.db.selectFrom('audit_log').select('outcome').where('id', '=', BigInt(entryId)).executeTakeFirstOrThrow()).outcome).toBe('SUCCESS');
  }, 90_000);

  it('staff accounts: create one (initial password shown once), then disable it', async () => {
    await adminPage.goto(`${w.baseUrl}/admin/staff`);
    await expect.poll(() => adminPage.locator('tr.ant-table-row', { hasText: finance.loginName }).count()).toBe(1);
    await adminPage.getByLabel('用户名').fill('fin-new1');
    await adminPage.getByLabel('姓名').fill('新财务');
    await adminPage.getByRole('button', { name: '创建' }).click();
    await expect.poll(() => adminPage.getByTestId('initial-password').textContent().catch(() => '')).toMatch(/.{8,}/);
    const row = adminPage.locator('tr.ant-table-row', { hasText: 'fin-new1' });
    await expect.poll(() => row.count()).toBe(1);
    expect(await row.textContent()).toContain('财务人员');
    await checkAtBothSizes(adminPage, 'console-finance-staff', artifactPath);
    await row.getByRole('button', { name: /停用/ }).click();
    await adminPage.getByRole('dialog').getByRole('button', { name: '停用' }).click();
    await expect.poll(() => row.textContent()).toContain('已停用');
    const made = await w.db.selectFrom('staff_account').select(['role', 'disabled_at', 'must_change_password']).where('login_name', '=', 'fin-new1').executeTakeFirstOrThrow();
    expect(made).toMatchObject({ role: 'FINANCE', must_change_password: true });
    expect(made.disabled_at).not.toBeNull();
  }, 60_000);
});

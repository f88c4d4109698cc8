import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createRequire } from 'node:module';
import { confirmBill } from '../../src/modules/billing/confirm-bill.ts';
import { MINUTE } from '../../src/shared/clock.ts';
import { artifactPath, launchChromium } from '../support/browser.ts';
import { makeCandidate, makeExam, type CandidateFixture } from '../support/fixtures.ts';
import { startPaymentWorld, type PaymentWorld } from '../support/payment-world.ts';

/*
 * The candidate's bill pages of the web app (issue 7), in Chromium against the real app and the
 * sandbox gateway: the unhappy paths the seeds' candidates met — a bill closed after its time, a
 * channel that never calls back, money taken twice, a payment window closed — each at desktop and
 * phone width; pay by payment code (PAY-6) with the keyboard alone. The page must update itself:
 * no test reloads a page to see a change the server made.
 */

let w: PaymentWorld;
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
  w = await startPaymentWorld();
  await w.db.updateTable('exam').set({ pay_without_sign_in: true }).where('id', '=', w.exam.examId).execute();
  // Notifications flow by themselves, as in real life (a bill's faults may stop them).
  w.sandbox.start(200);
});
afterAll(async () => {
  await w?.sandbox.stop();
  await browser?.close();
  await w?.close();
});

const VIEWPORTS = [['desktop', { width: 1280, height: 800 }], ['phone', { width: 375, height: 740 }]] as const;
type Viewport = (typeof VIEWPORTS)[number][1];

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
/** Private until test/support/axe.ts lands (the lead folds the two together). */
async function expectNoSeriousA11yViolations(page: Page, what: string): Promise<void> {
  await page.addScriptTag({ path: AXE });
  // Written as text: the test's TypeScript has no DOM types; this runs in the page.
  const violations = await page.evaluate(`axe.run(document, { runOnly: ['wcag2a', 'wcag2aa'] }).then((r) =>
    r.violations.map((v) => ({ id: v.id, impact: v.impact, targets: v.nodes.map((n) => JSON.stringify(n.target)).slice(0, 5) })))`) as { id: string; impact: string | null; targets: string[] }[];
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious, `accessibility of ${what}`).toEqual([]);
}

async function shoot(page: Page, name: string, label: string) {
  await page.screenshot({ path: artifactPath(`${name}-${label}.png`), fullPage: true });
}

/** Signs the browser in through the API (the sign-in page is another area's): the session cookie lands in the context. */
async function signedInContext(c: CandidateFixture, viewport: Viewport, authority = w.exam.authorityCode): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport, locale: 'zh-CN' });
  const headers = { 'X-ExamPay-Request': '1' };
  const captcha = await (await context.request.post(`${w.baseUrl}/api/v1/captchas`, { data: {}, headers })).json() as { captchaId: string; testAnswer: string };
  const res = await context.request.post(`${w.baseUrl}/api/v1/session`, { data: { authority, idNumber: c.idNumber, password: c.password, captchaId: captcha.captchaId, captchaAnswer: captcha.testAnswer }, headers });
  expect(res.status(), await res.text()).toBe(200);
  return context;
}

async function unpaidBill(c: CandidateFixture): Promise<string> {
  const confirmed = await confirmBill(w.ctx, { candidateId: c.candidateId, registrationIds: c.registrationIds });
  if (!confirmed.ok) throw new Error(confirmed.error.code);
  return confirmed.value.bill_no;
}

const state = (page: Page) => page.locator('[data-testid=bill-state]').textContent({ timeout: 2_000 }).catch(() => null);

/** Counts top-level navigations, so a test can prove the page changed without being reloaded. */
function countNavigations(page: Page): () => number {
  let n = 0;
  page.on('framenavigated', (f) => { if (f === page.mainFrame()) n++; });
  return () => n;
}

/** On the bill page: accept the agreement, choose Alipay, open the sandbox cashier in this window and pay. */
async function payThroughAlipayCashier(page: Page, billNo: string) {
  await page.getByRole('checkbox', { name: '我已阅读并同意缴费协议' }).click();
  await expect.poll(() => page.textContent('body'), { timeout: 15_000 }).toContain('已同意缴费协议');
  await page.click('button[data-channel=alipay]');
  await page.waitForSelector('img[data-testid=qr]');
  await page.click('a[data-testid=cashier]');
  await page.waitForSelector('text=支付 Pay');
  await page.click('button:has-text("支付 Pay")');
  await page.waitForLoadState();
  const back = page.locator('a[href*="/pay/return/alipay"]');
  if (await back.count()) await back.first().click();
  await page.waitForURL(new RegExp(`/bills/${billNo}$`));
}

describe('bill closed after its time (PAY-3)', () => {
  for (const [label, viewport] of VIEWPORTS) {
    it(`缴费中 with a QR → the timeout job closes it → the page says so by itself, why, and what to do next (${label})`, async () => {
      const c = await w.candidate();
      const { bill } = await w.payingBill(c);
      const context = await signedInContext(c, viewport);
      const page = await context.newPage();
      const navigations = countNavigations(page);
      await page.goto(`${w.baseUrl}/bills/${bill.bill_no}`);
      await expect.poll(() => state(page), { timeout: 15_000 }).toBe('缴费中');
      // The QR is the server's image of the open order, and it loads.
      await page.waitForSelector('img[data-testid=qr]');
      await expect.poll(() => page.$eval('img[data-testid=qr]', (i) => (i as unknown as { naturalWidth: number }).naturalWidth), { timeout: 15_000 }).toBeGreaterThan(0);
      await shoot(page, 'bill-paying', label);
      await expectNoSeriousA11yViolations(page, `bill paying ${label}`);
      const before = navigations();

      // Half an hour passes with the page open. Its own polling keeps the session alive (the idle
      // limit is 30 minutes), as a candidate who leaves the page open would.
      for (let i = 0; i < 4; i++) {
        w.clock.advance(8 * MINUTE);
        await page.waitForResponse((r) => r.url().endsWith(`/api/v1/bills/${bill.bill_no}`) && r.status() === 200);
      }
      await w.runJobs();
      expect((await w.bill(bill.bill_no)).state).toBe('CLOSED');
      await expect.poll(() => state(page), { timeout: 10_000 }).toBe('订单已关闭');
      expect(navigations()).toBe(before);
      // The server's words: not paid in time, the QR no longer works, confirm the subjects again.
      expect(await page.textContent('[data-testid=closed-reason]')).toContain('二维码已失效');
      expect(await page.textContent('body')).toContain('请回到报考页面重新确认科目');
      expect(await page.locator('img[data-testid=qr]').count()).toBe(0);
      expect(await page.locator('button[data-channel]').count()).toBe(0);
      expect(await page.getByRole('link', { name: '去报考科目' }).getAttribute('href')).toBe('/sittings');
      await shoot(page, 'bill-closed', label);
      await expectNoSeriousA11yViolations(page, `bill closed ${label}`);
      // Refresh is safe: the same closed bill, from the server.
      await page.reload();
      await expect.poll(() => state(page), { timeout: 15_000 }).toBe('订单已关闭');
      await context.close();
    });
  }
});

describe('channel silent: paid at the cashier, the notification never comes (PAY-4)', () => {
  for (const [label, viewport] of VIEWPORTS) {
    it(`back from the cashier the page shows 缴费中; the poll job asks the channel; the page turns 已完成缴费 by itself (${label})`, async () => {
      const c = await w.candidate();
      const billNo = await unpaidBill(c);
      w.sandbox.setFaults(billNo, { noNotify: true });
      const context = await signedInContext(c, viewport);
      const page = await context.newPage();
      await page.goto(`${w.baseUrl}/bills/${billNo}`);
      await expect.poll(() => state(page), { timeout: 15_000 }).toBe('未缴费');
      await shoot(page, 'bill-unpaid', label);
      await expectNoSeriousA11yViolations(page, `bill unpaid ${label}`);
      await payThroughAlipayCashier(page, billNo);
      // The browser's return settles nothing: without the channel's word the bill is still 缴费中.
      await expect.poll(() => state(page), { timeout: 15_000 }).toBe('缴费中');
      expect(await page.textContent('[data-testid=bill-explanation]')).toContain('确认缴费状态');
      expect(await page.textContent('body')).toContain('无需退出重新登录');
      await shoot(page, 'bill-silent-paying', label);
      const navigations = countNavigations(page);

      // The poll job's first query comes due 15 s after the payment started.
      w.clock.advance(MINUTE);
      const ran = await w.runJobs();
      expect(ran['poll-paying-bills']?.queried).toBeGreaterThan(0);
      expect((await w.bill(billNo)).state).toBe('PAID');
      await expect.poll(() => state(page), { timeout: 10_000 }).toBe('已完成缴费');
      expect(navigations()).toBe(0);
      expect(await page.textContent('[data-testid=channel-trade-no]')).toMatch(/^\d{28}$/);
      expect(await page.locator('[data-testid=receipt-link]').getAttribute('href')).toBe(`/api/v1/bills/${billNo}/receipt.pdf`);
      await shoot(page, 'bill-paid', label);
      await expectNoSeriousA11yViolations(page, `bill paid ${label}`);
      await context.close();
    });
  }
});

describe('paid twice: the second charge is refunded automatically and the page shows it (PAY-8, REF-4)', () => {
  for (const [label, viewport] of VIEWPORTS) {
    it(`charged twice at the cashier → 已完成缴费 with a refund 退费中 → the refund job → 已退回, by itself (${label})`, async () => {
      const c = await w.candidate();
      const billNo = await unpaidBill(c);
      w.sandbox.setFaults(billNo, { chargeTwice: true });
      const context = await signedInContext(c, viewport);
      const page = await context.newPage();
      await page.goto(`${w.baseUrl}/bills/${billNo}`);
      await payThroughAlipayCashier(page, billNo);
      await expect.poll(() => state(page), { timeout: 15_000 }).toBe('已完成缴费');
      await page.waitForSelector('[data-testid=refund][data-refund-state=PENDING]', { timeout: 15_000 });
      const refund = await w.db.selectFrom('refund as r').innerJoin('bill as b', 'b.id', 'r.bill_id').select(['r.refund_no', 'r.state', 'r.reason']).where('b.bill_no', '=', billNo).executeTakeFirstOrThrow();
      expect(refund).toMatchObject({ state: 'PENDING', reason: 'DUPLICATE_PAYMENT' });
      const text = await page.textContent('[data-testid=refund]');
      expect(text).toContain(refund.refund_no);
      expect(text).toContain('145.00');
      expect(await page.textContent('[data-testid=bill-explanation]')).toContain('多扣的款项正在原路退回');
      expect(await page.textContent('body')).toContain('重复扣款（自动退回）');
      await shoot(page, 'bill-refund-pending', label);
      await expectNoSeriousA11yViolations(page, `bill refund ${label}`);
      const navigations = countNavigations(page);

      await w.runJobs();
      await page.waitForSelector('[data-testid=refund][data-refund-state=SUCCEEDED]', { timeout: 10_000 });
      expect(navigations()).toBe(0);
      expect(await page.textContent('[data-testid=bill-explanation]')).toContain('多扣的款项已原路退回');
      await shoot(page, 'bill-refunded', label);
      // The bill list shows it paid, with the refund said in words.
      await page.goto(`${w.baseUrl}/bills`);
      const row = page.locator(`[data-testid=bill-row][data-bill="${billNo}"]`);
      await expect.poll(() => row.textContent(), { timeout: 15_000 }).toContain('已完成缴费');
      expect(await row.textContent()).toContain('145.00');
      await shoot(page, 'bill-list', label);
      await expectNoSeriousA11yViolations(page, `bill list ${label}`);
      // Back and forward are safe: each page reloads what it shows from the server.
      await page.goBack();
      await page.waitForURL(new RegExp(`/bills/${billNo}$`));
      await expect.poll(() => state(page), { timeout: 15_000 }).toBe('已完成缴费');
      await page.waitForSelector('[data-testid=refund][data-refund-state=SUCCEEDED]');
      await page.goForward();
      await expect.poll(() => row.textContent(), { timeout: 15_000 }).toContain('已完成缴费');
      await context.close();
    });
  }
});

describe('payment window closed (REG-1)', () => {
  for (const [label, viewport] of VIEWPORTS) {
    it(`choosing a channel after the payment window closed shows the server's WINDOW_CLOSED words and the window times (${label})`, async () => {
      const exam = await makeExam(w.db, { channels: ['alipay', 'unionpay'] });
      const c = await makeCandidate(w.db, exam);
      const billNo = await unpaidBill(c);
      // The payment window ended an hour ago, after the bill was made.
      const now = w.clock.now().getTime();
      await w.db.insertInto('sitting_window').values({ sitting_id: exam.sittingId, kind: 'PAYMENT', opens_at: new Date(now - 3 * 60 * MINUTE), closes_at: new Date(now - 60 * MINUTE) }).execute();
      const context = await signedInContext(c, viewport, exam.authorityCode);
      const page = await context.newPage();
      await page.goto(`${w.baseUrl}/bills/${billNo}`);
      await page.getByRole('checkbox', { name: '我已阅读并同意缴费协议' }).click();
      await expect.poll(() => page.textContent('body'), { timeout: 15_000 }).toContain('已同意缴费协议');
      await page.click('button[data-channel=alipay]');
      await expect.poll(() => page.textContent('[data-testid=pay-error]').catch(() => null), { timeout: 15_000 }).toBe('当前不在办理时间内，请在开放时间内办理。');
      expect(await page.locator('[role=alert]', { hasText: 'WINDOW_CLOSED' }).count()).toBe(1);
      expect(await page.textContent('[data-testid=windows]')).toMatch(/缴费时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} 至 \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}/);
      expect(await state(page)).toBe('未缴费');
      expect((await w.bill(billNo)).state).toBe('UNPAID');
      await shoot(page, 'bill-window-closed', label);
      await expectNoSeriousA11yViolations(page, `window closed ${label}`);
      await context.close();
    });
  }
});

describe('pay by payment code without signing in (PAY-6), keyboard alone', () => {
  it('look-up with the arithmetic captcha → the open bill → agreement → Alipay QR → 确认缴费状态, with Tab, Space and Enter only (phone width)', async () => {
    const c = await w.candidate({ mustChangePassword: true });
    const billNo = await unpaidBill(c);
    const name = (await w.db.selectFrom('candidate').select('name').where('id', '=', c.candidateId).executeTakeFirstOrThrow()).name;
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, locale: 'zh-CN' });
    const captchaAnswer = captchaAnswers(page);
    let captchas = 0;
    page.on('request', (r) => { if (r.url().endsWith('/api/v1/captchas')) captchas++; });
    const captchaCount = () => captchas;
    await page.goto(`${w.baseUrl}/pay`);
    await page.waitForSelector('#captcha-img[src^="data:image/svg"]');
    await shoot(page, 'pay-lookup', 'phone');
    await expectNoSeriousA11yViolations(page, 'pay look-up');
    // The keyboard alone: from the top of the page, Tab to each field.
    await tabTo(page, '#pay_authority');
    await page.keyboard.type(w.exam.authorityCode);
    await tabTo(page, '#pay_name');
    await page.keyboard.type(name);
    // The look-up by payment code: the radio group is reached by Tab and moved with the arrows.
    await tabTo(page, 'input[type=radio][value=idNumber]');
    await page.keyboard.press('ArrowRight');
    await tabTo(page, '#pay_paymentCode');
    await page.keyboard.type(billNo);
    await tabTo(page, '#captcha');
    const answer = await captchaAnswer();
    await page.keyboard.type(answer);
    const typed = await page.inputValue('#captcha');
    await page.keyboard.press('Enter');
    // The answer, or the refusal in the server's words (shown in the failure, if any).
    await page.waitForSelector('[data-testid=open-bill], .ant-alert-error');
    expect(await page.locator('.ant-alert-error').count(), await page.locator('.ant-alert-error').first().textContent({ timeout: 500 }).catch(() => '') + ` typed ${typed} answer ${answer} captchas ${captchaCount()}`).toBe(0);
    expect(await page.textContent('[data-testid=open-bill]')).toContain(billNo);
    expect(await page.textContent('body')).toMatch(/考\*+/);
    await shoot(page, 'pay-found', 'phone');
    await expectNoSeriousA11yViolations(page, 'pay found');
    await tabTo(page, `a[href="/bills/${billNo}"]`);
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/bills/${billNo}$`));
    await expect.poll(() => state(page), { timeout: 15_000 }).toBe('未缴费');
    // The payer's frame: no cancelling (the pass cannot), a way to end the pass.
    expect(await page.getByRole('button', { name: '取消缴费单' }).count()).toBe(0);
    await tabTo(page, 'input[type=checkbox]');
    await page.keyboard.press('Space');
    await expect.poll(() => page.textContent('body'), { timeout: 15_000 }).toContain('已同意缴费协议');
    await tabTo(page, 'button[data-channel=alipay]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('img[data-testid=qr]');
    // The QR is served to the pass too (seed 003: the payer scans it).
    await expect.poll(() => page.$eval('img[data-testid=qr]', (i) => (i as unknown as { naturalWidth: number }).naturalWidth), { timeout: 15_000 }).toBeGreaterThan(0);
    await expect.poll(() => state(page), { timeout: 15_000 }).toBe('缴费中');
    await shoot(page, 'pay-bill-qr', 'phone');
    await expectNoSeriousA11yViolations(page, 'payer bill phone');
    await page.setViewportSize({ width: 1280, height: 800 });
    await shoot(page, 'pay-bill-qr', 'desktop');
    await expectNoSeriousA11yViolations(page, 'payer bill desktop');
    await page.setViewportSize({ width: 375, height: 740 });
    // Paid on another phone (the QR scanned); 确认缴费状态 by keyboard asks the channel now.
    w.sandbox.setFaults(billNo, { noNotify: true });
    expect((await w.sandbox.pay(billNo)).ok).toBe(true);
    await tabTo(page, 'button:has-text("确认缴费状态")');
    await page.keyboard.press('Enter');
    await expect.poll(() => state(page), { timeout: 15_000 }).toBe('已完成缴费');
    expect(await page.textContent('body')).toContain('渠道答复');
    // Focus stays visible: the focused element has an outline or a box shadow.
    await tabTo(page, 'button:has-text("确认缴费状态")');
    expect(await page.evaluate(`(() => { const s = getComputedStyle(document.activeElement); return s.outlineStyle !== 'none' || s.boxShadow !== 'none'; })()`)).toBe(true);
    await page.close();
  });

  it('a wrong name gets the server\'s PAYER_NOT_FOUND words and a new captcha; a bill page without a pass or session goes to sign in', async () => {
    for (const [label, viewport] of VIEWPORTS) {
      const billNo = await unpaidBill(await w.candidate());
      const page = await browser.newPage({ viewport, locale: 'zh-CN' });
      const captchaAnswer = captchaAnswers(page);
      await page.goto(`${w.baseUrl}/pay?authority=${w.exam.authorityCode}&code=${billNo}`);
      expect(await page.inputValue('#pay_paymentCode')).toBe(billNo);
      await page.waitForSelector('#captcha-img[src^="data:image/svg"]');
      await shoot(page, 'pay-lookup', label);
      await page.fill('#pay_name', '不是他');
      const first = await page.getAttribute('#captcha-img', 'src');
      await page.fill('#captcha', await captchaAnswer());
      await page.getByRole('button', { name: '查找缴费单' }).click();
      // Whatever the refusal, it is shown; it must be the server's PAYER_NOT_FOUND words.
      await page.locator('.ant-alert-error').waitFor();
      expect(await page.locator('.ant-alert-error').first().textContent()).toContain('没有找到与所填姓名和证件号码（或缴费码）相符的考生');
      await expect.poll(() => page.getAttribute('#captcha-img', 'src'), { timeout: 15_000 }).not.toBe(first);
      await shoot(page, 'pay-not-found', label);
      await expectNoSeriousA11yViolations(page, `pay not found ${label}`);
      await page.goto(`${w.baseUrl}/bills/${billNo}`);
      await page.waitForURL(/\/sign-in\?next=/);
      expect(decodeURIComponent(new URL(page.url()).search)).toContain(`/bills/${billNo}`);
      await page.close();
    }
  });
});

/** Presses Tab until the element matching `selector` has the focus (the keyboard alone reaches it). */
async function tabTo(page: Page, selector: string, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    // Focused: the element itself or something inside it (antd wraps inputs).
    const focused = await page.locator(selector).first().evaluate((el) => {
      const active = (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement;
      return el === active || (el as unknown as { contains(n: unknown): boolean }).contains(active);
    }, undefined, { timeout: 1000 }).catch(() => false);
    if (focused) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** The answer of the newest captcha the page fetched (the test server sends it; the page never shows it), as a person reading the image would know it. */
function captchaAnswers(page: Page): () => Promise<string> {
  let latest: Promise<string> | undefined;
  page.on('response', (r) => {
    if (r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/captchas') latest = r.json().then((b: { testAnswer: string }) => b.testAnswer);
  });
  return async () => {
    await page.waitForSelector('#captcha-img[src^="data:image/svg"]');
    if (!latest) throw new Error('the page showed a captcha but no captcha response was seen');
    return latest;
  };
}

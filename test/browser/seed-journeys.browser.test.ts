/**
 * The main journey of each of the five seed systems (issue 7), walked in Chromium as a candidate
 * would, on the exam configurations of fixtures/seeds/ loaded into one real world (ExamPay + the
 * sandbox gateway, notifications flowing by themselves): sign in the seed's way (ID number or
 * 通行证 e-mail, captcha, the forced password change) → 报名 (subjects, site and time where the seed
 * has seats) → 报考科目确认 → the bill page (the exam's agreement, the seed's channel, the sandbox
 * cashier in the same window, back to the bill page, 已完成缴费 by itself) → the receipt PDF from
 * the bill page's link → the admission ticket PDF inside the print window (ManualClock) where
 * the seed prints one. Every journey runs at desktop and at phone width; each main page is
 * photographed (test-artifacts/journey-<seed>-<page>-<size>.png) and checked with axe.
 */
import fs from 'node:fs/promises';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfiguration, seedConfigurationFiles } from '../../src/demo/seed-configurations.ts';
import type { ExamConfiguration } from '../../src/modules/exams/exam-configuration.schema.ts';
import { loadConfiguration, type LoadedExam } from '../../src/modules/exams/load-configuration.ts';
import { DESKTOP, expectNoSeriousA11yViolations, PHONE } from '../support/axe.ts';
import { artifactPath, launchChromium, watchCaptchas } from '../support/browser.ts';
import { lastMailTo, linkToken } from '../support/mailbox.ts';
import { startPaymentWorld, type PaymentWorld } from '../support/payment-world.ts';
import { readPdf } from '../support/pdf.ts';
import { recordSecret } from '../support/test-log.ts';

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });
const DAY = 24 * 60 * 60 * 1000;
/** A whole journey, generously: the machine may be busy (each takes seconds on a quiet one). */
const JOURNEY_MS = 240_000;
/** The world's clock when the seeds are loaded: 09:00 in Beijing, as seed 001's 3月15日 9:00. */
const START = new Date('2026-03-15T01:00:00Z');
const SIZES = [['desktop', DESKTOP], ['phone', PHONE]] as const;
type Size = (typeof SIZES)[number][0];

let w: PaymentWorld;
let browser: Browser;
const seeds = new Map<string, { config: ExamConfiguration; loaded: LoadedExam }>();

beforeAll(async () => {
  browser = await launchChromium();
  w = await startPaymentWorld();
  w.clock.set(START);
  for (const file of seedConfigurationFiles()) {
    const config = readConfiguration(file);
    const loaded = await loadConfiguration(w.ctx, config, START);
    if (!loaded) throw new Error(`seed ${file} was not loaded`);
    for (const a of loaded.accounts) {
      recordSecret('ID number', a.idNumber);
      recordSecret('password', a.password);
    }
    seeds.set(config.seed.slice(0, 3), { config, loaded });
  }
  // The channels' notifications flow by themselves, as in real life.
  w.sandbox.start(200);
});
afterAll(async () => {
  await w?.sandbox.stop();
  await browser?.close();
  await w?.close();
});

/** One candidate's walk: their browser (a fresh context: nothing of another candidate), the seed and the size. */
interface Walk { page: Page; context: BrowserContext; captcha: ReturnType<typeof watchCaptchas>; seed: string; size: Size; config: ExamConfiguration; loaded: LoadedExam }

async function startWalk(seed: string, size: Size): Promise<Walk> {
  const s = seeds.get(seed)!;
  const context = await browser.newContext({ viewport: size === 'desktop' ? DESKTOP : PHONE, locale: 'zh-CN', acceptDownloads: true });
  const page = await context.newPage();
  return { page, context, captcha: watchCaptchas(page), seed, size, ...s };
}

/** The page as it is now: a full-page screenshot, and axe (no serious or critical violation). */
async function look(walk: Walk, name: string) {
  await walk.page.screenshot({ path: artifactPath(`journey-${walk.seed}-${name}-${walk.size}.png`), fullPage: true });
  await expectNoSeriousA11yViolations(walk.page, `seed ${walk.seed} ${name} (${walk.size})`);
}

const account = (walk: Walk, name: string) => {
  const a = walk.loaded.accounts.find((x) => x.name === name);
  if (!a) throw new Error(`no roster account ${name} in seed ${walk.seed}`);
  return a;
};

/** From the home page's 登录 link, the sign-in the ID number (ACC-1a); the image captcha read as a person would. */
async function signInById(walk: Walk, idNumber: string, password: string, opts: { fromHome?: boolean; lookName?: string } = {}) {
  const { page } = walk;
  if (opts.fromHome ?? true) {
    await page.goto(w.baseUrl + '/');
    await page.getByRole('link', { name: '登录', exact: true }).click();
  }
  await page.waitForURL(/\/sign-in/);
  await page.waitForSelector('#captcha-img[src^="data:image/svg"]');
  if (opts.lookName) await look(walk, opts.lookName);
  await page.fill('#authority', walk.config.authority.code);
  await page.fill('#idNumber', idNumber);
  await page.fill('#password', password);
  await walk.captcha.fillCaptcha();
  await page.click('#signin-submit');
  await signedIn(page);
}

/** Off the sign-in page, or the refusal the page shows, as the failure. */
async function signedIn(page: Page) {
  await page.waitForFunction(() => {
    const loc = (globalThis as unknown as { location: { pathname: string }; document: { querySelector(s: string): unknown } });
    return !loc.location.pathname.startsWith('/sign-in') || loc.document.querySelector('#error') !== null;
  }, undefined, { timeout: 15_000 });
  if (new URL(page.url()).pathname.startsWith('/sign-in')) throw new Error(`sign-in refused: ${await page.textContent('#error')}`);
}

/** ACC-2/ACC-3: the first sign-in goes to the password change first, with the exam's rules shown. */
async function forcedPasswordChange(walk: Walk, current: string, next: string) {
  const { page } = walk;
  await page.waitForURL(/\/account\/password\?next=/);
  await page.waitForSelector('#policy-rules li');
  await look(walk, 'password');
  await page.fill('#current', current);
  await page.fill('#next', next);
  await page.fill('#again', next);
  await page.click('#password-submit');
  await page.waitForURL(w.baseUrl + '/sittings');
}

/** /sittings: the candidate's details (masked), the sitting with its windows; into its registration page. */
async function openSitting(walk: Walk, who: { name: string; idNumber: string; phone?: string }) {
  const { page, config, loaded } = walk;
  await poll(() => page.textContent('#who-name')).toBe(who.name);
  // OPS-6: masked, never whole — not even in the page's HTML.
  expect(await page.textContent('#who-id')).toBe(`${who.idNumber.slice(0, 4)}**********${who.idNumber.slice(-4)}`);
  if (who.phone) expect(await page.textContent('#who-phone')).toBe(`${who.phone.slice(0, 3)}****${who.phone.slice(-4)}`);
  await poll(() => page.locator(`[data-sitting="${loaded.sittingId}"]`).textContent()).toContain(config.sitting.name);
  const html = await page.content();
  expect(html).not.toContain(who.idNumber);
  if (who.phone) expect(html).not.toContain(who.phone);
  await look(walk, 'sittings');
  await page.getByRole('link', { name: `进入${config.sitting.name}报名` }).click();
  await page.waitForURL(`${w.baseUrl}/sittings/${loaded.sittingId}`);
  await page.waitForSelector('#subjects [data-subject]');
}

const subjectCard = (page: Page, code: string) => page.locator(`[data-subject="${code}"]`);
const mine = (page: Page, code: string) => page.locator(`[data-registration="${code}"]`);
const subjectOf = (walk: Walk, code: string) => walk.config.sitting.subjects.find((s) => s.code === code)!;

/** 报考 one subject, at `site` (its first time there) where the subject has seats (REG-6). */
async function register(walk: Walk, code: string, site?: string) {
  const { page } = walk;
  const name = subjectOf(walk, code).name;
  const button = subjectCard(page, code).getByRole('button', { name: `报考 ${name}` });
  await button.waitFor();
  if (site) await subjectCard(page, code).getByLabel(new RegExp(site)).first().check();
  await button.click();
  await poll(() => mine(page, code).count()).toBe(1);
  if (site) await poll(() => mine(page, code).textContent()).toContain(`${site} · `);
}

/** 报考科目确认 (PAY-1): tick the subjects, see the total, confirm → the bill page. */
async function confirmBill(walk: Walk, codes: string[], lookName = 'sitting'): Promise<string> {
  const { page } = walk;
  let fen = 0;
  for (const code of codes) {
    const s = subjectOf(walk, code);
    fen += s.feeFen;
    await mine(page, code).getByLabel(`选择《${s.name}》缴费`).check();
  }
  await poll(() => page.textContent('#confirm-total')).toContain(`已选 ${codes.length} 个科目，合计 ${(fen / 100).toFixed(2)} 元`);
  await look(walk, lookName);
  await page.click('#confirm-bill');
  await page.waitForURL(/\/bills\/\d{21}$/);
  return page.url().split('/').at(-1)!;
}

const billState = (page: Page) => page.locator('[data-testid=bill-state]').textContent({ timeout: 2_000 }).catch(() => null);

/**
 * The bill page: the exam's own agreement, the seed's channel, its sandbox cashier in this window
 * (a QR's cashier link, or the bank picker UnionPay's signed form leads to), pay, back to the
 * bill page (the channel's 返回商户 where it has one, the browser's Back where it has none: WeChat
 * Pay Native), and 已完成缴费 shown without a reload. Returns the channel serial number shown.
 */
async function payBill(walk: Walk, billNo: string, channel: string, lookPrefix = 'bill'): Promise<string> {
  const { page, config } = walk;
  await poll(() => billState(page)).toBe('未缴费');
  expect(await page.textContent('[data-testid=agreement-text]')).toBe(config.exam.agreementText);
  await look(walk, `${lookPrefix}-unpaid`);
  await page.getByRole('checkbox', { name: '我已阅读并同意缴费协议' }).click();
  await poll(() => page.textContent('body')).toContain('已同意缴费协议');
  // Only the exam's channels are offered (PAY-5).
  expect((await page.locator('button[data-channel]').evaluateAll((bs) => bs.map((b) => b.getAttribute('data-channel')))).sort()).toEqual([...config.exam.channels].sort());
  await page.click(`button[data-channel=${channel}]`);
  if (channel === 'unionpay') {
    // No QR: the bank's page, in this window (no pop-up).
    await page.waitForSelector('input[type=radio]');
    await page.screenshot({ path: artifactPath(`journey-${walk.seed}-cashier-${walk.size}.png`), fullPage: true });
    await page.locator('input[type=radio]').first().check();
    await page.locator('form[action$="/pay"] button[type=submit]').click();
  } else {
    await page.waitForSelector('img[data-testid=qr]');
    await poll(() => billState(page)).toBe('缴费中');
    await poll(() => page.$eval('img[data-testid=qr]', (i) => (i as unknown as { naturalWidth: number }).naturalWidth)).toBeGreaterThan(0);
    await look(walk, `${lookPrefix}-paying`);
    await page.click('a[data-testid=cashier]');
    await page.waitForSelector(`text=${billNo}`);
    await page.screenshot({ path: artifactPath(`journey-${walk.seed}-cashier-${walk.size}.png`), fullPage: true });
    await page.locator('form[action$="/pay"] button[type=submit]').click();
  }
  await page.waitForSelector('text=支付成功');
  if (!new RegExp(`/bills/${billNo}$`).test(page.url())) {
    const back = page.locator('a', { hasText: '返回商户' });
    if (await back.count()) {
      // The result page also goes back by itself after 3 s: either way lands on the bill page.
      await back.first().click({ timeout: 2_000 }).catch(() => undefined);
    } else {
      for (let i = 0; i < 3 && !new RegExp(`/bills/${billNo}$`).test(page.url()); i++) await page.goBack();
    }
  }
  await page.waitForURL(new RegExp(`/bills/${billNo}$`), { timeout: 15_000 });
  await poll(() => billState(page)).toBe('已完成缴费');
  const tradeNo = (await page.textContent('[data-testid=channel-trade-no]')) ?? '';
  expect(tradeNo).not.toBe('');
  await look(walk, `${lookPrefix}-paid`);
  return tradeNo;
}

/** DOC-1: the receipt from the bill page's download link: payer, bill number, trade number, amount in Chinese, embedded fonts. */
async function checkReceipt(walk: Walk, expected: { name: string; idNumber: string; billNo: string; tradeNo: string; fen: number }) {
  const { page } = walk;
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid=receipt-link]')]);
  const bytes = await fs.readFile(await download.path());
  expect(download.suggestedFilename()).toMatch(/\.pdf$/);
  const pdf = await readPdf(bytes);
  const yuan = (expected.fen / 100).toFixed(2);
  for (const s of ['电子缴费凭证', walk.config.authority.name, walk.config.exam.name, expected.name, expected.billNo, expected.tradeNo, `合计 Total：¥${yuan}（${yuan}元）`, '已缴费 Paid']) {
    expect(pdf.text, s).toContain(s);
  }
  expect(pdf.text).not.toContain(expected.idNumber);
  // DOC-3: every font embedded.
  expect(pdf.fonts.length).toBeGreaterThan(0);
  for (const f of pdf.fonts) expect(f.embedded, f.name).toBe(true);
}

/**
 * DOC-2: weeks later, inside the print window (the world's clock moved there), the candidate signs
 * in again and prints from /tickets; the PDF the page's link gives has the ticket's facts.
 */
async function printTickets(walk: Walk, who: { idNumber: string; password: string; name: string }, expected: { kind: 'WRITTEN' | 'ORAL'; subject: string; site: string }[]) {
  const { page, config, loaded } = walk;
  w.clock.set(new Date(START.getTime() + 40 * DAY));
  try {
    await page.goto(w.baseUrl + '/tickets');
    await signInById(walk, who.idNumber, who.password, { fromHome: false });
    await page.waitForURL(/\/tickets$/);
    const section = page.locator(`[data-sitting="${loaded.sittingId}"]`);
    await section.locator('.print-state[data-open="true"]').waitFor();
    await poll(() => section.locator('a.print-ticket').count()).toBe(expected.length);
    await look(walk, 'tickets');
    for (const e of expected) {
      const href = await section.locator(`[data-ticket="${e.kind}"] a.print-ticket`).getAttribute('href');
      const res = await page.request.get(w.baseUrl + href);
      expect(res.status()).toBe(200);
      expect(res.headers()['content-type']).toBe('application/pdf');
      const ticket = await readPdf(await res.body());
      for (const s of [`${config.exam.name} 准考证（${e.kind === 'WRITTEN' ? '笔试' : '口试'}）`, who.name, e.subject, e.site]) expect(ticket.text, s).toContain(s);
      expect(ticket.text).not.toContain(who.idNumber);
      for (const f of ticket.fonts) expect(f.embedded, f.name).toBe(true);
    }
  } finally {
    w.clock.set(START);
  }
}

const NEW_PASSWORD = 'Journey2026ok';

describe('seed 000 网络教育统考: ID number, seats at learning-centre sites, UnionPay bank card, admission ticket', () => {
  for (const [size] of SIZES) {
    it(`sign in → change password → 大学英语B at a site and time → bill → UnionPay bank page → 已完成缴费 → receipt → ticket (${size})`, async () => {
      const walk = await startWalk('000', size);
      const who = account(walk, size === 'desktop' ? '王强' : '陈静');
      await signInById(walk, who.idNumber, who.password, { lookName: 'sign-in' });
      await forcedPasswordChange(walk, who.password, NEW_PASSWORD);
      await openSitting(walk, who);
      const { page } = walk;
      // REG-3: 陈静 passed 大学语文B, so A is refused with the reason; nobody can register a subject twice.
      if (who.name === '陈静') expect(await subjectCard(page, 'CHN-A').locator('.reason').getAttribute('data-reason')).toBe('EXCLUSIVE_SUBJECT_CONFLICT');
      await register(walk, 'ENG-B', '北京海淀学习中心考点');
      // 大学英语A and B exclude each other: once B is registered, A says why it cannot be.
      await poll(() => subjectCard(page, 'ENG-A').locator('.reason').getAttribute('data-reason')).toBe('EXCLUSIVE_SUBJECT_CONFLICT');
      expect(await subjectCard(page, 'ENG-A').textContent()).toContain('与您已报考或已通过的《大学英语B》互斥');
      const billNo = await confirmBill(walk, ['ENG-B']);
      const tradeNo = await payBill(walk, billNo, 'unionpay');
      await checkReceipt(walk, { name: who.name, idNumber: who.idNumber, billNo, tradeNo, fen: 7000 });
      await printTickets(walk, { ...who, password: NEW_PASSWORD }, [{ kind: 'WRITTEN', subject: '大学英语B', site: '北京海淀学习中心考点' }]);
      await walk.context.close();
    }, JOURNEY_MS);
  }
});

describe('seed 001 上海专科自主招生: ID number (initial password = last six), details checked, public payment platform QR (bank card only)', () => {
  for (const [size] of SIZES) {
    it(`sign in → change password → 核对姓名、证件号、手机号 → 报名考试费 → bill → public payment platform → 已完成缴费 → receipt (${size})`, async () => {
      const walk = await startWalk('001', size);
      const name = size === 'desktop' ? '陆思远' : '顾佳怡';
      const who = { ...account(walk, name), phone: walk.config.candidates.find((c) => c.name === name)!.phone! };
      recordSecret('phone', who.phone);
      await signInById(walk, who.idNumber, who.password, { lookName: 'sign-in' });
      await forcedPasswordChange(walk, who.password, NEW_PASSWORD);
      await openSitting(walk, who);
      // The payment windows (seed 001's two fixed slots) are shown in Beijing time.
      expect(await walk.page.textContent('main')).toContain('网上缴费：2026-03-15 09:00:00 — 2026-03-15 20:00:00');
      await register(walk, 'FEE');
      const billNo = await confirmBill(walk, ['FEE']);
      const tradeNo = await payBill(walk, billNo, 'publicpay');
      await checkReceipt(walk, { name: who.name, idNumber: who.idNumber, billNo, tradeNo, fen: 10000 });
      await walk.context.close();
    }, JOURNEY_MS);
  }
});

describe('seed 002 CET: 通行证 e-mail account, written before oral (register and pay), PayEase then Alipay, written and oral tickets', () => {
  for (const [size] of SIZES) {
    it(`注册通行证 → verify the mailed link → sign in by e-mail → 笔试 + 口试 → pay the written (PayEase) → then the oral (Alipay) → receipts → tickets (${size})`, async () => {
      const walk = await startWalk('002', size);
      const { page, config } = walk;
      const roster = account(walk, size === 'desktop' ? '王思雨' : '周子豪');
      const email = `journey.${size}@example.cn`;
      const password = 'Cet2026!journey';
      recordSecret('password', password);

      // ACC-1b: the 通行证 opened with the roster's name and ID number, verified by its mailed link.
      await page.goto(`${w.baseUrl}/sign-up?authority=${config.authority.code}&exam=${config.exam.code}`);
      await page.waitForSelector('#policy-rules li');
      await page.fill('#email', email);
      await page.fill('#password', password);
      await page.fill('#name', roster.name);
      await page.fill('#idNumber', roster.idNumber);
      await walk.captcha.fillCaptcha();
      await look(walk, 'sign-up');
      await page.getByRole('button', { name: '注 册' }).or(page.getByRole('button', { name: '注册' })).click();
      await page.waitForSelector('#notice-text, #error:not(:empty)');
      expect(await page.locator('#error').textContent({ timeout: 500 }).catch(() => '')).toBe('');
      expect(await page.textContent('#notice-text')).toContain(email);
      const mail = await lastMailTo(w.db, email);
      await page.goto(`${w.baseUrl}/verify-email#token=${linkToken(mail.body_text, 'verify')}`);
      await poll(() => page.textContent('#notice-title')).toContain('邮箱已验证');
      await page.getByRole('link', { name: '去登录' }).click();
      await page.waitForURL(/\/sign-in/);
      await page.getByRole('tab', { name: '通行证（邮箱）登录' }).click();
      await page.waitForURL(/style=email/);
      await page.waitForSelector('#captcha-img[src^="data:image/svg"]');
      await page.fill('#authority', config.authority.code);
      await page.fill('#email', email);
      await page.fill('#password', password);
      await walk.captcha.fillCaptcha();
      await look(walk, 'sign-in');
      await page.click('#signin-submit');
      await page.waitForURL(w.baseUrl + '/sittings');
      await openSitting(walk, roster);

      // REG-5: the oral subject waits for its written one — registering, then paying.
      expect(await subjectCard(page, 'CET4-ORAL').locator('.reason').getAttribute('data-reason')).toBe('WRITTEN_BEFORE_ORAL');
      await register(walk, 'CET4', '本部校区');
      await register(walk, 'CET4-ORAL', '本部校区');
      const oralBlock = mine(page, 'CET4-ORAL').locator('.pay-block');
      await poll(() => oralBlock.getAttribute('data-reason')).toBe('WRITTEN_BEFORE_ORAL');
      expect(await oralBlock.textContent()).toContain('暂不能缴费（英语四级笔试）');
      expect(await mine(page, 'CET4-ORAL').getByLabel('选择《英语四级口试》缴费').count()).toBe(0);
      const written = await confirmBill(walk, ['CET4']);
      const writtenTrade = await payBill(walk, written, 'payease', 'bill-written');
      await checkReceipt(walk, { name: roster.name, idNumber: roster.idNumber, billNo: written, tradeNo: writtenTrade, fen: 3000 });

      // The written paid, the oral can be paid now: back to registration from the bill page.
      await page.getByRole('link', { name: '去报考科目' }).click();
      await page.waitForURL(w.baseUrl + '/sittings');
      await page.getByRole('link', { name: `进入${config.sitting.name}报名` }).click();
      await poll(() => mine(page, 'CET4').textContent()).toContain('已缴费');
      await poll(() => mine(page, 'CET4-ORAL').locator('.pay-block').count()).toBe(0);
      const oral = await confirmBill(walk, ['CET4-ORAL'], 'sitting-oral');
      const oralTrade = await payBill(walk, oral, 'alipay', 'bill-oral');
      await checkReceipt(walk, { name: roster.name, idNumber: roster.idNumber, billNo: oral, tradeNo: oralTrade, fen: 5000 });

      // Tickets: the 通行证 signs in by e-mail again inside the print window.
      w.clock.set(new Date(START.getTime() + 40 * DAY));
      try {
        await page.goto(w.baseUrl + '/tickets');
        await page.waitForURL(/\/sign-in/);
        await page.getByRole('tab', { name: '通行证（邮箱）登录' }).click();
        await page.waitForURL(/style=email/);
        await page.fill('#authority', config.authority.code);
        await page.fill('#email', email);
        await page.fill('#password', password);
        await walk.captcha.fillCaptcha();
        await page.click('#signin-submit');
        await page.waitForURL(/\/tickets$/);
        const section = page.locator(`[data-sitting="${walk.loaded.sittingId}"]`);
        await section.locator('.print-state[data-open="true"]').waitFor();
        await poll(() => section.locator('a.print-ticket').count()).toBe(2);
        await look(walk, 'tickets');
        for (const [kind, subject, words] of [['WRITTEN', '英语四级笔试', '笔试'], ['ORAL', '英语四级口试', '口试']] as const) {
          const res = await page.request.get(w.baseUrl + (await section.locator(`[data-ticket="${kind}"] a.print-ticket`).getAttribute('href')));
          expect(res.status()).toBe(200);
          const ticket = await readPdf(await res.body());
          for (const s of [`${config.exam.name} 准考证（${words}）`, roster.name, subject, '本部校区']) expect(ticket.text, s).toContain(s);
          expect(ticket.text).not.toContain(roster.idNumber);
        }
      } finally {
        w.clock.set(START);
      }
      await walk.context.close();
    }, JOURNEY_MS);
  }
});

describe('seed 003 湖南医师资格: ID number with the fixed default password 123456, WeChat Pay Native QR', () => {
  for (const [size] of SIZES) {
    it(`sign in with 123456 → change password → the 类别's fee → bill → WeChat Pay → Back to the bill → 已完成缴费 → receipt (${size})`, async () => {
      const walk = await startWalk('003', size);
      const who = account(walk, size === 'desktop' ? '彭志刚' : '谭艳');
      expect(who.password).toBe('123456');
      const code = size === 'desktop' ? 'LC-ZY' : 'LC-ZL';
      await signInById(walk, who.idNumber, who.password, { lookName: 'sign-in' });
      await forcedPasswordChange(walk, who.password, NEW_PASSWORD);
      await openSitting(walk, who);
      // Only the candidate's own 类别 (the roster): the others say why not.
      expect(await subjectCard(walk.page, 'ZY-ZY').locator('.reason').getAttribute('data-reason')).toBe('NOT_ELIGIBLE');
      await register(walk, code);
      const billNo = await confirmBill(walk, [code]);
      const tradeNo = await payBill(walk, billNo, 'wechatpay');
      await checkReceipt(walk, { name: who.name, idNumber: who.idNumber, billNo, tradeNo, fen: subjectOf(walk, code).feeFen });
      await walk.context.close();
    }, JOURNEY_MS);
  }
});

describe('seed 004 国家医学考试: pay only after the audit passed, order number and channel serial kept', () => {
  for (const [size] of SIZES) {
    it(`sign in → change password → 报考类别 → bill → UnionPay → 已完成缴费 with order and serial number → receipt (${size})`, async () => {
      const walk = await startWalk('004', size);
      const who = account(walk, size === 'desktop' ? '吴昊' : '何丽君');
      await signInById(walk, who.idNumber, who.password, { lookName: 'sign-in' });
      await forcedPasswordChange(walk, who.password, NEW_PASSWORD);
      await openSitting(walk, who);
      await register(walk, 'LC-ZY');
      // The 类别 exclude each other: one per candidate.
      await poll(() => subjectCard(walk.page, 'KQ-ZY').locator('.reason').getAttribute('data-reason')).toBe('EXCLUSIVE_SUBJECT_CONFLICT');
      const billNo = await confirmBill(walk, ['LC-ZY']);
      const tradeNo = await payBill(walk, billNo, 'unionpay');
      expect(await walk.page.textContent('[data-testid=bill-no]')).toBe(billNo);
      await checkReceipt(walk, { name: who.name, idNumber: who.idNumber, billNo, tradeNo, fen: 60000 });
      await walk.context.close();
    }, JOURNEY_MS);
  }

  it('an audit not passed yet: the registration list says why it cannot be paid, and offers no choice to pay (REG-9)', async () => {
    for (const [size] of SIZES) {
      const walk = await startWalk('004', size);
      const who = account(walk, '郑雪');
      await signInById(walk, who.idNumber, size === 'desktop' ? who.password : NEW_PASSWORD);
      if (size === 'desktop') await forcedPasswordChange(walk, who.password, NEW_PASSWORD);
      else await walk.page.waitForURL(w.baseUrl + '/sittings');
      await openSitting(walk, who);
      const { page } = walk;
      if (size === 'desktop') await register(walk, 'LC-ZL');
      const block = mine(page, 'LC-ZL').locator('.pay-block');
      await poll(() => block.getAttribute('data-reason')).toBe('AUDIT_NOT_PASSED');
      expect(await block.textContent()).toContain('资格审核通过后才能缴费。');
      expect(await block.locator('.audit-status').textContent()).toBe('您的资格审核状态：待审核（审核通过后即可缴费）');
      expect(await page.locator('#confirm-bill').count()).toBe(0);
      await look(walk, 'audit-pending');
      await walk.context.close();
    }
  }, JOURNEY_MS);
});

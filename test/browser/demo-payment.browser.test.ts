import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { artifactPath, launchChromium, watchCaptchas } from '../support/browser.ts';
import { startPaymentWorld, type PaymentWorld } from '../support/payment-world.ts';

let w: PaymentWorld;
let browser: Browser;
beforeAll(async () => {
  browser = await launchChromium();
  w = await startPaymentWorld();
  // The channel's notifications flow by themselves, as they would in real life.
  w.sandbox.start(200);
});
afterAll(async () => {
  await w?.sandbox.stop();
  await browser?.close();
  await w?.close();
});

/** The bill's state on the web app's bill page, as the server words it. */
const billState = (page: Page) => page.locator('[data-testid=bill-state]').textContent({ timeout: 2_000 }).catch(() => null);

// Sign-in, the first password change and registering subjects still go through the foundation's
// plain page (/classic) until the web app's account and registration pages land; the bill and
// everything after it are the web app's (/bills/:billNo).
describe('a person pays a bill in Chromium through the sandbox cashier', () => {
  for (const [label, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 375, height: 740 }]] as const) {
    it(`first sign-in → change password → confirm → agree → Alipay → cashier → 已完成缴费 (${label})`, async () => {
      const c = await w.candidate({ mustChangePassword: true });
      const page = await browser.newPage({ viewport, locale: 'zh-CN' });
      const captcha = watchCaptchas(page);
      await page.goto(w.baseUrl + '/classic');
      await page.fill('#authority', w.exam.authorityCode);
      await page.fill('#idNumber', c.idNumber);
      await page.fill('#password', c.password);
      await captcha.fillCaptcha();
      await page.click('#signin-form button[type=submit]');
      await page.waitForSelector('#change:not([hidden])');
      await page.fill('#current', c.password);
      await page.fill('#next', 'Browser2026ok');
      await page.click('#change-form button[type=submit]');
      await page.waitForSelector('#home:not([hidden]) #regs input[type=checkbox]');
      // OPS-6: the page shows the ID number and phone masked, for checking (seed 001), never whole.
      await expect.poll(() => page.textContent('#who'), { timeout: 15_000 }).toContain(`${c.idNumber.slice(0, 4)}**********${c.idNumber.slice(-4)} ${c.phone.slice(0, 3)}****${c.phone.slice(-4)}`);
      const html = await page.content();
      expect(html).not.toContain(c.idNumber);
      expect(html).not.toContain(c.phone);
      for (const box of await page.$$('#regs input[type=checkbox]')) await box.check();
      await page.screenshot({ path: artifactPath(`demo-subjects-${label}.png`), fullPage: true });
      await page.click('#confirm');
      await page.waitForURL(/\?bill=\d{21}/);
      const billNo = new URL(page.url()).searchParams.get('bill')!;
      // From here the web app's bill page: the bill number in the address, the bill from the server.
      await page.goto(`${w.baseUrl}/bills/${billNo}`);
      await expect.poll(() => billState(page), { timeout: 15_000 }).toBe('未缴费');
      expect(await page.textContent('[data-testid=bill-amount]')).toBe('145.00 元');

      await page.click('button[data-channel=alipay]'); // without the agreement: refused, with the reason shown
      await expect.poll(() => page.locator('[data-testid=pay-error]').textContent({ timeout: 1000 }).catch(() => null)).toContain('缴费协议');
      await page.getByRole('checkbox', { name: '我已阅读并同意缴费协议' }).click();
      await expect.poll(() => page.textContent('body'), { timeout: 15_000 }).toContain('已同意缴费协议');
      await page.click('button[data-channel=alipay]');
      await page.waitForSelector('img[data-testid=qr]');
      await expect.poll(() => billState(page), { timeout: 15_000 }).toBe('缴费中');
      await page.screenshot({ path: artifactPath(`demo-bill-paying-${label}.png`), fullPage: true });

      // No pop-up: the cashier opens in the same tab, and comes back by itself.
      await page.click('a[data-testid=cashier]');
      await page.waitForSelector('text=145.00');
      await page.screenshot({ path: artifactPath(`demo-cashier-${label}.png`), fullPage: true });
      await page.click('button:has-text("支付 Pay")');
      await page.waitForLoadState();
      const back = page.locator('a[href*="/pay/return/alipay"]');
      if (await back.count()) await back.first().click();
      await page.waitForURL(new RegExp(`/bills/${billNo}$`));
      await expect.poll(() => billState(page), { timeout: 15_000 }).toBe('已完成缴费');
      expect(await page.textContent('[data-testid=channel-trade-no]')).toMatch(/^\d{28}$/);
      await page.screenshot({ path: artifactPath(`demo-bill-paid-${label}.png`), fullPage: true });
      // Refresh is safe: the same bill, still paid.
      await page.reload();
      await expect.poll(() => billState(page), { timeout: 15_000 }).toBe('已完成缴费');
      await page.close();
    });
  }
});

describe('a 统考 candidate (seed 000 configuration) registers and pays by UnionPay bank card in Chromium', () => {
  it('register with a site and time → bill page → UnionPay in the same window → bank picker → back to /bills/NO → 已完成缴费 (phone width)', async () => {
    const { loadConfiguration } = await import('../../src/modules/exams/load-configuration.ts');
    const { readConfiguration, seedConfigurationFiles } = await import('../../src/demo/seed-configurations.ts');
    const config = readConfiguration(seedConfigurationFiles().find((f) => f.endsWith('000-tongkao.json'))!);
    const loaded = (await loadConfiguration(w.ctx, config, w.clock.now()))!;
    const wang = loaded.accounts.find((a) => a.name === '王强')!;
    const page = await browser.newPage({ viewport: { width: 375, height: 740 }, locale: 'zh-CN' });
    const captcha = watchCaptchas(page);
    await page.goto(w.baseUrl + '/classic');
    await page.fill('#authority', config.authority.code);
    await page.fill('#idNumber', wang.idNumber);
    await page.fill('#password', wang.password);
    await captcha.fillCaptcha();
    await page.click('#signin-form button[type=submit]');
    await page.waitForSelector('#change:not([hidden])');
    await page.fill('#current', wang.password);
    await page.fill('#next', 'Tongkao2026ok');
    await page.click('#change-form button[type=submit]');
    await page.waitForSelector('#offer button[data-register]');
    await page.screenshot({ path: artifactPath('tongkao-register-phone.png'), fullPage: true });
    // 大学英语B, at the first site and time offered.
    const engB = await page.$$eval('#offer tr', (rows) => rows.findIndex((r) => r.textContent?.includes('大学英语B')));
    await page.locator('#offer tr').nth(engB).locator('button[data-register]').click();
    await page.waitForSelector('#regs input[type=checkbox]:not([disabled])');
    await page.check('#regs input[type=checkbox]:not([disabled])');
    await page.click('#confirm');
    await page.waitForURL(/\?bill=\d{21}/);
    const billNo = new URL(page.url()).searchParams.get('bill')!;
    await page.goto(`${w.baseUrl}/bills/${billNo}`);
    await page.getByRole('checkbox', { name: '我已阅读并同意缴费协议' }).click();
    await expect.poll(() => page.textContent('body'), { timeout: 15_000 }).toContain('已同意缴费协议');
    // A bank page, not a code: choosing UnionPay goes there in this window (no pop-up, no QR).
    await page.click('button[data-channel=unionpay]');
    // Our page posts the signed form to the gateway; the sandbox shows its bank picker.
    await page.waitForSelector('input[type=radio]');
    expect(await page.locator('img[data-testid=qr]').count()).toBe(0);
    await page.screenshot({ path: artifactPath('tongkao-unionpay-banks-phone.png'), fullPage: true });
    await page.locator('input[type=radio]').first().check();
    await page.locator('button', { hasText: '支付' }).first().click();
    await page.waitForLoadState();
    await page.screenshot({ path: artifactPath('tongkao-unionpay-result-phone.png'), fullPage: true });
    const back = page.locator('a, button', { hasText: '返回' });
    if (await back.count()) await back.first().click();
    // The front notify is posted to /pay/return/unionpay, which sends the browser to the bill page.
    await page.waitForURL(new RegExp(`/bills/${billNo}$`), { timeout: 15_000 });
    await expect.poll(() => billState(page), { timeout: 15_000 }).toBe('已完成缴费');
    await page.screenshot({ path: artifactPath('tongkao-paid-phone.png'), fullPage: true });
    await page.close();
  });
});

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

/** The web app's sign-in page: authority, ID number, password, the captcha as a person reads it. */
async function signIn(page: Page, captcha: ReturnType<typeof watchCaptchas>, authority: string, idNumber: string, password: string) {
  await page.waitForURL(/\/sign-in\?next=/);
  await page.fill('#authority', authority);
  await page.fill('#idNumber', idNumber);
  await page.fill('#password', password);
  await captcha.fillCaptcha();
  await page.click('#signin-submit');
}

// From the first sign-in to a paid bill on the web app's pages: sign in, the forced password
// change, 请核对个人信息, 报考科目确认 on the sitting page, then the bill page (/bills/:billNo).
describe('a person pays a bill in Chromium through the sandbox cashier', () => {
  for (const [label, viewport] of [['desktop', { width: 1280, height: 900 }], ['phone', { width: 375, height: 740 }]] as const) {
    it(`first sign-in → change password → check details → confirm → agree → Alipay → cashier → 已完成缴费 (${label})`, async () => {
      const c = await w.candidate({ mustChangePassword: true });
      const page = await browser.newPage({ viewport, locale: 'zh-CN' });
      const captcha = watchCaptchas(page);
      await page.goto(w.baseUrl + '/sittings');
      await signIn(page, captcha, w.exam.authorityCode, c.idNumber, c.password);
      await page.waitForURL(/\/account\/password\?next=%2Fsittings$/);
      await page.fill('#current', c.password);
      await page.fill('#next', 'Browser2026ok');
      await page.fill('#again', 'Browser2026ok');
      await page.click('#password-submit');
      await page.waitForURL(w.baseUrl + '/sittings');
      // OPS-6: the page shows the ID number and phone masked, for checking (seed 001), never whole.
      await expect.poll(() => page.textContent('#who-id'), { timeout: 15_000 }).toBe(`${c.idNumber.slice(0, 4)}**********${c.idNumber.slice(-4)}`);
      expect(await page.textContent('#who-phone')).toBe(`${c.phone.slice(0, 3)}****${c.phone.slice(-4)}`);
      const html = await page.content();
      expect(html).not.toContain(c.idNumber);
      expect(html).not.toContain(c.phone);
      await page.getByRole('link', { name: '进入2026年3月报名' }).click();
      await page.waitForURL(`${w.baseUrl}/sittings/${w.exam.sittingId}`);
      for (const subject of ['科目0', '科目1']) await page.getByLabel(`选择《${subject}》缴费`).check();
      await expect.poll(() => page.textContent('#confirm-total'), { timeout: 15_000 }).toContain('已选 2 个科目，合计 145.00 元');
      expect(await page.content()).not.toContain(c.idNumber);
      await page.screenshot({ path: artifactPath(`demo-subjects-${label}.png`), fullPage: true });
      await page.click('#confirm-bill');
      // From here the web app's bill page: the bill number in the address, the bill from the server.
      await page.waitForURL(/\/bills\/\d{21}$/);
      const billNo = page.url().split('/').at(-1)!;
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

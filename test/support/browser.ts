import fs from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Debian's Chromium, headless. Browser tests are part of `npm test`: a machine without Chromium
 * fails them with the command that installs it, rather than skipping them silently.
 */
export async function launchChromium(): Promise<Browser> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`Browser tests need Chromium at ${CHROMIUM}. Install it with: apt-get install -y chromium (or set CHROMIUM_PATH).`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

export const ARTIFACTS = 'test-artifacts';
export function artifactPath(name: string): string {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  return `${ARTIFACTS}/${name}`;
}

/**
 * The test server runs with CAPTCHA_TEST_MODE, so each captcha's answer travels in its API
 * response; the page never shows it. Call before page.goto, then `fillCaptcha()` types the
 * answer to the newest captcha the page fetched, as a person reading the image would.
 */
export function watchCaptchas(page: Page): { fillCaptcha(): Promise<void> } {
  let latest: Promise<string> | undefined;
  page.on('response', (r) => {
    if (r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/captchas') {
      const answer = r.json().then((b: { testAnswer: string }) => b.testAnswer);
      // A captcha fetched just before the page navigates away has no body left to read; that is
      // only an error if a test then tries to type that captcha's answer.
      answer.catch(() => undefined);
      latest = answer;
    }
  });
  return {
    async fillCaptcha() {
      await page.waitForSelector('#captcha-img[src^="data:image/svg"]');
      if (!latest) throw new Error('the page showed a captcha but no captcha response was seen');
      await page.fill('#captcha', await latest);
    },
  };
}

/**
 * Opens a console page signed out, is sent to its sign-in form, signs in as `staff` (authority
 * code, login, password, captcha) and waits to be back on that page — as staff would.
 */
export async function signInToConsole(page: Page, url: string, staff: { authorityCode: string; loginName: string; password: string }): Promise<void> {
  const captcha = watchCaptchas(page);
  await page.goto(url);
  await page.waitForURL(/sign-in/);
  await page.fill('#staff-authority', staff.authorityCode);
  await page.fill('#staff-login', staff.loginName);
  await page.fill('#staff-password', staff.password);
  await captcha.fillCaptcha();
  await page.click('button[type=submit]');
  await page.waitForURL(url, { timeout: 60_000 });
}

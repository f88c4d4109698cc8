import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { buildTestApp } from '../support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-db.ts';

let t: TestDatabase;
let app: FastifyInstance;
let browser: Browser;
let baseUrl: string;

beforeAll(async () => {
  browser = await launchChromium();
  t = await createTestDatabase();
  ({ app } = await buildTestApp(t));
  // Fastify answers with the address it bound: http://127.0.0.1:<port>.
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
});
afterAll(async () => {
  await browser?.close();
  await app?.close();
  await t?.drop();
});

describe('the web app is served by the API server', () => {
  it('opens in Chinese, switches to English and keeps the choice across a refresh', async () => {
    const page = await browser.newPage({ viewport: { width: 375, height: 740 } });
    await page.goto(baseUrl + '/');
    await expect.poll(() => page.textContent('h1')).toContain('考试报名与缴费');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => page.textContent('h1')).toContain('exam registration and payment');
    await page.reload();
    await expect.poll(() => page.textContent('h1')).toContain('exam registration and payment');
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.close();
  });

  it('a deep link is answered by the app (Refresh works anywhere); unknown API paths stay JSON 404s', async () => {
    const page = await browser.newPage();
    const res = await page.goto(baseUrl + '/no/such/page');
    expect(res?.status()).toBe(200);
    expect(res?.headers()['cache-control']).toBe('no-store');
    await expect.poll(() => page.textContent('h1')).toContain('页面不存在');
    const api = await fetch(baseUrl + '/api/v1/no-such-thing', { headers: { accept: 'text/html' } });
    expect(api.status).toBe(404);
    expect(((await api.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
    await page.close();
  });

  it('a candidate\'s page downloads none of the consoles\' code; a console page fetches it on first use, and an unknown console path is the 404 page', async () => {
    const page = await browser.newPage();
    const scripts: string[] = [];
    page.on('request', (r) => { if (r.resourceType() === 'script') scripts.push(new URL(r.url()).pathname); });
    await page.goto(baseUrl + '/sign-in');
    await expect.poll(() => page.textContent('h1')).toBeTruthy();
    const candidateBytes = await scriptBytes(scripts);
    const candidateScripts = new Set(scripts);
    await page.goto(baseUrl + '/admin/sign-in');
    await expect.poll(() => page.locator('#staff-password, input[type=password]').count()).toBeGreaterThan(0);
    const consoleOnly = scripts.filter((s) => !candidateScripts.has(s));
    expect(consoleOnly.length, 'the console comes in its own chunk').toBeGreaterThan(0);
    // The charts library is the consoles' alone.
    const consoleCode = (await Promise.all(consoleOnly.map(async (s) => (await fetch(baseUrl + s)).text()))).join('');
    expect(consoleCode).toContain('echarts');
    const candidateCode = (await Promise.all([...candidateScripts].map(async (s) => (await fetch(baseUrl + s)).text()))).join('');
    expect(candidateCode).not.toContain('echarts');
    expect(candidateBytes).toBeLessThan(2_000_000);
    await page.goto(baseUrl + '/admin/no-such-page');
    await expect.poll(() => page.textContent('h1')).toContain('页面不存在');
    await page.close();
  });

  it('hashed assets are cached for a long time; a missing asset is a 404, not the page', async () => {
    const html = await (await fetch(baseUrl + '/')).text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeTruthy();
    const res = await fetch(baseUrl + asset);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(baseUrl + '/assets/missing-123.js')).status).toBe(404);
  });
});

async function scriptBytes(paths: readonly string[]): Promise<number> {
  const sizes = await Promise.all(paths.map(async (p) => (await (await fetch(baseUrl + p)).arrayBuffer()).byteLength));
  return sizes.reduce((a, b) => a + b, 0);
}

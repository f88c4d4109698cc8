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
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  baseUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
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

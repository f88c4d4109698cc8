import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** What these checks use of the page's window (the test project has no DOM types; this runs in the browser). */
interface PageWindow {
  axe?: { run(context: unknown, options: unknown): Promise<AxeResults> };
  document: { getAnimations(): { finished: Promise<unknown>; effect: { getTiming(): { iterations?: number } } | null }[] };
  requestAnimationFrame(callback: () => void): void;
}

/**
 * Runs axe-core (WCAG 2 A and AA rules) on the page as it is now and fails with a readable list
 * when anything serious or critical is found: rule, impact, help and the elements it hit.
 * `name` says which page and state was checked, in the failure message.
 */
export async function expectNoSeriousA11yViolations(page: Page, name: string): Promise<void> {
  const loaded = await page.evaluate(() => (globalThis as unknown as PageWindow).axe !== undefined);
  if (!loaded) await page.addScriptTag({ path: AXE_SCRIPT });
  // A button that has just been enabled fades from its disabled colours over ~0.2 s; axe must
  // judge the colours the candidate ends up reading, not a frame of the fade. Endless
  // animations (spinners) never finish and are left alone; 2 s caps the wait.
  await page.evaluate(async () => {
    const win = globalThis as unknown as PageWindow;
    const finite = win.document.getAnimations().filter((a) => (a.effect?.getTiming().iterations ?? 1) !== Infinity);
    await Promise.race([Promise.allSettled(finite.map((a) => a.finished)), new Promise((r) => setTimeout(r, 2000))]);
  });
  const results = await page.evaluate(async () => {
    const win = globalThis as unknown as PageWindow;
    const r = await win.axe!.run(win.document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, targets: v.nodes.map((n) => `${String(n.target.join(' '))} ${n.html.slice(0, 160)} ${(n.any[0]?.message ?? '').slice(0, 160)}`).slice(0, 5) }));
  });
  const serious = results.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id} (${v.impact}): ${v.help} → ${v.targets.join(', ')}`), `accessibility of ${name}`).toEqual([]);
}

export const DESKTOP = { width: 1280, height: 800 } as const;
export const PHONE = { width: 375, height: 740 } as const;

/**
 * A page as it is now, at desktop and phone width: a full-page screenshot of each in
 * test-artifacts/<name>-desktop.png and <name>-phone.png, and the axe check at each size (a
 * layout that changes with the width can change what is reachable). The viewport is put back.
 */
export async function checkAtBothSizes(page: Page, name: string, artifactPath: (file: string) => string): Promise<void> {
  const before = page.viewportSize();
  for (const [size, viewport] of [['desktop', DESKTOP], ['phone', PHONE]] as const) {
    await page.setViewportSize(viewport);
    // Let the layout settle at the new width before measuring it.
    await page.evaluate(() => new Promise<void>((r) => {
      const win = globalThis as unknown as PageWindow;
      win.requestAnimationFrame(() => win.requestAnimationFrame(r));
    }));
    await page.screenshot({ path: artifactPath(`${name}-${size}.png`), fullPage: true });
    await expectNoSeriousA11yViolations(page, `${name} (${size})`);
  }
  if (before) await page.setViewportSize(before);
}

import { sql } from 'kysely';
import type { Browser as Chromium, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionSeats } from '../../src/modules/registration/seat-holds.sql.ts';
import { HOUR } from '../../src/shared/clock.ts';
import { expectNoSeriousA11yViolations } from '../support/axe.ts';
import { artifactPath, launchChromium, signInToConsole } from '../support/browser.ts';
import { makeCandidate } from '../support/fixtures.ts';
import { startPaymentWorld, type PaymentWorld } from '../support/payment-world.ts';
import { makeStaff, type StaffFixture } from '../support/staff-fixtures.ts';

let w: PaymentWorld;
let chromium: Chromium;
let admin: StaffFixture;
let page: Page;
/** A bill paid by the channel 25 hours ago whose notification never came: still 缴费中 here. */
let stuckBillNo: string;
/** A bill just sent to the channel: 缴费中, not flagged. */
let freshBillNo: string;

beforeAll(async () => {
  chromium = await launchChromium();
  w = await startPaymentWorld();
  admin = await makeStaff(w.db, w.exam, 'AUTHORITY_ADMIN');
  // Two slots of a written subject with seats in every state the chart stacks: sold, held and
  // free, the taken ones naming registrations of six candidates. (The world's other subjects have
  // no seats, so its bills need no slot.)
  const written = await w.db.insertInto('subject').values({ sitting_id: w.exam.sittingId, code: 'BS', name: '笔试', fee_fen: 5000n }).returning('id').executeTakeFirstOrThrow();
  const regs: bigint[] = [];
  for (let i = 0; i < 6; i++) regs.push(...(await makeCandidate(w.db, { ...w.exam, subjectIds: [written.id] })).registrationIds);
  const site = await w.db.insertInto('site').values({ sitting_id: w.exam.sittingId, code: 'KD01', name: '第一考点' }).returning('id').executeTakeFirstOrThrow();
  for (const [code, capacity, sold, held] of [['AM', 6, 2, 1], ['PM', 4, 1, 2]] as const) {
    const starts = code === 'AM' ? '2026-04-11T01:00:00Z' : '2026-04-11T06:00:00Z';
    const slot = await w.db.insertInto('slot').values({ sitting_id: w.exam.sittingId, code, starts_at: new Date(starts), ends_at: new Date(new Date(starts).getTime() + 2 * HOUR) }).returning('id').executeTakeFirstOrThrow();
    const pool = await w.db.insertInto('seat_pool').values({ site_id: site.id, slot_id: slot.id, subject_id: written.id, capacity }).returning('id').executeTakeFirstOrThrow();
    await w.db.transaction().execute((trx) => provisionSeats(trx, pool.id, capacity));
    for (let n = 1; n <= sold + held; n++) {
      if (n <= sold) await w.db.updateTable('registration').set({ paid_at: w.clock.now() }).where('id', '=', regs[0]!).execute();
      await w.db.updateTable('seat').set({ state: n <= sold ? 'SOLD' : 'HELD', held_at: w.clock.now(), registration_id: regs.shift()! }).where('pool_id', '=', pool.id).where('seat_no', '=', n).execute();
    }
  }
  const stuck = await w.payingBill();
  stuckBillNo = stuck.bill.bill_no;
  w.sandbox.setFaults(stuckBillNo, { noNotify: true });
  expect((await w.sandbox.pay(stuckBillNo, { channel: 'alipay' })).ok).toBe(true);
  w.clock.advance(25 * HOUR);
  freshBillNo = (await w.payingBill()).bill.bill_no;
  page = await chromium.newPage({ viewport: { width: 1280, height: 800 } });
  await signInToConsole(page, `${w.baseUrl}/admin`, admin);
}, 120_000);
afterAll(async () => {
  await chromium?.close();
  await w?.close();
});

/** The cells of a panel's table, row by row, as text. */
async function tableRows(panel: string): Promise<string[][]> {
  return page.locator(`[data-panel="${panel}"] .ant-table-tbody tr.ant-table-row`).evaluateAll((rows) =>
    rows.map((r) => Array.from((r as unknown as { querySelectorAll(s: string): ArrayLike<{ textContent: string | null }> }).querySelectorAll('td')).map((c) => (c.textContent ?? '').trim())));
}

const since = () => new Date(w.clock.now().getTime() - 30 * 24 * HOUR);

describe('the authority console operations pages (ADM-3, PAY-4, PAY-10)', () => {
  it('the dashboard tables show the same numbers as SQL counts of the same data, and a chart follows a new payment without a reload', async () => {
    await expect.poll(() => page.locator('[data-panel="seats"] .ant-table-row').count()).toBe(2);
    expect(await page.getByTestId('signed-in-as').textContent()).toContain(admin.loginName);

    // Seats sold / held / free per slot.
    const seats = await sql<{ code: string; sold: number; held: number; free: number }>`
      select sl.code, count(*) filter (where se.state = 'SOLD')::int as sold, count(*) filter (where se.state = 'HELD')::int as held, count(*) filter (where se.state = 'FREE')::int as free
      from slot sl join seat_pool sp on sp.slot_id = sl.id join seat se on se.pool_id = sp.id where sl.sitting_id = ${w.exam.sittingId} group by sl.code, sl.starts_at order by sl.starts_at`.execute(w.db);
    expect(seats.rows).toEqual([{ code: 'AM', sold: 2, held: 1, free: 3 }, { code: 'PM', sold: 1, held: 2, free: 1 }]);
    const seatRows = await tableRows('seats');
    expect(seatRows.map((r) => [r[0]!.slice(0, 2), Number(r[1]), Number(r[2]), Number(r[3])])).toEqual(seats.rows.map((s) => [s.code, s.sold, s.held, s.free]));

    // Registrations per subject (active, paid) and over the last 30 days.
    const bySubject = await sql<{ name: string; active: number; paid: number }>`
      select sub.name, count(r.id) filter (where r.status = 'ACTIVE')::int as active, count(r.id) filter (where r.status = 'ACTIVE' and r.paid_at is not null)::int as paid
      from subject sub left join registration r on r.subject_id = sub.id where sub.sitting_id = ${w.exam.sittingId} group by sub.id, sub.name order by sub.id`.execute(w.db);
    expect(bySubject.rows.some((r) => r.active > 0)).toBe(true);
    expect((await tableRows('by-subject')).map((r) => [r[0], Number(r[1]), Number(r[2])])).toEqual(bySubject.rows.map((r) => [r.name, r.active, r.paid]));
    const regs = await w.db.selectFrom('registration').where('created_at', '>=', since()).select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const regTotal = (await tableRows('over-time')).reduce((a, r) => a + Number(r[1]), 0);
    expect(regTotal).toBe(Number(regs.n));

    // Bills in 缴费中 by age: one fresh, one past 24 hours (flagged in words).
    const paying = await w.db.selectFrom('bill').where('state', '=', 'PAYING').select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(Number(paying.n)).toBe(2);
    const payingRows = await tableRows('paying');
    expect(payingRows.reduce((a, r) => a + Number(r[1]), 0)).toBe(Number(paying.n));
    expect(payingRows.find((r) => r[0]!.startsWith('≥24h'))).toEqual([expect.stringContaining('超过 24 小时'), '1', expect.stringMatching(/^¥\d+\.\d\d$/)]);

    // Payments: the chart's words and the table say the same as the channel_payment rows.
    const settled = async () => Number((await w.db.selectFrom('channel_payment').where('outcome', '=', 'SETTLED').where('paid_at', '>=', since()).select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
    const chart = page.locator('[data-panel="over-time"] [role="img"]');
    const before = await settled();
    expect(await chart.getAttribute('aria-label')).toContain(`${before} 笔缴费`);
    await page.screenshot({ path: artifactPath('console-dashboard-desktop.png'), fullPage: true });
    await expectNoSeriousA11yViolations(page, 'console dashboard');

    // A candidate pays now; the page, never reloaded, shows it within its refresh interval.
    await page.evaluate(() => { (globalThis as unknown as { notReloaded?: boolean }).notReloaded = true; });
    const { bill } = await w.payingBill();
    expect((await w.sandbox.pay(bill.bill_no, { channel: 'alipay' })).ok).toBe(true);
    await w.sandbox.deliverDueNotifications();
    expect((await w.bill(bill.bill_no)).state).toBe('PAID');
    expect(await settled()).toBe(before + 1);
    await expect.poll(() => chart.getAttribute('aria-label'), { timeout: 30_000, interval: 1_000 }).toContain(`${before + 1} 笔缴费`);
    expect(await page.locator('[data-panel="over-time"] svg').count()).toBeGreaterThan(0);
    expect(await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded)).toBe(true);
    const channelRows = await tableRows('by-channel');
    expect(channelRows.reduce((a, r) => a + Number(r[1]), 0)).toBe(Number((await w.db.selectFrom('channel_payment').select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n));
  }, 120_000);

  it('a bill stuck in 缴费中 past 24 hours is flagged in words; "ask the channel now" turns it PAID from the sandbox\'s capture', async () => {
    await page.goto(`${w.baseUrl}/admin/paying-bills`);
    // The list's rows only: the channel's answers after a query are a table of their own, naming the bill's order.
    const row = (billNo: string) => page.locator('[data-testid=paying-list] tr.ant-table-row', { hasText: billNo });
    await expect.poll(() => row(stuckBillNo).count()).toBe(1);
    expect(await row(stuckBillNo).textContent()).toContain('已超 24 小时');
    expect(await row(stuckBillNo).textContent()).toContain('已 25 小时');
    expect(await row(freshBillNo).textContent()).not.toContain('已超 24 小时');
    await page.screenshot({ path: artifactPath('console-paying-bills-desktop.png'), fullPage: true });
    await expectNoSeriousA11yViolations(page, 'console bills in 缴费中');

    await row(stuckBillNo).getByRole('button', { name: /立即向渠道查询/ }).click();
    await expect.poll(() => page.getByTestId('check-state').textContent().catch(() => '')).toContain('PAID');
    expect((await w.bill(stuckBillNo)).state).toBe('PAID');
    await expect.poll(() => row(stuckBillNo).count()).toBe(0);
    expect(await page.locator('section[aria-labelledby="check-result"]').textContent()).toContain(stuckBillNo);
    const audit = await w.db.selectFrom('audit_log').select(['actor_id', 'object_id']).where('action', '=', 'bill.query').execute();
    expect(audit).toEqual([{ actor_id: admin.staffId, object_id: stuckBillNo }]);
    await page.screenshot({ path: artifactPath('console-paying-bills-checked-desktop.png'), fullPage: true });
    await expectNoSeriousA11yViolations(page, 'console bills in 缴费中 after a query');
  }, 90_000);

  it('resolving an open mismatch needs a note and closes it (RESOLVED_BY_STAFF, with the note)', async () => {
    const paid = await w.db.selectFrom('bill').select('bill_no').where('state', '=', 'PAID').orderBy('id').executeTakeFirstOrThrow();
    const run = await w.db.insertInto('reconciliation_run').values({ channel: 'alipay', day: '2026-03-15', next_attempt_at: w.clock.now(), requested_by: 'test', created_at: w.clock.now() }).returning('id').executeTakeFirstOrThrow();
    const m = await w.db.insertInto('reconciliation_mismatch').values({
      run_id: run.id, channel: 'alipay', day: '2026-03-15', kind: 'AMOUNT_DIFFERS', reason: 'CAPTURE_AMOUNT', line_key: 'P:T-console-1',
      bill_no: paid.bill_no, channel_trade_no: 'T-console-1', refund_no: null, our_amount_fen: 8000n, their_amount_fen: 7000n, at: w.clock.now(),
      resolution: 'OPEN', auto_refund_no: null, resolved_note: null, resolved_by: null, resolved_at: null, created_at: w.clock.now(),
    }).returning('id').executeTakeFirstOrThrow();

    await page.goto(`${w.baseUrl}/admin/mismatches`);
    const row = page.locator('tr.ant-table-row', { hasText: 'T-console-1' });
    await expect.poll(() => row.count()).toBe(1);
    const text = await row.textContent();
    expect(text).toContain('金额不一致');
    expect(text).toContain('¥80.00');
    expect(text).toContain('¥70.00');
    await page.screenshot({ path: artifactPath('console-mismatches-desktop.png'), fullPage: true });
    await expectNoSeriousA11yViolations(page, 'console mismatches');

    await row.getByRole('button', { name: /处理/ }).click();
    const dialog = page.getByRole('dialog');
    expect(await dialog.getByRole('button', { name: '处理' }).isDisabled()).toBe(true);
    await dialog.getByLabel('处理说明（必填）').fill('渠道少收 10 元，已联系银行补记');
    // Let the dialog's opening animation finish: half-faded colours are not what a reader sees.
    await page.waitForTimeout(600);
    await expectNoSeriousA11yViolations(page, 'console mismatch resolve dialog');
    await dialog.getByRole('button', { name: '处理' }).click();
    await expect.poll(() => row.count()).toBe(0);
    const after = await w.db.selectFrom('reconciliation_mismatch').select(['resolution', 'resolved_note', 'resolved_by']).where('id', '=', m.id).executeTakeFirstOrThrow();
    expect(after).toEqual({ resolution: 'RESOLVED_BY_STAFF', resolved_note: '渠道少收 10 元，已联系银行补记', resolved_by: `staff:${admin.staffId}` });

    await page.getByText('已人工处理', { exact: true }).click();
    await expect.poll(() => page.locator('tr.ant-table-row', { hasText: 'T-console-1' }).textContent().catch(() => '')).toContain('渠道少收 10 元');
    expect(await page.url()).toContain('resolution=RESOLVED_BY_STAFF');
  }, 90_000);
});

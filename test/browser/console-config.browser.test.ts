import fs from 'node:fs';
import type { Browser as Chromium, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAtBothSizes } from '../support/axe.ts';
import { artifactPath, launchChromium, signInToConsole, watchCaptchas } from '../support/browser.ts';
import { makeCandidate } from '../support/fixtures.ts';
import { startPaymentWorld, type PaymentWorld } from '../support/payment-world.ts';
import { makeStaff, type StaffFixture } from '../support/staff-fixtures.ts';

/*
 * The configuration console (ADM-1) in Chromium against the real app and the sandbox gateway: an
 * authority admin sets up an exam and a sitting from nothing in the pages alone; a candidate then
 * registers into it and pays through the sandbox; the live sitting's promises are kept and said
 * in words at the field they concern; the sitting goes out as a data file and comes back in as a
 * new sitting.
 */

let w: PaymentWorld;
let chromium: Chromium;
let admin: StaffFixture;
let page: Page;
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });

beforeAll(async () => {
  chromium = await launchChromium();
  w = await startPaymentWorld();
  // Notifications flow by themselves, as in real life.
  w.sandbox.start(200);
  admin = await makeStaff(w.db, w.exam, 'AUTHORITY_ADMIN');
  page = await chromium.newPage({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
  await signInToConsole(page, `${w.baseUrl}/admin/config`, admin);
}, 120_000);
afterAll(async () => {
  await w?.sandbox.stop();
  await chromium?.close();
  await w?.close();
});

/** Tab (only the keyboard) until the focused element matches `selector`. */
async function tabTo(p: Page, selector: string, max = 120) {
  for (let i = 0; i < max; i++) {
    await p.keyboard.press('Tab');
    if (await p.evaluate((sel) => (globalThis as unknown as { document: { activeElement: { matches(s: string): boolean } | null } }).document.activeElement?.matches(sel) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

/** The error text antd shows under a form field. */
const fieldError = (formItemOf: string) => page.locator(`.ant-form-item:has(#${formItemOf}) .ant-form-item-explain-error`).allTextContents().then((x) => x.join(' '));
const tab = (name: RegExp) => page.getByRole('navigation', { name: '考次配置的各部分' }).getByRole('link', { name }).click();
const row = (part: string, text: string) => page.locator(`[data-part="${part}"] tr.ant-table-row`, { hasText: text });
/** Seats, held, sold and free of the capacity row of a site, as numbers. */
const seatCells = (site: string) => row('capacity', site).locator('td').allTextContents().then((cells) => cells.slice(3, 7).map(Number));

/** Picks an option of an antd Select with the keyboard: focus it, open with ArrowDown, move, Enter. */
async function chooseByKeyboard(id: string, optionText: string) {
  await page.focus(`#${id}`);
  await page.keyboard.press('ArrowDown');
  // This select's own list (the one before may still be fading out).
  const options = page.locator(`.ant-select-dropdown:has([id="${id}_list"]) .ant-select-item-option`);
  await poll(() => options.count()).toBeGreaterThan(0);
  const texts = await options.allTextContents();
  const index = texts.findIndex((t) => t.includes(optionText));
  expect(index, `option ${optionText} among ${texts.join(' | ')}`).toBeGreaterThanOrEqual(0);
  // The first option is active when the list opens.
  for (let i = 0; i < index; i++) await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await poll(() => page.locator(`.ant-form-item:has(#${id}) .ant-select-content, .ant-form-item:has(#${id}) .ant-select-selection-item`).first().textContent()).toContain(optionText);
}

/** On the bill page: accept the agreement, choose Alipay, open the sandbox cashier in this window and pay. */
async function payThroughAlipayCashier(p: Page, billNo: string) {
  await p.getByRole('checkbox', { name: '我已阅读并同意缴费协议' }).click();
  await expect.poll(() => p.textContent('body'), { timeout: 15_000 }).toContain('已同意缴费协议');
  await p.click('button[data-channel=alipay]');
  await p.waitForSelector('img[data-testid=qr]');
  await p.click('a[data-testid=cashier]');
  await p.waitForSelector('text=支付 Pay');
  await p.click('button:has-text("支付 Pay")');
  await p.waitForLoadState();
  const back = p.locator('a[href*="/pay/return/alipay"]');
  if (await back.count()) await back.first().click();
  await p.waitForURL(new RegExp(`/bills/${billNo}$`));
}

let examId: bigint;
let sittingId: bigint;

describe('the configuration console (ADM-1)', () => {
  it('an admin configures a sitting from nothing; a candidate registers into it and pays through the sandbox', async () => {
    // The exams page, then a new exam: Alipay only, open registration (no roster), 退费由工作人员决定.
    await poll(() => page.textContent('main')).toContain('网络教育统考');
    await checkAtBothSizes(page, 'console-config-exams', artifactPath);
    await page.getByRole('button', { name: '新建考试' }).click();
    await page.waitForURL(`${w.baseUrl}/admin/config/exams/new`);
    await page.fill('#exam_code', 'CFG');
    await page.fill('#exam_name', '控制台配置考试');
    expect(await page.getByRole('checkbox', { name: '支付宝' }).isChecked()).toBe(true);
    expect(await page.getByRole('checkbox', { name: '仅名单内考生可报名' }).isChecked()).toBe(false);
    await page.fill('#exam_agreementText', '网上缴费协议：缴费成功后不予退费，考次取消时全额退回。');
    // A maximum below the minimum: the server's rule, said under the field it concerns.
    await page.fill('#exam_passwordPolicy_maxLength', '7');
    await page.click('#exam-save');
    await poll(() => fieldError('exam_passwordPolicy_maxLength')).toContain('最长长度 7 小于最短长度 8');
    expect(await w.db.selectFrom('exam').select('id').where('code', '=', 'CFG').execute()).toEqual([]);
    await page.fill('#exam_passwordPolicy_maxLength', '16');
    await checkAtBothSizes(page, 'console-config-exam-new', artifactPath);
    await page.click('#exam-save');
    await page.waitForURL(/\/admin\/config\/exams\/\d+$/);
    examId = BigInt(page.url().split('/').at(-1)!);
    const exam = await w.db.selectFrom('exam').selectAll().where('id', '=', examId).executeTakeFirstOrThrow();
    expect(exam).toMatchObject({ code: 'CFG', authority_id: w.exam.authorityId, channels: ['alipay'], roster_restricted: false, refund_policy: 'STAFF_DECIDES', password_max_length: 16 });

    // A sitting of it.
    await page.fill('#newSitting_code', 'S2026');
    await page.fill('#newSitting_name', '2026年春季');
    await checkAtBothSizes(page, 'console-config-exam', artifactPath);
    await page.click('#sitting-create');
    await page.waitForURL(/\/admin\/config\/sittings\/\d+$/);
    sittingId = BigInt(page.url().split('/').at(-1)!);

    // Windows open now by the world's clock (2026-03-15 09:00 Beijing). First one that ends before it opens.
    await page.fill('#windows_opens', '2026-03-01 09:00:00');
    await page.fill('#windows_closes', '2026-02-01 09:00:00');
    await page.click('#windows-submit');
    await poll(() => fieldError('windows_closes')).toContain('必须晚于 2026-03-01 09:00:00');
    await page.fill('#windows_closes', '2026-03-31 17:00:00');
    await page.click('#windows-submit');
    await poll(() => row('windows', '网上报名').count()).toBe(1);
    await page.getByRole('radio', { name: '网上缴费' }).check();
    await page.fill('#windows_opens', '2026-03-01 09:00:00');
    await page.fill('#windows_closes', '2026-03-31 17:00:00');
    await page.click('#windows-submit');
    await poll(() => row('windows', '网上缴费').count()).toBe(1);
    await checkAtBothSizes(page, 'console-config-windows', artifactPath);

    // A site, by keyboard alone: Tab to the field, type, Enter submits.
    await tab(/^考点/);
    await page.waitForSelector('#sites_code');
    await page.focus('a[aria-current="page"][data-part-link="sites"]');
    await tabTo(page, '#sites_code');
    await page.keyboard.type('KD1');
    await page.keyboard.press('Tab');
    await page.keyboard.type('第一考点');
    await page.keyboard.press('Enter');
    await poll(() => row('sites', '第一考点').count()).toBe(1);
    await checkAtBothSizes(page, 'console-config-sites', artifactPath);

    await tab(/^考试场次/);
    await page.fill('#slots_code', 'AM');
    await page.fill('#slots_starts', '2026-04-11 09:00:00');
    await page.fill('#slots_ends', '2026-04-11 11:00:00');
    await page.click('#slots-submit');
    await poll(() => row('slots', 'AM').count()).toBe(1);
    await checkAtBothSizes(page, 'console-config-slots', artifactPath);

    // A subject with its fee in yuan; the API gets fen.
    await tab(/^科目/);
    await page.fill('#subjects_code', 'ENG');
    await page.fill('#subjects_name', '英语');
    await page.fill('#subjects_feeYuan', '80.5');
    await page.fill('#subjects_exclusionGroup', '外语');
    await page.click('#subjects-submit');
    await poll(() => row('subjects', '英语').count()).toBe(1);
    expect(await row('subjects', '英语').textContent()).toContain('80.50');
    expect(await w.db.selectFrom('subject').select(['code', 'fee_fen', 'kind', 'exclusion_group']).where('sitting_id', '=', sittingId).execute())
      .toEqual([{ code: 'ENG', fee_fen: 8050n, kind: 'WRITTEN', exclusion_group: '外语' }]);
    await checkAtBothSizes(page, 'console-config-subjects', artifactPath);

    // Two seats of 第一考点 × AM × 英语, the choices made with the keyboard.
    await tab(/^座位容量/);
    await chooseByKeyboard('capacity_site', '第一考点');
    await chooseByKeyboard('capacity_slot', 'AM');
    await chooseByKeyboard('capacity_subject', '英语');
    await page.fill('#capacity_seats', '2');
    await page.click('#capacity-submit');
    await poll(() => row('capacity', '第一考点').count()).toBe(1);
    await checkAtBothSizes(page, 'console-config-capacity', artifactPath);
    const pool = await w.db.selectFrom('seat_pool').innerJoin('subject', 'subject.id', 'seat_pool.subject_id').select(['seat_pool.capacity']).where('subject.sitting_id', '=', sittingId).execute();
    expect(pool).toEqual([{ capacity: 2 }]);
    const audit = await w.db.selectFrom('audit_log').select('action').where('actor_id', '=', admin.staffId).orderBy('id').execute();
    expect(audit.map((a) => a.action).filter((a) => /^(exam|sitting|window|site|slot|subject|capacity)\./.test(a))).toEqual(['exam.create', 'sitting.create', 'window.create', 'window.create', 'site.create', 'slot.create', 'subject.create', 'capacity.set']);

    // A candidate on the new exam's roster signs in, registers with a seat and pays.
    const c = await makeCandidate(w.db, { ...w.exam, examId, sittingId, subjectIds: [], fees: [] });
    const cand = await chromium.newPage({ viewport: { width: 375, height: 740 }, locale: 'zh-CN' });
    const captcha = watchCaptchas(cand);
    await cand.goto(`${w.baseUrl}/sittings`);
    await cand.waitForURL(/\/sign-in/);
    await cand.fill('#authority', w.exam.authorityCode);
    await cand.fill('#idNumber', c.idNumber);
    await cand.fill('#password', c.password);
    // The captcha is single-use and renewed after each try; on a busy machine the page may renew it
    // while the answer is typed — then the page says so (CAPTCHA_INVALID) and a person types the new one.
    for (let attempt = 1; ; attempt++) {
      await captcha.fillCaptcha();
      const [answer] = await Promise.all([
        cand.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/session', { timeout: 60_000 }),
        cand.click('#signin-submit'),
      ]);
      if (answer.status() === 200) break;
      const code = ((await answer.json()) as { error: { code: string } }).error.code;
      if (code !== 'CAPTCHA_INVALID' || attempt === 3) throw new Error(`candidate sign-in refused: ${code}`);
    }
    await cand.waitForURL(`${w.baseUrl}/sittings`, { timeout: 60_000 });
    await poll(() => cand.textContent('main')).toContain('网上报名进行中');
    await cand.getByRole('link', { name: /2026年春季/ }).click();
    await cand.waitForURL(`${w.baseUrl}/sittings/${sittingId}`);
    const card = cand.locator('[data-subject="ENG"]');
    await poll(() => card.textContent()).toContain('余 2 / 2 座');
    await card.getByLabel(/第一考点/).check();
    await card.getByRole('button', { name: '报考 英语' }).click();
    const mine = cand.locator('[data-registration="ENG"]');
    await poll(() => mine.textContent()).toContain('未缴费');
    await mine.getByLabel('选择《英语》缴费').check();
    await poll(() => cand.textContent('#confirm-total')).toContain('80.50');
    await cand.click('#confirm-bill');
    await cand.waitForURL(/\/bills\/[0-9A-Za-z-]+$/);
    const billNo = cand.url().split('/').at(-1)!;
    await payThroughAlipayCashier(cand, billNo);
    await expect.poll(() => cand.locator('[data-testid=bill-state]').textContent().catch(() => ''), { timeout: 30_000 }).toBe('已完成缴费');
    expect(await w.bill(billNo)).toMatchObject({ state: 'PAID', amount_fen: 8050n, candidate_id: c.candidateId });
    await cand.close();

    // The console shows the seat sold.
    await page.reload();
    await poll(() => seatCells('第一考点')).toEqual([2, 0, 1, 1]);
  }, 240_000);

  it('lowering capacity below the seats sold is refused, in words at the seats field; nothing changes', async () => {
    await page.goto(`${w.baseUrl}/admin/config/sittings/${sittingId}?part=capacity`);
    await row('capacity', '第一考点').getByRole('button', { name: /^修改/ }).click();
    await poll(() => page.inputValue('#capacity_seats')).toBe('2');
    expect(page.url()).toContain('edit=');
    await page.fill('#capacity_seats', '0');
    await page.click('#capacity-submit');
    await poll(() => fieldError('capacity_seats')).toContain('容量不能低于已占用');
    expect(await fieldError('capacity_seats')).toContain('已占用 1 个座位');
    await page.screenshot({ path: artifactPath('console-config-capacity-refused-desktop.png'), fullPage: true });
    const pools = await w.db.selectFrom('seat_pool').innerJoin('subject', 'subject.id', 'seat_pool.subject_id').select('seat_pool.capacity').where('subject.sitting_id', '=', sittingId).execute();
    expect(pools).toEqual([{ capacity: 2 }]);
    // Down to the one sold seat is allowed.
    await page.fill('#capacity_seats', '1');
    await page.click('#capacity-submit');
    await poll(() => seatCells('第一考点')).toEqual([1, 0, 1, 0]);
  }, 60_000);

  it('a fee change on a billed subject is refused at the fee field; deleting it is refused next to its row', async () => {
    await page.goto(`${w.baseUrl}/admin/config/sittings/${sittingId}?part=subjects`);
    await poll(() => row('subjects', '英语').textContent()).toContain('费用已锁定');
    await row('subjects', '英语').getByRole('button', { name: /^修改/ }).click();
    await poll(() => page.inputValue('#subjects_feeYuan')).toBe('80.50');
    await page.fill('#subjects_feeYuan', '90');
    await page.click('#subjects-submit');
    await poll(() => fieldError('subjects_feeYuan')).toContain('不能修改费用');
    expect(await fieldError('subjects_feeYuan')).toContain('费用保持 80.50 元');
    await page.screenshot({ path: artifactPath('console-config-fee-refused-desktop.png'), fullPage: true });
    expect((await w.db.selectFrom('subject').select('fee_fen').where('sitting_id', '=', sittingId).executeTakeFirstOrThrow()).fee_fen).toBe(8050n);
    // The name may still change (only the fee is locked).
    await page.fill('#subjects_feeYuan', '80.50');
    await page.fill('#subjects_name', '英语（笔试）');
    await page.click('#subjects-submit');
    await poll(() => row('subjects', '英语（笔试）').count()).toBe(1);

    await row('subjects', '英语（笔试）').getByRole('button', { name: /^删除/ }).click();
    await page.locator('.ant-modal-confirm').getByRole('button', { name: /删\s*除/ }).click();
    await poll(() => page.locator('[data-testid=row-error]').textContent()).toContain('不能删除');
    expect(await page.locator('[data-testid=row-error]').textContent()).toContain('报考记录 1 条');
    expect(await w.db.selectFrom('subject').select('code').where('sitting_id', '=', sittingId).execute()).toEqual([{ code: 'ENG' }]);
  }, 60_000);

  it('exports the sitting as a data file and imports it back as a new sitting', async () => {
    expect(sittingId, 'the first test configured the sitting').toBeDefined();
    await page.goto(`${w.baseUrl}/admin/config/sittings/${sittingId}`);
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()]);
    const file = artifactPath('console-config-export.json');
    await download.saveAs(file);
    const exported = JSON.parse(fs.readFileSync(file, 'utf8')) as { seed: string; exam: { code: string }; sitting: { code: string; subjects: { feeFen: number }[]; capacity: { seats: number }[]; windows: unknown[] } };
    expect(exported.exam.code).toBe('CFG');
    expect(exported.sitting.code).toBe('S2026');
    expect(exported.sitting.subjects).toEqual([expect.objectContaining({ code: 'ENG', feeFen: 8050, exclusionGroup: '外语' })]);
    expect(exported.sitting.capacity).toEqual([{ site: 'KD1', slot: 'AM', subject: 'ENG', seats: 1 }]);
    expect(exported.sitting.windows).toHaveLength(2);

    await page.goto(`${w.baseUrl}/admin/config`);
    await page.setInputFiles('#import-file', file);
    await poll(() => page.inputValue('#import-code')).toBe('S2026');
    // The same code again: refused, said under the code field.
    await page.getByRole('button', { name: '导 入' }).or(page.getByRole('button', { name: '导入' })).click();
    await poll(() => page.locator('.ant-form-item:has(#import-code) .ant-form-item-explain').textContent()).toContain('已有代码为 S2026 的考次');
    await page.fill('#import-code', 'S2026B');
    await page.fill('#import-name', '2026年春季（补考）');
    await page.getByRole('button', { name: '导 入' }).or(page.getByRole('button', { name: '导入' })).click();
    await page.waitForURL(/\/admin\/config\/sittings\/\d+$/);
    const imported = BigInt(page.url().split('/').at(-1)!);
    expect(imported).not.toBe(sittingId);
    await poll(() => page.textContent('h1')).toContain('2026年春季（补考）');
    const copy = await w.db.selectFrom('sitting').select(['exam_id', 'code', 'name']).where('id', '=', imported).executeTakeFirstOrThrow();
    expect(copy).toEqual({ exam_id: examId, code: 'S2026B', name: '2026年春季（补考）' });
    expect(await w.db.selectFrom('subject').select(['code', 'fee_fen', 'exclusion_group']).where('sitting_id', '=', imported).execute()).toEqual([{ code: 'ENG', fee_fen: 8050n, exclusion_group: '外语' }]);
    const seats = await w.db.selectFrom('seat').innerJoin('seat_pool', 'seat_pool.id', 'seat.pool_id').innerJoin('subject', 'subject.id', 'seat_pool.subject_id')
      .select(['seat.state']).where('subject.sitting_id', '=', imported).execute();
    expect(seats).toEqual([{ state: 'FREE' }]);
    // Exported again, it is the same file but for the sitting's code and name.
    const again = await (await page.request.get(`${w.baseUrl}/api/v1/admin/sittings/${imported}/export`)).json() as typeof exported;
    expect(again.seed).toBe(exported.seed.replace(/S2026$/, 'S2026B'));
    expect({ ...again, seed: exported.seed, sitting: { ...again.sitting, code: 'S2026', name: '2026年春季' } }).toEqual(exported);
    await tab(/^时间窗口/);
    await poll(() => row('windows', '网上缴费').count()).toBe(1);
    await checkAtBothSizes(page, 'console-config-imported', artifactPath);
  }, 90_000);

  it('learning centres and schools: added in the console; one a candidate belongs to cannot be deleted, said next to the table', async () => {
    await page.goto(`${w.baseUrl}/admin/config`);
    await page.getByRole('link', { name: '管理学习中心和学校' }).click();
    await page.waitForURL(`${w.baseUrl}/admin/config/institutions`);
    await page.fill('#institutions_code', 'LC01');
    await page.fill('#institutions_name', '海淀学习中心');
    await page.click('#institutions-submit');
    const lc = page.locator('tr.ant-table-row', { hasText: '海淀学习中心' });
    await poll(() => lc.count()).toBe(1);
    expect(await lc.textContent()).toContain('学习中心');
    const inst = await w.db.selectFrom('institution').select(['id', 'kind']).where('authority_id', '=', w.exam.authorityId).where('code', '=', 'LC01').executeTakeFirstOrThrow();
    expect(inst.kind).toBe('LEARNING_CENTRE');
    const c = await makeCandidate(w.db, { ...w.exam, examId, sittingId, subjectIds: [], fees: [] });
    await w.db.updateTable('candidate').set({ institution_id: inst.id }).where('id', '=', c.candidateId).execute();
    await lc.getByRole('button', { name: /^删除/ }).click();
    await page.locator('.ant-modal-confirm').getByRole('button', { name: /删\s*除/ }).click();
    await poll(() => page.locator('[data-testid=row-error]').textContent()).toContain('考生 1 名');
    await checkAtBothSizes(page, 'console-config-institutions', artifactPath);
    expect(await w.db.selectFrom('institution').select('id').where('id', '=', inst.id).execute()).toHaveLength(1);
  }, 60_000);
});

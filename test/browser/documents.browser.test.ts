/**
 * The document pages in Chromium (issue 7 item 3; DOC-1, DOC-2): a receipt's QR address shows a
 * genuine verdict with the receipt's facts, a bad code the server's refusal; the signed-in
 * tickets page prints only inside the print window (ManualClock), by a plain link whose PDF is
 * real; quick print makes the PDF in the same tab, and a wrong name gets the server's words.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkAtBothSizes } from '../support/axe.ts';
import { artifactPath, launchChromium, watchCaptchas } from '../support/browser.ts';
import type { CandidateFixture } from '../support/fixtures.ts';
import { Browser as ApiBrowser } from '../support/http.ts';
import { startPaymentWorld, type PaymentWorld } from '../support/payment-world.ts';
import { readPdf } from '../support/pdf.ts';
import { paidBill } from '../support/refunds.ts';

const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 });

const AUTHORITY = '上海市教育考试院';
const EXAM = '全国大学英语四、六级考试';
const WRITTEN = '大学英语四级笔试';
const ORAL = '大学英语四级口试';
// 08:00 Beijing on 1 June to 08:00 on 13 June.
const PRINT_OPENS = new Date('2026-06-01T00:00:00Z');
const PRINT_CLOSES = new Date('2026-06-13T00:00:00Z');
const START = new Date('2026-03-15T01:00:00Z');

let w: PaymentWorld;
let browser: Browser;

beforeAll(async () => {
  browser = await launchChromium();
  w = await startPaymentWorld({ fees: [12000n, 3000n] });
  const [written, oral] = w.exam.subjectIds as [bigint, bigint];
  await w.db.updateTable('authority').set({ name: AUTHORITY }).where('id', '=', w.exam.authorityId).execute();
  await w.db.updateTable('exam').set({ name: EXAM }).where('id', '=', w.exam.examId).execute();
  await w.db.updateTable('subject').set({ name: WRITTEN }).where('id', '=', written).execute();
  await w.db.updateTable('subject').set({ name: ORAL, kind: 'ORAL' }).where('id', '=', oral).execute();
  await w.db.insertInto('sitting_window').values({ sitting_id: w.exam.sittingId, kind: 'PRINT', site_id: null, opens_at: PRINT_OPENS, closes_at: PRINT_CLOSES }).execute();
});
afterAll(async () => {
  await browser?.close();
  await w?.close();
});

/** A candidate who has paid both subjects (at the world's March clock). */
async function paidCandidate(): Promise<{ c: CandidateFixture; name: string; billNo: string }> {
  w.clock.set(START);
  const c = await w.candidate();
  const bill = await paidBill(w, { candidateId: c.candidateId, registrationIds: c.registrationIds });
  const { name } = await w.db.selectFrom('candidate').select('name').where('id', '=', c.candidateId).executeTakeFirstOrThrow();
  return { c, name, billNo: bill.bill_no };
}

/**
 * A captcha answers once: after `act` (a submit, or 换一张) the page fetches a new one. Wait until
 * the new image is shown, so the answer typed next is the new captcha's.
 */
async function withNewCaptcha(page: Page, act: () => Promise<void>): Promise<void> {
  const before = await page.getAttribute('#captcha-img', 'src');
  const renewed = page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/api/v1/captchas');
  await act();
  await (await renewed).finished();
  await poll(() => page.getAttribute('#captcha-img', 'src')).not.toBe(before);
}

async function newPage(): Promise<Page> {
  return browser.newPage({ viewport: { width: 1280, height: 800 }, locale: 'zh-CN' });
}

describe('receipt verification page /verify/:code (DOC-1)', () => {
  it('the code from a real receipt\'s QR shows 真 with the receipt\'s facts; an altered code shows the server\'s refusal and no verdict of genuine', async () => {
    const { c, name, billNo } = await paidCandidate();
    const owner = new ApiBrowser(w.app);
    expect((await owner.signIn(w.exam.authorityCode, c.idNumber, c.password)).status).toBe(200);
    const pdf = await readPdf((await owner.get(`/api/v1/bills/${billNo}/receipt.pdf`)).raw);
    const m = /\/verify\/([A-Za-z0-9_-]+)/.exec(pdf.text);
    if (!m) throw new Error(`no verification address in:\n${pdf.text}`);
    const code = m[1]!;
    const receipt = await w.db.selectFrom('receipt').innerJoin('bill', 'bill.id', 'receipt.bill_id').select('receipt.receipt_no').where('bill.bill_no', '=', billNo).executeTakeFirstOrThrow();

    const page = await newPage();
    // The QR's address is the page's own: /verify/<code> on this site.
    expect(pdf.text).toContain(`${w.baseUrl}/verify/${code}`);
    await page.goto(`${w.baseUrl}/verify/${code}`);
    await page.waitForSelector('#verdict[data-verdict="genuine"]');
    expect(await page.textContent('#verdict')).toContain('真伪查验结果：真');
    const facts = (await page.textContent('#receipt-facts')) ?? '';
    for (const s of [receipt.receipt_no, billNo, AUTHORITY, EXAM, '2026年3月', `考${'*'.repeat([...name].length - 1)}`, '¥150.00', '¥0.00', '已缴费']) expect(facts, s).toContain(s);
    // Only the masked name: the full name and the ID number never reach the page.
    const html = await page.content();
    expect(html).not.toContain(name);
    expect(html).not.toContain(c.idNumber);
    await checkAtBothSizes(page, 'documents-verify', artifactPath);

    const altered = code.slice(0, -1) + (code.endsWith('A') ? 'B' : 'A');
    await page.goto(`${w.baseUrl}/verify/${altered}`);
    await page.waitForSelector('#verdict[data-verdict="refused"]');
    const refused = (await page.textContent('#verdict')) ?? '';
    expect(refused).toContain('真伪查验结果：未通过');
    expect(refused).toContain('没有找到该电子缴费凭证，请核对二维码或网址是否完整。');
    expect(refused).toContain('RECEIPT_NOT_FOUND');
    expect(await page.$('#receipt-facts')).toBeNull();
    await checkAtBothSizes(page, 'documents-verify-refused', artifactPath);

    // A lost connection is no verdict: "could not check", and trying again gives the answer.
    await page.route('**/api/v1/public/receipts/**', (r) => r.abort('internetdisconnected'));
    await page.goto(`${w.baseUrl}/verify/${code}`);
    await page.waitForSelector('#verdict[data-verdict="unknown"]');
    expect(await page.textContent('#verdict')).toContain('暂时无法查验，这不表示凭证为假');
    await page.unroute('**/api/v1/public/receipts/**');
    await page.click('#verdict button');
    await page.waitForSelector('#verdict[data-verdict="genuine"]');

    // English: the server's own English words.
    await page.evaluate(() => (globalThis as unknown as { localStorage: { setItem(k: string, v: string): void } }).localStorage.setItem('exampay.lang', 'en'));
    await page.goto(`${w.baseUrl}/verify/${code}`);
    await page.waitForSelector('#verdict[data-verdict="genuine"]');
    expect(await page.textContent('#verdict')).toContain('Verification result: genuine');
    expect(await page.textContent('#receipt-status')).toBe('Paid');
    await page.close();
  });
});

describe('admission tickets page /tickets (DOC-2)', () => {
  it('outside the print window: the window times and no print link; inside it: a plain same-tab link per kind whose PDF the server gives', async () => {
    const { c } = await paidCandidate();
    w.clock.set(new Date(PRINT_OPENS.getTime() - 60_000));
    const page = await newPage();
    const captcha = watchCaptchas(page);
    await page.goto(`${w.baseUrl}/tickets`);
    await page.waitForURL(/\/sign-in\?next=%2Ftickets$/);
    await page.fill('#authority', w.exam.authorityCode);
    await page.fill('#idNumber', c.idNumber);
    await page.fill('#password', c.password);
    await captcha.fillCaptcha();
    await page.click('#signin-submit');
    await page.waitForURL(/\/tickets$/);

    const section = `[data-sitting="${w.exam.sittingId}"]`;
    await page.waitForSelector(`${section} .print-state`);
    expect(await page.getAttribute(`${section} .print-state`, 'data-open')).toBe('false');
    const closed = (await page.textContent(section)) ?? '';
    expect(closed).toContain('现在不在打印时间内');
    expect(closed).toContain('2026-06-01 08:00:00 至 2026-06-13 08:00:00');
    expect(closed).toContain('笔试准考证');
    expect(closed).toContain('口试准考证');
    expect(closed).toContain(WRITTEN);
    expect(closed).toContain('首次打印时生成');
    expect(await page.$$('.print-ticket')).toHaveLength(0);
    await checkAtBothSizes(page, 'documents-tickets-closed', artifactPath);

    // The window opens: a reload asks the server again and the links appear.
    w.clock.set(new Date(PRINT_OPENS.getTime() + 1000));
    await page.reload();
    await page.waitForSelector(`${section} .print-state[data-open="true"]`);
    const links = page.locator(`${section} a.print-ticket`);
    await poll(() => links.count()).toBe(2);
    const hrefs = await links.evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'), target: a.getAttribute('target') })));
    expect(hrefs).toEqual([
      { href: `/api/v1/sittings/${w.exam.sittingId}/admission-tickets/written.pdf`, target: null },
      { href: `/api/v1/sittings/${w.exam.sittingId}/admission-tickets/oral.pdf`, target: null },
    ]);
    expect(await page.textContent(`${section} [data-ticket="WRITTEN"] a.print-ticket`)).toBe('打印准考证（笔试）');
    expect(await page.textContent(`${section} [data-ticket="ORAL"] a.print-ticket`)).toBe('打印准考证（口试）');
    await checkAtBothSizes(page, 'documents-tickets-open', artifactPath);

    // The link's PDF, fetched with this browser's session cookie.
    const res = await page.request.get(w.baseUrl + hrefs[0]!.href!);
    expect(res.status()).toBe(200);
    expect(res.headers()['content-type']).toBe('application/pdf');
    const ticket = await readPdf(await res.body());
    expect(ticket.text).toContain(`${EXAM} 准考证（笔试）`);
    const { ticket_no } = await w.db.selectFrom('admission_ticket').select('ticket_no').where('candidate_id', '=', c.candidateId).where('kind', '=', 'WRITTEN').executeTakeFirstOrThrow();
    expect(ticket.text).toContain(ticket_no);

    // After the first print the page shows the ticket number the server gave.
    await page.reload();
    await poll(() => page.textContent(`${section} [data-ticket="WRITTEN"]`)).toContain(ticket_no);
    await page.close();
  });
});

describe('quick print page /tickets/quick-print (DOC-2)', () => {
  it('name + ID number + captcha → the PDF opens from this tab; a wrong name gets the server\'s one answer', async () => {
    const { name, c } = await paidCandidate();
    w.clock.set(new Date(PRINT_OPENS.getTime() + 3600_000));
    const page = await newPage();
    const captcha = watchCaptchas(page);
    await page.goto(`${w.baseUrl}/tickets/quick-print?authority=${encodeURIComponent(w.exam.authorityCode)}`);
    await page.waitForSelector('#captcha-img');
    expect(await page.inputValue('#authority')).toBe(w.exam.authorityCode);
    await checkAtBothSizes(page, 'documents-quick-print', artifactPath);

    // A wrong name: QUICK_PRINT_NOT_FOUND in the server's words, no PDF.
    await page.fill('#name', `${name}错`);
    await page.fill('#idNumber', c.idNumber);
    await captcha.fillCaptcha();
    await withNewCaptcha(page, () => page.click('#quick-submit'));
    await poll(() => page.textContent('#error')).toContain('QUICK_PRINT_NOT_FOUND');
    expect(await page.$('#printed')).toBeNull();
    await checkAtBothSizes(page, 'documents-quick-print-refused', artifactPath);

    // Before the print window opens: WINDOW_CLOSED, with the window's times from the server.
    w.clock.set(new Date(PRINT_OPENS.getTime() - 60_000));
    await page.fill('#name', name);
    await captcha.fillCaptcha();
    await withNewCaptcha(page, () => page.click('#quick-submit'));
    await poll(() => page.textContent('#error')).toContain('WINDOW_CLOSED');
    expect(await page.textContent('#print-windows')).toContain('2026-06-01 08:00:00 至 2026-06-13 08:00:00');
    expect(await page.$('#printed')).toBeNull();

    // The window opens; the captcha shown was issued an hour "ago" and has expired: a new one.
    w.clock.set(new Date(PRINT_OPENS.getTime() + 3600_000));
    await withNewCaptcha(page, () => page.getByRole('button', { name: '换一张' }).click());
    await captcha.fillCaptcha();
    await page.click('#quick-submit');
    await page.waitForSelector('#printed a#open-ticket');
    expect(await page.textContent('#error')).toBe('');
    const href = (await page.getAttribute('#open-ticket', 'href')) ?? '';
    expect(href).toMatch(/^blob:/);
    expect(await page.getAttribute('#open-ticket', 'target')).toBeNull();
    expect(await page.getAttribute('#download-ticket', 'download')).toBe('admission-ticket-written.pdf');
    // The object URL holds the real PDF the server made.
    const bytes = await page.evaluate(async (u) => Array.from(new Uint8Array(await (await fetch(u)).arrayBuffer())), href);
    const pdf = await readPdf(new Uint8Array(bytes));
    expect(Buffer.from(bytes.slice(0, 5)).toString('latin1')).toBe('%PDF-');
    expect(pdf.text).toContain(`${EXAM} 准考证（笔试）`);
    expect(pdf.text).toContain(WRITTEN);
    expect(pdf.text).not.toContain(c.idNumber);
    await checkAtBothSizes(page, 'documents-quick-print-done', artifactPath);
    await page.close();
  });
});

/**
 * Documents end to end (issue 7 item 3; DOC-1 … DOC-3): a bill paid at the sandbox gets a receipt
 * PDF whose text and fonts are read back with pdf.js, verified by its QR code's address; admission
 * tickets print only inside the print window, by the signed-in candidate or by quick print.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmBill } from '../src/modules/billing/confirm-bill.ts';
import { receiptContent } from '../src/modules/documents/receipt-content.ts';
import { receiptFacts } from '../src/modules/documents/receipts.ts';
import { requestPersonalRefund } from '../src/modules/refunds/personal-refund.ts';
import { holdSeat, provisionSeats } from '../src/modules/registration/seat-holds.sql.ts';
import { maskIdNumber } from '../src/shared/personal-data.ts';
import { formatShanghai } from '../src/shared/time.ts';
import { expectBooksBalance } from './support/books.ts';
import type { CandidateFixture } from './support/fixtures.ts';
import { Browser } from './support/http.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';
import { readPdf, type ReadPdf } from './support/pdf.ts';
import { paidBill, runRefundsToTheEnd, staff } from './support/refunds.ts';

let w: PaymentWorld;
let poolId: bigint;
const AUTHORITY = '上海市教育考试院';
const EXAM = '全国大学英语四、六级考试';
const WRITTEN = '大学英语四级笔试';
const ORAL = '大学英语四级口试';
const SITE = '华东师范大学中山北路校区';
// 08:00 Beijing on 1 June to 08:00 on 13 June; the written exam is at 09:00–11:20 on 13 June.
const PRINT_OPENS = new Date('2026-06-01T00:00:00Z');
const PRINT_CLOSES = new Date('2026-06-13T00:00:00Z');
const FONT_NAME = /^[A-Z]{6}\+NotoSansSC-(Regular|Bold)$/;

beforeAll(async () => {
  w = await startPaymentWorld({ fees: [12000n, 3000n] });
  const [written, oral] = w.exam.subjectIds as [bigint, bigint];
  await w.db.updateTable('authority').set({ name: AUTHORITY }).where('id', '=', w.exam.authorityId).execute();
  await w.db.updateTable('exam').set({ name: EXAM, refund_policy: 'STAFF_DECIDES' }).where('id', '=', w.exam.examId).execute();
  await w.db.updateTable('subject').set({ name: WRITTEN }).where('id', '=', written).execute();
  await w.db.updateTable('subject').set({ name: ORAL, kind: 'ORAL' }).where('id', '=', oral).execute();
  const site = await w.db.insertInto('site').values({ sitting_id: w.exam.sittingId, code: 'ECNU', name: SITE }).returning('id').executeTakeFirstOrThrow();
  const slot = await w.db.insertInto('slot').values({ sitting_id: w.exam.sittingId, code: 'AM', starts_at: new Date('2026-06-13T01:00:00Z'), ends_at: new Date('2026-06-13T03:20:00Z') }).returning('id').executeTakeFirstOrThrow();
  poolId = (await w.db.insertInto('seat_pool').values({ site_id: site.id, slot_id: slot.id, subject_id: written, capacity: 30 }).returning('id').executeTakeFirstOrThrow()).id;
  await w.db.transaction().execute((trx) => provisionSeats(trx, poolId, 30));
  await w.db.updateTable('registration').set({ site_id: site.id, slot_id: slot.id }).where('subject_id', '=', written).execute();
  await w.db.insertInto('sitting_window').values({ sitting_id: w.exam.sittingId, kind: 'PRINT', site_id: null, opens_at: PRINT_OPENS, closes_at: PRINT_CLOSES }).execute();
});
afterAll(async () => {
  await expectBooksBalance(w);
  await w.close();
});

/** A candidate with the written subject on a seat at the site, and both subjects registered. */
async function candidate(): Promise<CandidateFixture & { name: string }> {
  const c = await w.candidate();
  const [written] = c.registrationIds as [bigint, bigint];
  const site = await w.db.selectFrom('site').select('id').where('sitting_id', '=', w.exam.sittingId).executeTakeFirstOrThrow();
  const slot = await w.db.selectFrom('slot').select('id').where('sitting_id', '=', w.exam.sittingId).executeTakeFirstOrThrow();
  await w.db.updateTable('registration').set({ site_id: site.id, slot_id: slot.id }).where('id', '=', written).execute();
  await w.db.transaction().execute((trx) => holdSeat(trx, { poolId, registrationId: written, now: w.clock.now() }));
  const { name } = await w.db.selectFrom('candidate').select('name').where('id', '=', c.candidateId).executeTakeFirstOrThrow();
  return { ...c, name };
}
async function paidCandidate() {
  const c = await candidate();
  const bill = await paidBill(w, { candidateId: c.candidateId, registrationIds: c.registrationIds });
  return { c, bill };
}
async function signedIn(c: CandidateFixture): Promise<Browser> {
  const b = new Browser(w.app);
  const r = await b.signIn(w.exam.authorityCode, c.idNumber, c.password);
  expect(r.status).toBe(200);
  return b;
}
async function pdfOf(res: { status: number; headers: Record<string, unknown>; raw: Buffer; text: string }): Promise<ReadPdf> {
  expect(res.status, res.text.slice(0, 300)).toBe(200);
  expect(res.headers['content-type']).toBe('application/pdf');
  expect(res.headers['cache-control']).toBe('no-store');
  expect(res.raw.subarray(0, 5).toString('latin1')).toBe('%PDF-');
  return readPdf(res.raw);
}
const lines = (pdf: ReadPdf) => pdf.text.split('\n');
/** DOC-3: every font is an embedded subset of Noto Sans SC (no standard 14 font, no system font), and small. */
function expectEmbeddedCjkFonts(pdf: ReadPdf, bytes: number) {
  expect(pdf.fonts.length).toBeGreaterThan(0);
  for (const f of pdf.fonts) {
    expect(f.name).toMatch(FONT_NAME);
    expect(f.embedded).toBe(true);
  }
  expect(pdf.embeddedFontFiles.length).toBe(pdf.fonts.length);
  for (const name of pdf.embeddedFontFiles) expect(name).toMatch(FONT_NAME);
  // Only the glyphs used travel: tens of kilobytes, not the font's ten megabytes.
  expect(bytes).toBeLessThan(150_000);
}
const verifyCode = (pdf: ReadPdf) => {
  const m = /\/verify\/([A-Za-z0-9_-]+)/.exec(pdf.text);
  if (!m) throw new Error(`no verification address in:\n${pdf.text}`);
  return m[1]!;
};

describe('electronic receipt (DOC-1, DOC-3)', () => {
  it('a bill paid at the sandbox: the owner\'s receipt PDF shows issuer, exam, numbers, payer (masked ID), items, total, channel, trade number, time — in Chinese that reads back exactly, in an embedded Noto Sans SC subset', async () => {
    const { c, bill } = await paidCandidate();
    const b = await signedIn(c);
    const res = await b.get(`/api/v1/bills/${bill.bill_no}/receipt.pdf`);
    const pdf = await pdfOf(res);
    const receipt = await w.db.selectFrom('receipt').selectAll().where('bill_id', '=', bill.id).executeTakeFirstOrThrow();
    expect(receipt.receipt_no).toMatch(/^20260315\d{10}$/);

    for (const s of ['电子缴费凭证', AUTHORITY, EXAM, '2026年3月', bill.bill_no, receipt.receipt_no, c.name, maskIdNumber(c.idNumber), WRITTEN, ORAL,
      '120.00', '30.00', '合计 Total：¥150.00（150.00元）', '支付宝 Alipay', bill.channel_trade_no!, `${formatShanghai(bill.paid_at!)}（北京时间 Beijing time）`, '已缴费 Paid']) {
      expect(pdf.text, s).toContain(s);
    }
    expect(pdf.text).not.toContain(c.idNumber);
    expect(pdf.text).not.toContain('退费');
    // Every line the receipt was meant to print comes back from the PDF as written: no glyph
    // missing or mapped to another character.
    const facts = await receiptFacts(w.ctx, bill.id);
    if (!facts.ok) throw new Error(facts.error.code);
    const content = receiptContent(facts.value);
    for (const f of content.fields) {
      expect(lines(pdf)).toContain(f.label);
      expect(lines(pdf)).toContain(f.value);
    }
    for (const row of content.rows) for (const cell of row) expect(lines(pdf)).toContain(cell);
    expect(pdf.title).toBe(`电子缴费凭证 ${receipt.receipt_no}`);
    expectEmbeddedCjkFonts(pdf, res.raw.length);

    // The QR's address, printed under it, answers with what the receipt says.
    const code = verifyCode(pdf);
    expect(pdf.text).toContain(`${w.baseUrl}/verify/${code}`);
    const verified = await fetch(`${w.baseUrl}/api/v1/public/receipts/${code}`);
    expect(verified.status).toBe(200);
    expect(await verified.json()).toEqual({
      valid: true, billNumber: bill.bill_no, receiptNumber: receipt.receipt_no, issuer: AUTHORITY, exam: EXAM, sitting: '2026年3月',
      maskedName: `考${'*'.repeat([...c.name].length - 1)}`, amountFen: '15000', refundedFen: '0', paidAt: bill.paid_at!.toISOString(), status: 'PAID',
    });

    // Issued once: a second download is the same receipt with the same code.
    const again = await readPdf((await b.get(`/api/v1/bills/${bill.bill_no}/receipt.pdf`)).raw);
    expect(verifyCode(again)).toBe(code);
    expect(again.text).toContain(receipt.receipt_no);
    expect(await w.db.selectFrom('receipt').select('bill_id').where('bill_id', '=', bill.id).execute()).toHaveLength(1);
    // Only the code's hash is stored.
    expect(receipt.verify_hash.toString('latin1')).not.toContain(code);
  });

  it('someone who paid without signing in (PAY-6 pass) gets the receipt of that candidate\'s bill, and no other', async () => {
    await w.db.updateTable('exam').set({ pay_without_sign_in: true }).where('id', '=', w.exam.examId).execute();
    const { c, bill } = await paidCandidate();
    const { bill: otherBill } = await paidCandidate();
    const payer = new Browser(w.app);
    const found = await payer.post('/api/v1/payer-lookups', { authority: w.exam.authorityCode, name: c.name, idNumber: c.idNumber, ...(await payer.captcha('ARITHMETIC')) });
    expect(found.status).toBe(200);
    expect((await pdfOf(await payer.get(`/api/v1/bills/${bill.bill_no}/receipt.pdf`))).text).toContain(bill.bill_no);
    expect((await payer.get(`/api/v1/bills/${otherBill.bill_no}/receipt.pdf`)).body.error.code).toBe('BILL_NOT_FOUND');
    await w.db.updateTable('exam').set({ pay_without_sign_in: false }).where('id', '=', w.exam.examId).execute();
  });

  it('an unknown, altered or malformed code is RECEIPT_NOT_FOUND (404, Chinese and English), and says nothing else', async () => {
    const { c, bill } = await paidCandidate();
    const code = verifyCode(await readPdf((await (await signedIn(c)).get(`/api/v1/bills/${bill.bill_no}/receipt.pdf`)).raw));
    const altered = code.slice(0, -1) + (code.endsWith('A') ? 'B' : 'A');
    const anonymous = new Browser(w.app, { remoteAddress: '127.0.0.9' });
    const answers = [];
    for (const tried of [altered, 'A'.repeat(22), 'abc', bill.bill_no]) {
      const r = await anonymous.get(`/api/v1/public/receipts/${tried}`);
      expect(r.status).toBe(404);
      answers.push(r.body);
    }
    expect(answers[0]).toEqual({ error: { code: 'RECEIPT_NOT_FOUND', message: '没有找到该电子缴费凭证，请核对二维码或网址是否完整。', messageZh: '没有找到该电子缴费凭证，请核对二维码或网址是否完整。', messageEn: 'No receipt has this verification code; check that the QR code or address is complete.' } });
    for (const a of answers) expect(a).toEqual(answers[0]);
    expect((await anonymous.get(`/api/v1/public/receipts/${code}`)).status).toBe(200);
  });

  it('unknown codes count against the client address: after 100 in 15 minutes it is RATE_LIMITED with Retry-After, even for a good code', async () => {
    const { c, bill } = await paidCandidate();
    const code = verifyCode(await readPdf((await (await signedIn(c)).get(`/api/v1/bills/${bill.bill_no}/receipt.pdf`)).raw));
    const guesser = new Browser(w.app, { remoteAddress: '127.0.0.77' });
    for (let i = 0; i < 100; i++) expect((await guesser.get(`/api/v1/public/receipts/${'G'.repeat(21)}${i % 10}`)).status).toBe(404);
    const locked = await guesser.get(`/api/v1/public/receipts/${code}`);
    expect(locked.status).toBe(429);
    expect(locked.body.error.code).toBe('RATE_LIMITED');
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // Another address is not affected.
    expect((await new Browser(w.app, { remoteAddress: '127.0.0.78' }).get(`/api/v1/public/receipts/${code}`)).status).toBe(200);
  });

  it('only the bill\'s owner gets its receipt; an unpaid bill has none (409 RECEIPT_NOT_AVAILABLE)', async () => {
    const { bill } = await paidCandidate();
    const other = await candidate();
    const stranger = await signedIn(other);
    const refused = await stranger.get(`/api/v1/bills/${bill.bill_no}/receipt.pdf`);
    expect(refused.status).toBe(404);
    expect(refused.body.error.code).toBe('BILL_NOT_FOUND');
    expect((await new Browser(w.app).get(`/api/v1/bills/${bill.bill_no}/receipt.pdf`)).status).toBe(401);
    const unpaid = await confirmBill(w.ctx, { candidateId: other.candidateId, registrationIds: other.registrationIds });
    if (!unpaid.ok) throw new Error(unpaid.error.code);
    const notYet = await stranger.get(`/api/v1/bills/${unpaid.value.bill_no}/receipt.pdf`);
    expect(notYet.status).toBe(409);
    expect(notYet.body.error).toMatchObject({ code: 'RECEIPT_NOT_AVAILABLE', messageZh: '该缴费单尚未缴费成功，暂无电子缴费凭证。', details: { state: 'UNPAID' } });
    expect(await w.db.selectFrom('receipt').select('bill_id').where('bill_id', '=', unpaid.value.id).execute()).toEqual([]);
  });

  it('after a refund the channel confirmed, the same receipt number says 部分退费 with the amount given back, in the PDF and at verification', async () => {
    const { c, bill } = await paidCandidate();
    const b = await signedIn(c);
    const before = await readPdf((await b.get(`/api/v1/bills/${bill.bill_no}/receipt.pdf`)).raw);
    const code = verifyCode(before);
    const made = await requestPersonalRefund(w.ctx, { actor: staff(w.exam, 'FINANCE'), registrationId: c.registrationIds[1]!, reason: '考生因病无法参加口试' });
    expect(made.ok).toBe(true);
    // Promised but not yet given back: the receipt still says paid.
    expect((await b.get(`/api/v1/public/receipts/${code}`)).body).toMatchObject({ status: 'PAID', refundedFen: '0' });
    expect((await readPdf((await b.get(`/api/v1/bills/${bill.bill_no}/receipt.pdf`)).raw)).text).not.toContain('退');
    await runRefundsToTheEnd(w);
    expect((await w.bill(bill.bill_no)).state).toBe('PARTIALLY_REFUNDED');
    const verified = await b.get(`/api/v1/public/receipts/${code}`);
    expect(verified.body).toMatchObject({ status: 'PARTLY_REFUNDED', amountFen: '15000', refundedFen: '3000' });
    const after = await readPdf((await b.get(`/api/v1/bills/${bill.bill_no}/receipt.pdf`)).raw);
    expect(verifyCode(after)).toBe(code);
    for (const s of ['部分退费 Partly refunded', '已退（元） Refunded', '已退回 Refunded：¥30.00（30.00元），原路退回 to the original payment channel', '合计 Total：¥150.00（150.00元）']) {
      expect(after.text, s).toContain(s);
    }
  });
});

describe('admission tickets (DOC-2, DOC-3)', () => {
  it('print window edges: 1 s before it opens WINDOW_CLOSED (with the window in Beijing time); at its opening the written and the oral tickets print separately, numbered once', async () => {
    const { c } = await paidCandidate();
    w.clock.set(new Date(PRINT_OPENS.getTime() - 1000));
    const b = await signedIn(c);
    const base = `/api/v1/sittings/${w.exam.sittingId}/admission-tickets`;
    const listBefore = await b.get(base);
    expect(listBefore.body).toEqual({
      sittingId: String(w.exam.sittingId), sittingName: '2026年3月', offered: true, printOpen: false,
      printWindows: [{ opensAt: PRINT_OPENS.toISOString(), closesAt: PRINT_CLOSES.toISOString(), opensAtShanghai: '2026-06-01 08:00:00', closesAtShanghai: '2026-06-13 08:00:00' }],
      tickets: [
        { kind: 'WRITTEN', ticketNo: null, subjects: [WRITTEN], pdfUrl: `${base}/written.pdf` },
        { kind: 'ORAL', ticketNo: null, subjects: [ORAL], pdfUrl: `${base}/oral.pdf` },
      ],
    });
    const early = await b.get(`${base}/written.pdf`);
    expect(early.status).toBe(409);
    expect(early.body.error).toMatchObject({ code: 'WINDOW_CLOSED', details: { windows: [{ kind: 'PRINT', opensAt: '2026-06-01 08:00:00', closesAt: '2026-06-13 08:00:00' }] } });
    expect(await w.db.selectFrom('admission_ticket').select('id').where('candidate_id', '=', c.candidateId).execute()).toEqual([]);

    w.clock.set(PRINT_OPENS);
    const res = await b.get(`${base}/written.pdf`);
    const written = await pdfOf(res);
    const tickets = await w.db.selectFrom('admission_ticket').selectAll().where('candidate_id', '=', c.candidateId).execute();
    expect(tickets.map((t) => t.kind)).toEqual(['WRITTEN']);
    const ticketNo = tickets[0]!.ticket_no;
    expect(ticketNo).toMatch(/^1\d{14}$/);
    const seat = await w.db.selectFrom('seat').select('seat_no').where('registration_id', '=', c.registrationIds[0]!).executeTakeFirstOrThrow();
    const ls = lines(written);
    for (const s of [`${EXAM} 准考证（笔试）`, ticketNo, c.name, maskIdNumber(c.idNumber), '2026年3月', AUTHORITY, WRITTEN, SITE, '2026-06-13 09:00–11:20', String(seat.seat_no)]) {
      expect(ls, s).toContain(s);
    }
    expect(written.text).toContain('考生须知');
    expect(written.text).not.toContain(ORAL);
    expect(written.text).not.toContain(c.idNumber);
    expectEmbeddedCjkFonts(written, res.raw.length);

    const oral = await pdfOf(await b.get(`${base}/oral.pdf`));
    expect(lines(oral)).toContain(`${EXAM} 准考证（口试）`);
    expect(lines(oral)).toContain(ORAL);
    expect(oral.text).not.toContain(WRITTEN);
    const oralNo = (await w.db.selectFrom('admission_ticket').select('ticket_no').where('candidate_id', '=', c.candidateId).where('kind', '=', 'ORAL').executeTakeFirstOrThrow()).ticket_no;
    expect(oralNo).toMatch(/^2\d{14}$/);
    expect(lines(oral)).toContain(oralNo);

    // Reprints keep the number; the list shows it.
    expect(lines(await readPdf((await b.get(`${base}/written.pdf`)).raw))).toContain(ticketNo);
    expect((await b.get(base)).body.tickets.map((t: { ticketNo: string }) => t.ticketNo)).toEqual([ticketNo, oralNo]);

    // The window is [opens, closes): at its close it is shut again.
    w.clock.set(PRINT_CLOSES);
    const late = await (await signedIn(c)).get(`${base}/written.pdf`);
    expect(late.body.error.code).toBe('WINDOW_CLOSED');
    w.clock.set(PRINT_OPENS);
  });

  it('only paid subjects are on a ticket; a sitting with no print window prints none here; another exam\'s sitting reads as missing', async () => {
    w.clock.set(new Date(PRINT_OPENS.getTime() + 3600_000));
    const unpaid = await candidate();
    const b = await signedIn(unpaid);
    const base = `/api/v1/sittings/${w.exam.sittingId}/admission-tickets`;
    expect((await b.get(base)).body).toMatchObject({ printOpen: true, tickets: [] });
    const none = await b.get(`${base}/written.pdf`);
    expect(none.status).toBe(404);
    expect(none.body.error.code).toBe('ADMISSION_TICKET_NOT_FOUND');

    const noPrint = await w.db.insertInto('sitting').values({ exam_id: w.exam.examId, code: 'NOPRINT', name: '无准考证考次' }).returning('id').executeTakeFirstOrThrow();
    expect((await b.get(`/api/v1/sittings/${noPrint.id}/admission-tickets`)).body).toMatchObject({ offered: false, printOpen: false, printWindows: [] });
    const notOffered = await b.get(`/api/v1/sittings/${noPrint.id}/admission-tickets/written.pdf`);
    expect(notOffered.status).toBe(404);
    expect(notOffered.body.error.code).toBe('ADMISSION_TICKETS_NOT_OFFERED');

    const otherSitting = await w.db.insertInto('sitting').values({ exam_id: (await w.db.insertInto('exam').values({ authority_id: w.exam.authorityId, code: 'OTHER', name: '另一考试', initial_password_rule: 'ID_LAST6' }).returning('id').executeTakeFirstOrThrow()).id, code: 'X', name: '别的考次' }).returning('id').executeTakeFirstOrThrow();
    const foreign = await b.get(`/api/v1/sittings/${otherSitting.id}/admission-tickets/written.pdf`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('SITTING_NOT_FOUND');
    expect((await b.get('/api/v1/sittings/1/admission-tickets/essay.pdf')).status).toBe(400);
  });

  it('quick print (快速打印): name + ID document + captcha, no sign-in → the same ticket number; wrong name, number or ID type, or nothing paid, all get one answer', async () => {
    w.clock.set(new Date(PRINT_OPENS.getTime() + 7200_000));
    const { c } = await paidCandidate();
    const unpaid = await candidate();
    const quick = async (b: Browser, fields: Record<string, unknown>, captcha = true) =>
      b.post('/api/v1/public/admission-tickets', { authority: w.exam.authorityCode, idType: 'RESIDENT_ID', kind: 'WRITTEN', ...fields, ...(captcha ? await b.captcha() : {}) });

    const anon = new Browser(w.app, { remoteAddress: '127.0.0.21' });
    const noCaptcha = await quick(anon, { name: c.name, idNumber: c.idNumber }, false);
    expect(noCaptcha.status).toBe(400);
    expect(noCaptcha.body.error.code).toBe('VALIDATION_FAILED');
    const cap = await anon.captcha();
    const wrongCaptcha = await anon.post('/api/v1/public/admission-tickets', { authority: w.exam.authorityCode, idType: 'RESIDENT_ID', kind: 'WRITTEN', name: c.name, idNumber: c.idNumber, captchaId: cap.captchaId, captchaAnswer: 'ZZZZ' });
    expect(wrongCaptcha.body.error.code).toBe('CAPTCHA_INVALID');
    expect(await w.db.selectFrom('admission_ticket').select('id').where('candidate_id', '=', c.candidateId).execute()).toEqual([]);

    const printed = await pdfOf(await quick(anon, { name: c.name, idNumber: c.idNumber.toLowerCase() }));
    const ticketNo = (await w.db.selectFrom('admission_ticket').select('ticket_no').where('candidate_id', '=', c.candidateId).where('kind', '=', 'WRITTEN').executeTakeFirstOrThrow()).ticket_no;
    for (const s of [ticketNo, c.name, maskIdNumber(c.idNumber), WRITTEN, SITE]) expect(lines(printed), s).toContain(s);
    expect(printed.text).not.toContain(c.idNumber);
    // The signed-in candidate gets the same number.
    expect(lines(await readPdf((await (await signedIn(c)).get(`/api/v1/sittings/${w.exam.sittingId}/admission-tickets/written.pdf`)).raw))).toContain(ticketNo);

    const answers = [];
    for (const fields of [
      { name: '冒名者', idNumber: c.idNumber },
      { name: c.name, idNumber: '11010519900101999X' },
      { name: c.name, idNumber: c.idNumber, idType: 'PASSPORT' },
      { name: unpaid.name, idNumber: unpaid.idNumber },
    ]) {
      const r = await quick(new Browser(w.app, { remoteAddress: '127.0.0.22' }), fields);
      answers.push({ status: r.status, body: r.body });
    }
    expect(answers[0]).toEqual({ status: 404, body: { error: { code: 'QUICK_PRINT_NOT_FOUND', message: '没有找到与所填姓名和证件信息相符的可打印准考证，请核对后重试。', messageZh: '没有找到与所填姓名和证件信息相符的可打印准考证，请核对后重试。', messageEn: 'No printable admission ticket matches that name and ID document; check them and try again.' } } });
    for (const a of answers) expect(a).toEqual(answers[0]);
    expect(await w.db.selectFrom('admission_ticket').select('id').where('candidate_id', '=', unpaid.candidateId).execute()).toEqual([]);

    // Outside the window the answer is the window, for anyone: it says nothing about the person.
    w.clock.set(new Date(PRINT_OPENS.getTime() - 1000));
    for (const name of [c.name, '冒名者']) {
      const closed = await quick(new Browser(w.app, { remoteAddress: '127.0.0.23' }), { name, idNumber: c.idNumber });
      expect(closed.status).toBe(409);
      expect(closed.body.error).toMatchObject({ code: 'WINDOW_CLOSED', details: { windows: [{ kind: 'PRINT', opensAt: '2026-06-01 08:00:00' }] } });
    }
    w.clock.set(PRINT_OPENS);
  });
});

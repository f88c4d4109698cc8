/**
 * What the finance console pages read (issue 8 items 5 and 7; REF-4, PAY-11, ADM-4): a staff bill
 * names what was refunded per item and which refund each ledger line books; the audit log search
 * exports as xlsx with the CSV's rows; and no route anywhere writes to the audit log.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { routeTable } from '../src/http/app.ts';
import { makeCandidate, makeExam } from './support/fixtures.ts';
import type { Browser } from './support/http.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';
import { expectBooksBalance } from './support/books.ts';
import { paidBill, runRefundsToTheEnd } from './support/refunds.ts';
import { makeInstitution, makeStaff, staffBrowser, type StaffFixture } from './support/staff-fixtures.ts';

let w: PaymentWorld;
let finance: StaffFixture;
let admin: StaffFixture;
let asFinance: Browser;
let asAdmin: Browser;
let asReadOnly: Browser;
let asOtherAdmin: Browser;
let asSchool: Browser;

beforeAll(async () => {
  w = await startPaymentWorld();
  await w.db.updateTable('exam').set({ refund_policy: 'STAFF_DECIDES' }).where('id', '=', w.exam.examId).execute();
  finance = await makeStaff(w.db, w.exam, 'FINANCE');
  admin = await makeStaff(w.db, w.exam, 'AUTHORITY_ADMIN');
  asFinance = await staffBrowser(w.app, finance);
  asAdmin = await staffBrowser(w.app, admin);
  asReadOnly = await staffBrowser(w.app, await makeStaff(w.db, w.exam, 'READ_ONLY'));
  asOtherAdmin = await staffBrowser(w.app, await makeStaff(w.db, await makeExam(w.db), 'AUTHORITY_ADMIN'));
  const school = await makeInstitution(w.db, w.exam.authorityId);
  asSchool = await staffBrowser(w.app, await makeStaff(w.db, w.exam, 'INSTITUTION_STAFF', { institutionId: school.institutionId }));
}, 60_000);
afterAll(async () => w?.close());

interface LedgerEntry { kind: string; refundNo: string | null; postings: { account: string; amountFen: number }[] }

describe('a staff bill shows its refunds per item and in its ledger lines (REF-4, PAY-11)', () => {
  it('after a partial personal refund: refundedFen per item, REFUND_DECIDED then REFUND_SUCCEEDED lines naming the refund; outsiders get 404', async () => {
    const c = await makeCandidate(w.db, w.exam);
    const [first, second] = c.registrationIds as [bigint, bigint];
    const bill = await paidBill(w, { candidateId: c.candidateId, registrationIds: c.registrationIds, channel: 'alipay' });
    const made = await asFinance.post(`/api/v1/admin/registrations/${first}/personal-refund`, { reason: '考生因病无法参加考试', amountFen: 3000 });
    expect(made.status).toBe(201);
    const refundNo: string = made.body.refundNo;

    const before = await asFinance.get(`/api/v1/admin/bills/${bill.bill_no}`);
    expect(before.status).toBe(200);
    expect(before.body.items.map((i: { registrationId: string; refundedFen: number; amountFen: number }) => [i.registrationId, i.amountFen, i.refundedFen]))
      .toEqual([[String(first), 8000, 3000], [String(second), 6500, 0]]);
    const sitting = `fees:${w.exam.sittingId}`;
    expect((before.body.ledger as LedgerEntry[]).map((e) => [e.kind, e.refundNo, e.postings])).toEqual([
      ['CAPTURE_SETTLED', null, [{ account: 'clearing:alipay', amountFen: 14500 }, { account: sitting, amountFen: -14500 }]],
      ['REFUND_DECIDED', refundNo, [{ account: sitting, amountFen: 3000 }, { account: 'refundable:alipay', amountFen: -3000 }]],
    ]);

    await runRefundsToTheEnd(w);
    const after = await asReadOnly.get(`/api/v1/admin/bills/${bill.bill_no}`);
    expect(after.body.state).toBe('PARTIALLY_REFUNDED');
    expect((after.body.ledger as LedgerEntry[]).at(-1)).toEqual(expect.objectContaining({
      kind: 'REFUND_SUCCEEDED', refundNo, postings: [{ account: 'refundable:alipay', amountFen: 3000 }, { account: 'clearing:alipay', amountFen: -3000 }],
    }));
    await expectBooksBalance(w);

    // The access-control suite's case for this route covers every role; here the two outsiders who matter to finance.
    expect(await asOtherAdmin.get(`/api/v1/admin/bills/${bill.bill_no}`)).toMatchObject({ status: 404, body: { error: { code: 'BILL_NOT_FOUND' } } });
    const school = await asSchool.get(`/api/v1/institution/bills/${bill.bill_no}`);
    expect(school).toMatchObject({ status: 404, body: { error: { code: 'BILL_NOT_FOUND' } } });
    expect(school.text).not.toContain(refundNo);
  }, 60_000);
});

describe('the audit log: exported as xlsx, and written by no route (ADM-4)', () => {
  it('format=xlsx reopens in exceljs with the same rows and cells as the CSV of the same search; finance may not export', async () => {
    const c = await makeCandidate(w.db, w.exam);
    await paidBill(w, { candidateId: c.candidateId, registrationIds: c.registrationIds, channel: 'wechatpay' });
    const made = await asFinance.post(`/api/v1/admin/registrations/${c.registrationIds[1]}/personal-refund`, { reason: '考生申请退费' });
    expect(made.status).toBe(201);

    const query = 'action=refund.personal';
    const csv = await asAdmin.get(`/api/v1/admin/audit-log/export?${query}`);
    expect(csv.headers['content-type']).toContain('text/csv');
    const xlsx = await asAdmin.get(`/api/v1/admin/audit-log/export?${query}&format=xlsx`);
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(xlsx.headers['content-disposition']).toMatch(/filename="audit-log-\d{4}-\d{2}-\d{2}\.xlsx"/);
    expect(xlsx.headers['x-exampay-truncated']).toBe('false');

    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(xlsx.raw as unknown as ExcelJS.Buffer);
    const sheet = wb.worksheets[0]!;
    const rows: string[][] = [];
    sheet.eachRow((row) => rows.push(Array.from({ length: 13 }, (_, i) => {
      const v = (row.values as unknown[])[i + 1];
      return v === null || v === undefined ? '' : String(v);
    })));
    // The CSV of the same search, parsed (its summary cell is quoted JSON).
    const csvRows = csv.text.replace(/^\uFEFF/, '').trim().split('\r\n').map(parseCsvLine);
    expect(rows).toEqual(csvRows.map((r) => [...r, ...Array<string>(13 - r.length).fill('')].slice(0, 13)));
    const db = await w.db.selectFrom('audit_log').select(['id', 'object_id']).where('action', '=', 'refund.personal').where('authority_id', '=', w.exam.authorityId).orderBy('id', 'desc').execute();
    expect(rows.slice(1).map((r) => [r[0], r[9]])).toEqual(db.map((d) => [String(d.id), d.object_id]));
    expect(rows[1]![6]).toBe(finance.loginName);
    expect(rows[1]![12]).toContain(made.body.refundNo);

    expect((await asFinance.get(`/api/v1/admin/audit-log/export?${query}&format=xlsx`)).status).toBe(403);
    expect((await asAdmin.get(`/api/v1/admin/audit-log/export?${query}&format=pdf`)).status).toBe(400);
  }, 60_000);

  it('the only routes under the audit log are its two GETs; writing to it answers 404 and changes nothing', async () => {
    const routes = routeTable(w.app).flatMap((r) => (Array.isArray(r.method) ? r.method : [r.method]).map((m) => `${m} ${r.url}`)).filter((r) => /audit/i.test(r) && !r.startsWith('HEAD '));
    expect(routes.sort()).toEqual(['GET /api/v1/admin/audit-log', 'GET /api/v1/admin/audit-log/export']);
    const count = async () => (await w.db.selectFrom('audit_log').select((e) => e.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n;
    const before = await count();
    const entry = (await asAdmin.get('/api/v1/admin/audit-log?limit=1')).body[0] as { entryId: string };
    for (const res of [
      await asAdmin.post('/api/v1/admin/audit-log', { action: 'refund.personal' }),
      await asAdmin.put(`/api/v1/admin/audit-log/${entry.entryId}`, { outcome: 'FAILURE' }),
      await asAdmin.delete(`/api/v1/admin/audit-log/${entry.entryId}`),
      await asAdmin.post(`/api/v1/admin/audit-log/${entry.entryId}`, { outcome: 'FAILURE' }),
    ]) expect(res.status).toBe(404);
    // Reading writes nothing either (the GET above); the count is what it was.
    expect(await count()).toBe(before);
  });
});

/** One CSV line (RFC 4180 quoting). */
function parseCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (ch === '"') quoted = false; else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') { cells.push(cur); cur = ''; } else cur += ch;
  }
  cells.push(cur);
  return cells;
}

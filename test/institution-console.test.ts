/**
 * The institution console's API (issue 8 item 6; ORG-1, REG-8, DOC-1): a learning centre
 * registers its candidates from a spreadsheet — all rows or none, an error sheet for a bad file —
 * pays them in one bill through the sandbox, and downloads the receipt, which names the centre as
 * payer. Real app, real sandbox gateway, real PostgreSQL, one manual clock.
 */
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionSeats } from '../src/modules/registration/seat-holds.sql.ts';
import { maskIdNumber } from '../src/shared/id-document.ts';
import { residentIdCheckChar } from '../src/shared/resident-id.ts';
import { readPdf } from './support/pdf.ts';
import { makeCandidate } from './support/fixtures.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';
import { makeInstitution, makeStaff, staffBrowser } from './support/staff-fixtures.ts';

let w: PaymentWorld;
beforeAll(async () => {
  w = await startPaymentWorld({ channels: ['alipay', 'wechatpay', 'unionpay'] });
});
afterAll(async () => w.close());

const FEE = 8000n;
let seq = 0;
const code = (p: string) => `${p}${++seq}${Math.floor(Math.random() * 1e6)}`;

/** A centre of its own per test: a subject with seats at one site and slot (capacity as asked), its staff, a second centre. */
async function centre(capacity = 30) {
  const subjectCode = code('SUB');
  const subject = (await w.db.insertInto('subject').values({ sitting_id: w.exam.sittingId, code: subjectCode, name: '大学英语B', fee_fen: FEE }).returning('id').executeTakeFirstOrThrow()).id;
  const site = await w.db.insertInto('site').values({ sitting_id: w.exam.sittingId, code: code('SITE'), name: '学习中心考点' }).returning(['id', 'code']).executeTakeFirstOrThrow();
  const slot = await w.db.insertInto('slot').values({ sitting_id: w.exam.sittingId, code: code('SLOT'), starts_at: new Date('2026-04-11T01:00:00Z'), ends_at: new Date('2026-04-11T03:00:00Z') }).returning(['id', 'code']).executeTakeFirstOrThrow();
  const pool = await w.db.insertInto('seat_pool').values({ site_id: site.id, slot_id: slot.id, subject_id: subject, capacity }).returning('id').executeTakeFirstOrThrow();
  await w.db.transaction().execute((trx) => provisionSeats(trx, pool.id, capacity));
  const inst = await makeInstitution(w.db, w.exam.authorityId, 'LEARNING_CENTRE');
  const other = await makeInstitution(w.db, w.exam.authorityId, 'LEARNING_CENTRE');
  const staff = await staffBrowser(w.app, await makeStaff(w.db, w.exam, 'INSTITUTION_STAFF', { institutionId: inst.institutionId }));
  const otherStaff = await staffBrowser(w.app, await makeStaff(w.db, w.exam, 'INSTITUTION_STAFF', { institutionId: other.institutionId }));
  const instName = (await w.db.selectFrom('institution').select('name').where('id', '=', inst.institutionId).executeTakeFirstOrThrow()).name;
  const candidate = async (institutionId = inst.institutionId) => {
    const c = await makeCandidate(w.db, w.exam);
    await w.db.updateTable('candidate').set({ institution_id: institutionId }).where('id', '=', c.candidateId).execute();
    const { name } = await w.db.selectFrom('candidate').select('name').where('id', '=', c.candidateId).executeTakeFirstOrThrow();
    return { ...c, name };
  };
  const row = (c: { idNumber: string; name: string }, o: { subject?: string; site?: string | null; slot?: string | null; name?: string } = {}) =>
    [c.idNumber, o.name ?? c.name, o.subject ?? subjectCode, o.site === undefined ? site.code : o.site ?? '', o.slot === undefined ? slot.code : o.slot ?? ''].join(',');
  const upload = (rows: string[], by = staff, fileName = 'regs.csv') =>
    by.post(`/api/v1/institution/registration-imports?sittingId=${w.exam.sittingId}&fileName=${encodeURIComponent(fileName)}`, ['证件号码,姓名,科目代码,考点代码,场次代码', ...rows].join('\r\n'), { 'content-type': 'text/csv' });
  const institutionRegs = () => w.db.selectFrom('registration').select(['id', 'candidate_id', 'owner', 'institution_id', 'status']).where('subject_id', '=', subject).where('status', '=', 'ACTIVE').execute();
  const seatStates = async () => (await w.db.selectFrom('seat').select('state').where('pool_id', '=', pool.id).execute()).map((s) => s.state);
  return { subject, subjectCode, site, slot, pool: pool.id, inst, other, staff, otherStaff, instName, candidate, row, upload, institutionRegs, seatStates };
}

async function readSheet(bytes: Buffer) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes as unknown as ArrayBuffer);
  const rows: unknown[][] = [];
  wb.worksheets[0]!.eachRow((r) => rows.push((r.values as unknown[]).slice(1)));
  return rows;
}

describe('学习中心报考 from a spreadsheet, paid in one bill (ORG-1, REG-8)', () => {
  it('twenty rows → twenty registrations owned by the centre with seats held; paid in one bill; the receipt names the centre as payer and lists the twenty', async () => {
    const c = await centre();
    const twenty: Awaited<ReturnType<typeof c.candidate>>[] = [];
    for (let i = 0; i < 20; i++) twenty.push(await c.candidate());
    const res = await c.upload(twenty.map((t) => c.row(t)));
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({ state: 'DONE', rowsTotal: 20, registered: 20 });
    expect(res.body.registrations.map((r: { row: number }) => r.row)).toEqual(Array.from({ length: 20 }, (_, i) => i + 2));
    const regs = await c.institutionRegs();
    expect(regs).toHaveLength(20);
    expect(regs.every((r) => r.owner === 'INSTITUTION' && r.institution_id === c.inst.institutionId)).toBe(true);
    expect(new Set(regs.map((r) => r.candidate_id))).toEqual(new Set(twenty.map((t) => t.candidateId)));
    expect((await c.seatStates()).filter((s) => s === 'HELD')).toHaveLength(20);
    const audit = await w.db.selectFrom('audit_log').select('action').where('object_type', '=', 'institution_import').where('object_id', '=', res.body.importId).execute();
    expect(audit.map((a) => a.action)).toEqual(['institution_import.apply']);

    // Each candidate's status, for this centre only.
    const listed = (await c.staff.get(`/api/v1/institution/candidates?sittingId=${w.exam.sittingId}&limit=200`)).body as { candidateId: string; registrations: { subjectId: string; status: string; payableByInstitution: boolean; registrationId: string }[] }[];
    const ours = listed.flatMap((x) => x.registrations).filter((r) => r.subjectId === String(c.subject));
    expect(ours).toHaveLength(20);
    expect(ours.every((r) => r.status === 'UNPAID' && r.payableByInstitution)).toBe(true);
    const theirs = (await c.otherStaff.get(`/api/v1/institution/candidates?sittingId=${w.exam.sittingId}&limit=200`)).body as { candidateId: string }[];
    expect(theirs.filter((x) => twenty.some((t) => String(t.candidateId) === x.candidateId))).toEqual([]);

    const made = await c.staff.post('/api/v1/institution/batch-bills', { registrationIds: ours.map((r) => r.registrationId) });
    expect(made.status, made.text).toBe(201);
    const billNo: string = made.body.billNo;
    expect((await c.staff.get(`/api/v1/institution/batch-bills/${billNo}/receipt.pdf`)).body.error.code).toBe('RECEIPT_NOT_AVAILABLE');
    const pay = await c.staff.post(`/api/v1/institution/batch-bills/${billNo}/payments`, { channel: 'alipay', agreementAccepted: true });
    expect(pay.status, pay.text).toBe(200);
    expect((await w.sandbox.pay(billNo, { channel: 'alipay' })).ok).toBe(true);
    await w.sandbox.deliverDueNotifications();
    expect((await w.bill(billNo)).state).toBe('PAID');

    // Back from the cashier, the browser lands on the centre's bill page, not a candidate's.
    const back = await fetch(`${w.baseUrl}/pay/return/alipay?bill=${billNo}`, { redirect: 'manual' });
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(`/institution/bills/${billNo}`);

    const receipt = await c.staff.get(`/api/v1/institution/batch-bills/${billNo}/receipt.pdf`);
    expect(receipt.status).toBe(200);
    expect(receipt.headers['content-type']).toBe('application/pdf');
    const pdf = await readPdf(receipt.raw);
    expect(pdf.text).toContain('电子缴费凭证');
    const lines = pdf.text.split('\n').map((l) => l.trim()).filter(Boolean);
    expect(lines[lines.indexOf('缴费人 Payer') + 1]).toBe(c.instName);
    expect(pdf.text).not.toContain('证件号码 ID No.');
    for (const t of twenty) {
      expect(pdf.text).toContain(`${t.name} · 大学英语B`);
      expect(pdf.text).not.toContain(maskIdNumber(t.idNumber));
    }
    expect(pdf.text.match(/80\.00/g)).toHaveLength(20);
    expect(pdf.text).toContain('1600.00');
    // Another centre's staff cannot have it.
    expect((await c.otherStaff.get(`/api/v1/institution/batch-bills/${billNo}/receipt.pdf`)).status).toBe(404);
  });

  it('a file with bad rows registers nobody and gives an error sheet of row, column and reason; another centre cannot read it', async () => {
    const c = await centre();
    const [a, b, d] = [await c.candidate(), await c.candidate(), await c.candidate()];
    const stranger = await c.candidate(c.other.institutionId);
    const badCheck = a.idNumber.slice(0, 17) + (residentIdCheckChar(a.idNumber.slice(0, 17)) === '1' ? '2' : '1');
    const seatsBefore = await c.seatStates();
    const res = await c.upload([
      c.row(a), // 2: fine on its own
      c.row({ idNumber: badCheck, name: a.name }), // 3: check character wrong
      c.row(stranger), // 4: the other centre's candidate
      c.row(b, { subject: 'NOPE' }), // 5: no such subject
      c.row(a), // 6: same as row 2
      c.row(d, { name: '别人' }), // 7: name differs
      c.row(b, { slot: null }), // 8: site without slot
    ]);
    expect(res.status, res.text).toBe(422);
    expect(res.body.error).toMatchObject({ code: 'IMPORT_ROWS_REJECTED', details: { errorCount: 6, rowsTotal: 7 } });
    expect(res.body.error.messageZh).toContain('6 处错误');
    const rows = res.body.error.details.errors as { row: number; column: string; value: string; reasonZh: string }[];
    expect(rows.map((r) => r.row)).toEqual([3, 4, 5, 6, 7, 8]);
    expect(rows[1]).toMatchObject({ column: '证件号码 ID number', value: maskIdNumber(stranger.idNumber) });
    expect(rows[1]!.reasonZh).toContain('本机构没有该证件号码的考生');
    expect(rows[2]).toMatchObject({ column: '科目代码 Subject code', value: 'NOPE' });
    expect(rows[3]!.reasonZh).toContain('与第2行重复');
    expect(rows[4]!.column).toBe('姓名 Name');
    // Nothing registered, no seat taken.
    expect(await c.institutionRegs()).toEqual([]);
    expect(await c.seatStates()).toEqual(seatsBefore);

    const sheet = await c.staff.get(res.body.error.details.errorSheetUrl);
    expect(sheet.status).toBe(200);
    const read = await readSheet(sheet.raw);
    expect(read[0]).toEqual(['行号 Row', '列 Column', '内容 Value', '原因 Reason (中文)', 'Reason (English)']);
    expect(read.slice(1).map((r) => r[0])).toEqual([3, 4, 5, 6, 7, 8]);
    expect(JSON.stringify(read)).not.toContain(stranger.idNumber);
    expect((await c.otherStaff.get(res.body.error.details.errorSheetUrl)).status).toBe(404);
    const record = await w.db.selectFrom('institution_import').selectAll().where('id', '=', BigInt(res.body.error.details.importId)).executeTakeFirstOrThrow();
    expect(record).toMatchObject({ state: 'REJECTED', registered: 0, error_count: 6, rows_total: 7, institution_id: c.inst.institutionId });
  });

  it('a row the registration rules refuse undoes the rows before it: two seats for three rows → nobody registered, every seat free again', async () => {
    const c = await centre(2);
    const three = [await c.candidate(), await c.candidate(), await c.candidate()];
    const res = await c.upload(three.map((t) => c.row(t)));
    expect(res.status, res.text).toBe(422);
    const errors = res.body.error.details.errors as { row: number; column: string; reasonZh: string }[];
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ row: 4, column: '考点代码 Site code / 场次代码 Slot code' });
    expect(await c.institutionRegs()).toEqual([]);
    expect(await c.seatStates()).toEqual(['FREE', 'FREE']);

    // The same subject already registered by the candidate themself (REG-3): refused in the rule's words, on its row.
    const self = await c.candidate();
    await w.db.insertInto('registration').values({ candidate_id: self.candidateId, sitting_id: w.exam.sittingId, subject_id: c.subject, created_at: w.clock.now() }).execute();
    const again = await c.upload([c.row(three[0]!), c.row(self)]);
    expect(again.status).toBe(422);
    expect(again.body.error.details.errors).toMatchObject([{ row: 3, column: '科目代码 Subject code' }]);
    expect((await c.institutionRegs()).filter((r) => r.owner === 'INSTITUTION')).toEqual([]);
  });

  it('uploads racing: the same candidates in opposite orders both apply (no deadlock); two files for too few seats never hold more than there are, each applied whole or not at all', async () => {
    const c = await centre(25);
    const ten = [];
    for (let i = 0; i < 10; i++) ten.push(await c.candidate());
    // Each row locks its candidate: two files naming the same candidates in opposite orders would deadlock without the id order.
    const open = await w.db.insertInto('subject').values({ sitting_id: w.exam.sittingId, code: code('OPEN'), name: '计算机应用基础', fee_fen: 5000n }).returning(['id', 'code']).executeTakeFirstOrThrow();
    const [a, b] = await Promise.all([
      c.upload(ten.map((t) => c.row(t, { subject: open.code, site: null, slot: null }))),
      c.upload(ten.map((t) => c.row(t)).reverse()),
    ]);
    expect([a.status, b.status], `${a.text} ${b.text}`).toEqual([201, 201]);
    expect((await c.seatStates()).filter((s) => s === 'HELD')).toHaveLength(10);

    // 15 seats left, two files of ten racing for them: at most one can apply; neither ever half-applies.
    const twenty = [];
    for (let i = 0; i < 20; i++) twenty.push(await c.candidate());
    const [x, y] = await Promise.all([c.upload(twenty.slice(0, 10).map((t) => c.row(t))), c.upload(twenty.slice(10).reverse().map((t) => c.row(t)))]);
    for (const r of [x, y]) expect([201, 422], r.text).toContain(r.status);
    const applied = [x, y].filter((r) => r.status === 201).length;
    expect(applied).toBeLessThanOrEqual(1);
    expect((await c.seatStates()).filter((s) => s === 'HELD')).toHaveLength(10 + 10 * applied);
    expect((await c.institutionRegs()).filter((r) => r.owner === 'INSTITUTION')).toHaveLength(10 + 10 * applied);
    for (const r of [x, y].filter((q) => q.status === 422)) {
      expect(r.body.error.details.errors.every((e: { reasonZh: string }) => e.reasonZh.length > 0)).toBe(true);
    }
  });

  it('a file that is not a spreadsheet is refused before anything is read; a header without the required columns is an error sheet', async () => {
    const c = await centre();
    const wrongType = await c.staff.post(`/api/v1/institution/registration-imports?sittingId=${w.exam.sittingId}&fileName=regs.txt`, 'a,b', { 'content-type': 'text/csv' });
    expect(wrongType.status).toBe(415);
    const missing = await c.staff.post(`/api/v1/institution/registration-imports?sittingId=${w.exam.sittingId}&fileName=regs.csv`, '姓名,场次代码\r\n张三,X', { 'content-type': 'text/csv' });
    expect(missing.status).toBe(422);
    expect(missing.body.error.details.errors.map((e: { column: string }) => e.column)).toEqual(['证件号码 ID number', '科目代码 Subject code']);
  });
});

describe('one candidate from the console, and what the console may delete', () => {
  it('the options of one candidate, registering one, and deleting: its own yes, the candidate\'s own never (the server\'s words)', async () => {
    const c = await centre();
    const one = await c.candidate();
    const sittings = await c.staff.get('/api/v1/institution/sittings');
    expect(sittings.body.map((s: { sittingId: string }) => s.sittingId)).toContain(String(w.exam.sittingId));
    const options = await c.staff.get(`/api/v1/institution/candidates/${one.candidateId}/registration-options?sittingId=${w.exam.sittingId}`);
    expect(options.status).toBe(200);
    const seated = options.body.subjects.find((s: { subjectId: string }) => s.subjectId === String(c.subject));
    expect(seated).toMatchObject({ canRegister: true, choices: [{ siteId: String(c.site.id), slotId: String(c.slot.id), free: 30 }] });
    // makeCandidate registered the candidate themself for the exam's own subjects: the rule says so, in words.
    const own = options.body.subjects.find((s: { subjectId: string }) => s.subjectId === String(w.exam.subjectIds[0]));
    expect(own).toMatchObject({ canRegister: false, reason: 'SUBJECT_ALREADY_REGISTERED' });
    expect(own.reasonText.zh.length).toBeGreaterThan(0);
    expect((await c.otherStaff.get(`/api/v1/institution/candidates/${one.candidateId}/registration-options?sittingId=${w.exam.sittingId}`)).status).toBe(404);

    const made = await c.staff.post('/api/v1/institution/registrations', { candidateId: String(one.candidateId), subjectId: String(c.subject), siteId: String(c.site.id), slotId: String(c.slot.id) });
    expect(made.status, made.text).toBe(201);
    const refused = await c.staff.delete(`/api/v1/institution/registrations/${one.registrationIds[0]}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('REGISTRATION_OWNED_BY_CANDIDATE');
    expect(refused.body.error.messageZh).toContain('考生本人');
    expect((await c.staff.delete(`/api/v1/institution/registrations/${made.body.registrationId}`)).status).toBe(204);
  });
});

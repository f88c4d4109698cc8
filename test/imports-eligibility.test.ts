import { sheetRows, xlsxOf } from './support/sheets.ts';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAFF_SESSION_COOKIE } from '../src/http/plugins/staff-auth.ts';
import { runImportsJob } from '../src/jobs/run-imports.job.ts';
import { idNumberHash } from '../src/modules/accounts/candidate-identity.ts';
import { residentIdCheckChar } from '../src/shared/resident-id.ts';
import { makeCandidate, makeExam, type CandidateFixture, type ExamFixture } from './support/fixtures.ts';
import { Browser } from './support/http.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';
import { makeStaff, staffBrowser } from './support/staff-fixtures.ts';
import { recordSecret } from './support/test-log.ts';

/**
 * ADM-2, the two eligibility imports (migration 030): CET4 results (REG-4, seed 002), which a
 * CET6 review then decides by, and 资格审核结果 (REG-9, seed 004), which decide who may pay —
 * through the same upload, background job, all-or-nothing checks and error sheet as rosters.
 */

let w: PaymentWorld;
beforeAll(async () => {
  w = await startPaymentWorld();
});
afterAll(async () => w.close());

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A valid 身份证 number, distinct per n, in a region no fixture uses. */
function residentId(n: number): string {
  const born = new Date(Date.UTC(1975, 0, 1) + (n % 10_000) * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
  const first17 = `430102${born}${String(Math.floor(n / 10_000) % 1000).padStart(3, '0')}`;
  const id = first17 + residentIdCheckChar(first17);
  recordSecret('ID number', id);
  return id;
}
let seq = (process.pid % 1000) * 50;
const nextId = () => residentId(seq++);

async function upload(b: Browser, query: string, file: Buffer, contentType = 'text/csv') {
  const res = await w.app.inject({
    method: 'POST', url: `/api/v1/admin/imports?${query}`, payload: file,
    headers: { 'content-type': contentType, 'x-exampay-request': '1', cookie: `${STAFF_SESSION_COOKIE}=${b.cookie(STAFF_SESSION_COOKIE)}` },
  });
  return { status: res.statusCode, body: res.json() };
}
/** Uploads, runs the scheduler's job once, and answers the import as the page polls it. */
async function importFile(b: Browser, query: string, file: Buffer, contentType?: string) {
  const up = await upload(b, query, file, contentType);
  expect(up.status, JSON.stringify(up.body)).toBe(202);
  await runImportsJob.execute(w.ctx);
  return (await b.get(`/api/v1/admin/imports/${up.body.importId}`)).body;
}
async function errorRows(b: Browser, url: string) {
  const res = await w.app.inject({ method: 'GET', url, headers: { cookie: `${STAFF_SESSION_COOKIE}=${b.cookie(STAFF_SESSION_COOKIE)}` } });
  return (await sheetRows(res.rawPayload)).slice(1).map((r) => [r[0], r[1], r[3], r[4]]);
}
const auditEntries = (authorityId: bigint, action: string) => w.db.selectFrom('audit_log').select(['actor_type', 'actor_id', 'object_type', 'object_id', 'summary'])
  .where('authority_id', '=', authorityId).where('action', '=', action).orderBy('id').execute();

async function signedIn(exam: ExamFixture, c: CandidateFixture) {
  const b = new Browser(w.app);
  expect((await b.signIn(exam.authorityCode, c.idNumber, c.password)).status).toBe(200);
  return b;
}

describe('CET4 results (REG-4)', () => {
  it('a file with bad rows is rejected whole with its error sheet; the corrected one is loaded, and a CET6 review with its ticket is approved at once', async () => {
    const exam = await makeExam(w.db, { fees: [3000n, 3000n] });
    await w.db.updateTable('exam').set({ cet6_review_threshold: 425 }).where('id', '=', exam.examId).execute();
    await w.db.updateTable('subject').set({ requires_review: true }).where('id', '=', exam.subjectIds[1]!).execute();
    const me = await makeCandidate(w.db, exam);
    const admin = await staffBrowser(w.app, await makeStaff(w.db, exam, 'AUTHORITY_ADMIN'));
    const other = nextId();

    const bad = [
      '准考证号,姓名,证件号码,总分',
      `110011191100101,别名,${me.idNumber},500`,
      `110011191100101,重复,${other},500`,
      `11001119110010,短号,${other},500`,
      `110011191100103,高分,${other},711`,
      `110011191100104,,${other},430`,
    ].join('\n');
    const rejected = await importFile(admin, 'kind=CET4_SCORE&fileName=cet4.csv', Buffer.from(bad));
    expect(rejected).toMatchObject({ kind: 'CET4_SCORE', state: 'REJECTED', examId: null, sittingId: null, rowsRead: 5, errorCount: 4 });
    expect(await errorRows(admin, rejected.errorSheetUrl)).toEqual([
      [3, '准考证号 Ticket number', '与第2行的准考证号重复', 'Same ticket number as row 2'],
      [4, '准考证号 Ticket number', '准考证号应为15位数字', 'A ticket number is 15 digits'],
      [5, '总分 Score', expect.stringMatching(/0到710/), expect.stringMatching(/0 to 710/)],
      [6, '姓名 Name', expect.stringMatching(/不能为空/), expect.stringMatching(/must not be empty/)],
    ]);
    // All or nothing: not even the good first row.
    expect(await w.db.selectFrom('cet4_score').selectAll().where('authority_id', '=', exam.authorityId).execute()).toEqual([]);

    // The corrected file, as xlsx with the ticket number a 15-digit number cell (Excel keeps 15 digits exactly).
    const good = await xlsxOf([
      ['Ticket number', 'Name', 'ID number', 'Score'],
      [110011191100101, '别名', me.idNumber, 500],
      ['110011191100102', '另一人', other, 430],
    ]);
    const done = await importFile(admin, 'kind=CET4_SCORE&fileName=cet4.xlsx', good, XLSX);
    expect(done).toMatchObject({ state: 'DONE', rowsWritten: 2, percent: 100 });
    const stored = await w.db.selectFrom('cet4_score').selectAll().where('authority_id', '=', exam.authorityId).orderBy('ticket_no').execute();
    expect(stored.map((s) => [s.ticket_no, s.name, s.score])).toEqual([['110011191100101', '别名', 500], ['110011191100102', '另一人', 430]]);
    // Sealed like every ID number (the lookup hash is the candidate's), never in clear.
    expect(stored[0]!.id_number_hash.equals(idNumberHash(w.ctx.personalData, me.idNumber))).toBe(true);
    expect(stored[0]!.id_number_sealed.toString('latin1')).not.toContain(me.idNumber);

    // REG-4 through the candidate's API: the ticket's ID number is the candidate's → approved by the system at once.
    const b = await signedIn(exam, me);
    const filed = await b.post(`/api/v1/sittings/${exam.sittingId}/cet6-review`, { ticketNo: '110011191100101' });
    expect(filed.status, filed.text).toBe(201);
    expect(filed.body).toMatchObject({ status: 'APPROVED' });
    expect(await w.db.selectFrom('eligibility_review').select(['status', 'decided_by']).where('candidate_id', '=', me.candidateId).executeTakeFirstOrThrow())
      .toEqual({ status: 'APPROVED', decided_by: 'system' });

    // Re-importing a ticket number replaces it: the other result's score corrected below 425.
    const again = await importFile(admin, 'kind=CET4_SCORE&fileName=fix.csv', Buffer.from(`准考证号,姓名,证件号码,总分\n110011191100102,另一人,${other},400\n110011191100109,新增,${nextId()},600`));
    expect(again).toMatchObject({ state: 'DONE', rowsWritten: 2 });
    expect(await w.db.selectFrom('cet4_score').select('score').where('authority_id', '=', exam.authorityId).where('ticket_no', '=', '110011191100102').executeTakeFirstOrThrow()).toEqual({ score: 400 });
    expect(await w.db.selectFrom('cet4_score').select((eb) => eb.fn.countAll<string>().as('n')).where('authority_id', '=', exam.authorityId).executeTakeFirstOrThrow()).toEqual({ n: 3n });
    const applied = await auditEntries(exam.authorityId, 'import.apply');
    expect(applied.map((a) => a.summary)).toEqual([
      expect.objectContaining({ kind: 'CET4_SCORE', rows: 2, created: 2, updated: 0, examId: null, sittingId: null }),
      expect.objectContaining({ kind: 'CET4_SCORE', rows: 2, created: 1, updated: 1 }),
    ]);
  });
});

describe('audit results (REG-9)', () => {
  it('REJECTED cannot confirm a bill, PASSED can; a later import changes a status, each change in the audit log', async () => {
    const exam = await makeExam(w.db);
    await w.db.updateTable('exam').set({ audit_required: true }).where('id', '=', exam.examId).execute();
    const rejected = await makeCandidate(w.db, exam);
    const passed = await makeCandidate(w.db, exam);
    // Same authority, another exam: not on this sitting's exam's roster.
    const otherExam = await w.db.insertInto('exam').values({ authority_id: exam.authorityId, code: 'OT', name: '别的考试', initial_password_rule: 'ID_LAST6', initial_password_fixed: null, channels: ['alipay'] })
      .returning('id').executeTakeFirstOrThrow();
    const elsewhere = await makeCandidate(w.db, { ...exam, examId: otherExam.id, subjectIds: [] });
    const admin = await staffBrowser(w.app, await makeStaff(w.db, exam, 'AUTHORITY_ADMIN'));
    const q = `kind=AUDIT&sittingId=${exam.sittingId}&fileName=audit.csv`;

    const bad = ['证件号码,审核状态', `${rejected.idNumber},审核未通过`, `${nextId()},通过`, `${elsewhere.idNumber},通过`, `${passed.idNumber},也许`, `${rejected.idNumber},通过`].join('\n');
    const no = await importFile(admin, q, Buffer.from(bad));
    expect(no).toMatchObject({ kind: 'AUDIT', state: 'REJECTED', sittingId: String(exam.sittingId), examId: null, errorCount: 4 });
    expect((await errorRows(admin, no.errorSheetUrl)).map((r) => [r[0], r[1], r[3]])).toEqual([
      [3, '证件号码 ID number', expect.stringMatching(/roster/)],
      [4, '证件号码 ID number', expect.stringMatching(/roster/)],
      [5, '审核状态 Audit status', expect.stringMatching(/PASSED, PENDING or REJECTED/)],
      [6, '证件号码 ID number', 'Same ID number as row 2'],
    ]);
    expect(await w.db.selectFrom('candidate_audit').selectAll().where('sitting_id', '=', exam.sittingId).execute()).toEqual([]);

    const ok = await importFile(admin, q, Buffer.from(['ID number,Audit status', `${rejected.idNumber},REJECTED`, `${passed.idNumber},审核通过`].join('\r\n')));
    expect(ok).toMatchObject({ state: 'DONE', rowsWritten: 2 });

    // Through the candidate's API, as the billing tests confirm bills.
    const confirm = async (c: CandidateFixture) => (await signedIn(exam, c)).post('/api/v1/bills', { registrationIds: c.registrationIds.map(String) });
    const refused = await confirm(rejected);
    expect([refused.status, refused.body.error.code, refused.body.error.details]).toEqual([409, 'AUDIT_NOT_PASSED', { auditStatus: 'REJECTED' }]);
    expect(await w.db.selectFrom('bill').select('id').where('candidate_id', '=', rejected.candidateId).execute()).toEqual([]);
    expect((await confirm(passed)).status).toBe(201);

    // A later import: the rejected candidate passes on review; the other's row repeats what is on record.
    const later = await importFile(admin, q, Buffer.from(['证件号码,审核状态', `${rejected.idNumber},通过`, `${passed.idNumber},PASSED`].join('\n')));
    expect(later).toMatchObject({ state: 'DONE', rowsWritten: 2 });
    const changes = await auditEntries(exam.authorityId, 'candidate_audit.change');
    const staffId = (await w.db.selectFrom('import_job').select('requested_by').where('id', '=', BigInt(later.importId)).executeTakeFirstOrThrow()).requested_by;
    expect(changes).toEqual([{
      actor_type: 'STAFF', actor_id: staffId, object_type: 'candidate', object_id: String(rejected.candidateId),
      summary: { sittingId: String(exam.sittingId), from: 'REJECTED', to: 'PASSED', importId: later.importId },
    }]);
    expect((await auditEntries(exam.authorityId, 'import.apply')).map((a) => a.summary)).toEqual([
      expect.objectContaining({ kind: 'AUDIT', rows: 2, created: 2, updated: 0, sittingId: String(exam.sittingId) }),
      expect.objectContaining({ kind: 'AUDIT', rows: 2, created: 0, updated: 1 }),
    ]);
    expect((await confirm(rejected)).status).toBe(201);
  });
});

describe('the kinds\' targets, templates and the constraint behind them', () => {
  it('CET4_SCORE takes neither examId nor sittingId, AUDIT a sitting of the authority; each kind has its template', async () => {
    const admin = await staffBrowser(w.app, await makeStaff(w.db, w.exam, 'AUTHORITY_ADMIN'));
    const before = await w.db.selectFrom('import_job').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const file = Buffer.from('证件号码,审核状态\n');
    for (const query of [
      `kind=CET4_SCORE&examId=${w.exam.examId}&fileName=a.csv`, `kind=CET4_SCORE&sittingId=${w.exam.sittingId}&fileName=a.csv`,
      'kind=AUDIT&fileName=a.csv', `kind=AUDIT&examId=${w.exam.examId}&fileName=a.csv`, `kind=AUDIT&examId=${w.exam.examId}&sittingId=${w.exam.sittingId}&fileName=a.csv`,
      `kind=ROSTER&sittingId=${w.exam.sittingId}&fileName=a.csv`,
    ]) {
      const res = await upload(admin, query, file);
      expect([res.status, res.body.error.code], query).toEqual([400, 'IMPORT_TARGET_INVALID']);
      expect(res.body.error.messageZh).toMatch(/CET4 成绩两者都不选/);
      expect(res.body.error.messageEn).toMatch(/CET4 results into neither/);
    }
    expect((await upload(admin, 'kind=AUDIT&fileName=a.csv', file)).body.error.details).toEqual({ kind: 'AUDIT', needs: 'sittingId' });
    const foreign = await makeExam(w.db);
    expect((await upload(admin, `kind=AUDIT&sittingId=${foreign.sittingId}&fileName=a.csv`, file)).body.error.code).toBe('SITTING_NOT_FOUND');
    expect((await upload(admin, 'kind=NOPE&fileName=a.csv', file)).status).toBe(400);
    expect(await w.db.selectFrom('import_job').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).toEqual(before);

    const template = async (kind: string) => {
      const res = await w.app.inject({ method: 'GET', url: `/api/v1/admin/imports/template.xlsx?kind=${kind}`, headers: { cookie: `${STAFF_SESSION_COOKIE}=${admin.cookie(STAFF_SESSION_COOKIE)}` } });
      expect(res.statusCode).toBe(200);
      return { disposition: res.headers['content-disposition'], header: (await sheetRows(res.rawPayload))[0] };
    };
    expect(await template('CET4_SCORE')).toEqual({ disposition: expect.stringContaining('cet4-scores-template.xlsx'), header: ['准考证号 Ticket number *', '姓名 Name *', '证件号码 ID number *', '总分 Score *'] });
    expect(await template('AUDIT')).toEqual({ disposition: expect.stringContaining('audit-template.xlsx'), header: ['证件号码 ID number *', '审核状态 Audit status *'] });
  });

  it('migration 030: the table itself refuses a kind with the wrong target', async () => {
    const names = (await sql<{ conname: string }>`SELECT conname FROM pg_constraint WHERE conrelid = 'import_job'::regclass AND contype = 'c' ORDER BY conname`.execute(w.db)).rows.map((r) => r.conname);
    expect(names).toEqual(['import_job_check1', 'import_job_file_name_check', 'import_job_format_check', 'import_job_kind_check', 'import_job_state_check', 'import_job_target_check']);
    const staff = await makeStaff(w.db, w.exam, 'AUTHORITY_ADMIN');
    const insert = (kind: string, target: { exam_id?: bigint; sitting_id?: bigint }) => w.db.insertInto('import_job').values({
      authority_id: w.exam.authorityId, kind: kind as 'AUDIT', exam_id: target.exam_id ?? null, sitting_id: target.sitting_id ?? null, format: 'CSV', file_name: 'x.csv',
      state: 'DONE', file: null, requested_by: staff.staffId, created_at: w.clock.now(),
    }).execute();
    await expect(insert('CET4_SCORE', { sitting_id: w.exam.sittingId })).rejects.toThrow(/import_job_target_check/);
    await expect(insert('AUDIT', {})).rejects.toThrow(/import_job_target_check/);
    await expect(insert('AUDIT', { exam_id: w.exam.examId, sitting_id: w.exam.sittingId })).rejects.toThrow(/import_job_target_check/);
    await expect(insert('OTHER', { sitting_id: w.exam.sittingId })).rejects.toThrow(/import_job_kind_check/);
    // The dropped constraint was the target check: 027's other table check (a finished job keeps no file) still holds.
    await expect(w.db.insertInto('import_job').values({
      authority_id: w.exam.authorityId, kind: 'CET4_SCORE', exam_id: null, sitting_id: null, format: 'CSV', file_name: 'x.csv', state: 'DONE', file: Buffer.from('x'), requested_by: staff.staffId, created_at: w.clock.now(),
    }).execute()).rejects.toThrow(/import_job_check1/);
    await expect(insert('CET4_SCORE', {})).resolves.toBeDefined();
    await expect(insert('AUDIT', { sitting_id: w.exam.sittingId })).resolves.toBeDefined();
  });
});

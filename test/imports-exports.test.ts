import { sheetRows, xlsxOf } from './support/sheets.ts';
import iconv from 'iconv-lite';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAFF_SESSION_COOKIE } from '../src/http/plugins/staff-auth.ts';
import { runImportsJob } from '../src/jobs/run-imports.job.ts';
import { findCandidateByIdNumber, sealCandidateIdentity } from '../src/modules/accounts/candidate-identity.ts';
import { requestPersonalRefund } from '../src/modules/refunds/personal-refund.ts';
import { maskIdNumber } from '../src/shared/id-document.ts';
import { residentIdCheckChar } from '../src/shared/resident-id.ts';
import { Browser } from './support/http.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';
import { paidBill } from './support/refunds.ts';
import { makeInstitution, makeStaff, staffBrowser } from './support/staff-fixtures.ts';

/**
 * ADM-2: roster and student-record imports (xlsx and csv, row-by-row checks, all or nothing, an
 * error sheet), a 100,000-row roster through the background job, and xlsx exports that reopen
 * with the rows and totals the database has.
 */

let w: PaymentWorld;
beforeAll(async () => {
  w = await startPaymentWorld();
  await w.db.updateTable('exam').set({ refund_policy: 'STAFF_DECIDES' }).where('id', '=', w.exam.examId).execute();
});
afterAll(async () => w.close());

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A valid 身份证 number, distinct for every n below 2,000,000 (birth day + sequence). */
function residentId(n: number, region = '110105'): string {
  const born = new Date(Date.UTC(1970, 0, 1) + (n % 10_000) * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
  const first17 = `${region}${born}${String(Math.floor(n / 10_000)).padStart(3, '0')}`;
  return first17 + residentIdCheckChar(first17);
}
let idSeq = 500_000 + (process.pid % 1000) * 1000;
const nextId = () => residentId(idSeq++);

/** The raw upload as a page sends it: the file as the body, its name in the query. */
async function upload(b: Browser, query: string, file: Buffer, contentType: string) {
  const res = await w.app.inject({
    method: 'POST', url: `/api/v1/admin/imports?${query}`, payload: file,
    headers: { 'content-type': contentType, 'x-exampay-request': '1', cookie: `${STAFF_SESSION_COOKIE}=${b.cookie(STAFF_SESSION_COOKIE)}` },
  });
  return { status: res.statusCode, body: res.json() };
}
async function download(b: Browser, url: string) {
  const res = await w.app.inject({ method: 'GET', url, headers: { cookie: `${STAFF_SESSION_COOKIE}=${b.cookie(STAFF_SESSION_COOKIE)}` } });
  return { status: res.statusCode, headers: res.headers, raw: res.rawPayload, json: () => res.json() };
}
const candidatesOf = async (authorityId: bigint) => Number((await w.db.selectFrom('candidate').select((eb) => eb.fn.countAll<string>().as('n')).where('authority_id', '=', authorityId).executeTakeFirstOrThrow()).n);

let staff: Awaited<ReturnType<typeof makeStaffWorld>>;
async function makeStaffWorld() {
  const school = await makeInstitution(w.db, w.exam.authorityId, 'SCHOOL');
  const otherSchool = await makeInstitution(w.db, w.exam.authorityId, 'SCHOOL');
  const code = (await w.db.selectFrom('institution').select('code').where('id', '=', school.institutionId).executeTakeFirstOrThrow()).code;
  return {
    school, otherSchool, schoolCode: code,
    admin: await staffBrowser(w.app, await makeStaff(w.db, w.exam, 'AUTHORITY_ADMIN')),
    finance: await staffBrowser(w.app, await makeStaff(w.db, w.exam, 'FINANCE')),
    readOnly: await staffBrowser(w.app, await makeStaff(w.db, w.exam, 'READ_ONLY')),
    schoolStaff: await staffBrowser(w.app, await makeStaff(w.db, w.exam, 'INSTITUTION_STAFF', { institutionId: school.institutionId })),
  };
}
beforeAll(async () => {
  staff = await makeStaffWorld();
});

describe('roster imports (ADM-2)', () => {
  it('a CSV with bad rows applies nothing and answers an error sheet listing each row, column and reason', async () => {
    const existing = await w.candidate();
    const good = nextId();
    const dup = nextId();
    const bad = good.slice(0, 17) + (good[17] === '0' ? '1' : '0');
    const csv = [
      '姓名,证件类型,证件号码,手机号,机构代码',
      `张三,居民身份证,${good},13800138000,${staff.schoolCode}`,
      `李四,,${bad},,`,
      `,身份证,${nextId()},,`,
      `王五,,${dup},,`,
      `赵六,,${dup},,`,
      `钱七,,${existing.idNumber},,`,
      `孙八,,${nextId()},13900139000,NOPE`,
      `周九,驾驶证,${nextId()},,`,
      `吴十,,${nextId()},12345,`,
    ].join('\r\n');
    const before = await candidatesOf(w.exam.authorityId);
    const up = await upload(staff.admin, `kind=ROSTER&examId=${w.exam.examId}&fileName=${encodeURIComponent('名单.csv')}`, Buffer.from(csv), 'text/csv');
    expect(up.status).toBe(202);
    expect(up.body).toMatchObject({ kind: 'ROSTER', state: 'QUEUED', format: 'CSV', fileName: '名单.csv', percent: 0, errorSheetUrl: null });
    expect(await runImportsJob.execute(w.ctx)).toMatchObject({ rejected: 1 });

    const job = (await staff.admin.get(`/api/v1/admin/imports/${up.body.importId}`)).body;
    expect(job).toMatchObject({ state: 'REJECTED', percent: 100, rowsRead: 9, errorCount: 7, errorSheetUrl: `/api/v1/admin/imports/${up.body.importId}/errors.xlsx` });
    expect(await candidatesOf(w.exam.authorityId)).toBe(before);
    // The good row too: nothing of a file with errors is applied.
    expect(await findCandidateByIdNumber(w.ctx, { authorityId: w.exam.authorityId, idNumber: good })).toBeUndefined();

    const sheet = await download(staff.admin, job.errorSheetUrl);
    expect(sheet.status).toBe(200);
    expect(sheet.headers['content-type']).toBe(XLSX);
    const rows = await sheetRows(sheet.raw);
    expect(rows[0]).toEqual(['行号 Row', '列 Column', '内容 Value', '原因 Reason (中文)', 'Reason (English)']);
    const found = rows.slice(1).map((r) => [r[0], r[1], r[3] as string, r[4] as string]);
    const expectRow = (row: number, column: string, zh: RegExp, en: RegExp) =>
      expect(found, `row ${row} ${column}`).toContainEqual([row, column, expect.stringMatching(zh), expect.stringMatching(en)]);
    expectRow(3, '证件号码 ID number', /校验码/, /check character/);
    expectRow(4, '姓名 Name', /不能为空/, /must not be empty/);
    expectRow(6, '证件号码 ID number', /与第5行/, /row 5/);
    expectRow(7, '证件号码 ID number', /已有账号/, /already exists/);
    expectRow(8, '机构代码 Institution code', /没有这个机构代码/, /No institution/);
    expectRow(9, '证件类型 ID type', /不认识的证件类型/, /Unknown ID type/);
    expectRow(10, '手机号 Phone', /手机号/, /mobile/);
    expect(found.length).toBe(7);
    // ID numbers in the sheet are masked: it is downloaded and passed around.
    const text = JSON.stringify(rows);
    for (const id of [bad, dup, existing.idNumber]) expect(text).not.toContain(id);
    expect(text).toContain(maskIdNumber(existing.idNumber));
    expect(found.map((r) => r[0])).toEqual([...found.map((r) => r[0] as number)].sort((a, b) => a - b));
  });

  it('an xlsx roster imports whole: accounts sealed, in their institution, signing in with the exam\'s initial password', async () => {
    const ids = [nextId(), nextId(), 'M12345678'];
    const file = await xlsxOf([
      ['Name', 'ID type', 'ID number', 'Phone', 'Institution code'],
      ['陈一', 'RESIDENT_ID', ids[0]!, '13900001111', staff.schoolCode],
      ['陈二', null, ids[1]!, null, null],
      ['Chan Three', '港澳居民来往内地通行证', ids[2]!, null, null],
    ]);
    const up = await upload(staff.admin, `kind=ROSTER&examId=${w.exam.examId}&fileName=roster.xlsx`, file, XLSX);
    expect(up.status).toBe(202);
    await runImportsJob.execute(w.ctx);
    expect((await staff.admin.get(`/api/v1/admin/imports/${up.body.importId}`)).body).toMatchObject({ state: 'DONE', percent: 100, rowsRead: 3, rowsWritten: 3, errorCount: 0, errorSheetUrl: null });
    const first = await findCandidateByIdNumber(w.ctx, { authorityId: w.exam.authorityId, idNumber: ids[0]! });
    expect(first).toMatchObject({ name: '陈一', id_type: 'RESIDENT_ID', institution_id: staff.school.institutionId, must_change_password: true, exam_id: w.exam.examId });
    expect(await findCandidateByIdNumber(w.ctx, { authorityId: w.exam.authorityId, idNumber: ids[2]! })).toMatchObject({ id_type: 'HK_MACAO_PERMIT', institution_id: null });
    // The file itself is gone once applied (OPS-6).
    expect((await w.db.selectFrom('import_job').select('file').where('id', '=', BigInt(up.body.importId)).executeTakeFirstOrThrow()).file).toBeNull();

    // ACC-2: ID_LAST6 — the last six characters; a wrong one is refused like any wrong password.
    const b = new Browser(w.app);
    expect((await b.signIn(w.exam.authorityCode, ids[1]!, '000000')).status).toBe(401);
    const signedIn = await b.signIn(w.exam.authorityCode, ids[1]!, ids[1]!.slice(-6));
    expect(signedIn.status).toBe(200);
    const changed = await b.post('/api/v1/me/password', { currentPassword: ids[1]!.slice(-6), newPassword: 'Imported2026pass' });
    expect(changed.status).toBe(204);
    expect(await b.signIn(w.exam.authorityCode, ids[1]!, 'Imported2026pass').then((r) => r.status)).toBe(200);

    // The same file again: every row is already on the roster.
    const again = await upload(staff.admin, `kind=ROSTER&examId=${w.exam.examId}&fileName=roster.xlsx`, file, XLSX);
    await runImportsJob.execute(w.ctx);
    expect((await staff.admin.get(`/api/v1/admin/imports/${again.body.importId}`)).body).toMatchObject({ state: 'REJECTED', errorCount: 3 });
  });

  it('an ID number Excel stored as a number is named as such, not guessed', async () => {
    const file = await xlsxOf([['姓名', '证件号码'], ['数字号', 110105197001010011]]);
    const up = await upload(staff.admin, `kind=ROSTER&examId=${w.exam.examId}&fileName=n.xlsx`, file, XLSX);
    await runImportsJob.execute(w.ctx);
    const job = (await staff.admin.get(`/api/v1/admin/imports/${up.body.importId}`)).body;
    expect(job).toMatchObject({ state: 'REJECTED', errorCount: 1 });
    const rows = await sheetRows((await download(staff.admin, job.errorSheetUrl)).raw);
    expect(rows[1]).toEqual([2, '证件号码 ID number', expect.any(String), expect.stringMatching(/文本/), expect.stringMatching(/Text/)]);
  });

  it('a student-record file (GBK CSV, Chinese words) sets standings; unknown candidates and subjects are rows of the error sheet', async () => {
    const c1 = await w.candidate();
    const c2 = await w.candidate();
    const [s0, s1] = await w.db.selectFrom('subject').select('code').where('sitting_id', '=', w.exam.sittingId).orderBy('id').execute();
    const good = ['证件号码,科目代码,资格', `${c1.idNumber},${s0!.code},已通过`, `${c2.idNumber},${s1!.code},可报考`, `${c2.idNumber},${s0!.code},EXEMPT`].join('\n');
    const up = await upload(staff.admin, `kind=STANDING&sittingId=${w.exam.sittingId}&fileName=xueji.csv`, iconv.encode(good, 'gbk'), 'application/octet-stream');
    expect(up.status).toBe(202);
    await runImportsJob.execute(w.ctx);
    expect((await staff.admin.get(`/api/v1/admin/imports/${up.body.importId}`)).body).toMatchObject({ state: 'DONE', rowsWritten: 3 });
    const standings = await w.db.selectFrom('candidate_subject_standing').select(['candidate_id', 'status']).where('candidate_id', 'in', [c1.candidateId, c2.candidateId]).orderBy('candidate_id').orderBy('status').execute();
    expect(standings).toEqual([{ candidate_id: c1.candidateId, status: 'PASSED' }, { candidate_id: c2.candidateId, status: 'ELIGIBLE' }, { candidate_id: c2.candidateId, status: 'EXEMPT' }]);

    const bad = ['证件号码,科目代码,资格', `${nextId()},${s0!.code},已通过`, `${c1.idNumber},NOPE,已通过`, `${c1.idNumber},${s0!.code},已通过`, `${c1.idNumber},${s1!.code},也许`].join('\n');
    const up2 = await upload(staff.admin, `kind=STANDING&sittingId=${w.exam.sittingId}&fileName=bad.csv`, Buffer.from(bad), 'text/csv');
    await runImportsJob.execute(w.ctx);
    const job = (await staff.admin.get(`/api/v1/admin/imports/${up2.body.importId}`)).body;
    expect(job).toMatchObject({ state: 'REJECTED', errorCount: 4 });
    const rows = (await sheetRows((await download(staff.admin, job.errorSheetUrl)).raw)).slice(1).map((r) => [r[0], r[1]]);
    expect(rows).toEqual([[2, '证件号码 ID number'], [3, '科目代码 Subject code'], [4, '科目代码 Subject code'], [5, '资格 Standing']]);
  });

  it('refuses what is not a file of ours, another authority\'s exam, and roles without import rights', async () => {
    const q = `kind=ROSTER&examId=${w.exam.examId}&fileName=roster.csv`;
    expect((await upload(staff.admin, `kind=ROSTER&examId=${w.exam.examId}&fileName=roster.pdf`, Buffer.from('x'), 'application/octet-stream')).body.error.code).toBe('IMPORT_FILE_TYPE');
    expect((await upload(staff.admin, `kind=ROSTER&examId=${w.exam.examId}&fileName=roster.xlsx`, Buffer.from('姓名,证件号码\n'), XLSX)).body.error.code).toBe('IMPORT_FILE_TYPE');
    expect((await upload(staff.admin, q, Buffer.alloc(0), 'text/csv')).body.error).toMatchObject({ code: 'IMPORT_FILE_EMPTY' });
    const other = await (await import('./support/fixtures.ts')).makeExam(w.db);
    expect((await upload(staff.admin, `kind=ROSTER&examId=${other.examId}&fileName=roster.csv`, Buffer.from('a'), 'text/csv')).status).toBe(404);
    const before = await w.db.selectFrom('import_job').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const finance = await upload(staff.finance, q, Buffer.from('姓名,证件号码\n'), 'text/csv');
    expect([finance.status, finance.body.error.code]).toEqual([403, 'STAFF_FORBIDDEN']);
    expect((await upload(staff.readOnly, q, Buffer.from('姓名,证件号码\n'), 'text/csv')).status).toBe(403);
    expect(await w.db.selectFrom('import_job').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).toEqual(before);
    // Read-only may follow imports; finance may not.
    expect((await staff.readOnly.get('/api/v1/admin/imports')).status).toBe(200);
    expect((await staff.finance.get('/api/v1/admin/imports')).status).toBe(403);
    // Over the route's own limit (and only this route has a large one).
    const big = await upload(staff.admin, q, Buffer.alloc(33 * 1024 * 1024, 0x41), 'text/csv');
    expect(big.status).toBe(413);
    const tmpl = await download(staff.admin, '/api/v1/admin/imports/template.xlsx?kind=ROSTER');
    expect((await sheetRows(tmpl.raw))[0]).toEqual(['姓名 Name *', '证件类型 ID type', '证件号码 ID number *', '手机号 Phone', '机构代码 Institution code']);
  });
});

// The 100,000-row roster runs through the console page, progress bar and all
// (test/browser/console-imports.browser.test.ts); here a smaller one, so the suite does not
// import 200,000 rows on a shared machine.
describe('a large roster through the background job', () => {
  it('imports in one transaction with progress the page can poll, reaching 100 %', async () => {
    const N = 30_000;
    const lines = ['姓名,证件号码,手机号'];
    for (let i = 0; i < N; i++) lines.push(`考生${i},${residentId(1_000_000 + i, '320102')},139${String(i).padStart(8, '0')}`);
    const file = Buffer.from(lines.join('\n'));
    const exam = await (await import('./support/fixtures.ts')).makeExam(w.db);
    const admin = await staffBrowser(w.app, await makeStaff(w.db, exam, 'AUTHORITY_ADMIN'));
    const up = await upload(admin, `kind=ROSTER&examId=${exam.examId}&fileName=big.csv`, file, 'text/csv');
    expect(up.status).toBe(202);

    const started = performance.now();
    const seen: { t: number; percent: number; rowsRead: number; rowsValidated: number; rowsWritten: number; state: string }[] = [];
    let running = true;
    const poll = (async () => {
      while (running) {
        const visible = await candidatesOf(exam.authorityId);
        const v = (await admin.get(`/api/v1/admin/imports/${up.body.importId}`)).body;
        seen.push({ ...v, t: Math.round(performance.now() - started) });
        // While it runs, nothing is visible yet: all or nothing (DONE commits with the rows, so a
        // job still RUNNING after the count means the count saw none of them).
        if (v.state === 'RUNNING') expect(visible).toBe(0);
        await new Promise((r) => setTimeout(r, 400));
      }
    })();
    const result = await runImportsJob.execute(w.ctx);
    const seconds = (performance.now() - started) / 1000;
    running = false;
    await poll;
    console.log(`${N}-row roster import: ${seconds.toFixed(1)} s (file ${(file.length / 1e6).toFixed(1)} MB)`);
    expect(result).toMatchObject({ done: 1 });
    const final = (await admin.get(`/api/v1/admin/imports/${up.body.importId}`)).body;
    expect(final).toMatchObject({ state: 'DONE', percent: 100, rowsTotal: N, rowsRead: N, rowsValidated: N, rowsWritten: N });
    expect(await candidatesOf(exam.authorityId)).toBe(N);
    // The page saw it move: some in-between progress, never going back.
    const running_ = seen.filter((s) => s.state === 'RUNNING');
    expect(running_.length).toBeGreaterThan(1);
    expect(new Set(running_.map((s) => s.percent)).size).toBeGreaterThan(1);
    for (let i = 1; i < seen.length; i++) expect(seen[i]!.percent).toBeGreaterThanOrEqual(seen[i - 1]!.percent);
    const sample = await findCandidateByIdNumber(w.ctx, { authorityId: exam.authorityId, idNumber: residentId(1_000_000 + 17_777, '320102') });
    expect(sample).toMatchObject({ name: '考生17777', exam_id: exam.examId });
  }, 300_000);
});

describe('a row added by someone else while the file is written', () => {
  it('fails the import whole (FAILED, nothing of the file written), also with the next batch being sealed meanwhile', async () => {
    const N = 12_000;
    const ids = Array.from({ length: N }, (_, i) => residentId(1_200_000 + i, '510104'));
    const file = Buffer.from(['姓名,证件号码', ...ids.map((id, i) => `冲突${i},${id}`)].join('\n'));
    const exam = await (await import('./support/fixtures.ts')).makeExam(w.db);
    const admin = await staffBrowser(w.app, await makeStaff(w.db, exam, 'AUTHORITY_ADMIN'));
    const up = await upload(admin, `kind=ROSTER&examId=${exam.examId}&fileName=conflict.csv`, file, 'text/csv');
    expect(up.status).toBe(202);
    // Another session adds one of the file's numbers (row 11,002, in the last batch) and commits
    // only once the import has checked every row: the check cannot see it, the insert must.
    const taken = ids[11_000]!;
    let commit!: () => void;
    const held = new Promise<void>((r) => { commit = r; });
    const other = w.db.transaction().execute(async (trx) => {
      await trx.insertInto('candidate').values({
        authority_id: exam.authorityId, exam_id: exam.examId, ...sealCandidateIdentity(w.ctx.personalData, { idNumber: taken }), name: '别处添加', password_hash: 'x', created_at: w.clock.now(),
      }).execute();
      await held;
    });
    const run = runImportsJob.execute(w.ctx);
    await expect.poll(async () => (await w.db.selectFrom('import_job').select(['rows_validated', 'rows_total']).where('id', '=', BigInt(up.body.importId)).executeTakeFirstOrThrow()),
      { timeout: 60_000, interval: 50 }).toEqual({ rows_validated: N, rows_total: N });
    commit();
    await other;
    expect(await run).toMatchObject({ failed: 1 });
    const job = (await admin.get(`/api/v1/admin/imports/${up.body.importId}`)).body;
    expect(job).toMatchObject({ state: 'FAILED', percent: 100, failure: expect.stringMatching(/^CONFLICT/) });
    // Only the other session's row: nothing of the file.
    expect(await candidatesOf(exam.authorityId)).toBe(1);
    expect(await findCandidateByIdNumber(w.ctx, { authorityId: exam.authorityId, idNumber: taken })).toMatchObject({ name: '别处添加' });
  }, 120_000);
});

describe('exports (ADM-2)', () => {
  it('registrations, bills, payments, refunds and reconciliation reopen with the rows and totals the database has', async () => {
    // Some unpaid, some paid, one refunded.
    const cs = [await w.candidate(), await w.candidate(), await w.candidate(), await w.candidate()];
    await paidBill(w, { candidateId: cs[0]!.candidateId, registrationIds: cs[0]!.registrationIds });
    await paidBill(w, { candidateId: cs[1]!.candidateId, registrationIds: cs[1]!.registrationIds });
    const refunded = await requestPersonalRefund(w.ctx, { actor: { staffId: 1n, role: 'AUTHORITY_ADMIN', authorityId: w.exam.authorityId, institutionId: null }, registrationId: cs[1]!.registrationIds[0]!, reason: '考生申请' });
    expect(refunded.ok).toBe(true);

    const scoped = sql`st.exam_id IN (SELECT id FROM exam WHERE authority_id = ${w.exam.authorityId})`;
    const one = async <T>(q: ReturnType<typeof sql<T>>) => (await q.execute(w.db)).rows[0]!;
    const expected = {
      registrations: await one(sql<{ n: string; s: string }>`SELECT count(*) n, coalesce(sum(s.fee_fen),0) s FROM registration r JOIN subject s ON s.id = r.subject_id JOIN sitting st ON st.id = r.sitting_id WHERE ${scoped}`),
      bills: await one(sql<{ n: string; s: string }>`SELECT count(*) n, coalesce(sum(b.amount_fen),0) s FROM bill b JOIN sitting st ON st.id = b.sitting_id WHERE ${scoped}`),
      payments: await one(sql<{ n: string; s: string }>`SELECT count(*) n, coalesce(sum(cp.amount_fen),0) s FROM channel_payment cp JOIN bill b ON b.id = cp.bill_id JOIN sitting st ON st.id = b.sitting_id WHERE ${scoped}`),
      refunds: await one(sql<{ n: string; s: string }>`SELECT count(*) n, coalesce(sum(rf.amount_fen),0) s FROM refund rf JOIN bill b ON b.id = rf.bill_id JOIN sitting st ON st.id = b.sitting_id WHERE ${scoped}`),
    };
    expect(Number(expected.payments.n)).toBeGreaterThanOrEqual(2);
    expect(Number(expected.refunds.n)).toBeGreaterThanOrEqual(1);
    const amountCol = { registrations: 10, bills: 6, payments: 6, refunds: 6 } as const;
    for (const kind of ['registrations', 'bills', 'payments', 'refunds'] as const) {
      const res = await download(staff.finance, `/api/v1/admin/exports/${kind}.xlsx`);
      expect(res.status, kind).toBe(200);
      expect(res.headers['content-disposition']).toMatch(new RegExp(`attachment; filename="${kind}-\\d{12}\\.xlsx"`));
      const rows = await sheetRows(res.raw);
      const data = rows.slice(1, -1);
      const total = rows.at(-1)!;
      expect(data.length, kind).toBe(Number(expected[kind].n));
      expect(total[0]).toBe(`合计 Total: ${expected[kind].n}`);
      expect(total[amountCol[kind]], kind).toBe(Number(expected[kind].s));
      expect(data.reduce((sum, r) => sum + Number(r[amountCol[kind]] ?? 0), 0), kind).toBe(Number(expected[kind].s));
      // ID numbers masked whoever exports.
      const text = JSON.stringify(rows);
      for (const c of cs) expect(text).not.toContain(c.idNumber);
      if (kind !== 'payments' && kind !== 'refunds') expect(text).toContain(maskIdNumber(cs[0]!.idNumber));
    }

    // Filters as the console shows them: sitting + state, subject, a date range.
    const paid = await one(sql<{ n: string }>`SELECT count(*) n FROM registration r WHERE r.sitting_id = ${w.exam.sittingId} AND r.status = 'ACTIVE' AND r.paid_at IS NOT NULL`);
    const paidRows = (await sheetRows((await download(staff.admin, `/api/v1/admin/exports/registrations.xlsx?sittingId=${w.exam.sittingId}&state=PAID`)).raw)).slice(1, -1);
    expect(paidRows.length).toBe(Number(paid.n));
    expect(paidRows.every((r) => r[9] === 'PAID')).toBe(true);
    const subject = w.exam.subjectIds[1]!;
    const bySubject = await one(sql<{ n: string }>`SELECT count(*) n FROM registration WHERE subject_id = ${subject}`);
    expect((await sheetRows((await download(staff.admin, `/api/v1/admin/exports/registrations.xlsx?subjectId=${subject}`)).raw)).length - 2).toBe(Number(bySubject.n));
    const none = await sheetRows((await download(staff.admin, '/api/v1/admin/exports/bills.xlsx?from=2020-01-01&to=2020-01-31')).raw);
    expect(none.length).toBe(2);
    expect((await download(staff.admin, '/api/v1/admin/exports/bills.xlsx?from=2026-03-02&to=2026-03-01')).json().error.code).toBe('EXPORT_BAD_RANGE');
    expect((await download(staff.admin, '/api/v1/admin/exports/bills.xlsx?state=NOPE')).json().error.code).toBe('VALIDATION_FAILED');

    // Reconciliation results: mismatches of the authority's bills.
    const bill = await w.db.selectFrom('bill').innerJoin('channel_payment as cp', 'cp.bill_id', 'bill.id').select(['bill.bill_no', 'cp.channel_trade_no']).where('bill.candidate_id', '=', cs[0]!.candidateId).executeTakeFirstOrThrow();
    const run = await w.db.insertInto('reconciliation_run').values({ channel: 'alipay', day: '2026-03-15', next_attempt_at: w.clock.now(), requested_by: 'test', created_at: w.clock.now() } as never).returning('id').executeTakeFirstOrThrow();
    await w.db.insertInto('reconciliation_mismatch').values({
      run_id: run.id, channel: 'alipay', day: '2026-03-15', kind: 'AMOUNT_DIFFERS', reason: 'AMOUNT', line_key: 'k1', bill_no: bill.bill_no, channel_trade_no: bill.channel_trade_no,
      refund_no: null, our_amount_fen: 8000n, their_amount_fen: 7000n, at: w.clock.now(), resolution: 'OPEN', auto_refund_no: null, resolved_note: null, resolved_by: null, resolved_at: null, created_at: w.clock.now(),
    } as never).execute();
    const rec = await sheetRows((await download(staff.admin, '/api/v1/admin/exports/reconciliation.xlsx?from=2026-03-15&to=2026-03-15&state=OPEN')).raw);
    expect(rec.slice(1, -1)).toEqual([expect.arrayContaining(['2026-03-15', 'alipay', 'AMOUNT_DIFFERS', bill.bill_no, 8000, 7000, 'OPEN'])]);
    expect(rec.at(-1)!.slice(7, 9)).toEqual([8000, 7000]);
  });

  it('the exports page\'s filters: the authority\'s sittings with exam, subjects and sites, for every role that exports', async () => {
    const site = await w.db.insertInto('site').values({ sitting_id: w.exam.sittingId, code: 'F1', name: '筛选考点' }).returning('id').executeTakeFirstOrThrow();
    const other = await (await import('./support/fixtures.ts')).makeExam(w.db);
    for (const b of [staff.admin, staff.finance, staff.readOnly]) {
      const res = await b.get('/api/v1/admin/exports/filters');
      expect(res.status).toBe(200);
      const sitting = res.body.sittings.find((s: { sittingId: string }) => s.sittingId === String(w.exam.sittingId));
      expect(sitting).toMatchObject({ code: '2026-03', name: '2026年3月', examName: '网络教育统考', cancelled: false });
      expect(sitting.subjects.map((s: { subjectId: string }) => s.subjectId)).toEqual(w.exam.subjectIds.map(String));
      expect(sitting.sites).toContainEqual({ siteId: String(site.id), code: 'F1', name: '筛选考点' });
      // Another authority's sittings are not offered.
      expect(res.body.sittings.map((s: { sittingId: string }) => s.sittingId)).not.toContain(String(other.sittingId));
    }
    expect((await staff.schoolStaff.get('/api/v1/admin/exports/filters')).status).toBe(403);
  });

  it('institution staff export only their own institution\'s candidates; no reconciliation for them', async () => {
    const mine = await w.candidate();
    const theirs = await w.candidate();
    await w.db.updateTable('candidate').set({ institution_id: staff.school.institutionId }).where('id', '=', mine.candidateId).execute();
    await w.db.updateTable('candidate').set({ institution_id: staff.otherSchool.institutionId }).where('id', '=', theirs.candidateId).execute();
    const res = await download(staff.schoolStaff, '/api/v1/institution/exports/registrations.xlsx');
    expect(res.status).toBe(200);
    const rows = (await sheetRows(res.raw)).slice(1, -1);
    const expected = await w.db.selectFrom('registration as r').innerJoin('candidate as c', 'c.id', 'r.candidate_id').select((eb) => eb.fn.countAll<string>().as('n'))
      .where(sql<boolean>`CASE WHEN r.owner = 'INSTITUTION' THEN r.institution_id ELSE c.institution_id END = ${staff.school.institutionId}`).executeTakeFirstOrThrow();
    expect(rows.length).toBe(Number(expected.n));
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r[3] === staff.schoolCode)).toBe(true);
    expect(JSON.stringify(rows)).not.toContain(maskIdNumber(theirs.idNumber));
    expect((await download(staff.schoolStaff, '/api/v1/institution/exports/reconciliation.xlsx')).status).toBe(404);
    expect((await download(staff.schoolStaff, '/api/v1/admin/exports/registrations.xlsx')).status).toBe(403);
  });
});

/**
 * Candidates' appeals (ORG-2, seed 000) and the student record view (issue 7 item 1), through the
 * real app on a real PostgreSQL: 报考科目申诉 holding a subject back until the institution decides,
 * the queue scoped to the institution, 关联申诉 filed without signing in and an accepted one taking
 * the record back from whoever held it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { ManualClock } from '../src/shared/clock.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';
import { buildTestApp } from './support/test-app.ts';
import { makeCandidate, makeExam, type ExamFixture } from './support/fixtures.ts';
import { Browser } from './support/http.ts';
import { makeInstitution, makeStaff, staffBrowser } from './support/staff-fixtures.ts';
import { lastMailTo, linkToken, outboxTo } from './support/mailbox.ts';

let t: TestDatabase;
let app: FastifyInstance;
let clock: ManualClock;
let exam: ExamFixture;
let a1: bigint;
let a2: bigint;
let staff: Record<'admin' | 'finance' | 'readOnly' | 'schoolA1' | 'schoolA2', Browser>;

beforeAll(async () => {
  t = await createTestDatabase();
  ({ app, clock } = await buildTestApp(t));
  exam = await makeExam(t.db, { fees: [7000n, 7000n, 8000n] });
  a1 = (await makeInstitution(t.db, exam.authorityId)).institutionId;
  a2 = (await makeInstitution(t.db, exam.authorityId)).institutionId;
  staff = {
    admin: await staffBrowser(app, await makeStaff(t.db, exam, 'AUTHORITY_ADMIN')),
    finance: await staffBrowser(app, await makeStaff(t.db, exam, 'FINANCE')),
    readOnly: await staffBrowser(app, await makeStaff(t.db, exam, 'READ_ONLY')),
    schoolA1: await staffBrowser(app, await makeStaff(t.db, exam, 'INSTITUTION_STAFF', { institutionId: a1 })),
    schoolA2: await staffBrowser(app, await makeStaff(t.db, exam, 'INSTITUTION_STAFF', { institutionId: a2 })),
  };
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

/** A candidate of learning centre A1 with nothing registered, signed in. */
async function candidate(institutionId = a1) {
  const c = await makeCandidate(t.db, exam);
  await t.db.updateTable('registration').set({ status: 'CANCELLED', cancelled_at: clock.now(), cancelled_reason: 'CANDIDATE' }).where('candidate_id', '=', c.candidateId).execute();
  await t.db.updateTable('candidate').set({ institution_id: institutionId }).where('id', '=', c.candidateId).execute();
  const b = new Browser(app);
  expect((await b.signIn(exam.authorityCode, c.idNumber, c.password)).status).toBe(200);
  const row = await t.db.selectFrom('candidate').select('name').where('id', '=', c.candidateId).executeTakeFirstOrThrow();
  return { ...c, name: row.name, b };
}

const subject = (i: number) => String(exam.subjectIds[i]);
const optionFor = async (b: Browser, subjectId: string) =>
  ((await b.get(`/api/v1/sittings/${exam.sittingId}/registration-options`)).body.subjects as { subjectId: string; canRegister: boolean; reason: string | null }[])
    .find((s) => s.subjectId === subjectId)!;

describe('报考科目申诉 (seed 000): the subject is held back until the institution decides', () => {
  it('seed 000: filed → the subject cannot be registered (reason in the options and the refusal); the institution rejects with a reason → the candidate sees it and may register', async () => {
    const c = await candidate();
    const filed = await c.b.post('/api/v1/appeals', { subjectId: subject(0), statement: '学习中心把我的大学英语A报成了B' });
    expect(filed.status).toBe(201);
    expect(filed.body).toMatchObject({ state: 'PENDING', stateLabel: { zh: '待处理' } });
    const appealId = filed.body.appealId as string;

    expect(await optionFor(c.b, subject(0))).toMatchObject({ canRegister: false, reason: 'SUBJECT_APPEAL_PENDING' });
    expect(await optionFor(c.b, subject(1))).toMatchObject({ canRegister: true });
    const refused = await c.b.post('/api/v1/registrations', { subjectId: subject(0) });
    expect(refused.status).toBe(409);
    expect(refused.body.error).toMatchObject({ code: 'SUBJECT_APPEAL_PENDING', messageZh: expect.stringContaining('申诉'), messageEn: expect.stringContaining('appeal') });
    expect(await t.db.selectFrom('registration').select('id').where('candidate_id', '=', c.candidateId).where('status', '=', 'ACTIVE').execute()).toEqual([]);
    expect((await c.b.post('/api/v1/appeals', { subjectId: subject(0), statement: '再提交一次' })).body.error.code).toBe('APPEAL_ALREADY_PENDING');

    // The queue: A1's staff and the authority see it; A2's staff neither see nor reach it; finance has no such action.
    const ids = async (b: Browser, url: string) => ((await b.get(url)).body as { appealId: string }[]).map((a) => a.appealId);
    expect(await ids(staff.schoolA1, '/api/v1/institution/appeals')).toContain(appealId);
    expect(await ids(staff.admin, '/api/v1/admin/appeals')).toContain(appealId);
    expect(await ids(staff.readOnly, '/api/v1/admin/appeals')).toContain(appealId);
    expect(await ids(staff.schoolA2, '/api/v1/institution/appeals')).not.toContain(appealId);
    expect((await staff.schoolA2.get(`/api/v1/institution/appeals?candidateId=${c.candidateId}`)).body.error.code).toBe('CANDIDATE_NOT_FOUND');
    expect((await staff.schoolA2.post(`/api/v1/institution/appeals/${appealId}/decision`, { decision: 'ACCEPT' })).body.error.code).toBe('APPEAL_NOT_FOUND');
    expect((await staff.finance.get('/api/v1/admin/appeals')).body.error.code).toBe('STAFF_FORBIDDEN');
    expect((await staff.readOnly.post(`/api/v1/admin/appeals/${appealId}/decision`, { decision: 'ACCEPT' })).body.error.code).toBe('STAFF_FORBIDDEN');
    const queued = ((await staff.schoolA1.get(`/api/v1/institution/appeals?candidateId=${c.candidateId}`)).body as Record<string, unknown>[])[0]!;
    expect(queued).toMatchObject({ kind: 'SUBJECT', state: 'PENDING', statement: '学习中心把我的大学英语A报成了B', subject: { subjectId: subject(0) }, candidate: { candidateId: String(c.candidateId) } });
    expect(JSON.stringify(queued)).not.toContain(c.idNumber);

    expect((await staff.schoolA1.post(`/api/v1/institution/appeals/${appealId}/decision`, { decision: 'REJECT' })).body.error.code).toBe('APPEAL_REASON_REQUIRED');
    expect((await staff.schoolA1.post(`/api/v1/institution/appeals/${appealId}/decision`, { decision: 'REJECT', reason: '   ' })).body.error.code).toBe('APPEAL_REASON_REQUIRED');
    const rejected = await staff.schoolA1.post(`/api/v1/institution/appeals/${appealId}/decision`, { decision: 'REJECT', reason: '经核对，报考科目无误' });
    expect(rejected.status).toBe(200);
    expect(rejected.body).toEqual({ appealId, state: 'REJECTED' });
    expect((await staff.admin.post(`/api/v1/admin/appeals/${appealId}/decision`, { decision: 'ACCEPT' })).body.error.code).toBe('APPEAL_NOT_PENDING');

    const mine = (await c.b.get('/api/v1/appeals')).body;
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ appealId, kind: 'SUBJECT', state: 'REJECTED', stateLabel: { zh: '不予受理', en: 'Rejected' }, rejectReason: '经核对，报考科目无误', subject: { subjectId: subject(0), name: '科目0' }, decidedAt: clock.now().toISOString() });

    const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'appeal.decide').where('object_id', '=', appealId).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_type: 'STAFF', actor_role: 'INSTITUTION_STAFF', outcome: 'SUCCESS', summary: { kind: 'SUBJECT', before: { state: 'PENDING' }, after: { state: 'REJECTED' } } });
    // The reason stays on the appeal (free text), not in the append-only log.
    expect(JSON.stringify(audit[0]!.summary)).not.toContain('经核对');

    expect(await optionFor(c.b, subject(0))).toMatchObject({ canRegister: true });
    expect((await c.b.post('/api/v1/registrations', { subjectId: subject(0) })).status).toBe(201);
  });

  it('an appeal about an institution registration goes to the institution that made it; a registration or subject not the candidate\'s reads as missing', async () => {
    const c = await candidate(a1);
    const other = await candidate(a1);
    const reg = (await t.db.insertInto('registration').values({ candidate_id: c.candidateId, sitting_id: exam.sittingId, subject_id: exam.subjectIds[2]!, created_at: clock.now(), owner: 'INSTITUTION', institution_id: a2 }).returning('id').executeTakeFirstOrThrow()).id;
    expect((await other.b.post('/api/v1/appeals', { subjectId: subject(2), registrationId: String(reg), statement: '不是我的' })).body.error.code).toBe('REGISTRATION_NOT_FOUND');
    const foreign = await makeExam(t.db);
    expect((await c.b.post('/api/v1/appeals', { subjectId: String(foreign.subjectIds[0]), statement: '别的考试' })).body.error.code).toBe('SUBJECT_NOT_FOUND');
    const filed = await c.b.post('/api/v1/appeals', { subjectId: subject(2), registrationId: String(reg), statement: '学习中心报错了科目' });
    expect(filed.status).toBe(201);
    const row = await t.db.selectFrom('appeal').selectAll().where('id', '=', BigInt(filed.body.appealId)).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ institution_id: a2, registration_id: reg, kind: 'SUBJECT' });
    const ids = ((await staff.schoolA2.get('/api/v1/institution/appeals')).body as { appealId: string }[]).map((a) => a.appealId);
    expect(ids).toContain(filed.body.appealId);
    expect(((await staff.schoolA1.get('/api/v1/institution/appeals')).body as { appealId: string }[]).map((a) => a.appealId)).not.toContain(filed.body.appealId);
    expect((await staff.schoolA2.post(`/api/v1/institution/appeals/${filed.body.appealId}/decision`, { decision: 'ACCEPT' })).body.state).toBe('ACCEPTED');
    expect((await c.b.get('/api/v1/appeals')).body[0]).toMatchObject({ state: 'ACCEPTED', stateLabel: { zh: '已受理（申诉成立）' }, rejectReason: null });
  });

  it('the candidate withdraws a pending appeal (once); another candidate cannot; the subject is free again', async () => {
    const c = await candidate();
    const other = await candidate();
    const { appealId } = (await c.b.post('/api/v1/appeals', { subjectId: subject(1), statement: '科目有误' })).body;
    expect((await other.b.post(`/api/v1/appeals/${appealId}/withdraw`)).body.error.code).toBe('APPEAL_NOT_FOUND');
    const w = await c.b.post(`/api/v1/appeals/${appealId}/withdraw`);
    expect(w.body).toMatchObject({ appealId, state: 'WITHDRAWN', stateLabel: { zh: '已撤回' } });
    expect((await c.b.post(`/api/v1/appeals/${appealId}/withdraw`)).body.error.code).toBe('APPEAL_NOT_PENDING');
    expect((await staff.schoolA1.post(`/api/v1/institution/appeals/${appealId}/decision`, { decision: 'ACCEPT' })).body.error.code).toBe('APPEAL_NOT_PENDING');
    expect(await optionFor(c.b, subject(1))).toMatchObject({ canRegister: true });
    expect(await t.db.selectFrom('audit_log').select('action').where('object_type', '=', 'appeal').where('object_id', '=', appealId).orderBy('id').execute())
      .toEqual([{ action: 'appeal.file' }, { action: 'appeal.withdraw' }]);
  });

  it('a withdrawal and a decision racing: exactly one wins, the other changes nothing', async () => {
    for (let round = 0; round < 5; round++) {
      const c = await candidate();
      const { appealId } = (await c.b.post('/api/v1/appeals', { subjectId: subject(0), statement: `第${round}次` })).body;
      const [withdrawn, decided] = await Promise.all([
        c.b.post(`/api/v1/appeals/${appealId}/withdraw`),
        staff.schoolA1.post(`/api/v1/institution/appeals/${appealId}/decision`, { decision: 'REJECT', reason: '不予受理' }),
      ]);
      expect([withdrawn.status, decided.status].sort()).toEqual([200, 409]);
      const row = await t.db.selectFrom('appeal').select(['state', 'reject_reason']).where('id', '=', BigInt(appealId)).executeTakeFirstOrThrow();
      expect(row.state).toBe(withdrawn.status === 200 ? 'WITHDRAWN' : 'REJECTED');
      expect(row.reject_reason).toBe(withdrawn.status === 200 ? null : '不予受理');
      const decisions = await t.db.selectFrom('audit_log').select('action').where('object_id', '=', appealId).where('action', 'in', ['appeal.withdraw', 'appeal.decide']).execute();
      expect(decisions).toHaveLength(1);
    }
  });

  it('bad input gets a coded answer and changes nothing', async () => {
    const c = await candidate();
    const before = await t.db.selectFrom('appeal').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect((await c.b.post('/api/v1/appeals', { subjectId: subject(0), statement: '' })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await c.b.post('/api/v1/appeals', { subjectId: subject(0), statement: '理'.repeat(501) })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await c.b.post('/api/v1/appeals', { subjectId: 'abc', statement: '有误' })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await c.b.post('/api/v1/appeals/999999999/withdraw')).body.error.code).toBe('APPEAL_NOT_FOUND');
    expect((await staff.admin.post('/api/v1/admin/appeals/999999999/decision', { decision: 'ACCEPT' })).body.error.code).toBe('APPEAL_NOT_FOUND');
    expect((await staff.admin.post('/api/v1/admin/appeals/1/decision', { decision: 'MAYBE' })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await new Browser(app).get('/api/v1/appeals')).status).toBe(401);
    const after = await t.db.selectFrom('appeal').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });
});

describe('关联申诉 (seed 000): the record is held by someone else', () => {
  /** A candidate whose account someone else took into use and is signed in to. */
  async function usurped() {
    const c = await candidate();
    const holder = new Browser(app);
    expect((await holder.signIn(exam.authorityCode, c.idNumber, c.password)).status).toBe(200);
    return { c, holder };
  }
  const file = async (b: Browser, body: Record<string, string>) => b.post('/api/v1/link-appeals', { authority: exam.authorityCode, idType: 'RESIDENT_ID', statement: '我的证件被他人注册了账号', ...body, ...(await b.captcha()) });

  it('filed without signing in; the answer is the same whether the record matched; only the mailbox is told', async () => {
    const { c } = await usurped();
    const anyone = new Browser(app);
    const matched = await file(anyone, { name: c.name, idNumber: c.idNumber, email: 'real.person@example.com' });
    const wrongName = await file(anyone, { name: '别人', idNumber: c.idNumber, email: 'prober@example.com' });
    expect(matched.status).toBe(202);
    expect(wrongName.status).toBe(202);
    expect(wrongName.body).toEqual(matched.body);
    expect((await lastMailTo(t.db, 'real.person@example.com')).kind).toBe('LINK_APPEAL_RECEIVED');
    expect((await lastMailTo(t.db, 'prober@example.com')).kind).toBe('LINK_APPEAL_NOT_FILED');
    const again = await file(anyone, { name: c.name, idNumber: c.idNumber, email: 'real.person@example.com' });
    expect(again.body).toEqual(matched.body);
    expect((await lastMailTo(t.db, 'real.person@example.com')).kind).toBe('LINK_APPEAL_NOT_FILED');
    const rows = await t.db.selectFrom('appeal').selectAll().where('candidate_id', '=', c.candidateId).where('kind', '=', 'LINK').execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ state: 'PENDING', institution_id: a1, contact_email: 'real.person@example.com' });
    // Input errors are answered directly: they say nothing about anyone.
    expect((await file(anyone, { name: c.name, idNumber: '110105194912310020', email: 'x@example.com' })).body.error.code).toMatch(/^ID_NUMBER_/);
    expect((await file(anyone, { name: c.name, idNumber: c.idNumber, email: 'not-an-address' })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await anyone.post('/api/v1/link-appeals', { authority: exam.authorityCode, idType: 'RESIDENT_ID', statement: '无验证码', name: c.name, idNumber: c.idNumber, email: 'y@example.com', captchaId: 'x', captchaAnswer: 'y' })).body.error.code).toBe('CAPTCHA_INVALID');
  });

  it('accepted: the holder is signed out and locked out, the appellant sets a password by the mailed link and sees the outcome; audited without personal data', async () => {
    const { c, holder } = await usurped();
    await file(new Browser(app), { name: c.name, idNumber: c.idNumber, email: 'owner@example.com' });
    const appeal = await t.db.selectFrom('appeal').select('id').where('candidate_id', '=', c.candidateId).where('kind', '=', 'LINK').executeTakeFirstOrThrow();
    const queued = ((await staff.schoolA1.get('/api/v1/institution/appeals?kind=LINK')).body as { appealId: string; subject: unknown }[]).find((a) => a.appealId === String(appeal.id));
    expect(queued).toMatchObject({ subject: null, statement: '我的证件被他人注册了账号' });
    expect(JSON.stringify(queued)).not.toContain('owner@example.com');

    const accepted = await staff.schoolA1.post(`/api/v1/institution/appeals/${appeal.id}/decision`, { decision: 'ACCEPT' });
    expect(accepted.body).toEqual({ appealId: String(appeal.id), state: 'ACCEPTED' });
    expect((await holder.get('/api/v1/me')).status).toBe(401);
    expect((await c.b.get('/api/v1/me')).status).toBe(401);
    expect((await new Browser(app).signIn(exam.authorityCode, c.idNumber, c.password)).body.error.code).toBe('BAD_CREDENTIALS');

    const mail = await lastMailTo(t.db, 'owner@example.com');
    expect(mail.kind).toBe('LINK_APPEAL_ACCEPTED');
    const token = linkToken(mail.body_text, 'reset');
    const owner = new Browser(app);
    expect((await owner.post('/api/v1/password-resets/confirm', { token, newPassword: 'Appeal2026ok' })).status).toBe(204);
    expect((await owner.signIn(exam.authorityCode, c.idNumber, 'Appeal2026ok')).status).toBe(200);
    expect((await owner.get('/api/v1/appeals')).body).toEqual([expect.objectContaining({ appealId: String(appeal.id), kind: 'LINK', state: 'ACCEPTED', subject: null })]);
    // 忘记密码 now reaches the appellant's address, not the holder's.
    const row = await t.db.selectFrom('candidate').select(['email', 'email_verified_at']).where('id', '=', c.candidateId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ email: 'owner@example.com', email_verified_at: expect.any(Date) });

    const audit = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'appeal.decide').where('object_id', '=', String(appeal.id)).executeTakeFirstOrThrow();
    expect(audit.summary).toMatchObject({ kind: 'LINK', after: { state: 'ACCEPTED' }, recordReleased: { login: 'ID_DOCUMENT', sessionsEnded: 2 } });
    expect(JSON.stringify(audit.summary)).not.toContain('@');
  });

  it('rejected: the filer is told the reason by mail; the holder keeps the record', async () => {
    const { c, holder } = await usurped();
    await file(new Browser(app), { name: c.name, idNumber: c.idNumber, email: 'claimant@example.com' });
    const appeal = await t.db.selectFrom('appeal').select('id').where('candidate_id', '=', c.candidateId).where('kind', '=', 'LINK').executeTakeFirstOrThrow();
    expect((await staff.admin.post(`/api/v1/admin/appeals/${appeal.id}/decision`, { decision: 'REJECT', reason: '经电话核实，账号为考生本人注册' })).body.state).toBe('REJECTED');
    const mails = await outboxTo(t.db, 'claimant@example.com');
    expect(mails.at(-1)!.kind).toBe('LINK_APPEAL_REJECTED');
    expect(mails.at(-1)!.body_text).toContain('经电话核实，账号为考生本人注册');
    expect((await holder.get('/api/v1/me')).status).toBe(200);
  });

  it('a 通行证 cannot be given to an address that is already another 通行证\'s login: refused, and nothing changes', async () => {
    const { c } = await usurped();
    await t.db.updateTable('candidate').set({ login: 'EMAIL', email: 'squatter@example.com', email_verified_at: clock.now(), email_claimed_at: clock.now() }).where('id', '=', c.candidateId).execute();
    const someoneElse = await candidate();
    await t.db.updateTable('candidate').set({ login: 'EMAIL', email: 'taken@example.com', email_verified_at: clock.now(), email_claimed_at: clock.now() }).where('id', '=', someoneElse.candidateId).execute();
    await file(new Browser(app), { name: c.name, idNumber: c.idNumber, email: 'taken@example.com' });
    const appeal = await t.db.selectFrom('appeal').select('id').where('candidate_id', '=', c.candidateId).where('kind', '=', 'LINK').executeTakeFirstOrThrow();
    const r = await staff.schoolA1.post(`/api/v1/institution/appeals/${appeal.id}/decision`, { decision: 'ACCEPT' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('APPEAL_EMAIL_IN_USE');
    expect(await t.db.selectFrom('appeal').select('state').where('id', '=', appeal.id).executeTakeFirstOrThrow()).toEqual({ state: 'PENDING' });
    expect(await t.db.selectFrom('candidate').select('email').where('id', '=', c.candidateId).executeTakeFirstOrThrow()).toEqual({ email: 'squatter@example.com' });
  });
});

describe('学籍与报考资格 (issue 7 item 1): the candidate\'s own record, read-only', () => {
  it('REG-3: shows each subject\'s standing (eligible / passed / exempt), roster restriction, registrations and pending appeals; only their own', async () => {
    const c = await candidate();
    const other = await candidate();
    await t.db.updateTable('exam').set({ roster_restricted: true }).where('id', '=', exam.examId).execute();
    try {
      await t.db.insertInto('candidate_subject_standing').values([
        { candidate_id: c.candidateId, subject_id: exam.subjectIds[0]!, status: 'PASSED' },
        { candidate_id: c.candidateId, subject_id: exam.subjectIds[1]!, status: 'EXEMPT' },
        { candidate_id: c.candidateId, subject_id: exam.subjectIds[2]!, status: 'ELIGIBLE' },
        { candidate_id: other.candidateId, subject_id: exam.subjectIds[0]!, status: 'ELIGIBLE' },
      ]).execute();
      await c.b.post('/api/v1/appeals', { subjectId: subject(2), statement: '资格有误' });
      const r = await c.b.get('/api/v1/me/student-record');
      expect(r.status).toBe(200);
      expect(r.body.candidate).toMatchObject({ name: c.name, idType: 'RESIDENT_ID', institution: { kind: 'LEARNING_CENTRE' }, examName: '网络教育统考' });
      expect(r.body.candidate.idNumberMasked).not.toBe(c.idNumber);
      expect(r.text).not.toContain(c.idNumber);
      expect(r.body.sittings).toHaveLength(1);
      expect(r.body.sittings[0]).toMatchObject({ sittingId: String(exam.sittingId), rosterRestricted: true });
      expect(r.body.sittings[0].subjects.map((s: Record<string, unknown>) => [s.code, s.standing, s.onRoster, s.registered, s.appealPending])).toEqual([
        ['S0', 'PASSED', false, false, false],
        ['S1', 'EXEMPT', false, false, false],
        ['S2', 'ELIGIBLE', true, false, true],
      ]);
      const theirs = (await other.b.get('/api/v1/me/student-record')).body;
      expect(theirs.sittings[0].subjects.map((s: Record<string, unknown>) => s.standing)).toEqual(['ELIGIBLE', null, null]);
      expect(JSON.stringify(theirs)).not.toContain(c.name);
      expect((await new Browser(app).get('/api/v1/me/student-record')).status).toBe(401);
    } finally {
      await t.db.updateTable('exam').set({ roster_restricted: false }).where('id', '=', exam.examId).execute();
    }
  });
});

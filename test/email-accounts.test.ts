import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE } from '../src/http/plugins/auth.ts';
import { mayClaim } from '../src/modules/accounts/email-sign-up.ts';
import { HOUR, ManualClock, MINUTE } from '../src/shared/clock.ts';
import { makeEmailExam, newResidentId, signInByEmail, signUp, signUpData } from './support/email-accounts.ts';
import { makeCandidate, makeExam, type ExamFixture } from './support/fixtures.ts';
import { Browser } from './support/http.ts';
import { lastMailTo, linkToken, outboxCount, outboxTo } from './support/mailbox.ts';
import { buildTestApp } from './support/test-app.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';

let t: TestDatabase;
let app: FastifyInstance;
let exam: ExamFixture;
const clock = new ManualClock('2026-03-15T01:00:00Z');

beforeAll(async () => {
  t = await createTestDatabase();
  ({ app } = await buildTestApp(t, { clock }));
  exam = await makeEmailExam(t.db);
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

const candidates = async () => Number((await t.db.selectFrom('candidate').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow()).n);
const row = (email: string) => t.db.selectFrom('candidate').selectAll().where('email', '=', email).executeTakeFirst();
const wrongCheckCharacter = (id: string) => id.slice(0, 17) + (id.endsWith('1') ? '2' : '1');
const verify = (b: Browser, token: string) => b.post('/api/v1/email-verifications', { token });
const firstSubject = async (b: Browser) => {
  const [sitting] = (await b.get('/api/v1/sittings')).body;
  const o = (await b.get(`/api/v1/sittings/${sitting.sittingId}/registration-options`)).body;
  return o.subjects[0].subjectId as string;
};

describe('通行证 sign-up, verification and sign-in (ACC-1, seed 002)', () => {
  it('ACC-1: sign up → signs in unverified but cannot register → the mailed link verifies → registers; the link works once', async () => {
    const data = signUpData(exam.authorityCode, { email: 'Zhang.Wei@Example.CN' });
    const b = new Browser(app);
    const r = await signUp(b, data);
    expect(r.status, JSON.stringify(r.body)).toBe(202);
    expect(r.body.email).toBe('zhang.wei@example.cn');
    expect(r.body.message.zh).toMatch(/请查收邮件/);

    const mail = await lastMailTo(t.db, 'zhang.wei@example.cn');
    expect(mail.kind).toBe('VERIFY_EMAIL');
    expect(mail.subject).toMatch(/请验证您的通行证邮箱.*Verify your e-mail address/);
    const token = linkToken(mail.body_text, 'verify');
    // Only the hash is stored.
    const stored = await t.db.selectFrom('account_token').selectAll().execute();
    expect(stored.map((s) => s.id_hash.toString('base64url'))).not.toContain(token);
    expect(JSON.stringify(stored.map((s) => [s.id_hash.toString('hex'), s.email]))).not.toContain(token);

    const me = await signInByEmail(b, exam.authorityCode, 'ZHANG.WEI@example.cn', data.password);
    expect(me.status, JSON.stringify(me.body)).toBe(200);
    expect(me.body).toMatchObject({ accountType: 'EMAIL', email: 'zhang.wei@example.cn', emailVerified: false, mustChangePassword: false, name: data.name });
    const subjectId = await firstSubject(b);
    const refused = await b.post('/api/v1/registrations', { subjectId });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('EMAIL_NOT_VERIFIED');
    expect(refused.body.error.messageZh).toMatch(/验证邮箱/);
    expect(await t.db.selectFrom('registration').select('id').where('candidate_id', '=', (await row('zhang.wei@example.cn'))!.id).execute()).toHaveLength(0);

    // The link opens in any browser (the mailbox may be on a phone).
    const v = await verify(new Browser(app), token);
    expect(v.status, JSON.stringify(v.body)).toBe(200);
    expect(v.body).toEqual({ email: 'zhang.wei@example.cn', verified: true });
    expect((await b.get('/api/v1/me')).body.emailVerified).toBe(true);
    expect((await b.post('/api/v1/registrations', { subjectId })).status).toBe(201);

    const again = await verify(new Browser(app), token);
    expect(again.status).toBe(400);
    expect(again.body.error.code).toBe('VERIFY_LINK_INVALID');
  });

  it('ACC-1: the verification link expires after 24 hours (works a second before, refused at and after); a new link replaces the old one', async () => {
    const data = signUpData(exam.authorityCode);
    const b = new Browser(app);
    await signUp(b, data);
    const sentAt = clock.now();
    const first = linkToken((await lastMailTo(t.db, data.email)).body_text, 'verify');
    // At expiry exactly, and after it: refused as expired, the account stays unverified.
    clock.set(new Date(sentAt.getTime() + 24 * HOUR));
    expect((await verify(b, first)).body.error.code).toBe('VERIFY_LINK_EXPIRED');
    expect((await verify(b, first)).status).toBe(410);
    clock.set(new Date(sentAt.getTime() + 24 * HOUR + 1000));
    expect((await verify(b, first)).body.error.code).toBe('VERIFY_LINK_EXPIRED');
    expect((await row(data.email))!.email_verified_at).toBeNull();

    // Signed in, the candidate asks again: a new link, and any older one is dead.
    expect((await signInByEmail(b, exam.authorityCode, data.email, data.password)).status).toBe(200);
    expect((await b.post('/api/v1/me/email-verification', {})).status).toBe(202);
    const second = linkToken((await lastMailTo(t.db, data.email)).body_text, 'verify');
    expect((await b.post('/api/v1/me/email-verification', {})).status).toBe(202);
    const third = linkToken((await lastMailTo(t.db, data.email)).body_text, 'verify');
    expect((await verify(b, second)).body.error.code).toBe('VERIFY_LINK_INVALID');
    const issued = clock.now();
    clock.set(new Date(issued.getTime() + 24 * HOUR - 1000));
    expect((await verify(b, third)).status).toBe(200);
    await signInByEmail(b, exam.authorityCode, data.email, data.password);
    expect((await b.post('/api/v1/me/email-verification', {})).body.error.code).toBe('EMAIL_ALREADY_VERIFIED');
    clock.set('2026-03-15T01:00:00Z');
  });

  it('ACC-1: one 通行证 per e-mail per authority, whatever the case; the answer and status are the same as for a new account, the mailbox is told', async () => {
    const data = signUpData(exam.authorityCode);
    const first = await signUp(new Browser(app), data);
    const n = await candidates();
    const second = await signUp(new Browser(app), { ...data, email: data.email.toUpperCase(), idNumber: newResidentId(), password: 'Other2026!pw' });
    expect(second.status).toBe(first.status);
    expect(second.body).toEqual(first.body);
    expect(await candidates()).toBe(n);
    expect((await lastMailTo(t.db, data.email)).kind).toBe('SIGN_UP_ACCOUNT_EXISTS');
    // The first password still signs in; the second one does not.
    expect((await signInByEmail(new Browser(app), exam.authorityCode, data.email, data.password)).status).toBe(200);
    expect((await signInByEmail(new Browser(app), exam.authorityCode, data.email, 'Other2026!pw')).body.error.code).toBe('BAD_EMAIL_CREDENTIALS');
    // Another authority is another 通行证 system: the same address opens an account there.
    const other = await makeEmailExam(t.db);
    expect((await signUp(new Browser(app), { ...data, authority: other.authorityCode })).status).toBe(202);
    expect(await candidates()).toBe(n + 1);
  });

  it('ACC-1: an ID document that already has a 通行证 is not taken by a second sign-up; the answer is the same, only the new mailbox hears why', async () => {
    const owner = signUpData(exam.authorityCode);
    await signUp(new Browser(app), owner);
    const ownerRow = (await row(owner.email))!;
    const thief = signUpData(exam.authorityCode, { idNumber: owner.idNumber, name: owner.name });
    const r = await signUp(new Browser(app), thief);
    expect(r.status).toBe(202);
    expect(r.body.message).toEqual((await signUp(new Browser(app), signUpData(exam.authorityCode))).body.message);
    expect((await lastMailTo(t.db, thief.email)).kind).toBe('SIGN_UP_REFUSED');
    const after = (await t.db.selectFrom('candidate').selectAll().where('id', '=', ownerRow.id).executeTakeFirstOrThrow());
    expect(after.email).toBe(owner.email);
    expect(after.password_hash).toBe(ownerRow.password_hash);
  });

  it('ACC-1: an unverified claim lapses with its link: after 24 hours the rightful person can take the ID document over, not before', async () => {
    const squatter = signUpData(exam.authorityCode, { email: 'squat@example.cn' });
    const sb = new Browser(app);
    await signUp(sb, squatter);
    await signInByEmail(sb, exam.authorityCode, squatter.email, squatter.password);
    const start = clock.now();
    const rightful = signUpData(exam.authorityCode, { idNumber: squatter.idNumber, name: squatter.name, email: 'real@example.cn' });
    clock.set(new Date(start.getTime() + 24 * HOUR - 1000));
    await signUp(new Browser(app), rightful);
    expect((await lastMailTo(t.db, 'real@example.cn')).kind).toBe('SIGN_UP_REFUSED');
    clock.set(new Date(start.getTime() + 24 * HOUR));
    await signUp(new Browser(app), rightful);
    expect((await lastMailTo(t.db, 'real@example.cn')).kind).toBe('VERIFY_EMAIL');
    const taken = (await row('real@example.cn'))!;
    expect(taken.login).toBe('EMAIL');
    expect(await row('squat@example.cn')).toBeUndefined();
    // The squatter's session and verification link are gone.
    expect((await sb.get('/api/v1/me')).status).toBe(401);
    expect((await verify(new Browser(app), linkToken((await lastMailTo(t.db, 'squat@example.cn')).body_text, 'verify'))).body.error.code).toBe('VERIFY_LINK_INVALID');
    clock.set('2026-03-15T01:00:00Z');
  });

  it('ACC-1: a roster (学籍) row is taken by a 通行证 with the same name and ID type; a roster row already in use, or with another name, is not', async () => {
    const fresh = await makeCandidate(t.db, exam, { mustChangePassword: true });
    const rosterName = (await t.db.selectFrom('candidate').select('name').where('id', '=', fresh.candidateId).executeTakeFirstOrThrow()).name;
    // Someone signed in to the roster row with the initial password: that session ends at the claim.
    const old = new Browser(app);
    expect((await old.signIn(exam.authorityCode, fresh.idNumber, fresh.password)).status).toBe(200);

    const wrongName = signUpData(exam.authorityCode, { idNumber: fresh.idNumber, name: '别人' });
    await signUp(new Browser(app), wrongName);
    expect((await lastMailTo(t.db, wrongName.email)).kind).toBe('SIGN_UP_REFUSED');

    const claim = signUpData(exam.authorityCode, { idNumber: fresh.idNumber, name: ` ${rosterName} ` });
    await signUp(new Browser(app), claim);
    const claimed = (await t.db.selectFrom('candidate').selectAll().where('id', '=', fresh.candidateId).executeTakeFirstOrThrow());
    expect(claimed).toMatchObject({ login: 'EMAIL', email: claim.email, must_change_password: false, name: rosterName });
    expect((await old.get('/api/v1/me')).status).toBe(401);
    // The 通行证 now signs in with its address; the ID number no longer is a login.
    expect((await old.signIn(exam.authorityCode, fresh.idNumber, claim.password)).body.error.code).toBe('BAD_CREDENTIALS');
    expect((await signInByEmail(new Browser(app), exam.authorityCode, claim.email, claim.password)).status).toBe(200);

    const used = await makeCandidate(t.db, exam); // initial password already changed: in use
    const usedName = (await t.db.selectFrom('candidate').select('name').where('id', '=', used.candidateId).executeTakeFirstOrThrow()).name;
    const late = signUpData(exam.authorityCode, { idNumber: used.idNumber, name: usedName });
    await signUp(new Browser(app), late);
    expect((await lastMailTo(t.db, late.email)).kind).toBe('SIGN_UP_REFUSED');
    expect((await t.db.selectFrom('candidate').select('login').where('id', '=', used.candidateId).executeTakeFirstOrThrow()).login).toBe('ID_DOCUMENT');
  });

  it('ACC-1: a 通行证 works in every exam of its authority with e-mail accounts (CET, NCRE), across sittings — not in its ID-document exams', async () => {
    const ncre = await t.db.insertInto('exam').values({ authority_id: exam.authorityId, code: 'NCRE', name: '全国计算机等级考试', initial_password_rule: 'ID_LAST6', initial_password_fixed: null, account_style: 'EMAIL' }).returning('id').executeTakeFirstOrThrow();
    const ncreSitting = await t.db.insertInto('sitting').values({ exam_id: ncre.id, code: '2026-09', name: 'NCRE 2026年9月' }).returning('id').executeTakeFirstOrThrow();
    const ncreSubject = await t.db.insertInto('subject').values({ sitting_id: ncreSitting.id, code: 'PY2', name: '二级Python', fee_fen: 8000n }).returning('id').executeTakeFirstOrThrow();
    const roster = await t.db.insertInto('exam').values({ authority_id: exam.authorityId, code: 'ROSTER', name: '证件号登录的考试', initial_password_rule: 'ID_LAST6', initial_password_fixed: null }).returning('id').executeTakeFirstOrThrow();
    const rosterSitting = await t.db.insertInto('sitting').values({ exam_id: roster.id, code: '2026-05', name: '另一考试' }).returning('id').executeTakeFirstOrThrow();
    const rosterSubject = await t.db.insertInto('subject').values({ sitting_id: rosterSitting.id, code: 'X', name: 'X', fee_fen: 100n }).returning('id').executeTakeFirstOrThrow();

    const data = signUpData(exam.authorityCode);
    const b = new Browser(app);
    await signUp(b, data);
    await verify(b, linkToken((await lastMailTo(t.db, data.email)).body_text, 'verify'));
    await signInByEmail(b, exam.authorityCode, data.email, data.password);
    const sittings = (await b.get('/api/v1/sittings')).body.map((s: { sittingId: string }) => s.sittingId);
    expect(sittings).toEqual([String(exam.sittingId), String(ncreSitting.id)]);
    expect((await b.post('/api/v1/registrations', { subjectId: String(exam.subjectIds[0]) })).status).toBe(201);
    expect((await b.post('/api/v1/registrations', { subjectId: String(ncreSubject.id) })).status).toBe(201);
    expect((await b.post('/api/v1/registrations', { subjectId: String(rosterSubject.id) })).body.error.code).toBe('SUBJECT_NOT_FOUND');
    expect((await b.get(`/api/v1/sittings/${rosterSitting.id}/registration-options`)).status).toBe(404);
    // And a roster account of the same authority still sees only its own exam.
    const rc = await makeCandidate(t.db, { ...exam, examId: roster.id, sittingId: rosterSitting.id, subjectIds: [rosterSubject.id] });
    const rb = new Browser(app);
    await rb.signIn(exam.authorityCode, rc.idNumber, rc.password);
    expect((await rb.get('/api/v1/sittings')).body.map((s: { sittingId: string }) => s.sittingId)).toEqual([String(rosterSitting.id)]);
  });

  it('ACC-1 sign-in: wrong password and unknown address answer alike; one session mechanism (new id, old one ended)', async () => {
    const data = signUpData(exam.authorityCode);
    await signUp(new Browser(app), data);
    const wrong = await signInByEmail(new Browser(app), exam.authorityCode, data.email, 'Wrong2026!pw');
    const missing = await signInByEmail(new Browser(app), exam.authorityCode, 'nobody@example.cn', 'Wrong2026!pw');
    expect(wrong.status).toBe(401);
    expect(missing.status).toBe(401);
    expect(wrong.body).toEqual(missing.body);
    expect(wrong.body.error.code).toBe('BAD_EMAIL_CREDENTIALS');
    const b = new Browser(app);
    await signInByEmail(b, exam.authorityCode, data.email, data.password);
    const first = b.cookie(SESSION_COOKIE)!;
    await signInByEmail(b, exam.authorityCode, data.email, data.password);
    expect(b.cookie(SESSION_COOKIE)).not.toBe(first);
    const stale = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: `${SESSION_COOKIE}=${first}` } });
    expect(stale.statusCode).toBe(401);
  });

  it('OPS-5: bad sign-up input gets its own code and changes nothing (no account, no mail)', async () => {
    const idDocOnly = await makeExam(t.db);
    const cases: [string, Record<string, unknown>, number, string][] = [
      ['address that is not one', { email: 'not-an-address' }, 400, 'VALIDATION_FAILED'],
      ['wrong check character', { idNumber: wrongCheckCharacter(newResidentId()) }, 400, 'ID_NUMBER_CHECK_DIGIT'],
      ['password without a digit', { password: 'Abcdefgh!' }, 400, 'PASSWORD_POLICY'],
      ['password too short', { password: 'Ab1!' }, 400, 'PASSWORD_POLICY'],
      ['authority without e-mail accounts', { authority: idDocOnly.authorityCode }, 404, 'EMAIL_ACCOUNTS_NOT_OFFERED'],
      ['unknown authority', { authority: 'NOPE' }, 404, 'EMAIL_ACCOUNTS_NOT_OFFERED'],
      ['exam code that is not an e-mail exam', { exam: 'NOPE' }, 404, 'EMAIL_ACCOUNTS_NOT_OFFERED'],
      ['unknown ID type', { idType: 'DRIVING_LICENCE' }, 400, 'VALIDATION_FAILED'],
      ['blank name', { name: '   ' }, 400, 'VALIDATION_FAILED'],
      ['extra field', { admin: true }, 400, 'VALIDATION_FAILED'],
    ];
    const n = await candidates();
    const mails = await outboxCount(t.db);
    for (const [what, over, status, code] of cases) {
      const r = await signUp(new Browser(app), { ...signUpData(exam.authorityCode), ...over } as never);
      expect(r.status, what).toBe(status);
      expect(r.body.error.code, what).toBe(code);
      expect(r.body.error.messageZh, what).toMatch(/[\u4e00-\u9fff]/);
      expect(r.body.error.messageEn, what).toMatch(/^[\x20-\x7e]+$/);
    }
    const noCaptcha = await new Browser(app).post('/api/v1/accounts', signUpData(exam.authorityCode));
    expect(noCaptcha.body.error.code).toBe('VALIDATION_FAILED');
    const b = new Browser(app);
    await b.captcha();
    const wrongCaptcha = await b.post('/api/v1/accounts', { ...signUpData(exam.authorityCode), captchaId: 'x', captchaAnswer: 'y' });
    expect(wrongCaptcha.body.error.code).toBe('CAPTCHA_INVALID');
    const policy = await signUp(new Browser(app), signUpData(exam.authorityCode, { password: 'abcdefgh' }));
    expect(policy.body.error.details.problems).toContain('NEEDS_DIGIT');
    expect(await candidates()).toBe(n);
    expect(await outboxCount(t.db)).toBe(mails);
    expect((await new Browser(app).post('/api/v1/email-verifications', { token: 'short' })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await new Browser(app).post('/api/v1/email-verifications', { token: 'A'.repeat(43) })).body.error.code).toBe('VERIFY_LINK_INVALID');
  });

  it('mayClaim as a pure rule', () => {
    const now = new Date('2026-03-15T01:00:00Z');
    const roster = { login: 'ID_DOCUMENT' as const, name: '王思雨', id_type: 'RESIDENT_ID' as const, must_change_password: true, email_verified_at: null, email_claimed_at: null };
    const email = { account_style: 'EMAIL' as const };
    expect(mayClaim(roster, email, { name: '王思雨', idType: 'RESIDENT_ID' }, now)).toBe(true);
    expect(mayClaim(roster, { account_style: 'ID_DOCUMENT' }, { name: '王思雨', idType: 'RESIDENT_ID' }, now)).toBe(false);
    expect(mayClaim(roster, email, { name: '王思雨', idType: 'PASSPORT' }, now)).toBe(false);
    expect(mayClaim({ ...roster, must_change_password: false }, email, { name: '王思雨', idType: 'RESIDENT_ID' }, now)).toBe(false);
    const claim = { ...roster, login: 'EMAIL' as const, must_change_password: false, email_claimed_at: new Date(now.getTime() - 24 * HOUR) };
    expect(mayClaim(claim, email, { name: '王思雨', idType: 'RESIDENT_ID' }, now)).toBe(true);
    expect(mayClaim({ ...claim, email_claimed_at: new Date(now.getTime() - 24 * HOUR + MINUTE) }, email, { name: '王思雨', idType: 'RESIDENT_ID' }, now)).toBe(false);
    expect(mayClaim({ ...claim, email_verified_at: now }, email, { name: '王思雨', idType: 'RESIDENT_ID' }, now)).toBe(false);
  });
});

describe('contact e-mail of an ID-document account (ACC-5 needs an e-mail on file)', () => {
  it('needs the current password; counts only after its link is used; a 通行证 cannot use it', async () => {
    const idExam = await makeExam(t.db);
    const c = await makeCandidate(t.db, idExam);
    const b = new Browser(app);
    await b.signIn(idExam.authorityCode, c.idNumber, c.password);
    expect((await b.post('/api/v1/me/email', { email: 'li@example.cn', currentPassword: 'wrong' })).body.error.code).toBe('BAD_CREDENTIALS');
    expect(await outboxTo(t.db, 'li@example.cn')).toHaveLength(0);
    const r = await b.post('/api/v1/me/email', { email: 'Li@Example.cn', currentPassword: c.password });
    expect(r.status).toBe(202);
    expect(r.body).toEqual({ email: 'li@example.cn', verified: false });
    expect((await b.get('/api/v1/me')).body).toMatchObject({ accountType: 'ID_DOCUMENT', email: null, emailVerified: false });
    const mail = await lastMailTo(t.db, 'li@example.cn');
    expect(mail.kind).toBe('VERIFY_CONTACT_EMAIL');
    expect((await verify(new Browser(app), linkToken(mail.body_text, 'verify'))).status).toBe(200);
    expect((await b.get('/api/v1/me')).body).toMatchObject({ email: 'li@example.cn', emailVerified: true });

    const data = signUpData(exam.authorityCode);
    const eb = new Browser(app);
    await signUp(eb, data);
    await signInByEmail(eb, exam.authorityCode, data.email, data.password);
    expect((await eb.post('/api/v1/me/email', { email: 'x@example.cn', currentPassword: data.password })).body.error.code).toBe('EMAIL_IS_LOGIN');
  });
});

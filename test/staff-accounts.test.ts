import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';
import { buildTestApp } from './support/test-app.ts';
import { makeCandidate, makeExam, type ExamFixture } from './support/fixtures.ts';
import { Browser } from './support/http.ts';
import { makeInstitution, makeStaff, staffBrowser } from './support/staff-fixtures.ts';
import { ManualClock, MINUTE, HOUR } from '../src/shared/clock.ts';
import { STAFF_SESSION_COOKIE } from '../src/http/plugins/staff-auth.ts';
import { ROLE_PERMISSIONS } from '../src/modules/accounts/authorization.ts';
import { hashBearerToken } from '../src/shared/bearer-token.ts';
import { verifyPassword } from '../src/modules/accounts/password.ts';

let t: TestDatabase;
let app: FastifyInstance;
let exam: ExamFixture;
const clock = new ManualClock('2026-03-15T01:00:00Z');

beforeAll(async () => {
  t = await createTestDatabase();
  ({ app } = await buildTestApp(t, { clock }));
  exam = await makeExam(t.db);
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

const json = (x: unknown) => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
const audit = (action: string) => t.db.selectFrom('audit_log').selectAll().where('action', '=', action).orderBy('id').execute();
const signIn = async (b: Browser, prefix: string, loginName: string, password: string, authority = exam.authorityCode) =>
  b.post(`${prefix}/session`, { authority, loginName, password, ...(await b.captcha()) });

describe('staff sign-in and sessions (ADM-5, ACC-7 rules shared with candidates)', () => {
  it('signs in with a new session id, shows role, scope and permissions, and audits it with the address', async () => {
    const admin = await makeStaff(t.db, exam, 'AUTHORITY_ADMIN');
    const b = new Browser(app);
    const first = await signIn(b, '/api/v1/admin', admin.loginName.toUpperCase(), admin.password);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ staffId: String(admin.staffId), role: 'AUTHORITY_ADMIN', roleLabel: { zh: '考试机构管理员' }, institution: null, mustChangePassword: false });
    expect(first.body.permissions).toEqual([...ROLE_PERMISSIONS.AUTHORITY_ADMIN]);
    const token1 = b.cookie(STAFF_SESSION_COOKIE)!;
    expect(first.headers['set-cookie']).toMatch(/HttpOnly/);
    expect(first.headers['set-cookie']).toMatch(/SameSite=Strict/);
    // The table holds only the hash of the cookie value.
    const stored = await t.db.selectFrom('staff_session').select('id_hash').where('staff_id', '=', admin.staffId).execute();
    expect(stored.map((s) => s.id_hash.toString('hex'))).toEqual([hashBearerToken(token1).toString('hex')]);

    // Signing in again in the same browser replaces the session (new id, the old one is gone).
    await signIn(b, '/api/v1/admin', admin.loginName, admin.password);
    const token2 = b.cookie(STAFF_SESSION_COOKIE)!;
    expect(token2).not.toBe(token1);
    expect(await t.db.selectFrom('staff_session').select('id_hash').where('staff_id', '=', admin.staffId).execute()).toHaveLength(1);

    const entries = (await audit('staff.sign_in')).filter((e) => e.actor_id === admin.staffId);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ actor_type: 'STAFF', actor_role: 'AUTHORITY_ADMIN', authority_id: exam.authorityId, outcome: 'SUCCESS', ip: '127.0.0.1' });
    expect(entries[0]!.at.toISOString()).toBe(clock.now().toISOString());
  });

  it('a wrong password, a missing account and a disabled account answer the same; each failure is audited', async () => {
    const fin = await makeStaff(t.db, exam, 'FINANCE');
    const disabled = await makeStaff(t.db, exam, 'READ_ONLY');
    await t.db.updateTable('staff_account').set({ disabled_at: clock.now() }).where('id', '=', disabled.staffId).execute();
    const answers = [
      await signIn(new Browser(app), '/api/v1/admin', fin.loginName, 'wrong-Password1'),
      await signIn(new Browser(app), '/api/v1/admin', 'nobody-here', 'wrong-Password1'),
      await signIn(new Browser(app), '/api/v1/admin', disabled.loginName, disabled.password),
    ];
    for (const a of answers) {
      expect(a.status).toBe(401);
      expect(a.body.error).toMatchObject({ code: 'STAFF_BAD_CREDENTIALS', messageZh: '登录名或密码不正确。', messageEn: 'The login name or password is incorrect.' });
      expect(a.headers['set-cookie']).toBeUndefined();
    }
    const failures = (await audit('staff.sign_in')).filter((e) => e.outcome === 'FAILURE');
    expect(failures.map((f) => [f.actor_id, f.summary.reason])).toEqual(expect.arrayContaining([[fin.staffId, 'BAD_PASSWORD'], [null, 'NO_SUCH_ACCOUNT'], [disabled.staffId, 'DISABLED']]));
    // Nothing typed into the form is kept: not the password, not an unknown login name.
    const text = json(failures);
    expect(text).not.toContain('wrong-Password1');
    expect(text).not.toContain('nobody-here');
  });

  it('each role signs in on its own API only; a session is refused on the other one', async () => {
    const { institutionId } = await makeInstitution(t.db, exam.authorityId);
    const inst = await makeStaff(t.db, exam, 'INSTITUTION_STAFF', { institutionId });
    const admin = await makeStaff(t.db, exam, 'AUTHORITY_ADMIN');
    const wrong = await signIn(new Browser(app), '/api/v1/admin', inst.loginName, inst.password);
    expect(wrong.status).toBe(403);
    expect(wrong.body.error).toMatchObject({ code: 'STAFF_WRONG_CONSOLE', details: { console: 'institution' } });
    expect((await signIn(new Browser(app), '/api/v1/institution', admin.loginName, admin.password)).body.error.code).toBe('STAFF_WRONG_CONSOLE');

    const ib = await staffBrowser(app, inst);
    expect((await ib.get('/api/v1/institution/me')).body).toMatchObject({ role: 'INSTITUTION_STAFF', institution: { institutionId: String(institutionId) } });
    const cross = await ib.get('/api/v1/admin/me');
    expect(cross.status).toBe(403);
    expect(cross.body.error.code).toBe('STAFF_WRONG_CONSOLE');
  });

  it('idle timeout and absolute end; sign-out ends the session on the server', async () => {
    const ro = await makeStaff(t.db, exam, 'READ_ONLY');
    const b = await staffBrowser(app, ro);
    clock.advance(29 * MINUTE);
    expect((await b.get('/api/v1/admin/me')).status).toBe(200);
    // Idle for 30 minutes ends it, at most a minute later (last_seen_at moves once a minute), as for candidates.
    clock.advance(31 * MINUTE);
    const idle = await b.get('/api/v1/admin/me');
    expect(idle.status).toBe(401);
    expect(idle.body.error.code).toBe('SESSION_EXPIRED');

    const b2 = await staffBrowser(app, ro);
    for (let i = 0; i < 12 * 3; i++) {
      clock.advance(20 * MINUTE);
      if (i < 12 * 3 - 1) expect((await b2.get('/api/v1/admin/me')).status, `at ${i}`).toBe(200);
    }
    // 12 h after sign-in, activity or not.
    expect((await b2.get('/api/v1/admin/me')).body.error.code).toBe('SESSION_EXPIRED');

    const b3 = await staffBrowser(app, ro);
    const stolen = b3.cookie(STAFF_SESSION_COOKIE)!;
    expect((await b3.delete('/api/v1/admin/session')).status).toBe(204);
    const replay = await app.inject({ method: 'GET', url: '/api/v1/admin/me', cookies: { [STAFF_SESSION_COOKIE]: stolen } });
    expect(replay.statusCode).toBe(401);
    expect((await audit('staff.sign_out')).some((e) => e.actor_id === ro.staffId)).toBe(true);
    clock.advance(HOUR);
  });

  it('a candidate session is not a staff session, and a staff session is not a candidate one', async () => {
    const admin = await makeStaff(t.db, exam, 'AUTHORITY_ADMIN');
    const b = await staffBrowser(app, admin);
    expect((await b.get('/api/v1/registrations')).status).toBe(401);
    const forged = await app.inject({ method: 'GET', url: '/api/v1/admin/me', cookies: { exampay_sid: b.cookie(STAFF_SESSION_COOKIE)! } });
    expect(forged.statusCode).toBe(401);
  });

  it('the forced first change blocks everything else; the new password is enforced; other sessions end', async () => {
    const admin = await makeStaff(t.db, exam, 'AUTHORITY_ADMIN', { mustChangePassword: true });
    const b = await staffBrowser(app, admin);
    const other = await staffBrowser(app, admin);
    expect((await b.get('/api/v1/admin/me')).body.mustChangePassword).toBe(true);
    const blocked = await b.post('/api/v1/admin/candidates/search', {});
    expect(blocked.status).toBe(403);
    expect(blocked.body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');

    const same = await b.post('/api/v1/admin/me/password', { currentPassword: admin.password, newPassword: admin.password });
    expect(same.body.error).toMatchObject({ code: 'PASSWORD_POLICY', details: { problems: ['SAME_AS_INITIAL'] } });
    const withLogin = await b.post('/api/v1/admin/me/password', { currentPassword: admin.password, newPassword: `X1${admin.loginName}` });
    expect(withLogin.body.error.details.problems).toContain('CONTAINS_ID_NUMBER');
    const wrongCurrent = await b.post('/api/v1/admin/me/password', { currentPassword: 'nope', newPassword: 'NewStaff2026' });
    expect(wrongCurrent.body.error.code).toBe('STAFF_BAD_CREDENTIALS');

    expect((await b.post('/api/v1/admin/me/password', { currentPassword: admin.password, newPassword: 'NewStaff2026' })).status).toBe(204);
    expect((await b.post('/api/v1/admin/candidates/search', {})).status).toBe(200);
    expect((await other.get('/api/v1/admin/me')).status).toBe(401);
    const row = await t.db.selectFrom('staff_account').selectAll().where('id', '=', admin.staffId).executeTakeFirstOrThrow();
    expect(row.must_change_password).toBe(false);
    expect(await verifyPassword(row.password_hash, 'NewStaff2026')).toBe(true);
    expect(row.password_hash).toMatch(/^\$argon2id\$/);

    const changes = (await audit('staff.password_change')).filter((e) => e.actor_id === admin.staffId);
    expect(changes.map((c) => [c.outcome, c.summary.reason ?? null])).toEqual([
      ['FAILURE', 'PASSWORD_POLICY'], ['FAILURE', 'PASSWORD_POLICY'], ['FAILURE', 'BAD_CURRENT_PASSWORD'], ['SUCCESS', null],
    ]);
    expect(json(changes)).not.toContain('NewStaff2026');
  });
});

describe('staff accounts managed by the authority admin (ADM-5)', () => {
  it('creates an account with a one-time initial password that must be changed, and disables one', async () => {
    const admin = await makeStaff(t.db, exam, 'AUTHORITY_ADMIN');
    const { institutionId } = await makeInstitution(t.db, exam.authorityId);
    const b = await staffBrowser(app, admin);
    const created = await b.post('/api/v1/admin/staff', { loginName: 'Centre.Clerk', displayName: '学习中心老师', role: 'INSTITUTION_STAFF', institutionId: String(institutionId) });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ loginName: 'centre.clerk', role: 'INSTITUTION_STAFF', institutionId: String(institutionId), mustChangePassword: true });
    expect(created.body.initialPassword).toMatch(/^[A-Za-z0-9]{12}$/);
    expect((await b.post('/api/v1/admin/staff', { loginName: 'centre.clerk', displayName: 'x', role: 'FINANCE' })).body.error.code).toBe('STAFF_LOGIN_TAKEN');
    expect((await b.post('/api/v1/admin/staff', { loginName: 'no-inst', displayName: 'x', role: 'INSTITUTION_STAFF' })).body.error.code).toBe('VALIDATION_FAILED');

    const clerk = new Browser(app);
    const first = await signIn(clerk, '/api/v1/institution', 'centre.clerk', created.body.initialPassword);
    expect(first.body.mustChangePassword).toBe(true);

    const disabled = await b.post(`/api/v1/admin/staff/${created.body.staffId}/disable`);
    expect(disabled.status).toBe(200);
    expect(disabled.body.disabledAt).not.toBeNull();
    expect((await clerk.get('/api/v1/institution/me')).status).toBe(401);
    expect((await b.post(`/api/v1/admin/staff/${admin.staffId}/disable`)).body.error.code).toBe('STAFF_CANNOT_DISABLE_SELF');

    const log = (await t.db.selectFrom('audit_log').selectAll().where('actor_id', '=', admin.staffId).where('action', 'in', ['staff.create', 'staff.disable']).orderBy('id').execute());
    expect(log.map((e) => [e.action, e.object_type, e.object_id])).toEqual([['staff.create', 'staff', created.body.staffId], ['staff.disable', 'staff', created.body.staffId]]);
    expect(json(log)).not.toContain(created.body.initialPassword);
  });

  it('finance and read-only cannot manage staff; another authority\'s staff is not found', async () => {
    const other = await makeExam(t.db);
    const foreign = await makeStaff(t.db, other, 'FINANCE');
    const admin = await makeStaff(t.db, exam, 'AUTHORITY_ADMIN');
    for (const role of ['FINANCE', 'READ_ONLY'] as const) {
      const b = await staffBrowser(app, await makeStaff(t.db, exam, role));
      const r = await b.post('/api/v1/admin/staff', { loginName: `by-${role.toLowerCase()}`, displayName: 'x', role: 'FINANCE' });
      expect(r.status).toBe(403);
      expect(r.body.error).toMatchObject({ code: 'STAFF_FORBIDDEN', messageEn: 'Your role does not allow this action.' });
    }
    const b = await staffBrowser(app, admin);
    const r = await b.post(`/api/v1/admin/staff/${foreign.staffId}/disable`);
    expect(r.status).toBe(404);
    expect(r.body.error.code).toBe('STAFF_NOT_FOUND');
    expect((await t.db.selectFrom('staff_account').select('disabled_at').where('id', '=', foreign.staffId).executeTakeFirstOrThrow()).disabled_at).toBeNull();
  });
});

describe('the audit log through the API (ADM-4)', () => {
  it('an authority admin reads its own authority\'s entries, filtered by time, actor and action, newest first, paged', async () => {
    const e = await makeExam(t.db);
    const admin = await makeStaff(t.db, e, 'AUTHORITY_ADMIN');
    const fin = await makeStaff(t.db, e, 'FINANCE');
    const outsider = await makeExam(t.db);
    const otherAdmin = await makeStaff(t.db, outsider, 'AUTHORITY_ADMIN');
    const t0 = clock.now();
    await staffBrowser(app, fin);
    clock.advance(10 * MINUTE);
    await signIn(new Browser(app), '/api/v1/admin', fin.loginName, 'wrong-Password1', e.authorityCode);
    clock.advance(10 * MINUTE);
    await staffBrowser(app, otherAdmin);
    const b = await staffBrowser(app, admin);

    const all = (await b.get('/api/v1/admin/audit-log')).body;
    expect(all.map((x: { actor: { loginName: string }; action: string; outcome: string }) => [x.actor.loginName, x.action, x.outcome])).toEqual([
      [admin.loginName, 'staff.sign_in', 'SUCCESS'], [fin.loginName, 'staff.sign_in', 'FAILURE'], [fin.loginName, 'staff.sign_in', 'SUCCESS'],
    ]);
    expect(all[0]).toMatchObject({ actor: { type: 'STAFF', id: String(admin.staffId), role: 'AUTHORITY_ADMIN' }, ip: '127.0.0.1', object: null });
    expect(all[1].summary).toEqual({ reason: 'BAD_PASSWORD', surface: 'admin', lockedNow: null });

    const q = async (query: string) => (await b.get(`/api/v1/admin/audit-log?${query}`)).body.map((x: { entryId: string }) => x.entryId);
    expect(await q(`actorId=${fin.staffId}`)).toEqual([all[1].entryId, all[2].entryId]);
    expect(await q(`actorId=${fin.staffId}&from=${encodeURIComponent(new Date(t0.getTime() + 5 * MINUTE).toISOString())}`)).toEqual([all[1].entryId]);
    expect(await q(`to=${encodeURIComponent(new Date(t0.getTime() + 5 * MINUTE).toISOString())}`)).toEqual([all[2].entryId]);
    expect(await q('action=staff.password_change')).toEqual([]);
    expect(await q('limit=1')).toEqual([all[0].entryId]);
    expect(await q(`limit=1&beforeId=${all[0].entryId}`)).toEqual([all[1].entryId]);
    const foreign = await b.get(`/api/v1/admin/audit-log?actorId=${otherAdmin.staffId}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('STAFF_NOT_FOUND');
    expect((await b.get('/api/v1/admin/audit-log?from=yesterday')).body.error.code).toBe('VALIDATION_FAILED');

    const finance = await staffBrowser(app, await makeStaff(t.db, e, 'FINANCE'));
    expect((await finance.get('/api/v1/admin/audit-log')).body.error.code).toBe('STAFF_FORBIDDEN');
  });
});

describe('staff sign-in behind the captcha and the lockout (ACC-4, ACC-7), as for candidates', () => {
  it('ACC-4: no captcha, a wrong or a reused one: refused before any password is looked at, nothing audited', async () => {
    const admin = await makeStaff(t.db, exam, 'AUTHORITY_ADMIN');
    const before = (await audit('staff.sign_in')).length;
    const b = new Browser(app);
    const body = { authority: exam.authorityCode, loginName: admin.loginName, password: admin.password };
    expect(await b.post('/api/v1/admin/session', body)).toMatchObject({ status: 400, body: { error: { code: 'VALIDATION_FAILED' } } });
    const cap = await b.captcha();
    expect(await b.post('/api/v1/admin/session', { ...body, captchaId: cap.captchaId, captchaAnswer: 'nope' })).toMatchObject({ status: 400, body: { error: { code: 'CAPTCHA_INVALID' } } });
    expect(await b.post('/api/v1/admin/session', { ...body, ...cap })).toMatchObject({ status: 400, body: { error: { code: 'CAPTCHA_INVALID' } } });
    // Another browser's captcha is no good either: it is bound to the one that asked for it.
    const other = await new Browser(app).captcha();
    expect(await b.post('/api/v1/admin/session', { ...body, ...other })).toMatchObject({ status: 400, body: { error: { code: 'CAPTCHA_INVALID' } } });
    expect((await audit('staff.sign_in')).length).toBe(before);
    expect((await signIn(b, '/api/v1/admin', admin.loginName, admin.password)).status).toBe(200);
  });

  it('ACC-7: five wrong passwords lock the login name for 15 minutes — the right password too — with Retry-After; then it opens again', async () => {
    const fin = await makeStaff(t.db, exam, 'FINANCE');
    const b = new Browser(app);
    for (let i = 1; i <= 4; i++) {
      expect(await signIn(b, '/api/v1/admin', fin.loginName, `Wrong${i}pass`)).toMatchObject({ status: 401, body: { error: { code: 'STAFF_BAD_CREDENTIALS', details: { attemptsLeft: 5 - i } } } });
    }
    const fifth = await signIn(b, '/api/v1/admin', fin.loginName, 'Wrong5pass');
    expect(fifth).toMatchObject({ status: 429, body: { error: { code: 'ACCOUNT_LOCKED' } } });
    const locked = await signIn(b, '/api/v1/admin', fin.loginName, fin.password);
    expect(locked).toMatchObject({ status: 429, body: { error: { code: 'ACCOUNT_LOCKED' } } });
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    // The same login name in upper case is the same account; a candidate's counter is another key.
    expect((await signIn(b, '/api/v1/admin', fin.loginName.toUpperCase(), fin.password)).status).toBe(429);
    const entries = (await audit('staff.sign_in')).filter((e) => e.authority_id === exam.authorityId && e.outcome === 'FAILURE').slice(-2);
    expect(entries.map((e) => e.summary)).toEqual([expect.objectContaining({ reason: 'LOCKED', scope: 'ACCOUNT' }), expect.objectContaining({ reason: 'LOCKED', scope: 'ACCOUNT' })]);
    clock.advance(16 * MINUTE);
    expect((await signIn(b, '/api/v1/admin', fin.loginName, fin.password)).status).toBe(200);
    // A success starts the count over.
    expect(await signIn(new Browser(app), '/api/v1/admin', fin.loginName, 'Wrong6pass')).toMatchObject({ status: 401, body: { error: { details: { attemptsLeft: 4 } } } });
  });
});

describe('candidate sign-ins and password changes in the audit log (ADM-4, OPS-6)', () => {
  it('each goes through accountEvent into audit_log: success, failure, refused change, change — no password, no ID number', async () => {
    const c = await makeCandidate(t.db, exam, { mustChangePassword: true });
    const b = new Browser(app);
    expect((await b.signIn(exam.authorityCode, c.idNumber, 'Wrong2026x')).status).toBe(401);
    expect((await b.signIn(exam.authorityCode, c.idNumber, c.password)).status).toBe(200);
    expect((await b.post('/api/v1/me/password', { currentPassword: c.password, newPassword: 'short' })).status).toBe(400);
    expect((await b.post('/api/v1/me/password', { currentPassword: c.password, newPassword: 'Audit2026ok' })).status).toBe(204);
    const rows = await t.db.selectFrom('audit_log').selectAll().where('actor_type', '=', 'CANDIDATE').where('actor_id', '=', c.candidateId).orderBy('id').execute();
    expect(rows.map((r) => [r.action, r.outcome, (r.summary as { event: string }).event])).toEqual([
      ['candidate.sign_in', 'FAILURE', 'SIGN_IN_FAILED'],
      ['candidate.sign_in', 'SUCCESS', 'SIGN_IN_SUCCEEDED'],
      ['candidate.password_change', 'FAILURE', 'PASSWORD_CHANGE_REFUSED'],
      ['candidate.password_change', 'SUCCESS', 'PASSWORD_CHANGED'],
    ]);
    expect(rows.every((r) => r.authority_id === exam.authorityId && r.ip === '127.0.0.1' && r.object_id === String(c.candidateId))).toBe(true);
    expect(rows[3]!.summary).toMatchObject({ forced: true, otherSessionsEnded: 0 });
    const text = JSON.stringify(rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));
    for (const secret of [c.idNumber, c.password, 'Wrong2026x', 'Audit2026ok']) expect(text).not.toContain(secret);
  });
});

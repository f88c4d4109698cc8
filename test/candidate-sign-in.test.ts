import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';
import { buildTestApp } from './support/test-app.ts';
import { makeCandidate, makeExam, type ExamFixture } from './support/fixtures.ts';
import { Browser } from './support/http.ts';
import { ManualClock, MINUTE } from '../src/shared/clock.ts';
import { SESSION_COOKIE } from '../src/http/plugins/auth.ts';
import { initialPassword, passwordProblems } from '../src/modules/accounts/password.ts';

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

const signIn = (b: Browser, idNumber: string, password: string) => b.post('/api/v1/session', { authority: exam.authorityCode, idNumber, password });

describe('initial password and forced change (ACC-2)', () => {
  it('initial password is the last 6 characters of the ID, or the exam\'s fixed one', () => {
    expect(initialPassword({ initial_password_rule: 'ID_LAST6', initial_password_fixed: null }, '11010519491231002X')).toBe('31002X');
    expect(initialPassword({ initial_password_rule: 'FIXED', initial_password_fixed: 'Ks@2026' }, '11010519491231002X')).toBe('Ks@2026');
  });

  it('first sign-in works with the initial password but blocks everything until it is changed', async () => {
    const c = await makeCandidate(t.db, exam, { mustChangePassword: true });
    const b = new Browser(app);
    const r = await signIn(b, c.idNumber, c.password);
    expect(r.status).toBe(200);
    expect(r.body.mustChangePassword).toBe(true);
    // OPS-6: masked as docs/personal-data.md says.
    expect(r.body.idNumberMasked).toBe(`${c.idNumber.slice(0, 4)}**********${c.idNumber.slice(-4)}`);
    expect(r.body.phoneMasked).toBe(`${c.phone.slice(0, 3)}****${c.phone.slice(-4)}`);
    expect((await b.get('/api/v1/registrations')).body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    expect((await b.post('/api/v1/bills', { registrationIds: c.registrationIds.map(String) })).body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');

    // The policy is enforced by the server: the initial password, the ID number, too short, no digit.
    for (const [bad, problem] of [['12345678', 'NEEDS_LETTER'], [`a${c.idNumber.slice(0, 15)}`, 'CONTAINS_ID_NUMBER'], ['abc123', 'LENGTH'], ['abcdefghij', 'NEEDS_DIGIT']] as const) {
      const res = await b.post('/api/v1/me/password', { currentPassword: c.password, newPassword: bad });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.code).toBe('PASSWORD_POLICY');
      expect(res.body.error.details.problems).toContain(problem);
    }
    const wrongCurrent = await b.post('/api/v1/me/password', { currentPassword: 'nope', newPassword: 'Better2026x' });
    expect(wrongCurrent.body.error.code).toBe('BAD_CREDENTIALS');

    expect((await b.post('/api/v1/me/password', { currentPassword: c.password, newPassword: 'Better2026x' })).status).toBe(204);
    expect((await b.get('/api/v1/registrations')).status).toBe(200);
    // The old password no longer works; the new one does.
    expect((await signIn(new Browser(app), c.idNumber, c.password)).body.error.code).toBe('BAD_CREDENTIALS');
    expect((await signIn(new Browser(app), c.idNumber, 'Better2026x')).status).toBe(200);
  });

  it('password rules as a pure function', () => {
    expect(passwordProblems('Abcdef12', { initial: '123456', idNumber: '110105199001011234' })).toEqual([]);
    expect(passwordProblems('Abc def12', { initial: 'x', idNumber: 'y' })).toContain('ILLEGAL_CHARACTER');
    expect(passwordProblems('Abcdefgh12345678X', { initial: 'x', idNumber: 'y' })).toContain('LENGTH');
    expect(passwordProblems('Ab_-!@#$%^&*12', { initial: 'x', idNumber: 'y' })).toEqual([]);
    // Any 8 characters in a row from the ID number, e.g. the birth date, are refused.
    expect(passwordProblems('Me19900307', { initial: 'x', idNumber: '110105199003071234' })).toContain('CONTAINS_ID_NUMBER');
    expect(passwordProblems('Me1990030', { initial: 'x', idNumber: '110105199003071234' })).not.toContain('CONTAINS_ID_NUMBER');
  });
});

describe('sign-in and sessions (ACC-7, minimal)', () => {
  it('a wrong password and a missing account answer identically', async () => {
    const c = await makeCandidate(t.db, exam);
    const wrong = await signIn(new Browser(app), c.idNumber, 'Wrong2026x');
    const missing = await signIn(new Browser(app), '110105199912319999', 'Wrong2026x');
    expect(wrong.status).toBe(401);
    expect(missing.status).toBe(401);
    expect(wrong.body).toEqual(missing.body);
  });

  it('a new sign-in gets a new session id and ends the one the browser had', async () => {
    const c = await makeCandidate(t.db, exam);
    const b = new Browser(app);
    await signIn(b, c.idNumber, c.password);
    const first = b.cookie(SESSION_COOKIE)!;
    await signIn(b, c.idNumber, c.password);
    const second = b.cookie(SESSION_COOKIE)!;
    expect(second).not.toBe(first);
    const stale = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: `${SESSION_COOKIE}=${first}` } });
    expect(stale.statusCode).toBe(401);
    expect((await b.get('/api/v1/me')).status).toBe(200);
  });

  it('the cookie is HttpOnly and SameSite=Strict', async () => {
    const c = await makeCandidate(t.db, exam);
    const res = await app.inject({ method: 'POST', url: '/api/v1/session', headers: { 'content-type': 'application/json', 'x-exampay-request': '1' }, payload: { authority: exam.authorityCode, idNumber: c.idNumber, password: c.password } });
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
  });

  it('sign-out ends the session on the server', async () => {
    const c = await makeCandidate(t.db, exam);
    const b = new Browser(app);
    await signIn(b, c.idNumber, c.password);
    const token = b.cookie(SESSION_COOKIE)!;
    expect((await b.delete('/api/v1/session')).status).toBe(204);
    const replay = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: `${SESSION_COOKIE}=${token}` } });
    expect(replay.json().error.code).toBe('NOT_SIGNED_IN');
  });

  it('a session idle for 30 minutes expires; activity keeps it alive', async () => {
    const c = await makeCandidate(t.db, exam);
    const b = new Browser(app);
    await signIn(b, c.idNumber, c.password);
    clock.advance(20 * MINUTE);
    expect((await b.get('/api/v1/me')).status).toBe(200);
    clock.advance(20 * MINUTE);
    expect((await b.get('/api/v1/me')).status).toBe(200);
    clock.advance(31 * MINUTE);
    const r = await b.get('/api/v1/me');
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('SESSION_EXPIRED');
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';
import { buildTestApp } from './support/test-app.ts';
import { makeCandidate, makeExam, type ExamFixture } from './support/fixtures.ts';
import { Browser } from './support/http.ts';
import { ManualClock, MINUTE } from '../src/shared/clock.ts';
import { SESSION_COOKIE } from '../src/http/plugins/auth.ts';
import { initialPassword, passwordProblems } from '../src/modules/accounts/password.ts';
import { concreteUrl, routeTable } from './support/route-table.ts';

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

const signIn = (b: Browser, idNumber: string, password: string) => b.signIn(exam.authorityCode, idNumber, password);

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
    expect(r.body.idNumberMasked).toMatch(/^\d{3}\*+\w{4}$/);
    expect(r.body.idNumberMasked).not.toContain(c.idNumber.slice(3, 14));
    expect((await b.get('/api/v1/registrations')).body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    expect((await b.post('/api/v1/bills', { registrationIds: c.registrationIds.map(String) })).body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');

    // The policy is enforced by the server, each broken rule named with its own code and words.
    for (const [bad, problem] of [['12345678', 'NEEDS_LETTER'], [`a${c.idNumber.slice(0, 15)}`, 'CONTAINS_ID_NUMBER'], ['abc123', 'TOO_SHORT'], ['abcdefghij', 'NEEDS_DIGIT'],
      [c.password, 'SAME_AS_INITIAL'], [`Kq${c.idNumber.slice(-6)}z`, 'CONTAINS_ID_LAST6'], ['Woaini1314', 'COMMON_PASSWORD'], ['Kp7wq2m+z', 'ILLEGAL_CHARACTER'], ['Kp7wq2mzKp7wq2mzK', 'TOO_LONG']] as const) {
      const res = await b.post('/api/v1/me/password', { currentPassword: c.password, newPassword: bad });
      expect(res.status, JSON.stringify(res.body)).toBe(400);
      expect(res.body.error.code).toBe('PASSWORD_POLICY');
      expect(res.body.error.details.problems).toContain(problem);
      const said = res.body.error.details.messages.find((m: { code: string }) => m.code === problem);
      expect(said.messageZh).toMatch(/[\u4e00-\u9fff]/);
      expect(said.messageEn).toMatch(/[a-z]/);
    }
    const wrongCurrent = await b.post('/api/v1/me/password', { currentPassword: 'nope', newPassword: 'Better2026x' });
    expect(wrongCurrent.body.error.code).toBe('BAD_CREDENTIALS');

    expect((await b.post('/api/v1/me/password', { currentPassword: c.password, newPassword: 'Better2026x' })).status).toBe(204);
    expect((await b.get('/api/v1/registrations')).status).toBe(200);
    // The old password no longer works; the new one does.
    expect((await signIn(new Browser(app), c.idNumber, c.password)).body.error.code).toBe('BAD_CREDENTIALS');
    expect((await signIn(new Browser(app), c.idNumber, 'Better2026x')).status).toBe(200);
  });

  it('password rules as a pure function (more in password-policy.test.ts)', () => {
    expect(passwordProblems('Kbcdef12', { initial: '123456', idNumber: '110105199001011234' })).toEqual([]);
    expect(passwordProblems('Abc def12', { initial: 'x', idNumber: 'y' })).toContain('ILLEGAL_CHARACTER');
    expect(passwordProblems('Abcdefgh12345678X', { initial: 'x', idNumber: 'y' })).toContain('TOO_LONG');
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
    const missing = await signIn(new Browser(app), '110105199912319991', 'Wrong2026x');
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
    const res = await new Browser(app).signIn(exam.authorityCode, c.idNumber, c.password);
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

describe('sessions (ACC-7): fixation, replacement, timeouts', () => {
  it('session fixation: a cookie planted before sign-in is never the session after it', async () => {
    const victim = await makeCandidate(t.db, exam);
    // A value the attacker made up …
    const b = new Browser(app);
    const planted = 'A'.repeat(43);
    b.setCookie(SESSION_COOKIE, planted);
    const r = await signIn(b, victim.idNumber, victim.password);
    expect(r.status).toBe(200);
    expect(b.cookie(SESSION_COOKIE)).toBeDefined();
    expect(b.cookie(SESSION_COOKIE)).not.toBe(planted);
    const withPlanted = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: `${SESSION_COOKIE}=${planted}` } });
    expect(withPlanted.statusCode).toBe(401);

    // … or the attacker's own valid session, planted in the victim's browser.
    const attacker = await makeCandidate(t.db, exam);
    const a = new Browser(app);
    await signIn(a, attacker.idNumber, attacker.password);
    const attackerToken = a.cookie(SESSION_COOKIE)!;
    const v = new Browser(app);
    v.setCookie(SESSION_COOKIE, attackerToken);
    const signedIn = await signIn(v, victim.idNumber, victim.password);
    expect(signedIn.body.candidateId).toBe(String(victim.candidateId));
    const victimToken = v.cookie(SESSION_COOKIE)!;
    expect(victimToken).not.toBe(attackerToken);
    // The planted token never became the victim's: it is gone altogether.
    const replay = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: `${SESSION_COOKIE}=${attackerToken}` } });
    expect(replay.statusCode).toBe(401);
    expect((await v.get('/api/v1/me')).body.candidateId).toBe(String(victim.candidateId));
  });

  it('a second candidate signing in in the same browser replaces the first (seed 004: one person per browser)', async () => {
    const first = await makeCandidate(t.db, exam);
    const second = await makeCandidate(t.db, exam);
    const b = new Browser(app);
    await signIn(b, first.idNumber, first.password);
    const firstToken = b.cookie(SESSION_COOKIE)!;
    await signIn(b, second.idNumber, second.password);
    expect((await b.get('/api/v1/me')).body.candidateId).toBe(String(second.candidateId));
    const old = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: `${SESSION_COOKIE}=${firstToken}` } });
    expect(old.statusCode).toBe(401);
    expect(await t.db.selectFrom('candidate_session').select('candidate_id').where('candidate_id', '=', first.candidateId).execute()).toEqual([]);
  });

  it('idle timeout edges: never sooner than 30 minutes after the last request, at most a minute later', async () => {
    const c = await makeCandidate(t.db, exam);
    const b = new Browser(app);
    await signIn(b, c.idNumber, c.password);
    // Requests within a minute of the last recorded one are not written down …
    clock.advance(59_000);
    expect((await b.get('/api/v1/me')).status).toBe(200);
    // … yet the session still lives 30 minutes after that request (here: 30 min 59 s after sign-in).
    clock.advance(30 * MINUTE - 1);
    expect((await b.get('/api/v1/me')).status).toBe(200);
    // That request was recorded; 30 minutes of silence after it is not yet the end …
    clock.advance(30 * MINUTE);
    expect((await b.get('/api/v1/me')).status).toBe(200);
    // … and 31 minutes after the last recorded request is.
    clock.advance(31 * MINUTE);
    const r = await b.get('/api/v1/me');
    expect(r.body.error.code).toBe('SESSION_EXPIRED');
    // The expired session is removed on the server, not only refused.
    expect((await b.get('/api/v1/me')).body.error.code).toBe('NOT_SIGNED_IN');
  });

  it('a session idle 30 minutes and 1 minute is over even if the cookie comes back', async () => {
    const c = await makeCandidate(t.db, exam);
    const b = new Browser(app);
    await signIn(b, c.idNumber, c.password);
    clock.advance(31 * MINUTE);
    expect((await b.get('/api/v1/me')).body.error.code).toBe('SESSION_EXPIRED');
  });

  it('activity does not extend a session past its absolute end (12 hours)', async () => {
    const c = await makeCandidate(t.db, exam);
    const b = new Browser(app);
    await signIn(b, c.idNumber, c.password);
    for (let i = 0; i < 24; i++) {
      clock.advance(29 * MINUTE);
      expect((await b.get('/api/v1/me')).status, `after ${(i + 1) * 29} minutes`).toBe(200);
    }
    clock.advance(25 * MINUTE); // 12 h 01 min after sign-in, 25 minutes after the last request
    expect((await b.get('/api/v1/me')).body.error.code).toBe('SESSION_EXPIRED');
  });

  it('a password change ends the account\'s other sessions and keeps this one', async () => {
    const c = await makeCandidate(t.db, exam);
    const phone = new Browser(app);
    const laptop = new Browser(app);
    await signIn(phone, c.idNumber, c.password);
    await signIn(laptop, c.idNumber, c.password);
    expect((await laptop.post('/api/v1/me/password', { currentPassword: c.password, newPassword: 'Laptop2026ok' })).status).toBe(204);
    expect((await laptop.get('/api/v1/me')).status).toBe(200);
    expect((await phone.get('/api/v1/me')).body.error.code).toBe('NOT_SIGNED_IN');
  });
});

describe('CSRF (ACC-7): every state-changing /api route refuses a request without the header', () => {
  it('is checked on the routes the app actually has, before any of them runs', async () => {
    const c = await makeCandidate(t.db, exam);
    const b = new Browser(app);
    await signIn(b, c.idNumber, c.password);
    const routes = routeTable(app);
    const changing = routes.filter((r) => !['GET', 'HEAD', 'OPTIONS'].includes(r.method));
    const apiChanging = changing.filter((r) => r.url.startsWith('/api/'));
    // Routes outside /api that change state are the channels' own callbacks and return pages,
    // which come from other sites by design and carry their own signatures.
    expect(changing.filter((r) => !r.url.startsWith('/api/')).map((r) => `${r.method} ${r.url}`).sort()).toEqual(['POST /notify/:channel', 'POST /pay/return/:channel']);
    expect(apiChanging.length).toBeGreaterThanOrEqual(10);
    const before = await snapshot(c.candidateId);
    for (const r of apiChanging) {
      for (const headers of [{ 'x-exampay-request': '' }, { 'x-exampay-request': '0' }, { 'x-exampay-request': 'true' }]) {
        const res = await b.request(r.method as 'POST' | 'DELETE', concreteUrl(r.url), r.method === 'DELETE' ? undefined : {}, headers);
        expect(res.status, `${r.method} ${r.url}`).toBe(403);
        expect(res.body.error.code, `${r.method} ${r.url}`).toBe('CSRF_REJECTED');
        expect(res.body.error.messageEn).toBeTruthy();
      }
      // A cross-site HTML form cannot add headers at all: a form post is refused the same way.
      const form = await app.inject({ method: r.method as 'POST', url: concreteUrl(r.url), headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: `${SESSION_COOKIE}=${b.cookie(SESSION_COOKIE)}` }, payload: 'a=1' });
      expect(form.statusCode, `${r.method} ${r.url} as a form`).toBe(403);
    }
    expect(await snapshot(c.candidateId)).toEqual(before);
    // The control: with the header, the same session works.
    expect((await b.delete('/api/v1/session')).status).toBe(204);
  });
});

async function snapshot(candidateId: bigint) {
  const [sessions, bills, regs, candidate] = await Promise.all([
    t.db.selectFrom('candidate_session').select((eb) => eb.fn.countAll<string>().as('n')).where('candidate_id', '=', candidateId).executeTakeFirstOrThrow(),
    t.db.selectFrom('bill').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    t.db.selectFrom('registration').select(['id', 'status', 'slot_id']).where('candidate_id', '=', candidateId).orderBy('id').execute(),
    t.db.selectFrom('candidate').select(['password_hash', 'must_change_password']).where('id', '=', candidateId).executeTakeFirstOrThrow(),
  ]);
  return { sessions: sessions.n, bills: bills.n, regs, candidate };
}

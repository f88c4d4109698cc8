import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { accountKey, addressKey } from '../src/modules/accounts/sign-in-throttle.repo.ts';
import type { AppContext } from '../src/modules/context.ts';
import { ManualClock, MINUTE } from '../src/shared/clock.ts';
import { residentIdCheckChar } from '../src/shared/resident-id.ts';
import { formatShanghai } from '../src/shared/time.ts';
import { makeCandidate, makeExam, type CandidateFixture, type ExamFixture } from './support/fixtures.ts';
import { Browser } from './support/http.ts';
import { buildTestApp } from './support/test-app.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';

let t: TestDatabase;
let app: FastifyInstance;
let ctx: AppContext;
let exam: ExamFixture;
const clock = new ManualClock('2026-03-15T01:00:00Z');

beforeAll(async () => {
  t = await createTestDatabase({ poolSize: 12 });
  ({ app, ctx } = await buildTestApp(t, { clock }));
  exam = await makeExam(t.db);
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

let addressSeq = 0;
/** A browser at an address of its own, so one test's failures do not count against another's. */
const browserAt = (address = `10.1.${Math.floor(++addressSeq / 250)}.${addressSeq % 250}`) => new Browser(app, { remoteAddress: address });
let missingSeq = 0;
/** A valid 居民身份证 number nobody has an account with. */
const missingId = () => {
  const first17 = `31010419850101${String(++missingSeq).padStart(3, '0')}`;
  return first17 + residentIdCheckChar(first17);
};
const attempt = (b: Browser, idNumber: string, password: string) => b.signIn(exam.authorityCode, idNumber, password);
const plusMinutes = (m: number) => new Date(clock.now().getTime() + m * MINUTE);

describe('lockout per account (ACC-7)', () => {
  it('five failures in 15 minutes lock the account; the answer says until when (Beijing time and seconds) with 429 and Retry-After; a missing account gets exactly the same answers', async () => {
    const c = await makeCandidate(t.db, exam);
    const ghost = missingId();
    const b = browserAt();
    for (let i = 1; i <= 5; i++) {
      const real = await attempt(b, c.idNumber, `Wrong${i}pass`);
      const missing = await attempt(b, ghost, `Wrong${i}pass`);
      expect(missing.status).toBe(real.status);
      expect(missing.body).toEqual(real.body);
      expect(missing.headers['retry-after']).toBe(real.headers['retry-after']);
      expect(missing.headers['set-cookie']).toBeUndefined();
      if (i < 5) {
        expect(real.status).toBe(401);
        expect(real.body.error).toMatchObject({ code: 'BAD_CREDENTIALS', details: { attemptsLeft: 5 - i } });
      }
    }
    const until = plusMinutes(15);
    const locked = await attempt(b, c.idNumber, c.password); // the right password changes nothing now
    expect(locked.status).toBe(429);
    expect(locked.headers['retry-after']).toBe('900');
    expect(locked.body.error).toMatchObject({
      code: 'ACCOUNT_LOCKED',
      details: { lockedUntil: until.toISOString(), lockedUntilShanghai: formatShanghai(until), retryAfterSeconds: 900 },
    });
    expect(locked.body.error.messageZh).toContain(`北京时间 ${formatShanghai(until)}（900 秒后）`);
    expect(locked.body.error.messageEn).toContain(`${formatShanghai(until)} Beijing time (in 900 seconds)`);
    const lockedWrong = await attempt(b, c.idNumber, 'Wrong9pass');
    const lockedMissing = await attempt(b, ghost, c.password);
    expect(lockedWrong.body).toEqual(locked.body);
    expect(lockedMissing.body).toEqual(locked.body);
    expect(lockedMissing.headers['retry-after']).toBe('900');
  });

  it('the lockout ends by itself; the right password then works and resets the counter; a repeat lockout lasts twice as long', async () => {
    const c = await makeCandidate(t.db, exam);
    const b = browserAt();
    for (let i = 0; i < 5; i++) await attempt(b, c.idNumber, 'Wrong2026x');
    clock.advance(15 * MINUTE - 1000);
    const lastSecond = await attempt(b, c.idNumber, c.password);
    expect(lastSecond.status).toBe(429);
    expect(lastSecond.headers['retry-after']).toBe('1');
    clock.advance(1000);
    expect((await attempt(b, c.idNumber, c.password)).status).toBe(200);
    // The success reset the counter: four failures later, the account is still open.
    for (let i = 4; i >= 1; i--) expect((await attempt(browserAt(), c.idNumber, 'Wrong2026x')).body.error.details.attemptsLeft).toBe(i);
    expect((await attempt(browserAt(), c.idNumber, c.password)).status).toBe(200);

    // Without a success in between, the next lockout is longer.
    const d = await makeCandidate(t.db, exam);
    for (let i = 0; i < 5; i++) await attempt(b, d.idNumber, 'Wrong2026x');
    clock.advance(15 * MINUTE);
    for (let i = 0; i < 4; i++) expect((await attempt(b, d.idNumber, 'Wrong2026x')).status).toBe(401);
    const second = await attempt(b, d.idNumber, 'Wrong2026x');
    expect(second.status).toBe(429);
    expect(second.headers['retry-after']).toBe('1800');
    clock.advance(30 * MINUTE);
    expect((await attempt(b, d.idNumber, d.password)).status).toBe(200);
  });

  it('writing the number differently (lower-case x, spaces, full-width digits) does not buy fresh attempts', async () => {
    const first17 = `11010519880808${String(++missingSeq).padStart(3, '0')}`;
    const check = residentIdCheckChar(first17);
    const base = first17 + check;
    const variants = [base, base.toLowerCase(), `${base.slice(0, 6)} ${base.slice(6, 14)} ${base.slice(14)}`,
      base.replace(/\d/g, (d) => String.fromCharCode(0xff10 + Number(d))), `${base.slice(0, 6)}-${base.slice(6)}`];
    const b = browserAt();
    const answers = [];
    for (const v of variants) answers.push((await attempt(b, v, 'Wrong2026x')).body.error.code);
    expect(answers).toEqual(['BAD_CREDENTIALS', 'BAD_CREDENTIALS', 'BAD_CREDENTIALS', 'BAD_CREDENTIALS', 'ACCOUNT_LOCKED']);
  });

  it('20 simultaneous wrong attempts cannot slip past the limit: exactly 4 are answered as wrong, the rest as locked', async () => {
    const c = await makeCandidate(t.db, exam);
    const b = browserAt();
    // One captcha per attempt, fetched one by one (the first sets the browser's visitor cookie).
    const captchas = [];
    for (let i = 0; i < 20; i++) captchas.push(await b.captcha());
    const answers = await Promise.all(captchas.map((cap, i) =>
      b.post('/api/v1/session', { authority: exam.authorityCode, idNumber: c.idNumber, password: `Wrong${i}pass`, ...cap })));
    const codes = answers.map((a) => a.body.error.code);
    expect(codes.filter((x) => x === 'BAD_CREDENTIALS')).toHaveLength(4);
    expect(codes.filter((x) => x === 'ACCOUNT_LOCKED')).toHaveLength(16);
    expect((await attempt(b, c.idNumber, c.password)).status).toBe(429);
    const row = await t.db.selectFrom('sign_in_throttle').selectAll().where('key', '=', accountKey(exam.authorityCode, c.idNumber)).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ kind: 'ACCOUNT', failures: 0, lockouts: 1, locked_until: plusMinutes(15) });
  });

  it('the counters hold no ID number', async () => {
    const rows = await t.db.selectFrom('sign_in_throttle').selectAll().execute();
    expect(rows.length).toBeGreaterThan(0);
    const c = await makeCandidate(t.db, exam);
    await attempt(browserAt(), c.idNumber, 'Wrong2026x');
    const raw = await t.pool.query('SELECT encode(key, \'escape\') AS k, kind FROM sign_in_throttle');
    for (const r of raw.rows) expect(r.k).not.toContain(c.idNumber.slice(0, 10));
  });
});

describe('throttling per address, across accounts (credential stuffing)', () => {
  it('100 failures from one address lock that address, for real accounts too; other addresses are not affected; it ends by itself', async () => {
    const c = await makeCandidate(t.db, exam);
    const stuffer = browserAt('198.51.100.7');
    let last;
    for (let account = 0; account < 25; account++) {
      const id = missingId();
      for (let i = 0; i < 4; i++) last = await attempt(stuffer, id, `Guess${i}pass`);
    }
    expect(last!.status).toBe(429);
    expect(last!.body.error.code).toBe('SIGN_IN_THROTTLED');
    expect(last!.headers['retry-after']).toBe('900');
    const blocked = await attempt(stuffer, c.idNumber, c.password);
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('SIGN_IN_THROTTLED');
    expect(blocked.body.error.messageZh).toContain('北京时间');
    expect((await attempt(browserAt('198.51.100.8'), c.idNumber, c.password)).status).toBe(200);
    clock.advance(15 * MINUTE);
    expect((await attempt(stuffer, c.idNumber, c.password)).status).toBe(200);
  });

  it('the address is what Fastify trusts: X-Forwarded-For only counts behind TRUST_PROXY', async () => {
    const c = await makeCandidate(t.db, exam);
    const direct = browserAt('192.0.2.10');
    for (const spoof of ['203.0.113.1', '203.0.113.2']) {
      await direct.post('/api/v1/session', { authority: exam.authorityCode, idNumber: c.idNumber, password: 'Wrong2026x', ...(await direct.captcha()) }, { 'x-forwarded-for': spoof });
    }
    const failures = async (ip: string) => (await t.db.selectFrom('sign_in_throttle').select('failures').where('key', '=', addressKey(ip)).executeTakeFirst())?.failures;
    expect(await failures('192.0.2.10')).toBe(2);
    expect(await failures('203.0.113.1')).toBeUndefined();

    const proxied = await buildTestApp(t, { clock, trustProxy: true });
    try {
      const behindProxy = new Browser(proxied.app, { remoteAddress: '10.0.0.1' });
      const r = await behindProxy.post('/api/v1/session', { authority: exam.authorityCode, idNumber: c.idNumber, password: 'Wrong2026x', ...(await behindProxy.captcha()) }, { 'x-forwarded-for': '203.0.113.50' });
      expect(r.status).toBe(401);
      expect(await failures('203.0.113.50')).toBe(1);
      expect(await failures('10.0.0.1')).toBeUndefined();
    } finally {
      await proxied.app.close();
    }
  });
});

describe('account enumeration at sign-in', () => {
  it('a wrong password and a missing account take the same time (medians of many attempts), while a skipped password check would show', async () => {
    const N = 40;
    const existing: CandidateFixture[] = [];
    for (let i = 0; i < N + 3; i++) existing.push(await makeCandidate(t.db, exam));
    const b = browserAt('10.77.0.1');
    const timed = async (idNumber: string, password: string) => {
      const cap = await b.captcha();
      const started = performance.now();
      const r = await b.post('/api/v1/session', { authority: exam.authorityCode, idNumber, password, ...cap });
      return { ms: performance.now() - started, r };
    };
    // Warm-up (JIT, connections), not measured.
    for (let i = 0; i < 3; i++) {
      await timed(existing[N + i]!.idNumber, 'Wrong2026x');
      await timed(missingId(), 'Wrong2026x');
    }
    const wrong: number[] = [];
    const missing: number[] = [];
    for (let i = 0; i < N; i++) {
      // Interleaved, in alternating order, so a burst of load on the machine hits both alike.
      const one = () => timed(existing[i]!.idNumber, 'Wrong2026x');
      const other = () => timed(missingId(), 'Wrong2026x');
      let a, m;
      if (i % 2) { a = await one(); m = await other(); } else { m = await other(); a = await one(); }
      expect(a.r.status).toBe(401);
      expect(m.r.body).toEqual(a.r.body);
      expect(Object.keys(m.r.headers).sort()).toEqual(Object.keys(a.r.headers).sort());
      expect(m.r.headers['content-length']).toBe(a.r.headers['content-length']);
      wrong.push(a.ms);
      missing.push(m.ms);
    }
    // The control: an answer that skips the argon2id check (here a locked account) is plainly faster,
    // so a missing-account shortcut would be caught by the comparison below.
    const ghost = missingId();
    for (let i = 0; i < 5; i++) await timed(ghost, 'Wrong2026x');
    const locked: number[] = [];
    for (let i = 0; i < N; i++) locked.push((await timed(ghost, 'Wrong2026x')).ms);

    const [mw, mm, ml] = [median(wrong), median(missing), median(locked)];
    const report = `medians: wrong password ${mw.toFixed(1)} ms, missing account ${mm.toFixed(1)} ms, no password check ${ml.toFixed(1)} ms`;
    // Same work on both paths. On a 2-core machine with other test files running beside this one,
    // medians of 40 still wander by up to ~15%; a skipped password check moves them by ~50%.
    expect(Math.abs(mw - mm), report).toBeLessThanOrEqual(Math.max(10, 0.3 * Math.max(mw, mm)));
    expect(ml, report).toBeLessThan(0.6 * Math.min(mw, mm));
  });
});

describe('account events for the audit log', () => {
  it('sign-ins (success, failure, locked) and password changes go through accountEvent, without passwords or full ID numbers', async () => {
    const lines: string[] = [];
    const original = ctx.log;
    ctx.log = pino({ level: 'info' }, new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } }));
    try {
      const c = await makeCandidate(t.db, exam, { mustChangePassword: true });
      const b = browserAt();
      await attempt(b, c.idNumber, c.password);
      expect((await b.post('/api/v1/me/password', { currentPassword: c.password, newPassword: 'Woaini1314' })).status).toBe(400);
      expect((await b.post('/api/v1/me/password', { currentPassword: c.password, newPassword: 'Audit2026ok' })).status).toBe(204);
      for (let i = 0; i < 6; i++) await attempt(b, c.idNumber, 'Wrong2026x');
    } finally {
      ctx.log = original;
    }
    const events = lines.map((l) => JSON.parse(l).accountEvent).filter(Boolean);
    expect(events.map((e) => e.kind)).toEqual([
      'SIGN_IN_SUCCEEDED', 'PASSWORD_CHANGE_REFUSED', 'PASSWORD_CHANGED',
      'SIGN_IN_FAILED', 'SIGN_IN_FAILED', 'SIGN_IN_FAILED', 'SIGN_IN_FAILED', 'SIGN_IN_FAILED', 'SIGN_IN_REFUSED_LOCKED',
    ]);
    expect(events[1]).toMatchObject({ reason: 'POLICY', problems: ['COMMON_PASSWORD'] });
    expect(events[2]).toMatchObject({ forced: true });
    expect(events[7]).toMatchObject({ lockedNow: 'ACCOUNT' });
    expect(events[0].idNumberMasked).toMatch(/^\d{3}\*{11}\w{4}$/);
    const all = lines.join('\n');
    for (const secret of ['Audit2026ok', 'Woaini1314', 'Wrong2026x']) expect(all).not.toContain(secret);
    expect(all).not.toMatch(/\d{17}[\dX]/);
  });
});

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { loadConfig } from '../src/config.ts';
import { newChallenge, normaliseAnswer } from '../src/modules/accounts/captcha.ts';
import { purgeExpiredJob } from '../src/jobs/purge-expired.job.ts';
import type { AppContext } from '../src/modules/context.ts';
import { ManualClock, MINUTE } from '../src/shared/clock.ts';
import { makeCandidate, makeExam, type ExamFixture } from './support/fixtures.ts';
import { Browser } from './support/http.ts';
import { buildTestApp } from './support/test-app.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';

let t: TestDatabase;
let app: FastifyInstance;
let ctx: AppContext;
let exam: ExamFixture;
const clock = new ManualClock('2026-03-15T01:00:00Z');

beforeAll(async () => {
  t = await createTestDatabase();
  ({ app, ctx } = await buildTestApp(t, { clock }));
  exam = await makeExam(t.db);
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

const signInWith = (b: Browser, c: { idNumber: string; password: string }, captcha: { captchaId: string; captchaAnswer: string }) =>
  b.post('/api/v1/session', { authority: exam.authorityCode, idNumber: c.idNumber, password: c.password, ...captcha });

describe('captcha challenges (ACC-4)', () => {
  it('text captchas use only unambiguous characters; arithmetic answers are the sum or difference, never negative', () => {
    for (let i = 0; i < 500; i++) {
      const text = newChallenge('TEXT');
      expect(text.shown).toMatch(/^[34679ACDEFGHJKLMNPQRTUVWXY]{4}$/);
      expect(text.answer).toBe(text.shown);
      const sum = newChallenge('ARITHMETIC');
      const m = /^(\d+)([+-])(\d+)=\?$/.exec(sum.shown)!;
      expect(m).not.toBeNull();
      const expected = m[2] === '+' ? Number(m[1]) + Number(m[3]) : Number(m[1]) - Number(m[3]);
      expect(sum.answer).toBe(String(expected));
      expect(expected).toBeGreaterThanOrEqual(0);
    }
  });

  it('answers ignore case, spaces and full-width forms', () => {
    expect(normaliseAnswer(' ab 3c ')).toBe('AB3C');
    expect(normaliseAnswer('１２')).toBe('12');
  });
});

describe('captcha on sign-in (ACC-4)', () => {
  it('an image is an SVG data URL; the answer is not in the response unless CAPTCHA_TEST_MODE is on', async () => {
    const b = new Browser(app);
    const r = await b.post('/api/v1/captchas', { kind: 'ARITHMETIC' });
    expect(r.status).toBe(201);
    expect(r.body.image).toMatch(/^data:image\/svg\+xml;base64,/);
    expect(Buffer.from(r.body.image.split(',')[1], 'base64').toString()).toMatch(/^<svg /);
    expect(r.body.kind).toBe('ARITHMETIC');
    // The test app opts in; the default configuration does not, and live mode refuses it.
    expect(r.body.testAnswer).toMatch(/^\d+$/);
    expect(loadConfig({}).captchaTestMode).toBe(false);
    expect(() => loadConfig({ CAPTCHA_TEST_MODE: 'true', NODE_ENV: 'production' })).toThrow(/CAPTCHA_TEST_MODE must be off/);
  });

  it('sign-in without a captcha is refused before the password is looked at', async () => {
    const c = await makeCandidate(t.db, exam);
    const r = await new Browser(app).post('/api/v1/session', { authority: exam.authorityCode, idNumber: c.idNumber, password: c.password });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
  });

  it('a wrong answer is refused and uses the captcha up: the right answer afterwards is refused too', async () => {
    const c = await makeCandidate(t.db, exam);
    const b = new Browser(app);
    const cap = await b.captcha();
    const wrong = await signInWith(b, c, { ...cap, captchaAnswer: cap.captchaAnswer === 'AAAA' ? 'CCCC' : 'AAAA' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.code).toBe('CAPTCHA_INVALID');
    expect(wrong.body.error.messageZh).toContain('验证码');
    const again = await signInWith(b, c, cap);
    expect(again.body.error.code).toBe('CAPTCHA_INVALID');
    expect(b.cookie('exampay_sid')).toBeUndefined();
  });

  it('a captcha answers once: a second sign-in with the same captcha is refused', async () => {
    const c = await makeCandidate(t.db, exam);
    const b = new Browser(app);
    const cap = await b.captcha();
    expect((await signInWith(b, c, cap)).status).toBe(200);
    expect((await signInWith(b, c, cap)).body.error.code).toBe('CAPTCHA_INVALID');
  });

  it('two requests racing with one captcha: exactly one gets past it', async () => {
    const c = await makeCandidate(t.db, exam);
    const b = new Browser(app);
    const cap = await b.captcha();
    const results = await Promise.all(Array.from({ length: 8 }, () => signInWith(b, c, cap)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.body?.error?.code === 'CAPTCHA_INVALID')).toHaveLength(7);
  });

  it('expires after 5 minutes: at 4:59 it works, at 5:00 it is refused as expired', async () => {
    const c = await makeCandidate(t.db, exam);
    const b = new Browser(app);
    const early = await b.captcha();
    const late = await b.captcha();
    clock.advance(5 * MINUTE - 1000);
    expect((await signInWith(b, c, early)).status).toBe(200);
    clock.advance(1000);
    const r = await signInWith(b, c, late);
    expect(r.body.error.code).toBe('CAPTCHA_EXPIRED');
  });

  it('is bound to the browser that asked: another browser cannot answer it', async () => {
    const c = await makeCandidate(t.db, exam);
    const asker = new Browser(app);
    const cap = await asker.captcha();
    const thief = new Browser(app);
    await thief.captcha(); // the thief has a visitor cookie of its own
    expect((await signInWith(thief, c, cap)).body.error.code).toBe('CAPTCHA_INVALID');
    const noCookie = await app.inject({ method: 'POST', url: '/api/v1/session', headers: { 'content-type': 'application/json', 'x-exampay-request': '1' },
      payload: { authority: exam.authorityCode, idNumber: c.idNumber, password: c.password, ...cap } });
    expect(noCookie.json().error.code).toBe('CAPTCHA_INVALID');
  });

  it('the visitor cookie is HttpOnly and SameSite=Strict, and kept across captchas', async () => {
    const b = new Browser(app);
    const first = await b.post('/api/v1/captchas', {});
    expect(String(first.headers['set-cookie'])).toMatch(/exampay_vid=.*HttpOnly.*SameSite=Strict/i);
    const vid = b.cookie('exampay_vid');
    await b.post('/api/v1/captchas', {});
    expect(b.cookie('exampay_vid')).toBe(vid);
  });

  it('an unknown kind is bad input and stores nothing', async () => {
    const before = await t.db.selectFrom('captcha').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const r = await new Browser(app).post('/api/v1/captchas', { kind: 'AUDIO' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('VALIDATION_FAILED');
    const after = await t.db.selectFrom('captcha').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('the housekeeping job deletes captchas an hour after they expired, and only those', async () => {
    const b = new Browser(app);
    await b.captcha();
    clock.advance(5 * MINUTE + 60 * MINUTE + 1000);
    const fresh = await b.captcha();
    const r = await purgeExpiredJob.execute(ctx);
    expect(r.captchas).toBeGreaterThanOrEqual(1);
    const left = await t.db.selectFrom('captcha').select('expires_at').execute();
    expect(left.every((row) => row.expires_at.getTime() > clock.now().getTime() - 60 * MINUTE)).toBe(true);
    const c = await makeCandidate(t.db, exam);
    expect((await signInWith(b, c, fresh)).status).toBe(200);
  });
});

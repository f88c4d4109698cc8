import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfiguration, seedConfigurationFiles } from '../src/demo/seed-configurations.ts';
import { PASSWORD_PROBLEMS } from '../src/modules/accounts/password-policy.ts';
import { loadConfiguration, parseConfiguration, type LoadedExam } from '../src/modules/exams/load-configuration.ts';
import type { AppContext } from '../src/modules/context.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { makeCandidate, makeExam, type ExamFixture } from './support/fixtures.ts';
import { Browser } from './support/http.ts';
import { routeTable, sampleRequest } from './support/route-table.ts';
import { buildTestApp } from './support/test-app.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';

let t: TestDatabase;
let app: FastifyInstance;
let ctx: AppContext;
let exam: ExamFixture;
const clock = new ManualClock('2026-03-15T01:00:00Z');
const seeds: Record<string, LoadedExam> = {};

beforeAll(async () => {
  t = await createTestDatabase();
  ({ app, ctx } = await buildTestApp(t, { clock }));
  exam = await makeExam(t.db);
  for (const file of seedConfigurationFiles().filter((f) => /\/00[23]-/.test(f))) {
    const config = readConfiguration(file);
    seeds[config.exam.code] = (await loadConfiguration(ctx, config, clock.now()))!;
  }
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

async function firstSignIn(loaded: LoadedExam, name: string) {
  const account = loaded.accounts.find((a) => a.name === name)!;
  const b = new Browser(app);
  const r = await b.signIn(loaded.authorityCode, account.idNumber, account.password);
  expect(r.status).toBe(200);
  expect(r.body.mustChangePassword).toBe(true);
  return { b, account };
}
const change = (b: Browser, currentPassword: string, newPassword: string) => b.post('/api/v1/me/password', { currentPassword, newPassword });

describe('each exam\'s own policy, enforced at the server (ACC-3)', () => {
  it('CET (seed 002): at least 8 with a letter, a digit and one of !@#$%^&*_-, no upper limit of its own', async () => {
    const { b, account } = await firstSignIn(seeds.CET!, '王思雨');
    const policy = (await b.get('/api/v1/me/password-policy')).body;
    expect(policy).toMatchObject({ minLength: 8, maxLength: null, requiredClasses: ['LETTER', 'DIGIT', 'SPECIAL'], specialCharacters: '!@#$%^&*_-', caseSensitive: true });
    expect(policy.summaryZh).toContain('至少包含一个特殊字符（!@#$%^&*_-）');
    const refused = await change(b, account.password, 'Kp7wq2mzx');
    expect(refused.body.error).toMatchObject({ code: 'PASSWORD_POLICY', details: { problems: ['NEEDS_SPECIAL'] } });
    expect(refused.body.error.details.messages[0].messageZh).toContain('特殊字符');
    expect((await change(b, account.password, 'Kp7wq2mz+x')).body.error.details.problems).toEqual(['NEEDS_SPECIAL', 'ILLEGAL_CHARACTER']); // + is not one of them
    expect((await change(b, account.password, 'Kp7wq2mz_Kp7wq2mz_Kp7wq2mz')).status).toBe(204); // 26 characters: fine here
  });

  it('湖南医考 (seed 003): the fixed initial password 123456 is refused, as are its look-alikes', async () => {
    const { b, account } = await firstSignIn(seeds['YSZG-HN']!, '彭志刚');
    expect(account.password).toBe('123456');
    expect((await change(b, account.password, '123456')).body.error.details.problems).toEqual(['TOO_SHORT', 'NEEDS_LETTER', 'SAME_AS_INITIAL', 'SAME_AS_CURRENT', 'COMMON_PASSWORD']);
    expect((await change(b, account.password, 'a123456')).body.error.details.problems).toEqual(['TOO_SHORT', 'COMMON_PASSWORD']);
    expect((await change(b, account.password, 'qq123456')).body.error.details.problems).toEqual(['COMMON_PASSWORD']);
    // Nothing of the ID number: the birth date, the last six.
    const birth = account.idNumber.slice(6, 14);
    expect((await change(b, account.password, `Ab${birth}`)).body.error.details.problems).toEqual(['CONTAINS_ID_NUMBER']);
    expect((await change(b, account.password, `Abc${account.idNumber.slice(-6)}`)).body.error.details.problems).toEqual(['CONTAINS_ID_LAST6']);
    // Until the change is made, nothing else works.
    expect((await b.get('/api/v1/bills')).body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    expect((await change(b, account.password, 'Hunan2026ok')).status).toBe(204);
    expect((await b.get('/api/v1/bills')).status).toBe(200);
    // A later change may not reuse the current password.
    expect((await change(b, 'Hunan2026ok', 'Hunan2026ok')).body.error.details.problems).toEqual(['SAME_AS_CURRENT']);
  });

  it('the public endpoint gives a page the policy before sign-in; an unknown exam is a coded 404', async () => {
    const anon = new Browser(app);
    const cet = await anon.get(`/api/v1/authorities/${seeds.CET!.authorityCode}/exams/CET/password-policy`);
    expect(cet.status).toBe(200);
    expect(cet.body.maxLength).toBeNull();
    const rulesCovered = new Set(cet.body.rules.flatMap((r: { codes: string[] }) => r.codes));
    for (const code of PASSWORD_PROBLEMS) expect(rulesCovered.has(code) || ['NEEDS_LOWER', 'NEEDS_UPPER'].includes(code), code).toBe(true);
    const missing = await anon.get(`/api/v1/authorities/${seeds.CET!.authorityCode}/exams/NOPE/password-policy`);
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe('EXAM_NOT_FOUND');
  });

  it('a configuration carries its policy into the exam; an impossible one is refused when loaded', async () => {
    const base = readConfiguration(seedConfigurationFiles().find((f) => f.endsWith('001-shanghai-zizhu.json'))!);
    const strict = parseConfiguration({ ...structuredClone(base), authority: { code: 'PWX1', name: '口令测试' },
      exam: { ...base.exam, passwordPolicy: { minLength: 10, maxLength: 20, requiredClasses: ['LOWER', 'UPPER', 'DIGIT'], specialCharacters: '#' } } });
    await loadConfiguration(ctx, strict, clock.now());
    const policy = (await new Browser(app).get(`/api/v1/authorities/PWX1/exams/${base.exam.code}/password-policy`)).body;
    expect(policy).toMatchObject({ minLength: 10, maxLength: 20, requiredClasses: ['LOWER', 'UPPER', 'DIGIT'], specialCharacters: '#' });
    const impossible = { ...structuredClone(base), authority: { code: 'PWX2', name: '口令测试' }, exam: { ...base.exam, passwordPolicy: { minLength: 12, maxLength: 10, requiredClasses: [], specialCharacters: '' } } };
    await expect(loadConfiguration(ctx, parseConfiguration(impossible), clock.now())).rejects.toThrow(/maxLength 10 is below minLength 12/);
    const badSpecials = { ...structuredClone(base), exam: { ...base.exam, passwordPolicy: { minLength: 8, maxLength: 16, requiredClasses: [], specialCharacters: 'a b' } } };
    expect(() => parseConfiguration(badSpecials)).toThrow(/specialCharacters/);
  });
});

describe('the API document describes the policy from the policy itself', () => {
  it('the change-password route points at the policy endpoint and lists every problem code', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    const op = doc.paths['/api/v1/me/password'].post;
    expect(op.description).toContain('GET /api/v1/me/password-policy');
    expect(op.description).toContain('8–16 characters long');
    for (const code of PASSWORD_PROBLEMS) expect(op.description).toContain(code);
    expect(doc.paths['/api/v1/me/password-policy'].get).toBeDefined();
    expect(doc.paths['/api/v1/authorities/{authority}/exams/{exam}/password-policy'].get).toBeDefined();
    const signIn = doc.paths['/api/v1/session'].post;
    expect(signIn.responses['429']).toBeDefined();
    expect(signIn.description).toContain('ID_NUMBER_CHECK_DIGIT');
  });
});

describe('the forced first change keeps blocking everything else (ACC-2)', () => {
  it('every candidate API route, read from the app\'s route table, refuses a candidate who has not changed the initial password', async () => {
    const c = await makeCandidate(t.db, exam, { mustChangePassword: true });
    const b = new Browser(app);
    expect((await b.signIn(exam.authorityCode, c.idNumber, c.password)).status).toBe(200);
    // What a candidate may still do: see who is signed in, read the policy, change the password, sign out (or in again).
    const allowed = new Set(['GET /api/v1/me', 'GET /api/v1/me/password-policy', 'POST /api/v1/me/password', 'DELETE /api/v1/session', 'POST /api/v1/session']);
    // Routes anyone may call, signed in or not.
    const anonymousOk = new Set(['POST /api/v1/captchas', 'POST /api/v1/accounts', 'POST /api/v1/email-verifications', 'POST /api/v1/password-resets', 'POST /api/v1/password-resets/confirm', 'POST /api/v1/account-recoveries', 'POST /api/v1/payer-lookups', 'DELETE /api/v1/payer-lookups/current', 'GET /api/v1/authorities/:authority/exams/:exam/password-policy', 'GET /api/openapi.json',
      // Documents anyone may ask for (DOC-1 verification, DOC-2 quick print).
      'GET /api/v1/public/receipts/:code', 'POST /api/v1/public/admission-tickets',
      // The waiting room's status and poll (docs/waiting-room.md): no session lookup by design; the guarded routes check it after admission.
      'GET /api/v1/waiting-room', 'POST /api/v1/waiting-room',
      // 关联申诉 (docs/appeals.md): filed by someone who cannot sign in to the record, with a captcha.
      'POST /api/v1/link-appeals']);
    // The staff APIs are not the candidate's: a candidate session is no staff session there (401,
    // the access-control suite checks every one of them).
    const routes = routeTable(app).filter((r) => r.url.startsWith('/api/v1/') && r.method !== 'HEAD' && !/^\/api\/v1\/(admin|institution)\//.test(r.url))
      .filter((r) => !allowed.has(`${r.method} ${r.url}`) && !anonymousOk.has(`${r.method} ${r.url}`));
    expect(routes.length).toBeGreaterThanOrEqual(10);
    const before = await t.db.selectFrom('registration').select(['id', 'status']).where('candidate_id', '=', c.candidateId).orderBy('id').execute();
    // Each request is one the route's own schema accepts (parameters and body made from the API
    // document), so it gets past validation to the session check.
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    for (const r of routes) {
      const sample = sampleRequest(doc, r.method, r.url);
      const res = await b.request(r.method as 'GET' | 'POST' | 'DELETE', sample.url, r.method === 'POST' ? (sample.body ?? {}) : undefined);
      expect({ route: `${r.method} ${r.url}`, status: res.status, code: res.body.error?.code }).toEqual({ route: `${r.method} ${r.url}`, status: 403, code: 'PASSWORD_CHANGE_REQUIRED' });
    }
    // Real ids do no better.
    const billed = await b.post('/api/v1/bills', { registrationIds: c.registrationIds.map(String) });
    expect(billed.body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');
    expect(await t.db.selectFrom('registration').select(['id', 'status']).where('candidate_id', '=', c.candidateId).orderBy('id').execute()).toEqual(before);
    expect(await t.db.selectFrom('bill').select('id').where('candidate_id', '=', c.candidateId).execute()).toEqual([]);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';
import { buildTestApp } from './support/test-app.ts';
import { makeCandidate, makeExam, type CandidateFixture, type ExamFixture } from './support/fixtures.ts';
import { Browser } from './support/http.ts';

let t: TestDatabase;
let app: FastifyInstance;
let exam: ExamFixture;
let cand: CandidateFixture;
let signedIn: Browser;

beforeAll(async () => {
  t = await createTestDatabase();
  ({ app } = await buildTestApp(t));
  exam = await makeExam(t.db);
  cand = await makeCandidate(t.db, exam);
  signedIn = new Browser(app);
  const r = await signedIn.signIn(exam.authorityCode, cand.idNumber, cand.password);
  expect(r.status).toBe(200);
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

function expectCodedError(res: { status: number; body: any }, status: number, code: string) { // eslint-disable-line @typescript-eslint/no-explicit-any
  expect(res.status).toBe(status);
  expect(res.body.error.code).toBe(code);
  expect(res.body.error.messageZh).toMatch(/[\u4e00-\u9fff]/);
  expect(res.body.error.messageEn).toMatch(/^[\x20-\x7e]+$/);
}

const VALID_BILL = '202603150000000000000';

describe('bad input gets a coded error in Chinese and English and changes nothing (OPS-5)', () => {
  const cases: [string, 'POST' | 'GET', string, unknown, number, string][] = [
    ['sign-in without fields', 'POST', '/api/v1/session', {}, 400, 'VALIDATION_FAILED'],
    ['sign-in with a number as password', 'POST', '/api/v1/session', { authority: 'X', idNumber: '110105', password: 12 }, 400, 'VALIDATION_FAILED'],
    ['sign-in with an extra field', 'POST', '/api/v1/session', { authority: 'X', idNumber: '110105', password: 'p', admin: true }, 400, 'VALIDATION_FAILED'],
    ['sign-in with broken JSON', 'POST', '/api/v1/session', '{"authority":', 400, 'MALFORMED_BODY'],
    ['confirm with no registrations', 'POST', '/api/v1/bills', { registrationIds: [] }, 400, 'VALIDATION_FAILED'],
    ['confirm with a non-numeric id', 'POST', '/api/v1/bills', { registrationIds: ['1; DROP TABLE bill'] }, 400, 'VALIDATION_FAILED'],
    ['confirm with a repeated id', 'POST', '/api/v1/bills', { registrationIds: ['1', '1'] }, 400, 'VALIDATION_FAILED'],
    ['bill with a malformed number', 'GET', '/api/v1/bills/12345', undefined, 400, 'VALIDATION_FAILED'],
    ['bill with a wrong check digit', 'GET', `/api/v1/bills/${VALID_BILL.slice(0, -1)}9`, undefined, 404, 'BILL_NOT_FOUND'],
    ['agreement not accepted', 'POST', `/api/v1/bills/${VALID_BILL}/agreement`, { accepted: false }, 400, 'VALIDATION_FAILED'],
    ['payment with an odd channel name', 'POST', `/api/v1/bills/${VALID_BILL}/payments`, { channel: 'Ali Pay!' }, 400, 'VALIDATION_FAILED'],
    ['cancel with a malformed bill number', 'POST', '/api/v1/bills/2026-03-15/cancel', undefined, 400, 'VALIDATION_FAILED'],
    ['cancel of a bill that does not exist', 'POST', `/api/v1/bills/${VALID_BILL}/cancel`, undefined, 404, 'BILL_NOT_FOUND'],
    ['status check of a bill that does not exist', 'POST', `/api/v1/bills/${VALID_BILL}/status-check`, undefined, 404, 'BILL_NOT_FOUND'],
    ['payment with no body', 'POST', `/api/v1/bills/${VALID_BILL}/payments`, undefined, 400, 'VALIDATION_FAILED'],
    ['password change with no new password', 'POST', '/api/v1/me/password', { currentPassword: 'x' }, 400, 'VALIDATION_FAILED'],
    ['unknown route', 'GET', '/api/v1/nothing-here', undefined, 404, 'NOT_FOUND'],
  ];
  for (const [name, method, url, body, status, code] of cases) {
    it(name, async () => {
      const before = await counts();
      expectCodedError(await signedIn.request(method, url, body), status, code);
      expect(await counts()).toEqual(before);
    });
  }

  it('answers in English when asked', async () => {
    const r = await signedIn.request('POST', '/api/v1/bills', { registrationIds: [] }, { 'accept-language': 'en-US,en;q=0.9' });
    expect(r.body.error.message).toBe(r.body.error.messageEn);
    const zh = await signedIn.request('POST', '/api/v1/bills', { registrationIds: [] });
    expect(zh.body.error.message).toBe(zh.body.error.messageZh);
  });

  it('a form-encoded body on a JSON endpoint is refused as unsupported', async () => {
    const r = await app.inject({ method: 'POST', url: '/api/v1/session', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-exampay-request': '1' }, payload: 'a=b' });
    expectCodedError({ status: r.statusCode, body: r.json() }, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('a state-changing call without the CSRF header is refused before it runs', async () => {
    const before = await counts();
    const r = await signedIn.request('POST', '/api/v1/bills', { registrationIds: cand.registrationIds.map(String) }, { 'x-exampay-request': '' });
    expectCodedError(r, 403, 'CSRF_REJECTED');
    expect(await counts()).toEqual(before);
  });

  it('candidate endpoints need a session', async () => {
    const anon = new Browser(app);
    expectCodedError(await anon.get('/api/v1/bills'), 401, 'NOT_SIGNED_IN');
    expectCodedError(await anon.post('/api/v1/bills', { registrationIds: ['1'] }), 401, 'NOT_SIGNED_IN');
  });
});

describe('the OpenAPI document', () => {
  it('lists every API route with its coded error response', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
    expect(doc.openapi).toMatch(/^3\./);
    for (const path of ['/api/v1/session', '/api/v1/me', '/api/v1/me/password', '/api/v1/registrations', '/api/v1/bills', '/api/v1/bills/{billNo}',
      '/api/v1/bills/{billNo}/agreement', '/api/v1/bills/{billNo}/cancel', '/api/v1/bills/{billNo}/payments', '/api/v1/bills/{billNo}/status-check', '/notify/{channel}', '/healthz']) {
      expect(doc.paths[path], path).toBeDefined();
    }
    for (const [path, ops] of Object.entries<Record<string, any>>(doc.paths)) { // eslint-disable-line @typescript-eslint/no-explicit-any
      if (!path.startsWith('/api/v1/')) continue;
      for (const [method, op] of Object.entries(ops)) {
        const bad = op.responses['400'];
        expect(bad, `${method} ${path} documents 400`).toBeDefined();
        expect(JSON.stringify(bad)).toContain('ErrorBody');
      }
    }
    expect(doc.components.schemas.ErrorBody).toBeDefined();
  });

  it('is browsable at /api/docs', async () => {
    const r = await app.inject({ method: 'GET', url: '/api/docs/' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('swagger');
  });
});

async function counts() {
  const [bills, sessions] = await Promise.all([
    t.db.selectFrom('bill').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow(),
    t.db.selectFrom('candidate').select(['password_hash']).where('id', '=', cand.candidateId).executeTakeFirstOrThrow(),
  ]);
  return { bills: bills.n, password: sessions.password_hash };
}

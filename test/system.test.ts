import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createDb } from '../src/db/database.ts';
import { scrubLogLine } from '../src/shared/logger.ts';
import { channelRegistry } from '../src/modules/context.ts';
import { Browser } from './support/http.ts';
import { buildApp } from '../src/http/app.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';
import { buildTestApp, TEST_SESSION } from './support/test-app.ts';
import { makeCandidate, makeExam } from './support/fixtures.ts';
import { freePort } from './support/free-port.ts';
import { TEST_PERSONAL_DATA } from './support/test-keys.ts';
import { testLogger } from './support/test-log.ts';

let t: TestDatabase;
let app: FastifyInstance;
beforeAll(async () => {
  t = await createTestDatabase();
  ({ app } = await buildTestApp(t));
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

describe('operations endpoints', () => {
  it('/healthz checks the database', async () => {
    const r = await app.inject({ method: 'GET', url: '/healthz' });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ status: 'ok', database: 'ok' });
  });

  it('/healthz answers 503 when the database is unreachable', async () => {
    const { db } = createDb(`postgres://nobody:x@127.0.0.1:${await freePort()}/none`);
    const log = testLogger();
    const down = await buildApp({
      ctx: { db, clock: new ManualClock(), channels: channelRegistry([]), log, publicBaseUrl: 'http://x', personalData: TEST_PERSONAL_DATA },
      logger: log, config: { session: TEST_SESSION, secureCookies: false, captchaTestMode: true, publicBaseUrl: 'http://x' },
    });
    const r = await down.inject({ method: 'GET', url: '/healthz' });
    expect(r.statusCode).toBe(503);
    expect(r.json().status).toBe('unavailable');
    await down.close();
    await db.destroy();
  });

  it('/metrics exposes request durations by route pattern, never by bill number', async () => {
    await app.inject({ method: 'GET', url: '/api/v1/bills/202603150000000000000' });
    const r = await app.inject({ method: 'GET', url: '/metrics' });
    expect(r.statusCode).toBe(200);
    expect(r.body).toContain('exampay_http_request_duration_seconds_bucket');
    expect(r.body).toContain('route="/api/v1/bills/:billNo"');
    expect(r.body).not.toContain('202603150000000000000');
    expect(r.body).toContain('process_cpu_user_seconds_total');
  });
});

describe('logs never hold secrets or ID numbers (OPS-6)', () => {
  const capture = () => {
    const lines: string[] = [];
    return { lines, log: testLogger(new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } })) };
  };

  it('redacts passwords, ID numbers, phones, card numbers, keys and cookies wherever they appear, to three levels', () => {
    const { lines, log } = capture();
    log.info({ idNumber: '110105199003071239', password: 'Secret2026', candidate: { id_number: '110105199003071239', password_hash: '$argon2id$x', phone: '13800138000' }, body: { newPassword: 'N3wSecret' }, cfg: { privateKeyPem: '-----BEGIN PRIVATE KEY-----' } }, 'x');
    log.info({ req: { headers: { cookie: 'exampay_sid=abc' } }, a: { b: { accNo: '6217000010001234567', sessionId: 'S3ssionValue' } } }, 'y');
    const out = lines.join('');
    for (const secret of ['110105199003071239', 'Secret2026', '$argon2id$x', '13800138000', 'N3wSecret', 'BEGIN PRIVATE KEY', 'exampay_sid=abc', '6217000010001234567', 'S3ssionValue']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });

  it('a resident ID number or session cookie in free text, an error message or a URL is masked in the finished line', () => {
    const { lines, log } = capture();
    log.error({ err: new Error('duplicate key 11010519900307123X for 110105199003071239') }, 'insert failed for 110105199003071239; cookie exampay_sid=T0k3nValue');
    expect(scrubLogLine('see 110105199003071239 and 110105199003071230')).toBe('see 1101**********1239 and 110105199003071230');
    const out = lines.join('');
    expect(out).not.toContain('110105199003071239');
    expect(out).toContain('1101**********1239');
    expect(out).not.toContain('T0k3nValue');
  });

  it('a sign-in, right or wrong, leaves neither password nor ID number in the request log; personal query parameters are hidden', async () => {
    const { lines, log } = capture();
    const exam = await makeExam(t.db);
    const c = await makeCandidate(t.db, exam);
    const logged = await buildApp({
      ctx: { db: t.db, clock: new ManualClock(), channels: channelRegistry([]), log, publicBaseUrl: 'http://x', personalData: TEST_PERSONAL_DATA },
      logger: log, config: { session: TEST_SESSION, secureCookies: false, captchaTestMode: true, publicBaseUrl: 'http://x' },
    });
    for (const password of [c.password, 'Wrong2026pw']) {
      await new Browser(logged).signIn(exam.authorityCode, c.idNumber, password);
    }
    await logged.inject({ method: 'GET', url: `/api/v1/me?idNumber=E12345678&phone=${c.phone}&channel=alipay` });
    await logged.close();
    const out = lines.join('');
    expect(out).toContain('incoming request');
    expect(out).toContain('idNumber=[redacted]&phone=[redacted]&channel=alipay');
    for (const secret of [c.idNumber, c.password, 'Wrong2026pw', 'E12345678', c.phone]) expect(out).not.toContain(secret);
  });
});

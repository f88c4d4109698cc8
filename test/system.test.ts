import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { createDb } from '../src/db/database.ts';
import { REDACT_PATHS } from '../src/shared/logger.ts';
import { channelRegistry } from '../src/modules/context.ts';
import { Browser } from './support/http.ts';
import { buildApp } from '../src/http/app.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';
import { buildTestApp, TEST_SESSION } from './support/test-app.ts';
import { makeCandidate, makeExam } from './support/fixtures.ts';
import { freePort } from './support/free-port.ts';

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
    const log = pino({ level: 'silent' });
    const down = await buildApp({
      ctx: { db, clock: new ManualClock(), channels: channelRegistry([]), log, publicBaseUrl: 'http://x' },
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
  it('redacts passwords, ID numbers, keys and cookies wherever they appear', () => {
    const lines: string[] = [];
    const log = pino({ redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }));
    log.info({ idNumber: '110105199003071239', password: 'Secret2026', candidate: { id_number: '110105199003071239', password_hash: '$argon2id$x' }, body: { newPassword: 'N3wSecret' }, cfg: { privateKeyPem: '-----BEGIN PRIVATE KEY-----' } }, 'x');
    log.info({ req: { headers: { cookie: 'exampay_sid=abc' } } }, 'y');
    const out = lines.join('');
    for (const secret of ['110105199003071239', 'Secret2026', '$argon2id$x', 'N3wSecret', 'BEGIN PRIVATE KEY', 'exampay_sid=abc']) expect(out).not.toContain(secret);
    expect(out).toContain('[redacted]');
  });

  it('a sign-in, right or wrong, leaves neither password nor ID number in the request log', async () => {
    const lines: string[] = [];
    const log = pino({ level: 'trace', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, new Writable({ write(c, _e, cb) { lines.push(String(c)); cb(); } }));
    const exam = await makeExam(t.db);
    const c = await makeCandidate(t.db, exam);
    const logged = await buildApp({
      ctx: { db: t.db, clock: new ManualClock(), channels: channelRegistry([]), log, publicBaseUrl: 'http://x' },
      logger: log, config: { session: TEST_SESSION, secureCookies: false, captchaTestMode: true, publicBaseUrl: 'http://x' },
    });
    for (const password of [c.password, 'Wrong2026pw']) {
      await new Browser(logged).signIn(exam.authorityCode, c.idNumber, password);
    }
    await logged.close();
    const out = lines.join('');
    expect(out.length).toBeGreaterThan(0);
    for (const secret of [c.idNumber, c.password, 'Wrong2026pw']) expect(out).not.toContain(secret);
  });
});

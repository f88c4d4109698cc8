import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { holdAndBillOverHttp } from '../bench/lib/http-load.ts';
import { preparePayingBills } from '../bench/lib/paying-bills.ts';
import { pgbenchAvailable, runPgbench } from '../bench/lib/pgbench.ts';
import { auditSeats, resetBenchWorld, seedBenchWorld, type BenchWorld } from '../bench/lib/seed.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { buildTestApp } from './support/test-app.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';
import { TEST_PERSONAL_DATA } from './support/test-keys.ts';

/**
 * `npm run bench` in miniature (OPS-1): the hold+bill load over HTTP and both pgbench scripts
 * run for a second against the current schema, produce figures, and oversell nothing. A
 * migration that breaks bench/sql/*.sql fails here, not at the lead's benchmark run.
 */
let t: TestDatabase;
let world: BenchWorld;
let app: FastifyInstance;
let baseUrl: string;
const noCheckpoint = { checkpoint: false };

beforeAll(async () => {
  t = await createTestDatabase({ poolSize: 10 });
  const clock = new ManualClock(new Date());
  world = await seedBenchWorld(t.url, TEST_PERSONAL_DATA, { now: clock.now(), sites: 2, slots: 2, spreadSeats: 150, hotSeats: 400, raceSeats: 5, candidates: 400 });
  ({ app } = await buildTestApp(t, { clock }));
  await app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
});
afterAll(async () => {
  await app?.close();
  await t?.drop();
});

describe('benchmark smoke (npm run bench in miniature)', () => {
  it('holds seats and opens bills over HTTP on one hot slot, each candidate with their own session, overselling nothing', async () => {
    await resetBenchWorld(t.url, world, noCheckpoint);
    // A fixed amount of work (40 candidates), not a time: the smoke passes on a busy machine too.
    const run = await holdAndBillOverHttp({ baseUrl, world, hot: true, connections: 16, seconds: 30, amount: 80, firstCandidate: 0, lastCandidate: world.candidates.length });
    expect(run.completed).toBeGreaterThan(0);
    expect(run.perSecond).toBeGreaterThan(0);
    expect(run.latencyMs.p99).toBeGreaterThan(0);
    expect(run.statuses['hold 201']).toBeGreaterThanOrEqual(run.completed);
    const audit = await auditSeats(t.url);
    expect(audit).toMatchObject({ oversold: 0, rowMismatch: 0, orphans: 0 });
    expect(audit.held).toBeGreaterThanOrEqual(run.completed);
  });

  it('pgbench runs the same hold+bill SQL and the settlement SQL against this schema', async () => {
    expect(await pgbenchAvailable(), 'pgbench is missing: apt-get install postgresql-client').toBeTruthy();
    await resetBenchWorld(t.url, world, noCheckpoint);
    const first = world.spread[0]!;
    const hold = await runPgbench({
      url: t.url, script: 'hold-bill.sql', clients: 4, seconds: 1, transactionsPerClient: 20,
      vars: {
        k: 0, offset: 0, stride: 100, cand_base: world.candidates[0]!.id, secret: world.secret, sitting: world.sittingId, hot: 0,
        hot_pool: world.hot.poolId, hot_site: world.hot.siteId, hot_slot: world.hot.slotId, hot_subject: world.hot.subjectId,
        npools: world.spread.length, nslots: 2, pool_base: first.poolId, site_base: first.siteId, slot_base: first.slotId, spread_subject: world.subjectId,
      },
    });
    expect(hold.transactions).toBeGreaterThan(0);
    const afterHold = await auditSeats(t.url);
    expect(afterHold).toMatchObject({ oversold: 0, orphans: 0 });
    // Every script held exactly one seat and opened its bill.
    expect(hold.transactions).toBe(80);
    expect(afterHold.held).toBe(80);

    await resetBenchWorld(t.url, world, noCheckpoint);
    const bills = await preparePayingBills(t.url, world, 0, 300, (i) => `8${String(i).padStart(20, '0')}`);
    const settle = await runPgbench({
      url: t.url, script: 'settle.sql', clients: 2, seconds: 1, transactionsPerClient: 20,
      vars: { k: 0, offset: 0, stride: 150, bill_base: bills.billBase, attempt_base: bills.attemptBase, registration_base: bills.registrationBase, sitting: world.sittingId },
    });
    expect(settle.transactions).toBeGreaterThan(0);
    const afterSettle = await auditSeats(t.url);
    expect(afterSettle).toMatchObject({ oversold: 0, orphans: 0, paidWithoutSoldSeat: 0 });
    expect(settle.transactions).toBe(40);
    expect(afterSettle.sold).toBe(40);
  });
});

/**
 * WORKERS=N (issue 9 item 2, OPS-4): the real `npm start` as a node:cluster primary with two
 * workers sharing nothing but PostgreSQL. The scheduled jobs run through pg-boss on both
 * workers without ever running twice; migrations started by many processes at once apply once.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { JOBS } from '../src/jobs/schedule.ts';
import { migrate } from '../src/db/migrate.ts';
import { startCluster, type ClusterProcess } from './support/cluster-process.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';
import { withDatabase } from './support/global-setup.ts';

let t: TestDatabase;
let cluster: ClusterProcess;

beforeAll(async () => {
  t = await createTestDatabase();
  cluster = await startCluster({ databaseUrl: t.url, workers: 2 });
});
afterAll(async () => {
  await cluster?.stop();
  await t?.drop();
});

interface Run { name: string; started: Date; completed: Date; pid: number }

async function completedRuns(): Promise<Run[]> {
  const r = await t.pool.query<{ name: string; started_on: Date; completed_on: Date; output: { pid: number } }>(
    `SELECT name, started_on, completed_on, output FROM pgboss.job WHERE state = 'completed' ORDER BY name, started_on`);
  return r.rows.map((x) => ({ name: x.name, started: x.started_on, completed: x.completed_on, pid: x.output.pid }));
}

describe('two worker processes', () => {
  it('serve HTTP from one port', async () => {
    const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${cluster.baseUrl}/healthz`).then((r) => r.status)));
    expect(answers.every((s) => s === 200)).toBe(true);
  });

  it('share the jobs: each run once per tick of its chain, never two at once, on both workers', async () => {
    const frequent = JOBS.filter((j) => j.everySeconds <= 5);
    const deadline = Date.now() + 45_000;
    let runs: Run[] = [];
    // Enough runs to see a double: the 2-second job at least 6 times.
    while (Date.now() < deadline) {
      runs = await completedRuns();
      if (runs.filter((r) => r.name === 'compose-account-mail').length >= 6) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    for (const job of frequent) {
      const mine = runs.filter((r) => r.name === job.id);
      expect(mine.length, `${job.id}; cluster output:\n${cluster.output().slice(-4000)}`).toBeGreaterThanOrEqual(job.everySeconds <= 3 ? 3 : 1);
      for (let i = 1; i < mine.length; i++) {
        // Never two at once, whichever worker ran them.
        expect(mine[i]!.started.getTime(), `${job.id} run ${i}`).toBeGreaterThanOrEqual(mine[i - 1]!.completed.getTime());
      }
      // Run twice per tick (two chains, one per worker) would be twice as many runs as this.
      const span = (mine.at(-1)!.started.getTime() - mine[0]!.started.getTime()) / 1000;
      // +1 for a restart of the chain by the once-a-minute cron inside the span.
      expect(mine.length - 1, `${job.id}: ${mine.length} runs in ${span} s`).toBeLessThanOrEqual(Math.floor(span / job.everySeconds) + 1);
    }
    // Both workers came up at once on a fresh database and neither had to be replaced.
    expect(cluster.output()).not.toContain('worker died');
    const pids = new Set(runs.map((r) => r.pid));
    expect(pids.size, `job runs by process: ${JSON.stringify([...pids])}; cluster output:\n${cluster.output().slice(-4000)}`).toBe(2);
  });
});

describe('migrations', () => {
  it('started by six processes at once on an empty database, apply each file once', async () => {
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    const name = `m_${randomBytes(5).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${name}`);
    const pools = Array.from({ length: 6 }, () => new pg.Pool({ connectionString: withDatabase(inject('pgAdminUrl'), name), max: 1 }));
    for (const p of pools) p.on('error', () => undefined);
    try {
      const applied = await Promise.all(pools.map((p) => migrate(p)));
      const files = fs.readdirSync(path.resolve(import.meta.dirname, '../src/db/migrations')).filter((f) => f.endsWith('.sql')).sort();
      expect(applied.flat().sort()).toEqual(files);
      const rows = await pools[0]!.query('SELECT name FROM schema_migration ORDER BY name');
      expect(rows.rows.map((r) => r.name)).toEqual(files);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
      await admin.query(`DROP DATABASE ${name} WITH (FORCE)`);
      await admin.end();
    }
  });
});

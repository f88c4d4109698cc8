import fs from 'node:fs';
import { sandboxAdapters, type SandboxMaterial } from '../../src/channels/sandbox-setup.ts';
import { createDb } from '../../src/db/database.ts';
import { buildApp } from '../../src/http/app.ts';
import { JOBS } from '../../src/jobs/schedule.ts';
import { channelRegistry, type AppContext } from '../../src/modules/context.ts';
import { ManualClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { TEST_PERSONAL_DATA } from '../support/test-keys.ts';
import { DbFaults, type DbFaultKind } from './db-faults.ts';

/**
 * The ExamPay server as a child process of the simulation: the real app (notify routes and all)
 * on the simulation's database, with the real adapters pointed at the simulation's sandbox.
 * Its clock is the simulation's (set over IPC before every piece of work), it runs jobs only
 * when told, and it can be told to die by SIGKILL at its n-th database statement — in the middle
 * of a settlement, a refund or a close, at a point the seed chose — or to have that statement
 * fail (db-faults.ts).
 *
 *
 * A process is forked as a spare: it loads its code, says `loaded`, and does nothing else — no
 * connection, no port — until told `go` (a supervisor's warm standby). Only then does it start
 * the server, from the database alone, like any freshly started process.
 *
 * IPC in:  { t: 'go', ms } | { t: 'clock', ms } | { t: 'arm', n, kind } | { t: 'job', id, job }
 * IPC out: { t: 'loaded' } | { t: 'ready' } | { t: 'ok', id, result } | { t: 'error', id, message }
 */
export type ToChild = { t: 'go'; ms: number } | { t: 'clock'; id: number; ms: number } | { t: 'arm'; id: number; n: number; kind: DbFaultKind } | { t: 'job'; id: number; job: string };
export type FromChild = { t: 'loaded' } | { t: 'ready' } | { t: 'ok'; id: number; result?: unknown } | { t: 'error'; id: number; message: string };

const env = (name: string): string => {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is required`);
  return v;
};

/** Waits (code loaded, nothing else done) until the simulation starts this process; returns the clock's time. */
function waitForGo(): Promise<number> {
  return new Promise((resolve) => {
    const onGo = (m: ToChild) => {
      if (m.t !== 'go') return;
      process.off('message', onGo);
      resolve(m.ms);
    };
    process.on('message', onGo);
    process.send?.({ t: 'loaded' } satisfies FromChild);
  });
}

async function main(): Promise<void> {
  // The parent going away ends the child too (a spare as well).
  process.on('disconnect', () => process.exit(0));
  const nowMs = await waitForGo();
  const port = Number(env('SIM_PORT'));
  const publicBaseUrl = `http://127.0.0.1:${port}`;
  const clock = new ManualClock(new Date(nowMs));
  const material = JSON.parse(fs.readFileSync(env('SIM_MATERIAL'), 'utf8')) as SandboxMaterial;
  const { db, pool } = createDb(env('SIM_DB_URL'), { poolSize: 4 });
  const faults = new DbFaults(pool);
  const log = createLogger(process.env.SIM_CHILD_LOG_LEVEL ?? 'silent');
  const channels = sandboxAdapters(material, { sandboxBase: env('SIM_SANDBOX_BASE'), publicBaseUrl, clock, db, timeoutMs: Number(process.env.SIM_ADAPTER_TIMEOUT_MS ?? 200) });
  const ctx: AppContext = { db, clock, channels: channelRegistry(channels), log, publicBaseUrl, personalData: TEST_PERSONAL_DATA };
  const app = await buildApp({
    ctx, logger: log,
    config: { session: { idleMinutes: 30, absoluteHours: 12 }, secureCookies: false, captchaTestMode: true, publicBaseUrl },
  });
  await app.listen({ host: '127.0.0.1', port });

  const reply = (m: FromChild) => process.send?.(m);
  process.on('message', (m: ToChild) => {
    if (m.t === 'clock') {
      clock.set(new Date(m.ms));
      reply({ t: 'ok', id: m.id });
    } else if (m.t === 'arm') {
      if (m.n > 0) faults.arm(m.n, m.kind);
      else faults.disarm();
      reply({ t: 'ok', id: m.id });
    } else if (m.t === 'job') {
      const job = JOBS.find((j) => j.id === m.job);
      if (!job) return reply({ t: 'error', id: m.id, message: `no job ${m.job}` });
      job.execute(ctx).then(
        (result) => {
          faults.disarm();
          reply({ t: 'ok', id: m.id, result });
        },
        (err: unknown) => reply({ t: 'error', id: m.id, message: err instanceof Error ? err.message : String(err) }),
      );
    }
  });
  reply({ t: 'ready' });
}

main().catch((err: unknown) => {
  console.error('sim child failed to start:', err);
  process.exit(1);
});

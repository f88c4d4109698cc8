import cluster, { type Worker } from 'node:cluster';
import path from 'node:path';
import type { Logger } from 'pino';
import { sandboxMaterial } from './channels/index.ts';
import { sandboxOptions } from './channels/sandbox-setup.ts';
import type { Config } from './config.ts';
import { createDb } from './db/database.ts';
import { startEmbeddedPostgres, takeOverSignals } from './db/embedded.ts';
import { migrate } from './db/migrate.ts';
import { buildSandboxApp } from './sandbox/sandbox.ts';
import { systemClock } from './shared/clock.ts';
import { developmentPersonalDataKeys } from './shared/development-keys.ts';

/** Which worker this process is (1…WORKERS), for the things only one of them does. */
export const WORKER_INDEX_ENV = 'EXAMPAY_WORKER_INDEX';

/**
 * `WORKERS=N npm start` (OPS-4, docs/scaling.md): this process starts what must exist once —
 * the embedded PostgreSQL (when DATABASE_URL is unset), the migrations, and in sandbox mode the
 * one sandbox gateway (its orders live in memory) on PORT+1 — then forks N workers that share
 * nothing but PostgreSQL and the listening port (node:cluster hands connections out in turn).
 * A worker that dies is replaced; SIGINT/SIGTERM stops the workers first, then PostgreSQL.
 */
export async function runPrimary(config: Config, log: Logger): Promise<void> {
  const stops: (() => Promise<void>)[] = [];
  const env: Record<string, string> = {};
  let stopping = false;
  const workers = new Map<number, Worker>();

  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'stopping the workers');
    await Promise.all([...workers.values()].map((w) => new Promise<void>((resolve) => {
      if (w.isDead()) return resolve();
      const kill = setTimeout(() => w.process.kill('SIGKILL'), 20_000);
      w.once('exit', () => { clearTimeout(kill); resolve(); });
      w.process.kill('SIGTERM');
    })));
    for (const stop of stops) await stop().catch((err: unknown) => log.error({ err }, 'error while stopping'));
    process.exit(0);
  };
  takeOverSignals();
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const dir = path.join(config.dataDir, 'postgres');
    log.info({ dir, port: config.embeddedPgPort }, 'starting embedded PostgreSQL for the workers (set DATABASE_URL to use your own)');
    const embedded = await startEmbeddedPostgres({ dir, port: config.embeddedPgPort, database: 'exampay' });
    stops.push(() => embedded.stop());
    databaseUrl = embedded.url;
    env.DATABASE_URL = databaseUrl;
  }
  // Once, before any worker: over the direct connection when one is given.
  const direct = config.migrationDatabaseUrl;
  const { db, pool } = createDb(direct ?? databaseUrl, { poolSize: 1, poolMode: direct ? 'session' : config.databasePoolMode });
  try {
    const applied = await migrate(pool);
    if (applied.length) log.info({ applied }, 'migrations applied');
  } finally {
    await db.destroy();
  }

  if (config.paymentMode === 'sandbox' && !config.sandboxGatewayUrl) {
    // Minted here, before the workers, so they all read the same keys instead of racing to mint.
    const material = sandboxMaterial(config, systemClock.now());
    const sandboxPort = config.port + 1;
    const url = new URL(config.publicBaseUrl);
    url.port = String(sandboxPort);
    url.pathname = '/sandbox';
    const gateway = url.toString().replace(/\/+$/, '');
    const { app, sandbox } = await buildSandboxApp({
      clock: systemClock, publicBaseUrl: gateway, prefix: '/sandbox', ...sandboxOptions(material),
      fastify: { loggerInstance: log.child({ component: 'sandbox' }) },
    });
    await app.listen({ host: config.host, port: sandboxPort });
    sandbox.control.start(1000);
    stops.unshift(() => app.close());
    env.EXAMPAY_SANDBOX_GATEWAY = gateway;
  }

  // Development keys (never in live mode) made here, once, so no worker ever reads a half-written file.
  if (!config.personalDataKeys) developmentPersonalDataKeys(config.dataDir);

  const fork = (index: number) => {
    const w = cluster.fork({ ...env, [WORKER_INDEX_ENV]: String(index) });
    workers.set(index, w);
    w.on('exit', (code, signal) => {
      if (stopping) return;
      log.error({ worker: index, code, signal }, 'worker died; starting another');
      // Replaced at once: its jobs were left to pg-boss and its requests to the other workers.
      setTimeout(() => fork(index), 500);
    });
  };
  for (let i = 1; i <= config.workers; i++) fork(i);
  log.info({ workers: config.workers, port: config.port }, 'cluster primary started its workers');
}

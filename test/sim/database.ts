import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createDb, type Db } from '../../src/db/database.ts';
import { startEmbeddedPostgres } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';
import { freePort } from '../support/free-port.ts';
import { TEMPLATE_DB, withDatabase } from '../support/global-setup.ts';

/** A PostgreSQL server with a migrated template database, from which each run clones its own. */
export interface DatabaseHost {
  adminUrl: string;
  template: string;
  stop(): Promise<void>;
}

export interface SimDatabase {
  url: string;
  db: Db;
  pool: pg.Pool;
  drop(): Promise<void>;
}

/** Inside vitest: the run's PostgreSQL and template (test/support/global-setup.ts). */
export function vitestHost(adminUrl: string): DatabaseHost {
  return { adminUrl, template: TEMPLATE_DB, stop: async () => undefined };
}

/** For `npm run sim`: the server in DATABASE_URL, or an embedded one in a temporary folder. */
export async function startDatabaseHost(): Promise<DatabaseHost> {
  let adminUrl = process.env.DATABASE_URL;
  let stop = async (): Promise<void> => undefined;
  if (!adminUrl) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exampay-sim-pg-'));
    const embedded = await startEmbeddedPostgres({ dir, port: await freePort(), database: 'postgres', persistent: false });
    adminUrl = embedded.url;
    stop = async () => {
      await embedded.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  }
  const template = 'exampay_sim_template';
  await adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${template}`);
  await adminQuery(adminUrl, `CREATE DATABASE ${template}`);
  const pool = new pg.Pool({ connectionString: withDatabase(adminUrl, template) });
  await migrate(pool);
  await pool.end();
  return { adminUrl, template, stop };
}

/** A fresh database of the schema, for one run (every replay of a shrink starts from nothing). */
export async function freshDatabase(host: DatabaseHost, poolSize = 10): Promise<SimDatabase> {
  const name = `sim_${randomBytes(6).toString('hex')}`;
  await adminQuery(host.adminUrl, `CREATE DATABASE ${name} TEMPLATE ${host.template}`);
  // A commit is visible to every other session the moment it returns, with or without waiting
  // for the WAL to reach the disk; only a crash of PostgreSQL itself (never simulated: the
  // simulation kills ExamPay's processes, not the database's) could tell the difference. Not
  // waiting for the disk's fsync on each of the run's ~100,000 commits saves minutes.
  await adminQuery(host.adminUrl, `ALTER DATABASE ${name} SET synchronous_commit = off`);
  const url = withDatabase(host.adminUrl, name);
  const { db, pool } = createDb(url, { poolSize });
  return {
    url, db, pool,
    async drop() {
      await db.destroy();
      await adminQuery(host.adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    },
  };
}

async function adminQuery(adminUrl: string, text: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query(text);
  } finally {
    await admin.end();
  }
}

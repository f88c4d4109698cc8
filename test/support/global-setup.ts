import type { TestProject } from 'vitest/node';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';
import { freePort } from './free-port.ts';

export const TEMPLATE_DB = 'exampay_test_template';

let embedded: EmbeddedDatabase | undefined;
let tmpDir: string | undefined;

/**
 * One PostgreSQL for the whole run: the one in DATABASE_URL if set, else an embedded one in a
 * temporary folder. The schema is migrated once into a template; each test file clones it.
 */
export async function setup(project: TestProject): Promise<void> {
  let adminUrl = process.env.DATABASE_URL;
  if (!adminUrl) {
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'exampay-test-pg-'));
    embedded = await startEmbeddedPostgres({ dir: tmpDir, port: await freePort(), database: 'postgres', persistent: false });
    adminUrl = embedded.url;
  }
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB}`);
  await admin.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: withDatabase(adminUrl, TEMPLATE_DB) });
  await migrate(pool);
  await pool.end();
  project.provide('pgAdminUrl', adminUrl);
}

export async function teardown(): Promise<void> {
  await embedded?.stop();
  if (tmpDir) fs.rmSync(tmpDir, { recursive: true, force: true });
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
  }
}

import type { TestProject } from 'vitest/node';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../../src/db/embedded.ts';
import { migrate } from '../../src/db/migrate.ts';
import { freePort } from './free-port.ts';
import { auditLogFolder } from './log-audit.ts';

export const TEMPLATE_DB = 'exampay_test_template';

let embedded: EmbeddedDatabase | undefined;
let tmpDir: string | undefined;
let logDir: string | undefined;

/**
 * One PostgreSQL for the whole run: the one in DATABASE_URL if set, else an embedded one in a
 * temporary folder. The schema is migrated once into a template; each test file clones it.
 */
export async function setup(project: TestProject): Promise<void> {
  // Browser tests drive the built web app, exactly what `npm start` serves.
  execFileSync(process.execPath, ['node_modules/vite/bin/vite.js', 'build', 'web', '--logLevel', 'warn'], { stdio: 'inherit' });
  // The run's log folder: every test logger writes here, and teardown audits it (log-audit.ts).
  logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'exampay-test-logs-'));
  project.provide('testLogDir', logDir);
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
  if (logDir) auditRunLogs(logDir);
}

/**
 * OPS-6: no full ID number, phone, password, session id or card number in any log line of the
 * whole run. Runs after every test file; a finding fails the run (vitest only prints errors
 * thrown here, so the exit code is set as well) and keeps the folder for a look.
 */
function auditRunLogs(dir: string): void {
  const audit = auditLogFolder(dir);
  if (audit.files > 0 && audit.lines === 0) {
    process.exitCode = 1;
    throw new Error(`LOG AUDIT FAILED: the test loggers wrote no lines to ${dir}; the audit would prove nothing`);
  }
  if (audit.findings.length) {
    process.exitCode = 1;
    const shown = audit.findings.slice(0, 30).map((f) => `  ${f.file}:${f.line}  ${f.kind}  ${f.excerpt}`);
    const more = audit.findings.length > shown.length ? [`  … and ${audit.findings.length - shown.length} more`] : [];
    const report = [`LOG AUDIT FAILED (OPS-6): ${audit.findings.length} leak(s) of personal data or secrets in the test run's logs (${dir}, kept):`, ...shown, ...more].join('\n');
    console.error(`\n${report}\n`);
    throw new Error(report);
  }
  console.log(`log audit (OPS-6): ${audit.lines} log lines in ${audit.files} files checked against ${audit.secrets} recorded secrets and the ID/card/session patterns; no leak`);
  fs.rmSync(dir, { recursive: true, force: true });
}

export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    testLogDir: string;
  }
}

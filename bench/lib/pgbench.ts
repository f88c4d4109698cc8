import { execFile } from 'node:child_process';
import { cpuSeconds } from './app-process.ts';
import path from 'node:path';

export interface PgbenchResult {
  clients: number;
  tps: number;
  latencyAvgMs: number;
  transactions: number;
  failed: number;
  /** Filled in by the phase: PostgreSQL CPU cores used, and its sessions by activity. */
  cpuPostgres?: number;
  /** CPU cores the pgbench client itself used. */
  cpuClient?: number;
  waits?: Record<string, number>;
}

export function pgbenchAvailable(): Promise<string | undefined> {
  return new Promise((resolve) => execFile('pgbench', ['--version'], (err, out) => resolve(err ? undefined : out.trim())));
}

/**
 * pgbench running one of bench/sql/*.sql straight against the database (extended protocol,
 * unnamed statements, as node-postgres sends them), `clients` connections for `seconds`.
 * Variables: `-D name=value`; each client keeps its own copy, so scripts count per client.
 */
export function runPgbench(opts: { url: string; script: string; clients: number; seconds: number; vars: Record<string, string | number | bigint>; transactionsPerClient?: number }): Promise<PgbenchResult> {
  const file = path.resolve(import.meta.dirname, '../sql', opts.script);
  const threads = Math.min(opts.clients, 2);
  const args = ['-n', '-M', 'extended', '-f', file, '-c', String(opts.clients), '-j', String(threads),
    ...(opts.transactionsPerClient ? ['-t', String(opts.transactionsPerClient)] : ['-T', String(opts.seconds)]),
    ...Object.entries(opts.vars).flatMap(([k, v]) => ['-D', `${k}=${v}`]), opts.url];
  const started = Date.now();
  let clientCpu = 0;
  return new Promise((resolve, reject) => {
    const child = execFile('pgbench', args, { maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      clearInterval(timer);
      const tps = /tps = ([\d.]+)/.exec(stdout);
      const lat = /latency average = ([\d.]+) ms/.exec(stdout);
      const done = /number of transactions actually processed: (\d+)/.exec(stdout);
      const failed = /number of failed transactions: (\d+)/.exec(stdout);
      if (!tps || !done) return reject(new Error(`pgbench ${opts.script} -c ${opts.clients} failed: ${err?.message ?? ''}\n${stderr.slice(-2000)}\n${stdout.slice(-1000)}`));
      const errors = stderr.split('\n').filter((l) => /ERROR|aborted/i.test(l));
      if (errors.length) return reject(new Error(`pgbench ${opts.script} -c ${opts.clients}: ${errors.slice(0, 5).join('\n')}`));
      resolve({ clients: opts.clients, tps: Number(tps[1]), latencyAvgMs: lat ? Number(lat[1]) : NaN, transactions: Number(done[1]), failed: failed ? Number(failed[1]) : 0, cpuClient: clientCpu / ((Date.now() - started) / 1000) });
    });
    // pgbench's own CPU, read until it exits (the last 200 ms may be missed).
    const timer = setInterval(() => { if (child.pid) clientCpu = Math.max(clientCpu, cpuSeconds(child.pid)); }, 200);
  });
}

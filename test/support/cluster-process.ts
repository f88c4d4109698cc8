import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.ts';

/**
 * `WORKERS=N npm start` as a real process tree (node:cluster primary + N workers) on a test
 * database: what production runs, not an in-process imitation. Its output is kept in a file
 * of the run's temp folder and shown when it fails to start.
 */
export interface ClusterProcess {
  baseUrl: string;
  port: number;
  output(): string;
  stop(): Promise<void>;
}

export async function startCluster(opts: { databaseUrl: string; workers: number; env?: Record<string, string> }): Promise<ClusterProcess> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'exampay-cluster-'));
  const port = await freePort();
  const logFile = path.join(dataDir, 'output.log');
  const out = fs.openSync(logFile, 'a');
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: path.resolve(import.meta.dirname, '../..'),
    env: {
      PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? os.tmpdir(),
      DATABASE_URL: opts.databaseUrl, WORKERS: String(opts.workers), PORT: String(port), HOST: '127.0.0.1',
      DATA_DIR: dataDir, DEMO_DATA: 'false', LOG_LEVEL: 'warn', CAPTCHA_TEST_MODE: 'true',
      // The tests' personal-data keys (test-keys.ts), so fixtures written by the test read back.
      PERSONAL_DATA_KEYS: `1:${Buffer.alloc(32, 0x11).toString('base64')}`, PERSONAL_DATA_HASH_KEY: Buffer.alloc(32, 0x22).toString('base64'),
      ...opts.env,
    },
    stdio: ['ignore', out, out],
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const output = () => fs.readFileSync(logFile, 'utf8');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the cluster exited during start-up:\n${output()}`);
    const ok = await fetch(`${baseUrl}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the cluster did not answer /healthz within 90 s:\n${output()}`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    baseUrl, port, output,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        const killer = setTimeout(() => child.kill('SIGKILL'), 30_000);
        await exited;
        clearTimeout(killer);
      }
      fs.closeSync(out);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

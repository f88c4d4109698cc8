import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { freePort, freePortPair } from './free-port.ts';

export interface AppProcess {
  /** Where the bench sends its load: the app itself. */
  baseUrl: string;
  /** PUBLIC_BASE_URL: the notify gate in front of the app, which channels call back through. */
  publicBaseUrl: string;
  pid: number;
  gate: NotifyGate;
  stop(): Promise<void>;
}

/**
 * The real server, `src/main.ts` as `npm start` runs it (sandbox mode: the sandbox gateway is
 * mounted in the same process and sends its notifications once a second), in a child process
 * of its own so its memory and CPU are its own.
 */
export async function startAppProcess(opts: { databaseUrl: string; dataDir: string; poolSize: number; env?: Record<string, string>; profileDir?: string }): Promise<AppProcess> {
  const port = opts.env?.WORKERS ? await freePortPair() : await freePort();
  const gate = await startNotifyGate(port);
  const publicBaseUrl = `http://127.0.0.1:${gate.port}`;
  const root = path.resolve(import.meta.dirname, '../..');
  const child: ChildProcess = spawn(process.execPath, [...(opts.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.profileDir}`] : []), '--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: {
      ...process.env,
      DATABASE_URL: opts.databaseUrl, PORT: String(port), HOST: '127.0.0.1', PUBLIC_BASE_URL: publicBaseUrl,
      DATA_DIR: opts.dataDir, DEMO_DATA: 'false', CAPTCHA_TEST_MODE: 'true', LOG_LEVEL: 'warn',
      DATABASE_POOL_SIZE: String(opts.poolSize), JOBS_ENABLED: 'true', PAYMENT_MODE: 'sandbox',
      ...opts.env,
    },
  });
  const logFile = fs.createWriteStream(path.join(opts.dataDir, 'app.log'));
  child.stdout!.pipe(logFile);
  child.stderr!.pipe(logFile);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const baseUrl = `http://127.0.0.1:${port}`;
  const started = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited while starting (code ${child.exitCode}); see ${path.join(opts.dataDir, 'app.log')}`);
    const ok = await fetch(`${baseUrl}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() - started > 60_000) throw new Error('the app did not answer /healthz within 60 s');
    await new Promise((r) => setTimeout(r, 200));
  }
  gate.target = port;
  return {
    baseUrl, publicBaseUrl, pid: child.pid!, gate,
    async stop() {
      child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
      await gate.close();
    },
  };
}

/**
 * A pass-through proxy at PUBLIC_BASE_URL. With `lost` on, the channel's notifications
 * (`/notify/*`) never reach the app — the network drops them — so only the poll job can find
 * the money; every other call (the adapters' API calls to the sandbox, cashier pages) passes.
 */
export interface NotifyGate {
  port: number;
  target: number;
  lost: boolean;
  dropped: number;
  close(): Promise<void>;
}

async function startNotifyGate(target: number): Promise<NotifyGate> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const gate: NotifyGate = { port: 0, target, lost: false, dropped: 0, close: async () => undefined };
  const server = http.createServer((req, res) => {
    if (gate.lost && req.url?.startsWith('/notify/')) {
      gate.dropped++;
      req.resume();
      req.socket.destroy();
      return;
    }
    const up = http.request({ host: '127.0.0.1', port: gate.target, method: req.method, path: req.url, headers: req.headers, agent }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', () => { res.statusCode = 502; res.end(); });
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  gate.port = (server.address() as { port: number }).port;
  gate.close = () => new Promise((resolve) => { agent.destroy(); server.closeAllConnections(); server.close(() => resolve()); });
  return gate;
}

/** Resident set size of a process, in MiB (Linux /proc). */
export function rssMiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every 250 ms until stopped; returns the peak. */
export function sampleRss(pid: number): { stop(): number } {
  let peak = rssMiB(pid) ?? 0;
  const timer = setInterval(() => { peak = Math.max(peak, rssMiB(pid) ?? 0); }, 250);
  return { stop: () => { clearInterval(timer); return Math.max(peak, rssMiB(pid) ?? 0); } };
}

const TICKS = 100; // USER_HZ on Linux

/** CPU seconds (user + system) a process has used, from /proc/PID/stat. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS;
  } catch {
    return 0;
  }
}

function parentPid(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/** The bench's PostgreSQL: its postmaster and the postmaster's children (other clusters on a shared machine are not counted). */
function postgresPids(postmaster: number | undefined): number[] {
  if (!postmaster) return [];
  return [postmaster, ...fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => parentPid(pid) === postmaster)];
}

/** The postmaster of the server a backend runs under, when that server runs on this machine. */
export function postmasterOf(backendPid: number): number | undefined {
  return parentPid(backendPid);
}

export interface CpuShare {
  /** CPU seconds per wall second (1 = one core busy) of the app, PostgreSQL and the load generator. */
  app: number;
  postgres: number;
  loadgen: number;
}

/**
 * Where the machine's CPU went during a run: the app process, all PostgreSQL processes (a
 * process that ended during the run is not counted) and this process (autocannon, fetch).
 */
export function sampleCpu(appPid: number, postmaster: number | undefined): { stop(): CpuShare } {
  const t0 = Date.now();
  const app0 = cpuSeconds(appPid);
  // Backends come and go (pgbench opens its own): keep each one's first and last reading.
  const first = new Map(postgresPids(postmaster).map((p) => [p, cpuSeconds(p)]));
  const last = new Map(first);
  const look = () => {
    for (const p of postgresPids(postmaster)) {
      const t = cpuSeconds(p);
      if (!first.has(p)) first.set(p, 0);
      last.set(p, t);
    }
  };
  const timer = setInterval(look, 200);
  const me0 = process.cpuUsage();
  return {
    stop() {
      clearInterval(timer);
      look();
      const wall = (Date.now() - t0) / 1000;
      const pg = [...last].reduce((s, [p, t]) => s + t - (first.get(p) ?? 0), 0);
      const me = process.cpuUsage(me0);
      return { app: (cpuSeconds(appPid) - app0) / wall, postgres: pg / wall, loadgen: (me.user + me.system) / 1e6 / wall };
    },
  };
}

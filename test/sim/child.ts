import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FromChild, ToChild } from './child-server.ts';
import type { DbFaultKind } from './db-faults.ts';

const SCRIPT = path.join(path.dirname(fileURLToPath(import.meta.url)), 'child-server.ts');

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type Request = { t: 'clock'; ms: number } | { t: 'arm'; n: number; kind: DbFaultKind } | { t: 'job'; job: string };

/**
 * The simulation's handle on its child server: starts it, talks to it over IPC, notices when it
 * dies (SIGKILL by its own armed fault) and starts it again on the same port and database.
 */
export class ChildServer {
  private proc: ChildProcess | null = null;
  private readonly pending = new Map<number, Pending>();
  private seq = 0;
  private clockSent = -1;
  /** How many times it was started again in the background after dying. */
  restarts = 0;
  /** How many times it died (SIGKILL by its armed fault), not counting `stop()`. */
  deaths = 0;
  private stopping = false;
  /** A kill is armed in the running child: its next death is the simulation's doing. */
  killArmed = false;
  private readonly env: Record<string, string>;
  private exited: Promise<void> = Promise.resolve();

  constructor(env: { dbUrl: string; port: number; materialFile: string; sandboxBase: string; adapterTimeoutMs: number }) {
    this.env = {
      SIM_DB_URL: env.dbUrl, SIM_PORT: String(env.port), SIM_MATERIAL: env.materialFile,
      SIM_SANDBOX_BASE: env.sandboxBase, SIM_ADAPTER_TIMEOUT_MS: String(env.adapterTimeoutMs),
    };
  }

  get alive(): boolean {
    return this.proc !== null;
  }

  private starting: Promise<void> | null = null;

  /**
   * Starts the server again without waiting (a supervisor restarting it): the simulation goes on
   * with its own steps meanwhile, and the next piece of work for the child waits in `ready()`.
   */
  restartInBackground(nowMs: number): void {
    if (this.proc || this.starting) return;
    this.restarts++;
    const p = this.start(nowMs);
    // The waiter (`ready`) sees the failure; nothing else must.
    p.catch(() => undefined);
  }

  /** The server, up: started if it is not, awaited if it is starting. */
  async ready(nowMs: number): Promise<void> {
    if (this.starting) await this.starting;
    if (!this.proc) await this.start(nowMs);
  }

  start(nowMs: number): Promise<void> {
    const p = this.startNow(nowMs).finally(() => { if (this.starting === p) this.starting = null; });
    this.starting = p;
    return p;
  }

  private async startNow(nowMs: number): Promise<void> {
    const proc = fork(SCRIPT, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, ...this.env, SIM_CLOCK_MS: String(nowMs) },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.proc = proc;
    this.clockSent = nowMs;
    let ready!: () => void;
    let failed!: (e: Error) => void;
    const readyP = new Promise<void>((res, rej) => { ready = res; failed = rej; });
    this.exited = new Promise<void>((res) => {
      proc.on('exit', (code, signal) => {
        if (this.proc === proc) this.proc = null;
        if (!this.stopping) this.deaths++;
        this.killArmed = false;
        const err = new Error(`child server exited (${signal ?? code})`);
        for (const p of this.pending.values()) p.reject(err);
        this.pending.clear();
        failed(err);
        res();
      });
    });
    proc.on('message', (m: FromChild) => {
      if (m.t === 'ready') return ready();
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.t === 'ok') p.resolve(m.result);
      else p.reject(new Error(m.message));
    });
    await readyP;
  }

  private request(m: Request): Promise<unknown> {
    const proc = this.proc;
    if (!proc) return Promise.reject(new Error('child server is not running'));
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      proc.send({ ...m, id } as ToChild);
    });
  }

  /** Sets the child's clock to the simulation's (only when it moved). */
  async syncClock(nowMs: number): Promise<void> {
    if (nowMs === this.clockSent || !this.proc) return;
    await this.request({ t: 'clock', ms: nowMs });
    this.clockSent = nowMs;
  }

  /** The child's n-th statement from now dies with it (kill-*) or fails (cancel, terminate). */
  arm(n: number, kind: DbFaultKind): Promise<unknown> {
    this.killArmed = n > 0 && kind.startsWith('kill');
    return this.request({ t: 'arm', n, kind });
  }

  runJob(job: string): Promise<unknown> {
    return this.request({ t: 'job', job });
  }

  /** Waits until a child that was told to die has died (or returns at once if alive after `ms`). */
  async waitForDeath(ms: number): Promise<boolean> {
    if (!this.proc) return true;
    await Promise.race([this.exited, new Promise((r) => setTimeout(r, ms))]);
    return this.proc === null;
  }

  async stop(): Promise<void> {
    await this.starting?.catch(() => undefined);
    const proc = this.proc;
    if (!proc) return;
    this.stopping = true;
    proc.kill('SIGKILL');
    await this.exited;
    this.stopping = false;
  }
}

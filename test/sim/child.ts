import { fork, type ChildProcess } from 'node:child_process';
import { childCode } from './child-code.ts';
import type { FromChild, ToChild } from './child-server.ts';
import type { DbFaultKind } from './db-faults.ts';

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type Spare = { loaded: Promise<ChildProcess>; kill(): void };
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
  /** Real time from asking for a start to ready, summed over every start (the cost of a restart). */
  startMs = 0;
  /** Real time the simulation's steps spent waiting in `ready()` for a (re)starting server. */
  waitMs = 0;
  /** A kill is armed in the running child: its next death is the simulation's doing. */
  killArmed = false;
  private readonly env: Record<string, string>;
  private exited: Promise<void> = Promise.resolve();
  /** A process with its code loaded, waiting to be started: the next restart takes it (a warm standby). */
  private spare: Spare | null = null;
  private readonly keepSpare: boolean;

  /** `spare`: keep a warm standby process for restarts (when the run kills the server). */
  constructor(env: { dbUrl: string; port: number; materialFile: string; sandboxBase: string; adapterTimeoutMs: number }, opts: { spare?: boolean } = {}) {
    this.keepSpare = opts.spare ?? false;
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
    if (!this.starting && this.proc) return;
    const t0 = Date.now();
    try {
      if (this.starting) await this.starting;
      if (!this.proc) await this.start(nowMs);
    } finally {
      this.waitMs += Date.now() - t0;
    }
  }

  start(nowMs: number): Promise<void> {
    const p = this.startNow(nowMs).finally(() => { if (this.starting === p) this.starting = null; });
    this.starting = p;
    return p;
  }

  /** A new process that loads its code and waits (child-server.ts: a spare until told `go`). */
  private fork(): Spare {
    const started = childCode().then(({ script, execArgv }) => fork(script, [], {
      execArgv, env: { ...process.env, ...this.env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    }));
    const loaded = started.then((proc) => new Promise<ChildProcess>((resolve, reject) => {
      const onExit = (code: number | null, signal: string | null) => reject(new Error(`child server exited (${signal ?? code})`));
      proc.once('exit', onExit);
      proc.on('message', function onLoaded(m: FromChild) {
        if (m.t !== 'loaded') return;
        proc.off('message', onLoaded);
        proc.off('exit', onExit);
        resolve(proc);
      });
    }));
    // Whoever takes the spare sees a failure; nothing else must.
    loaded.catch(() => undefined);
    return { loaded, kill: () => void started.then((p) => p.kill('SIGKILL')) };
  }

  private async startNow(nowMs: number): Promise<void> {
    const t0 = Date.now();
    // The warm spare if there is one (forked after the last start), else a process forked now.
    const spare = this.spare ?? this.fork();
    this.spare = null;
    let proc = await spare.loaded.catch(() => null);
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) proc = await this.fork().loaded;
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
      if (m.t === 'loaded') return;
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.t === 'ok') p.resolve(m.result);
      else p.reject(new Error(m.message));
    });
    proc.send({ t: 'go', ms: nowMs } satisfies ToChild);
    await readyP;
    this.startMs += Date.now() - t0;
    // The next restart's process loads its code now, while the simulation goes on.
    if (this.keepSpare && !this.stopping) this.spare = this.fork();
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
    this.spare?.kill();
    this.spare = null;
    const proc = this.proc;
    if (!proc) return;
    this.stopping = true;
    proc.kill('SIGKILL');
    await this.exited;
    this.stopping = false;
  }
}

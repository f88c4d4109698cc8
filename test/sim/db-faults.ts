import type pg from 'pg';

/**
 * Faults in the database conversation of one pool, at a chosen statement: the n-th statement
 * sent after `arm()` (BEGIN and COMMIT count) is replaced by one that makes PostgreSQL itself
 * fail it, so the application sees the real error on a real connection:
 * - `cancel`: the backend cancels its own statement — SQLSTATE 57014, what a statement_timeout
 *   gives; the transaction is aborted, the connection lives;
 * - `terminate`: the backend is terminated (SQLSTATE 57P01, as in a failover or an admin's
 *   pg_terminate_backend); the transaction is rolled back and the connection is gone;
 * - `kill-before` / `kill-after`: the whole process dies by SIGKILL just before the statement is
 *   sent, or right after it was written to the socket (a COMMIT may then take effect with
 *   nobody left to hear it). Used inside the child server process.
 */
export type DbFaultKind = 'cancel' | 'terminate' | 'kill-before' | 'kill-after';

const FAULT_SQL: Record<'cancel' | 'terminate', string> = {
  cancel: 'SELECT pg_cancel_backend(pg_backend_pid()), pg_sleep(5)',
  terminate: 'SELECT pg_terminate_backend(pg_backend_pid())',
};

export class DbFaults {
  private armed: { n: number; kind: DbFaultKind } | null = null;
  /** How many faults fired since the start (the runner reports it). */
  fired = 0;
  /** Statements sent through the pool (all of them, armed or not). */
  statements = 0;
  /** Settles when the connection of the last `terminate` fault has closed on our side too. */
  private closing: Promise<void> = Promise.resolve();

  constructor(pool: pg.Pool) {
    pool.on('connect', (client) => this.patch(client));
  }

  arm(n: number, kind: DbFaultKind): void {
    this.armed = { n, kind };
  }

  disarm(): boolean {
    const was = this.armed !== null;
    this.armed = null;
    return was;
  }

  get isArmed(): boolean {
    return this.armed !== null;
  }

  /**
   * Waits until the connection a `terminate` fault killed is closed in this process (its 'end'),
   * so the pool cannot lend it again (at most `ms`). Before that, pg-pool may still hand out the
   * dying connection once, and the statement on it fails (docs/simulation.md).
   */
  async terminated(ms = 2_000): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.closing, new Promise<void>((r) => { timer = setTimeout(r, ms); })]);
    clearTimeout(timer);
  }

  private patch(client: pg.PoolClient): void {
    const original = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: (...args: unknown[]) => unknown }).query = (...args: unknown[]) => {
      this.statements++;
      const armed = this.armed;
      if (!armed || --armed.n > 0) return original(...args);
      this.armed = null;
      this.fired++;
      switch (armed.kind) {
        case 'kill-before':
          process.kill(process.pid, 'SIGKILL');
          return original(...args);
        case 'kill-after': {
          const sent = original(...args);
          process.kill(process.pid, 'SIGKILL');
          return sent;
        }
        case 'terminate': {
          const closed = new Promise<void>((resolve) => client.once('end', () => resolve()));
          this.closing = closed;
          const sent = original(FAULT_SQL.terminate);
          // The backend's FATAL error and the connection's close arrive together; the caller
          // hears of the error only once the close has been seen too — always the order in which
          // a connection still lent out, between two statements, learns it is dead (found by seed
          // 2: without an 'error' listener on it the process crashed; otherwise it depended on timing).
          if (!(sent instanceof Promise)) return sent;
          return sent.catch(async (err: unknown) => {
            let timer: NodeJS.Timeout | undefined;
            await Promise.race([closed, new Promise<void>((r) => { timer = setTimeout(r, 2_000); })]);
            clearTimeout(timer);
            throw err;
          });
        }
        default:
          return original(FAULT_SQL[armed.kind]);
      }
    };
  }
}

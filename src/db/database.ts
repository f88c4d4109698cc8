import { Kysely, PostgresDialect, type Transaction } from 'kysely';
import pg from 'pg';
import type { DB } from './schema.ts';

// int8 (money in fen, ids) must never become a JS number: read it as bigint.
pg.types.setTypeParser(pg.types.builtins.INT8, (v) => BigInt(v));

export type Db = Kysely<DB>;
export type Trx = Transaction<DB>;
/** Functions that work either inside a caller's transaction or on their own take this. */
export type DbOrTrx = Db | Trx;

/** The timeouts every ExamPay connection runs with (the pooler's connect_query sets the same). */
export const SESSION_TIMEOUTS = { statement_timeout: 30_000, idle_in_transaction_session_timeout: 60_000 } as const;

export function createDb(databaseUrl: string, opts: { poolSize?: number; onIdleError?: (err: Error) => void; poolMode?: 'session' | 'transaction' } = {}): { db: Db; pool: pg.Pool } {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: opts.poolSize ?? 10,
    // A hung query must not hold a seat or a bill lock forever. PgBouncer in transaction mode
    // refuses these start-up parameters (and a SET would leak to other clients of the server
    // connection): there the pooler sets them on its server connections (docs/scaling.md).
    ...(opts.poolMode === 'transaction' ? {} : SESSION_TIMEOUTS),
  });
  // An idle connection dies when PostgreSQL restarts or fails over; without a listener that
  // error would crash the process. The pool replaces the connection on next use.
  pool.on('error', opts.onIdleError ?? (() => undefined));
  // The same for a connection in use (checked out by a transaction): the pool listens only while
  // it is idle, so a backend terminated mid-transaction (failover, idle_in_transaction_session_timeout,
  // pg_terminate_backend) emitted an unhandled 'error' and killed the whole server (found by the
  // fault simulation, test/sim). The transaction's own query still fails and rolls back; the
  // pool drops the dead connection when it is released.
  pool.on('connect', (client) => client.on('error', opts.onIdleError ?? (() => undefined)));
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return { db, pool };
}

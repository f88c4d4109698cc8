import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';

/**
 * OPS-3/OPS-4: PostgreSQL ends a connection while a transaction holds it (a failover, the
 * server's idle_in_transaction_session_timeout, an operator's pg_terminate_backend). That
 * transaction fails and rolls back; the process lives on and the pool serves new work. Before
 * the fix in src/db/database.ts the pool had no 'error' listener on connections in use, and the
 * lost connection crashed the whole server (found by the fault simulation, docs/simulation.md).
 */
let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

describe('a database connection lost in the middle of a transaction', () => {
  it('fails that transaction only: nothing it wrote is kept, the process does not crash, the next work succeeds', async () => {
    const crashes: unknown[] = [];
    const onCrash = (err: unknown) => crashes.push(err);
    process.on('uncaughtException', onCrash);
    try {
      const tx = t.db.transaction().execute(async (trx) => {
        await trx.insertInto('authority').values({ code: 'LOST', name: '断线' }).execute();
        const { rows } = await sql<{ pid: number }>`SELECT pg_backend_pid() AS pid`.execute(trx);
        // Another session terminates this one while it sits inside its transaction, between statements.
        await sql`SELECT pg_terminate_backend(${rows[0]!.pid})`.execute(t.db);
        await new Promise((r) => setTimeout(r, 200));
        await sql`SELECT 1`.execute(trx);
      });
      await expect(tx).rejects.toThrow();
      await new Promise((r) => setTimeout(r, 100));
      expect(crashes).toEqual([]);
      expect(await t.db.selectFrom('authority').select('code').where('code', '=', 'LOST').execute()).toEqual([]);
      const { rows } = await sql<{ one: number }>`SELECT 1 AS one`.execute(t.db);
      expect(rows[0]!.one).toBe(1);
    } finally {
      process.off('uncaughtException', onCrash);
    }
  });
});

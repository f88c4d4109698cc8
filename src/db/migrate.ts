import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
// Any constant works; it only has to be the same in every process of this application.
const MIGRATION_LOCK = 727_001;

/**
 * Applies the numbered SQL files in db/migrations that have not run yet, each in its own
 * transaction. Several processes may start at once (OPS-4): each file's transaction first takes
 * a transaction-scoped advisory lock and looks again whether the file is applied, so one process
 * applies it and the others find it done. Only transaction-scoped locks: a session lock taken
 * through PgBouncer in transaction mode could be taken on one server connection and released on
 * another, and stay held for good (docs/scaling.md). A file changed after it was applied stops
 * the start: a database would silently miss the change, so it must be a new migration instead.
 */
export async function migrate(pool: pg.Pool, dir: string = MIGRATIONS_DIR): Promise<string[]> {
  const client = await pool.connect();
  const inLockedTransaction = async <T>(work: () => Promise<T>): Promise<T> => {
    await client.query('BEGIN');
    try {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      const out = await work();
      await client.query('COMMIT');
      return out;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  };
  try {
    await inLockedTransaction(() => client.query(`CREATE TABLE IF NOT EXISTS schema_migration (
      name text PRIMARY KEY, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`));
    const files = (await fs.readdir(dir)).filter((f) => /^\d{3}_[a-z0-9_]+\.sql$/.test(f)).sort();
    const applied: string[] = [];
    for (const file of files) {
      const sql = await fs.readFile(path.join(dir, file), 'utf8');
      const checksum = createHash('sha256').update(sql).digest('hex');
      const ran = await inLockedTransaction(async () => {
        const done = await client.query<{ checksum: string }>('SELECT checksum FROM schema_migration WHERE name = $1', [file]);
        const appliedChecksum = done.rows[0]?.checksum;
        if (appliedChecksum !== undefined) {
          if (appliedChecksum !== checksum) {
            throw new Error(`migration ${file} was changed after this database applied it; put the change in a new migration file instead`);
          }
          return false;
        }
        try {
          await client.query(sql);
        } catch (err) {
          throw new Error(`migration ${file} failed: ${(err as Error).message}`, { cause: err });
        }
        await client.query('INSERT INTO schema_migration (name, checksum) VALUES ($1, $2)', [file, checksum]);
        return true;
      });
      if (ran) applied.push(file);
    }
    return applied;
  } finally {
    client.release();
  }
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate } from '../src/db/migrate.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';

let t: TestDatabase;
let dir: string;
beforeAll(async () => {
  t = await createTestDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exampay-migrations-'));
});
afterAll(async () => {
  await t.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('migrations', () => {
  it('the real migrations are already applied to a test database and re-running them does nothing', async () => {
    expect(await migrate(t.pool)).toEqual([]);
  });

  it('applies new files once, in order, and refuses a file changed after it was applied', async () => {
    fs.writeFileSync(path.join(dir, '901_probe_a.sql'), 'CREATE TABLE probe_a (x int);');
    fs.writeFileSync(path.join(dir, '902_probe_b.sql'), 'CREATE TABLE probe_b (x int);');
    expect(await migrate(t.pool, dir)).toEqual(['901_probe_a.sql', '902_probe_b.sql']);
    expect(await migrate(t.pool, dir)).toEqual([]);
    fs.writeFileSync(path.join(dir, '901_probe_a.sql'), 'CREATE TABLE probe_a (x int, y int);');
    await expect(migrate(t.pool, dir)).rejects.toThrow(/901_probe_a\.sql was changed after this database applied it/);
  });

  it('a failing migration is rolled back whole and named', async () => {
    fs.writeFileSync(path.join(dir, '901_probe_a.sql'), 'CREATE TABLE probe_a (x int);');
    fs.writeFileSync(path.join(dir, '903_broken.sql'), 'CREATE TABLE probe_c (x int); SELECT no_such_function();');
    await expect(migrate(t.pool, dir)).rejects.toThrow(/migration 903_broken\.sql failed/);
    const probeC = await t.pool.query("SELECT to_regclass('probe_c') AS t");
    expect(probeC.rows[0].t).toBeNull();
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { recordAudit } from '../src/modules/audit/audit-log.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';
import { makeExam, type ExamFixture } from './support/fixtures.ts';

let t: TestDatabase;
let exam: ExamFixture;
beforeAll(async () => {
  t = await createTestDatabase();
  exam = await makeExam(t.db);
});
afterAll(async () => t.drop());

const entry = (at: Date, action = 'staff.sign_in') => ({ at, actor: { type: 'STAFF' as const, id: 1n, role: 'AUTHORITY_ADMIN', authorityId: exam.authorityId }, action, ip: '127.0.0.1' });
const dbNow = async () => (await sql<{ now: Date }>`SELECT now() AS now`.execute(t.db)).rows[0]!.now;
const DAY = 86_400_000;

describe('the audit log is append-only (ADM-4, OPS-6)', () => {
  it('UPDATE is refused, for any row', async () => {
    await recordAudit(t.db, entry(await dbNow()));
    await expect(t.db.updateTable('audit_log').set({ outcome: 'FAILURE' }).execute()).rejects.toThrow(/append-only/);
    await expect(sql`UPDATE audit_log SET action = 'staff.sign_out'`.execute(t.db)).rejects.toThrow(/append-only/);
  });

  it('DELETE of a row younger than 180 days is refused, even when archiving on purpose', async () => {
    const young = new Date((await dbNow()).getTime() - 179 * DAY);
    await recordAudit(t.db, entry(young, 'staff.young_row'));
    await expect(t.db.deleteFrom('audit_log').where('action', '=', 'staff.young_row').execute()).rejects.toThrow(/append-only/);
    await expect(t.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL exampay.audit_purge = 'on'`.execute(trx);
      await trx.deleteFrom('audit_log').where('action', '=', 'staff.young_row').execute();
    })).rejects.toThrow(/at least 180 days/);
    expect(await t.db.selectFrom('audit_log').select('id').where('action', '=', 'staff.young_row').execute()).toHaveLength(1);
  });

  it('a row older than 180 days goes only when the transaction says it archives (SET LOCAL exampay.audit_purge)', async () => {
    const old = new Date((await dbNow()).getTime() - 181 * DAY);
    await recordAudit(t.db, entry(old, 'staff.old_row'));
    await expect(t.db.deleteFrom('audit_log').where('action', '=', 'staff.old_row').execute()).rejects.toThrow(/append-only/);
    await t.db.transaction().execute(async (trx) => {
      await sql`SET LOCAL exampay.audit_purge = 'on'`.execute(trx);
      await trx.deleteFrom('audit_log').where('action', '=', 'staff.old_row').execute();
    });
    expect(await t.db.selectFrom('audit_log').select('id').where('action', '=', 'staff.old_row').execute()).toEqual([]);
  });

  it('TRUNCATE is refused', async () => {
    await expect(sql`TRUNCATE audit_log`.execute(t.db)).rejects.toThrow(/append-only/);
    expect((await t.db.selectFrom('audit_log').select('id').execute()).length).toBeGreaterThan(0);
  });

  it('an entry is written in the transaction of its action: rolled back together', async () => {
    await expect(t.db.transaction().execute(async (trx) => {
      await recordAudit(trx, entry(await dbNow(), 'staff.rolled_back'));
      throw new Error('the action failed');
    })).rejects.toThrow('the action failed');
    expect(await t.db.selectFrom('audit_log').select('id').where('action', '=', 'staff.rolled_back').execute()).toEqual([]);
  });

  it('a summary with personal data is refused before anything is written; actions have the noun.verb shape', async () => {
    await expect(recordAudit(t.db, { ...entry(await dbNow(), 'staff.leaky'), summary: { note: '110105199003071234' } })).rejects.toThrow(/ID number/);
    expect(await t.db.selectFrom('audit_log').select('id').where('action', '=', 'staff.leaky').execute()).toEqual([]);
    await expect(recordAudit(t.db, entry(await dbNow(), 'Sign In'))).rejects.toThrow(/check/);
  });
});

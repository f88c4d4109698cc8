import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../src/db/database.ts';
import { expireUnpaidRegistrationsJob } from '../src/jobs/expire-unpaid-registrations.job.ts';
import { confirmBill } from '../src/modules/billing/confirm-bill.ts';
import { channelRegistry, type AppContext } from '../src/modules/context.ts';
import { registerSubject } from '../src/modules/registration/register-subject.ts';
import { provisionSeats } from '../src/modules/registration/seat-holds.sql.ts';
import { HOUR, ManualClock } from '../src/shared/clock.ts';
import { makeCandidate, makeExam } from './support/fixtures.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';
import { TEST_PERSONAL_DATA } from './support/test-keys.ts';
import { testLogger } from './support/test-log.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

describe('the 24 h removal never takes a registration that is being confirmed (REG-7, found in review)', () => {
  it('a bill confirmed between the job\'s snapshot and its row lock keeps its registration and its seat', async () => {
    const clock = new ManualClock('2026-03-15T01:00:00Z');
    const ctx = { db: t.db, clock, channels: channelRegistry([]), log: testLogger(), publicBaseUrl: 'http://x', personalData: TEST_PERSONAL_DATA } satisfies AppContext;
    const exam = await makeExam(t.db, { fees: [3000n] });
    await t.db.updateTable('exam').set({ unpaid_registration_ttl_hours: 24 }).where('id', '=', exam.examId).execute();
    const site = await t.db.insertInto('site').values({ sitting_id: exam.sittingId, code: 'A', name: 'A' }).returning('id').executeTakeFirstOrThrow();
    const slot = await t.db.insertInto('slot').values({ sitting_id: exam.sittingId, code: 'S', starts_at: new Date('2026-04-01T01:00:00Z'), ends_at: new Date('2026-04-01T03:00:00Z') }).returning('id').executeTakeFirstOrThrow();
    const pool = await t.db.insertInto('seat_pool').values({ site_id: site.id, slot_id: slot.id, subject_id: exam.subjectIds[0]!, capacity: 1 }).returning('id').executeTakeFirstOrThrow();
    await t.db.transaction().execute((trx) => provisionSeats(trx, pool.id, 1));
    const c = await makeCandidate(t.db, exam);
    await t.db.updateTable('registration').set({ status: 'CANCELLED', cancelled_at: clock.now(), cancelled_reason: 'CANDIDATE' }).where('candidate_id', '=', c.candidateId).execute();
    const reg = await registerSubject(ctx, { candidateId: c.candidateId, subjectId: exam.subjectIds[0]!, siteId: site.id, slotId: slot.id });
    if (!reg.ok) throw new Error(reg.error.code);
    clock.advance(25 * HOUR);

    // Widen the window between the job statement's snapshot and its row lock, without changing
    // what it computes: a slow make_interval() found first on the search path.
    await sql`CREATE FUNCTION public.make_interval(hours integer) RETURNS interval LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(1); RETURN pg_catalog.make_interval(hours => hours); END $$`.execute(t.db);
    await sql.raw(`ALTER DATABASE ${new URL(t.url).pathname.slice(1)} SET search_path = public, pg_catalog`).execute(t.db);
    const { db: slowDb } = createDb(t.url, { poolSize: 2 });
    try {
      const job = expireUnpaidRegistrationsJob.execute({ ...ctx, db: slowDb });
      await new Promise((r) => setTimeout(r, 300));
      const bill = await confirmBill(ctx, { candidateId: c.candidateId, registrationIds: [reg.value.registrationId] });
      expect(bill.ok).toBe(true);
      expect(await job).toEqual({ removed: 0 });
    } finally {
      await slowDb.destroy();
      await sql`DROP FUNCTION public.make_interval(integer)`.execute(t.db);
    }
    const r = await t.db.selectFrom('registration').select(['status']).where('id', '=', reg.value.registrationId).executeTakeFirstOrThrow();
    expect(r.status).toBe('ACTIVE');
    const seat = await t.db.selectFrom('seat').select(['state', 'registration_id']).where('pool_id', '=', pool.id).executeTakeFirstOrThrow();
    expect(seat).toEqual({ state: 'HELD', registration_id: reg.value.registrationId });
  });
});

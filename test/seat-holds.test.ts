import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { holdSeat, provisionSeats, releaseSeats, sellSeats } from '../src/modules/registration/seat-holds.sql.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';
import { makeCandidate, makeExam, type ExamFixture } from './support/fixtures.ts';

let t: TestDatabase;
let exam: ExamFixture;
beforeAll(async () => {
  t = await createTestDatabase({ poolSize: 120 });
  exam = await makeExam(t.db, { fees: [8000n] });
});
afterAll(async () => t.drop());

async function pool(capacity: number): Promise<bigint> {
  const site = await t.db.insertInto('site').values({ sitting_id: exam.sittingId, code: `S${Math.random().toString(36).slice(2, 8)}`, name: '考点' }).returning('id').executeTakeFirstOrThrow();
  const slot = await t.db.insertInto('slot').values({ sitting_id: exam.sittingId, code: `T${Math.random().toString(36).slice(2, 8)}`, starts_at: new Date('2026-04-11T01:00:00Z'), ends_at: new Date('2026-04-11T03:00:00Z') }).returning('id').executeTakeFirstOrThrow();
  const p = await t.db.insertInto('seat_pool').values({ site_id: site.id, slot_id: slot.id, subject_id: exam.subjectIds[0]!, capacity }).returning('id').executeTakeFirstOrThrow();
  await t.db.transaction().execute((trx) => provisionSeats(trx, p.id, capacity));
  return p.id;
}

async function registrations(n: number): Promise<bigint[]> {
  const ids: bigint[] = [];
  for (let i = 0; i < n; i++) ids.push((await makeCandidate(t.db, exam)).registrationIds[0]!);
  return ids;
}

const now = new Date('2026-03-15T01:00:00Z');
/** As settlement does: the registration is paid and its seat sold in one transaction. */
const sell = (registrationId: bigint) => t.db.transaction().execute(async (trx) => {
  await trx.updateTable('registration').set({ paid_at: now }).where('id', '=', registrationId).where('paid_at', 'is', null).execute();
  return sellSeats(trx, [registrationId]);
});
const tryHold = (poolId: bigint, registrationId: bigint) => t.db.transaction().execute((trx) => holdSeat(trx, { poolId, registrationId, now }));

async function counts(poolId: bigint) {
  const rows = await t.db.selectFrom('seat').select(['state', (eb) => eb.fn.countAll<string>().as('n')]).where('pool_id', '=', poolId).groupBy('state').execute();
  const by = Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  return { FREE: by.FREE ?? 0, HELD: by.HELD ?? 0, SOLD: by.SOLD ?? 0 };
}

describe('seat holds at the rush (REG-6)', () => {
  it('200 concurrent holds on a slot with 50 seats: exactly 50 held, each seat once, each holder at most one', async () => {
    const poolId = await pool(50);
    const regs = await registrations(200);
    const results = await Promise.all(regs.map((r) => tryHold(poolId, r)));
    const won = results.filter((r) => r !== null);
    expect(won).toHaveLength(50);
    expect(new Set(won.map((s) => s!.seatNo)).size).toBe(50);
    expect(await counts(poolId)).toEqual({ FREE: 0, HELD: 50, SOLD: 0 });
    const holders = await t.db.selectFrom('seat').select('registration_id').where('pool_id', '=', poolId).execute();
    expect(new Set(holders.map((h) => h.registration_id)).size).toBe(50);
  });

  it('after random sells and releases racing with new holds, held + sold never exceeds capacity and every released seat can be held again', async () => {
    const capacity = 20;
    const poolId = await pool(capacity);
    const regs = await registrations(60);
    await fc.assert(fc.asyncProperty(
      fc.array(fc.record({ op: fc.constantFrom('hold', 'sell', 'release'), who: fc.nat(59) }), { minLength: 20, maxLength: 60 }),
      async (ops) => {
        // Run the operations in waves of 10 concurrent ones.
        for (let i = 0; i < ops.length; i += 10) {
          await Promise.all(ops.slice(i, i + 10).map(({ op, who }): Promise<unknown> => {
            const r = regs[who]!;
            if (op === 'hold') {
              // Two holds for one registration in the same wave: the unique index refuses the second.
              return tryHold(poolId, r).catch((err: { code?: string }) => {
                if (err.code !== '23505') throw err;
                return null;
              });
            }
            return op === 'sell' ? sell(r) : t.db.transaction().execute((trx) => releaseSeats(trx, [r]));
          }));
          const c = await counts(poolId);
          expect(c.FREE + c.HELD + c.SOLD).toBe(capacity);
          expect(c.HELD + c.SOLD).toBeLessThanOrEqual(capacity);
        }
        // Every free seat can be held again by someone without one.
        const { FREE } = await counts(poolId);
        const seated = new Set((await t.db.selectFrom('seat').select('registration_id').where('pool_id', '=', poolId).execute()).map((x) => x.registration_id));
        const unseated = regs.filter((r) => !seated.has(r));
        const again = await Promise.all(unseated.map((r) => tryHold(poolId, r)));
        expect(again.filter((x) => x !== null)).toHaveLength(Math.min(FREE, unseated.length));
        // Reset for the next run: release everything not sold.
        await t.db.transaction().execute((trx) => releaseSeats(trx, regs));
      },
    ), { numRuns: 15 });
  });

  it('a sold seat is never released, and capacity can only shrink over free seats', async () => {
    const poolId = await pool(3);
    const [a, b] = await registrations(2);
    await tryHold(poolId, a!);
    await tryHold(poolId, b!);
    await sell(a!);
    expect(await t.db.transaction().execute((trx) => releaseSeats(trx, [a!, b!]))).toEqual([b]);
    expect(await counts(poolId)).toEqual({ FREE: 2, HELD: 0, SOLD: 1 });
    await t.db.transaction().execute((trx) => provisionSeats(trx, poolId, 1));
    // Seat 1 is sold; seats 2 and 3 were free and went away.
    expect(await counts(poolId)).toEqual({ FREE: 0, HELD: 0, SOLD: 1 });
  });

  it('capacity cannot be cut below the seats taken; a cut keeps the taken seats whatever their numbers, and the rows always equal the capacity', async () => {
    const poolId = await pool(3);
    const regs = await registrations(3);
    for (const r of regs) await tryHold(poolId, r); // seats 1, 2, 3
    await t.db.transaction().execute((trx) => releaseSeats(trx, [regs[0]!, regs[1]!])); // seat 3 stays held
    const refused = await t.db.transaction().execute((trx) => provisionSeats(trx, poolId, 0));
    expect(refused).toEqual({ ok: false, error: { code: 'CAPACITY_BELOW_TAKEN', details: { capacity: 0, taken: 1 } } });
    expect(await counts(poolId)).toEqual({ FREE: 2, HELD: 1, SOLD: 0 });
    expect((await t.db.transaction().execute((trx) => provisionSeats(trx, poolId, 1))).ok).toBe(true);
    expect(await counts(poolId)).toEqual({ FREE: 0, HELD: 1, SOLD: 0 });
    // The held seat (number 3) going back does not bring the pool above its capacity of 1.
    await t.db.transaction().execute((trx) => releaseSeats(trx, [regs[2]!]));
    expect(await counts(poolId)).toEqual({ FREE: 1, HELD: 0, SOLD: 0 });
    expect((await t.db.transaction().execute((trx) => provisionSeats(trx, poolId, 4))).ok).toBe(true);
    const seats = await t.db.selectFrom('seat').select('seat_no').where('pool_id', '=', poolId).orderBy('seat_no').execute();
    expect(seats.map((x) => x.seat_no)).toEqual([1, 2, 3, 4]);
    const p = await t.db.selectFrom('seat_pool').select('capacity').where('id', '=', poolId).executeTakeFirstOrThrow();
    expect(p.capacity).toBe(4);
  });

  it('a capacity cut racing with 40 holds never leaves more seats taken than the new capacity', async () => {
    for (let round = 0; round < 5; round++) {
      const poolId = await pool(30);
      const regs = await registrations(40);
      const cut = t.db.transaction().execute((trx) => provisionSeats(trx, poolId, 10));
      const holds = regs.map((r) => tryHold(poolId, r));
      const [result] = await Promise.all([cut, ...holds]);
      const c = await counts(poolId);
      const total = c.FREE + c.HELD + c.SOLD;
      if (result.ok) {
        // The cut won: the pool has 10 rows and holds got at most 10 of them.
        expect(total).toBe(10);
      } else {
        // Holds got in first with more than 10: the cut was refused and nothing was lost.
        expect(result.error.code).toBe('CAPACITY_BELOW_TAKEN');
        expect(total).toBe(30);
      }
      expect(c.HELD).toBeLessThanOrEqual(total);
    }
  });

  it('a seat cannot be SOLD to an unpaid registration: the database refuses at commit', async () => {
    const poolId = await pool(1);
    const [r] = await registrations(1);
    await tryHold(poolId, r!);
    await expect(t.db.transaction().execute((trx) => sellSeats(trx, [r!]))).rejects.toThrow(/SOLD but registration .* is not paid/);
    expect(await counts(poolId)).toEqual({ FREE: 0, HELD: 1, SOLD: 0 });
  });
});

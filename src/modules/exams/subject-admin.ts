import { sql } from 'kysely';
import type { Trx } from '../../db/database.ts';
import { fail, ok } from '../../shared/errors.ts';
import type { AppContext } from '../context.ts';
import { provisionSeats } from '../registration/seat-holds.sql.ts';
import { recordConfigChange } from './config-audit.ts';
import { capacityProblems, subjectProblems } from './configuration-rules.ts';
import type { CapacityConfig, SubjectConfig } from './exam-configuration.schema.ts';
import { change, deletePools, invalid, type Change } from './sitting-admin.ts';

/**
 * Subjects and capacity in the console (ADM-1, REG-3, REG-5, REG-6). A live sitting's promises
 * hold: a fee is fixed once a candidate has the subject on a bill or has paid it (the bill says
 * what was asked and paid); capacity never goes below the seats held and sold (provisionSeats);
 * a subject anyone registered for is never deleted.
 */

type Ctx = Pick<AppContext, 'db' | 'clock'>;

async function subjectConfig(trx: Trx, subjectId: bigint) {
  const s = await trx.selectFrom('subject as s').leftJoin('subject as w', 'w.id', 's.written_subject_id')
    .select(['s.id', 's.code', 's.name', 's.kind', 's.fee_fen', 'w.code as written', 's.exclusion_group', 's.requires_review']).where('s.id', '=', subjectId).executeTakeFirstOrThrow();
  return {
    subjectId: s.id, code: s.code, name: s.name, kind: s.kind, feeFen: s.fee_fen,
    writtenSubject: s.written, exclusionGroup: s.exclusion_group, requiresReview: s.requires_review,
  };
}

export function saveSubject(ctx: Ctx, input: Change & { sittingId: bigint; subjectId?: bigint; subject: SubjectConfig }) {
  const s = input.subject;
  return change(ctx, s.code, async (trx, now) => {
    const subjects = await trx.selectFrom('subject').select(['id', 'code', 'kind', 'written_subject_id']).where('sitting_id', '=', input.sittingId).execute();
    const others = new Map(subjects.filter((x) => x.id !== input.subjectId).map((x) => [x.code, x.kind] as const));
    const namedBy = input.subjectId === undefined ? [] : subjects.filter((x) => x.written_subject_id === input.subjectId).map((x) => x.code);
    const problems = subjectProblems(s, { others, namedBy });
    if (problems.length) return invalid(problems);
    const values = {
      code: s.code, name: s.name, kind: s.kind, fee_fen: BigInt(s.feeFen), exclusion_group: s.exclusionGroup ?? null, requires_review: s.requiresReview ?? false,
      written_subject_id: s.writtenSubject !== undefined ? subjects.find((x) => x.code === s.writtenSubject)!.id : null,
    };
    let before = null;
    if (input.subjectId !== undefined) {
      before = await subjectConfig(trx, input.subjectId);
      if (before.feeFen !== values.fee_fen) {
        // Locks the subject's registrations as confirming a bill does (FOR UPDATE in confirmBill):
        // a bill being made right now either committed first and is seen here, or waits for us.
        const billed = (await sql<{ n: number }>`
          SELECT count(*)::int AS n FROM (SELECT r.id, r.paid_at FROM registration r WHERE r.subject_id = ${input.subjectId} FOR SHARE) r
           WHERE r.paid_at IS NOT NULL OR EXISTS (SELECT 1 FROM bill_item i WHERE i.registration_id = r.id AND i.live)`.execute(trx)).rows[0]!.n;
        if (billed > 0) return fail('SUBJECT_FEE_LOCKED', { registrations: billed, feeFen: String(before.feeFen) });
      }
    }
    const id = input.subjectId !== undefined
      ? (await trx.updateTable('subject').set(values).where('id', '=', input.subjectId).returning('id').executeTakeFirstOrThrow()).id
      : (await trx.insertInto('subject').values({ sitting_id: input.sittingId, ...values }).returning('id').executeTakeFirstOrThrow()).id;
    const after = await subjectConfig(trx, id);
    await recordConfigChange(trx, { at: now, actor: input.actor, action: before ? 'subject.update' : 'subject.create', object: { type: 'subject', id }, before, after, extra: { sittingId: input.sittingId }, ip: input.ip ?? null });
    return ok(after);
  });
}

/** Only a subject nobody registered for, no roster standing names and no oral subject builds on; its empty capacity goes with it. */
export function deleteSubject(ctx: Ctx, input: Change & { sittingId: bigint; subjectId: bigint }) {
  return change(ctx, undefined, async (trx, now) => {
    await trx.selectFrom('subject').select('id').where('id', '=', input.subjectId).forUpdate().executeTakeFirstOrThrow();
    const before = await subjectConfig(trx, input.subjectId);
    const used = (await sql<{ registrations: number; standings: number; oralSubjects: number; decisions: number }>`
      SELECT (SELECT count(*)::int FROM registration WHERE subject_id = ${input.subjectId}) AS registrations,
             (SELECT count(*)::int FROM candidate_subject_standing WHERE subject_id = ${input.subjectId}) AS standings,
             (SELECT count(*)::int FROM subject WHERE written_subject_id = ${input.subjectId}) AS "oralSubjects",
             (SELECT count(*)::int FROM authority_action WHERE subject_id = ${input.subjectId}) AS decisions`.execute(trx)).rows[0]!;
    if (Object.values(used).some((n) => n > 0)) return fail('CONFIG_IN_USE', used);
    const pools = await deletePools(trx, 'subject_id', input.subjectId);
    await trx.deleteFrom('subject').where('id', '=', input.subjectId).execute();
    await recordConfigChange(trx, { at: now, actor: input.actor, action: 'subject.delete', object: { type: 'subject', id: input.subjectId }, before, extra: { sittingId: input.sittingId, poolsDeleted: pools }, ip: input.ip ?? null });
    return ok(undefined);
  });
}

/** Seats of one pool and who has them. */
async function poolState(trx: Trx, poolId: bigint) {
  return (await sql<{ seats: number; held: number; sold: number }>`
    SELECT p.capacity AS seats,
           (SELECT count(*)::int FROM seat WHERE pool_id = p.id AND state = 'HELD') AS held,
           (SELECT count(*)::int FROM seat WHERE pool_id = p.id AND state = 'SOLD') AS sold
      FROM seat_pool p WHERE p.id = ${poolId}`.execute(trx)).rows[0]!;
}

/** REG-6: sets the seats of site × slot × subject (a new pool if there was none), never below the seats held and sold. */
export function setCapacity(ctx: Ctx, input: Change & { sittingId: bigint; capacity: CapacityConfig }) {
  const c = input.capacity;
  return change(ctx, undefined, async (trx, now) => {
    const codes = async (table: 'site' | 'slot' | 'subject') => new Map((await trx.selectFrom(table).select(['id', 'code']).where('sitting_id', '=', input.sittingId).execute()).map((x) => [x.code, x.id] as const));
    const [sites, slots, subjects] = [await codes('site'), await codes('slot'), await codes('subject')];
    const problems = capacityProblems(c, { sites: new Set(sites.keys()), slots: new Set(slots.keys()), subjects: new Set(subjects.keys()) });
    if (problems.length) return invalid(problems);
    const key = { site_id: sites.get(c.site)!, slot_id: slots.get(c.slot)!, subject_id: subjects.get(c.subject)! };
    const existing = await trx.selectFrom('seat_pool').select('id').where('site_id', '=', key.site_id).where('slot_id', '=', key.slot_id).where('subject_id', '=', key.subject_id).executeTakeFirst();
    const poolId = existing?.id ?? (await trx.insertInto('seat_pool').values({ ...key, capacity: 0 }).returning('id').executeTakeFirstOrThrow()).id;
    const before = existing ? await poolState(trx, poolId) : null;
    const provisioned = await provisionSeats(trx, poolId, c.seats);
    if (!provisioned.ok) return provisioned;
    const after = await poolState(trx, poolId);
    await recordConfigChange(trx, {
      at: now, actor: input.actor, action: 'capacity.set', object: { type: 'seat_pool', id: poolId }, before, after,
      extra: { sittingId: input.sittingId, site: c.site, slot: c.slot, subject: c.subject }, ip: input.ip ?? null,
    });
    return ok({ poolId, ...after, created: !existing });
  });
}

/** A pool no registration names (its seats are all free). */
export function deleteCapacity(ctx: Ctx, input: Change & { sittingId: bigint; poolId: bigint }) {
  return change(ctx, undefined, async (trx, now) => {
    const pool = await trx.selectFrom('seat_pool').selectAll().where('id', '=', input.poolId).forUpdate().executeTakeFirstOrThrow();
    const registrations = (await trx.selectFrom('registration').select(sql<number>`count(*)::int`.as('n'))
      .where('site_id', '=', pool.site_id).where('slot_id', '=', pool.slot_id).where('subject_id', '=', pool.subject_id).executeTakeFirstOrThrow()).n;
    if (registrations > 0) return fail('CONFIG_IN_USE', { registrations });
    const before = await poolState(trx, input.poolId);
    await trx.deleteFrom('seat').where('pool_id', '=', input.poolId).execute();
    await trx.deleteFrom('seat_pool').where('id', '=', input.poolId).execute();
    await recordConfigChange(trx, { at: now, actor: input.actor, action: 'capacity.delete', object: { type: 'seat_pool', id: input.poolId }, before, extra: { sittingId: input.sittingId }, ip: input.ip ?? null });
    return ok(undefined);
  });
}

import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import { formatShanghai } from '../../shared/time.ts';
import type { ExamConfiguration, SittingConfig } from './exam-configuration.schema.ts';
import { examSettingsOf } from './exam-rows.ts';

/**
 * A sitting as the console reads it (ids, seats held and sold, what locks a fee) and as the data
 * file writes it (ADM-1): one read, two shapes.
 */
export async function readSitting(db: DbOrTrx, sittingId: bigint) {
  const sitting = await db.selectFrom('sitting').selectAll().where('id', '=', sittingId).executeTakeFirstOrThrow();
  const exam = await db.selectFrom('exam').selectAll().where('id', '=', sitting.exam_id).executeTakeFirstOrThrow();
  const authority = await db.selectFrom('authority').select(['code', 'name']).where('id', '=', exam.authority_id).executeTakeFirstOrThrow();
  const [windows, subjects, sites, slots, pools] = await Promise.all([
    db.selectFrom('sitting_window as w').leftJoin('site as s', 's.id', 'w.site_id').select(['w.id', 'w.kind', 'w.site_id', 's.code as site_code', 'w.opens_at', 'w.closes_at'])
      .where('w.sitting_id', '=', sittingId).orderBy('w.id').execute(),
    db.selectFrom('subject as s').leftJoin('subject as ws', 'ws.id', 's.written_subject_id')
      .select(['s.id', 's.code', 's.name', 's.kind', 's.fee_fen', 's.written_subject_id', 'ws.code as written_code', 's.exclusion_group', 's.requires_review', 's.cancelled_at',
        sql<number>`(SELECT count(*)::int FROM registration r WHERE r.subject_id = s.id)`.as('registrations'),
        sql<boolean>`EXISTS (SELECT 1 FROM registration r WHERE r.subject_id = s.id AND (r.paid_at IS NOT NULL OR EXISTS (SELECT 1 FROM bill_item i WHERE i.registration_id = r.id AND i.live)))`.as('fee_locked')])
      .where('s.sitting_id', '=', sittingId).orderBy('s.id').execute(),
    db.selectFrom('site').selectAll().where('sitting_id', '=', sittingId).orderBy('id').execute(),
    db.selectFrom('slot').selectAll().where('sitting_id', '=', sittingId).orderBy('id').execute(),
    db.selectFrom('seat_pool as p').innerJoin('site as si', 'si.id', 'p.site_id').innerJoin('slot as sl', 'sl.id', 'p.slot_id').innerJoin('subject as su', 'su.id', 'p.subject_id')
      .select(['p.id', 'p.site_id', 'p.slot_id', 'p.subject_id', 'si.code as site_code', 'sl.code as slot_code', 'su.code as subject_code', 'p.capacity', 'su.cancelled_at as subject_cancelled_at',
        sql<number>`(SELECT count(*)::int FROM seat t WHERE t.pool_id = p.id AND t.state = 'HELD')`.as('held'),
        sql<number>`(SELECT count(*)::int FROM seat t WHERE t.pool_id = p.id AND t.state = 'SOLD')`.as('sold')])
      .where('p.sitting_id', '=', sittingId).orderBy('p.id').execute(),
  ]);
  return { authority, exam, sitting, windows, subjects, sites, slots, pools };
}
export type SittingRead = Awaited<ReturnType<typeof readSitting>>;

/**
 * The sitting in the data file's shape, times as Beijing times. Subjects the authority cancelled
 * (REF-2) are left out with their capacity: the file has no word for "cancelled", and importing
 * one would make a cancelled subject registrable again.
 */
export function sittingConfigOf(r: SittingRead): SittingConfig {
  const live = r.subjects.filter((s) => s.cancelled_at === null);
  const liveCodes = new Set(live.map((s) => s.code));
  return {
    code: r.sitting.code, name: r.sitting.name,
    windows: r.windows.map((w) => ({ kind: w.kind, ...(w.site_code !== null ? { site: w.site_code } : {}), opens: formatShanghai(w.opens_at), closes: formatShanghai(w.closes_at) })),
    subjects: live.map((s) => ({
      code: s.code, name: s.name, kind: s.kind, feeFen: Number(s.fee_fen),
      ...(s.written_code !== null && liveCodes.has(s.written_code) ? { writtenSubject: s.written_code } : {}),
      ...(s.exclusion_group !== null ? { exclusionGroup: s.exclusion_group } : {}),
      requiresReview: s.requires_review,
    })),
    sites: r.sites.map((s) => ({ code: s.code, name: s.name })),
    slots: r.slots.map((s) => ({ code: s.code, starts: formatShanghai(s.starts_at), ends: formatShanghai(s.ends_at) })),
    capacity: r.pools.filter((p) => p.subject_cancelled_at === null).map((p) => ({ site: p.site_code, slot: p.slot_code, subject: p.subject_code, seats: p.capacity })),
  };
}

/** What fixtures/seeds/*.json hold, for one sitting: its exam's settings and the sitting; no roster (ADM-2 imports those). */
export async function exportSitting(db: DbOrTrx, sittingId: bigint): Promise<ExamConfiguration> {
  const r = await readSitting(db, sittingId);
  return {
    seed: `ExamPay export of ${r.authority.code}/${r.exam.code}/${r.sitting.code}`,
    authority: { code: r.authority.code, name: r.authority.name },
    exam: examSettingsOf(r.exam),
    sitting: sittingConfigOf(r),
    candidates: [],
  };
}

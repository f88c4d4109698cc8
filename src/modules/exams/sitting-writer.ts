import type { Trx } from '../../db/database.ts';
import { AppError } from '../../shared/errors.ts';
import { provisionSeats } from '../registration/seat-holds.sql.ts';
import { resolveTime } from './configuration-rules.ts';
import type { SittingConfig } from './exam-configuration.schema.ts';

export interface WrittenSitting {
  sittingId: bigint;
  subjects: Map<string, bigint>;
  sites: Map<string, bigint>;
  slots: Map<string, bigint>;
  seats: number;
}

/** A time the caller has checked (configuration-rules.ts); an unchecked bad one is a bug. */
export function checkedTime(when: string, now: Date): Date {
  const at = resolveTime(when, now);
  if (!at) throw new Error(`unchecked time in a configuration: ${when}`);
  return at;
}

/**
 * Writes a whole sitting under an exam, in the caller's transaction (ADM-1): the sitting, its
 * subjects (then the oral → written references), sites, slots, windows and seat pools with
 * their seats. The seed loader and the sitting-file import both write through here; the caller
 * has run `sittingProblems` first, so every code resolves.
 */
export async function writeSitting(trx: Trx, examId: bigint, s: SittingConfig, now: Date): Promise<WrittenSitting> {
  const when = (w: string) => checkedTime(w, now);
  const sitting = await trx.insertInto('sitting').values({ exam_id: examId, code: s.code, name: s.name }).returning('id').executeTakeFirstOrThrow();
  const ref = (map: Map<string, bigint>, code: string) => {
    const id = map.get(code);
    if (id === undefined) throw new Error(`unchecked reference in a configuration: ${code}`);
    return id;
  };
  const subjects = new Map<string, bigint>();
  for (const subject of s.subjects) {
    const row = await trx.insertInto('subject').values({
      sitting_id: sitting.id, code: subject.code, name: subject.name, kind: subject.kind, fee_fen: BigInt(subject.feeFen),
      exclusion_group: subject.exclusionGroup ?? null, requires_review: subject.requiresReview ?? false,
    }).returning('id').executeTakeFirstOrThrow();
    subjects.set(subject.code, row.id);
  }
  for (const subject of s.subjects.filter((x) => x.writtenSubject)) {
    await trx.updateTable('subject').set({ written_subject_id: ref(subjects, subject.writtenSubject!) }).where('id', '=', ref(subjects, subject.code)).execute();
  }
  const sites = new Map<string, bigint>();
  for (const site of s.sites) sites.set(site.code, (await trx.insertInto('site').values({ sitting_id: sitting.id, code: site.code, name: site.name }).returning('id').executeTakeFirstOrThrow()).id);
  const slots = new Map<string, bigint>();
  for (const slot of s.slots) {
    slots.set(slot.code, (await trx.insertInto('slot').values({ sitting_id: sitting.id, code: slot.code, starts_at: when(slot.starts), ends_at: when(slot.ends) }).returning('id').executeTakeFirstOrThrow()).id);
  }
  for (const w of s.windows) {
    await trx.insertInto('sitting_window').values({
      sitting_id: sitting.id, kind: w.kind, site_id: w.site ? ref(sites, w.site) : null, opens_at: when(w.opens), closes_at: when(w.closes),
    }).execute();
  }
  let seats = 0;
  for (const c of s.capacity) {
    const pool = await trx.insertInto('seat_pool').values({
      site_id: ref(sites, c.site), slot_id: ref(slots, c.slot), subject_id: ref(subjects, c.subject), capacity: c.seats,
    }).returning('id').executeTakeFirstOrThrow();
    const provisioned = await provisionSeats(trx, pool.id, c.seats);
    // A new pool has nothing taken; a refusal here would be a bug, and rolls everything back.
    if (!provisioned.ok) throw new AppError(provisioned.error.code, provisioned.error.details);
    seats += c.seats;
  }
  return { sittingId: sitting.id, subjects, sites, slots, seats };
}

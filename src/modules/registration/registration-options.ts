import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import { accountExamIds } from '../accounts/account-exams.ts';
import { canRegister } from './registration-rules.ts';
import { candidateStanding, sittingSubjects, sittingWindows } from './sitting-facts.repo.ts';
import { checkRegistrationWindow } from './windows.ts';

/**
 * What the registration page offers a candidate for one sitting: each subject with whether it
 * can be registered now and, if not, the rule that says no (so the page explains exclusions and
 * written-before-oral instead of hiding subjects), the sites and slots with free seats, and the
 * windows. The page keeps no rule of its own: these verdicts come from the same functions that
 * registerSubject enforces.
 */
export async function registrationOptions(db: DbOrTrx, input: { candidateId: bigint; sittingId: bigint; now: Date }) {
  const sitting = await db.selectFrom('sitting as st').innerJoin('exam as e', 'e.id', 'st.exam_id')
    .select(['st.id', 'st.name', 'e.roster_restricted']).where('st.id', '=', input.sittingId).where('e.id', 'in', accountExamIds(db, input.candidateId)).executeTakeFirst();
  if (!sitting) return undefined;
  const [windows, subjects, standing, rows, pools] = await Promise.all([
    sittingWindows(db, sitting.id),
    sittingSubjects(db, sitting.id),
    candidateStanding(db, { candidateId: input.candidateId, sittingId: sitting.id, rosterRestricted: sitting.roster_restricted }),
    db.selectFrom('subject').select(['id', 'code', 'name', 'kind', 'fee_fen']).where('sitting_id', '=', sitting.id).orderBy('id').execute(),
    db.selectFrom('seat_pool as p').innerJoin('site as si', 'si.id', 'p.site_id').innerJoin('slot as sl', 'sl.id', 'p.slot_id')
      .select(['p.subject_id', 'p.site_id', 'si.name as site_name', 'p.slot_id', 'sl.starts_at', 'sl.ends_at', 'p.capacity',
        sql<number>`(SELECT count(*)::int FROM seat WHERE seat.pool_id = p.id AND seat.state = 'FREE')`.as('free')])
      .where('sl.sitting_id', '=', sitting.id).orderBy('p.site_id').orderBy('sl.starts_at').execute(),
  ]);
  const registrationOpen = checkRegistrationWindow(windows, input.now);
  return {
    sitting: { id: sitting.id, name: sitting.name },
    registrationOpen: registrationOpen.ok,
    windows,
    subjects: rows.map((s) => {
      const verdict = canRegister(subjects.find((f) => f.id === s.id)!, standing, subjects);
      return { ...s, verdict, choices: pools.filter((p) => p.subject_id === s.id) };
    }),
  };
}

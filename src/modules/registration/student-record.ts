import type { DbOrTrx } from '../../db/database.ts';
import type { Candidate } from '../../db/schema.ts';
import type { PersonalDataKeys } from '../../shared/personal-data.ts';
import { accountExamIds } from '../accounts/account-exams.ts';
import { maskedIdentity } from '../accounts/candidate-identity.ts';

export type Standing = 'ELIGIBLE' | 'PASSED' | 'EXEMPT';

/**
 * 学籍与报考资格 (issue 7 item 1, REG-2, REG-3): what the authority holds about the signed-in
 * candidate, read-only and their own only — who they are (ID number masked), their institution,
 * and per sitting of the exams they act in, each subject's standing from the roster / student
 * records (可报考 / 已通过 / 免考, the STANDING import), whether the roster lets them take it,
 * and whether they registered, paid, or have an appeal about it pending. It states facts; the
 * verdicts (may I register this now?) stay with the registration options, which apply the rules.
 */
export async function studentRecord(db: DbOrTrx, keys: PersonalDataKeys, candidate: Candidate) {
  const [sittings, standings, registrations, appeals, institution, exam] = await Promise.all([
    db.selectFrom('sitting as st').innerJoin('exam as e', 'e.id', 'st.exam_id')
      .select(['st.id', 'st.code', 'st.name', 'st.cancelled_at', 'e.name as exam_name', 'e.roster_restricted'])
      .where('e.id', 'in', accountExamIds(db, candidate.id)).orderBy('st.id').execute(),
    db.selectFrom('candidate_subject_standing').select(['subject_id', 'status']).where('candidate_id', '=', candidate.id).execute(),
    db.selectFrom('registration').select(['subject_id', 'owner', 'paid_at']).where('candidate_id', '=', candidate.id).where('status', '=', 'ACTIVE').execute(),
    db.selectFrom('appeal').select('subject_id').where('candidate_id', '=', candidate.id).where('kind', '=', 'SUBJECT').where('state', '=', 'PENDING').execute(),
    candidate.institution_id === null ? undefined : db.selectFrom('institution').select(['name', 'kind']).where('id', '=', candidate.institution_id).executeTakeFirst(),
    db.selectFrom('exam').select('name').where('id', '=', candidate.exam_id).executeTakeFirstOrThrow(),
  ]);
  const subjects = sittings.length === 0 ? [] : await db.selectFrom('subject').select(['id', 'sitting_id', 'code', 'name', 'kind', 'cancelled_at'])
    .where('sitting_id', 'in', sittings.map((s) => s.id)).orderBy('id').execute();
  const standingOf = new Map(standings.map((s) => [s.subject_id, s.status]));
  const registered = new Map(registrations.map((r) => [r.subject_id, r]));
  const appealed = new Set(appeals.map((a) => a.subject_id));
  return {
    candidate: {
      name: candidate.name, idType: candidate.id_type, idNumberMasked: maskedIdentity(keys, candidate).idNumberMasked,
      login: candidate.login, examName: exam.name, institution: institution ? { name: institution.name, kind: institution.kind } : null,
    },
    sittings: sittings.map((st) => ({
      sittingId: st.id, code: st.code, name: st.name, examName: st.exam_name, rosterRestricted: st.roster_restricted, cancelled: st.cancelled_at !== null,
      subjects: subjects.filter((s) => s.sitting_id === st.id).map((s) => {
        const standing = (standingOf.get(s.id) ?? null) as Standing | null;
        const reg = registered.get(s.id);
        return {
          subjectId: s.id, code: s.code, name: s.name, kind: s.kind, cancelled: s.cancelled_at !== null, standing,
          onRoster: !st.roster_restricted || standing === 'ELIGIBLE',
          registered: reg !== undefined, registeredBy: reg?.owner ?? null, paid: reg !== undefined && reg.paid_at !== null, appealPending: appealed.has(s.id),
        };
      }),
    })),
  };
}

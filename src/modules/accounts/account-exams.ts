import type { DbOrTrx } from '../../db/database.ts';

/**
 * ACC-1: the exams a candidate acts in. A roster (ID-document) account belongs to its own exam;
 * a 通行证 works in every exam of its authority whose accounts are e-mail accounts (CET, NCRE,
 * MHK of one centre, seed 002), across sittings. Use as a subquery:
 * `.where('exam_id', 'in', accountExamIds(db, candidateId))`.
 */
export function accountExamIds(db: DbOrTrx, candidateId: bigint) {
  return db.selectFrom('exam as ax').innerJoin('candidate as ac', 'ac.authority_id', 'ax.authority_id')
    .select('ax.id')
    .where('ac.id', '=', candidateId)
    .where((eb) => eb.or([
      eb('ax.id', '=', eb.ref('ac.exam_id')),
      eb.and([eb('ac.login', '=', 'EMAIL'), eb('ax.account_style', '=', 'EMAIL')]),
    ]));
}

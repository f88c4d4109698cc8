import type { DbOrTrx } from '../../db/database.ts';

/**
 * What the exports page offers as filters (ADM-2): the authority's sittings, each with its exam,
 * subjects and sites. Finance and read-only staff export but may not read the exams'
 * configuration (exam.read), so the export filters have their own, smaller read.
 */
export interface ExportFilterOptions {
  sittings: {
    sittingId: bigint; code: string; name: string; examCode: string; examName: string; cancelled: boolean;
    subjects: { subjectId: bigint; code: string; name: string }[];
    sites: { siteId: bigint; code: string; name: string }[];
  }[];
}

export async function exportFilterOptions(db: DbOrTrx, authorityId: bigint): Promise<ExportFilterOptions> {
  const sittings = await db.selectFrom('sitting as st').innerJoin('exam as e', 'e.id', 'st.exam_id')
    .select(['st.id', 'st.code', 'st.name', 'st.cancelled_at', 'e.code as exam_code', 'e.name as exam_name'])
    .where('e.authority_id', '=', authorityId).orderBy('st.id', 'desc').execute();
  const ids = sittings.map((s) => s.id);
  const [subjects, sites] = ids.length
    ? await Promise.all([
      db.selectFrom('subject').select(['id', 'sitting_id', 'code', 'name']).where('sitting_id', 'in', ids).orderBy('id').execute(),
      db.selectFrom('site').select(['id', 'sitting_id', 'code', 'name']).where('sitting_id', 'in', ids).orderBy('id').execute(),
    ])
    : [[], []];
  return {
    sittings: sittings.map((s) => ({
      sittingId: s.id, code: s.code, name: s.name, examCode: s.exam_code, examName: s.exam_name, cancelled: s.cancelled_at !== null,
      subjects: subjects.filter((x) => x.sitting_id === s.id).map((x) => ({ subjectId: x.id, code: x.code, name: x.name })),
      sites: sites.filter((x) => x.sitting_id === s.id).map((x) => ({ siteId: x.id, code: x.code, name: x.name })),
    })),
  };
}

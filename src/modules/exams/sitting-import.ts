import { isDeepStrictEqual } from 'node:util';
import type { AppContext } from '../context.ts';
import type { StaffActor } from '../accounts/authorization.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import { examSettingsProblems, schemaProblems, sittingProblems, type Problem } from './configuration-rules.ts';
import { ExamConfiguration, type ExamSettings } from './exam-configuration.schema.ts';
import { examColumns, examSettingsOf } from './exam-rows.ts';
import { recordConfigChange } from './config-audit.ts';
import { writeSitting } from './sitting-writer.ts';
import { uniqueViolation } from './config-errors.ts';

export interface ImportedSitting { examId: bigint; examCreated: boolean; sittingId: bigint; subjects: number; sites: number; slots: number; windows: number; pools: number; seats: number }

/** The settings an exam would end up with from a file: the defaults written out, as an export writes them. */
function settled(e: ExamSettings): ExamSettings {
  return examSettingsOf({ ...examColumns(e), id: 0n, authority_id: 0n, created_at: new Date(0) });
}

/**
 * Imports a sitting file (the format of fixtures/seeds/*.json and of exportSitting) into the
 * signed-in staff member's authority, all or nothing (ADM-1). The file's `authority` says where
 * it came from and is not used. Its exam is found by code: a new code creates the exam; an
 * existing one must have exactly the file's settings (a file does not silently reconfigure an
 * exam that has candidates — change the exam first, or import under a new code). The sitting is
 * always new. Rosters, CET4 results and institutions are not part of a sitting file: they come
 * through the roster import (ADM-2). Every problem is listed with its path and reason.
 */
export async function importSitting(ctx: Pick<AppContext, 'db' | 'clock'>, input: { actor: StaffActor; file: unknown; ip?: string | null }): Promise<Result<ImportedSitting>> {
  const now = ctx.clock.now();
  const invalid = (problems: Problem[]) => fail<ImportedSitting>('CONFIGURATION_INVALID', { count: problems.length, problems });
  const shape = schemaProblems(ExamConfiguration, input.file);
  if (shape.length) return invalid(shape);
  const file = input.file as ExamConfiguration;
  const problems: Problem[] = [...examSettingsProblems(file.exam, '/exam'), ...sittingProblems(file.sitting, now)];
  if (file.candidates.length) problems.push({ path: '/candidates', reason: 'a sitting file carries no roster: import candidates through the roster import' });
  if (file.cet4Scores?.length) problems.push({ path: '/cet4Scores', reason: 'a sitting file carries no CET4 results: import them through the roster import' });
  if (file.institutions?.length) problems.push({ path: '/institutions', reason: "institutions are the authority's, not a sitting's: they are not imported with a sitting" });
  if (problems.length) return invalid(problems);

  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const existing = await trx.selectFrom('exam').selectAll().where('authority_id', '=', input.actor.authorityId).where('code', '=', file.exam.code).forUpdate().executeTakeFirst();
      let examId: bigint;
      if (existing) {
        const have = examSettingsOf(existing);
        const want = settled(file.exam);
        const differ = (Object.keys(want) as (keyof ExamSettings)[]).filter((k) => !isDeepStrictEqual(have[k], want[k]));
        if (differ.length) return invalid(differ.map((k) => ({ path: `/exam/${k}`, reason: `differs from the settings of exam ${existing.code}, which already exists: change the exam first, or import under a new exam code` })));
        const taken = await trx.selectFrom('sitting').select('id').where('exam_id', '=', existing.id).where('code', '=', file.sitting.code).executeTakeFirst();
        if (taken) return invalid([{ path: '/sitting/code', reason: `exam ${existing.code} already has a sitting ${file.sitting.code}` }]);
        examId = existing.id;
      } else {
        examId = (await trx.insertInto('exam').values({ authority_id: input.actor.authorityId, ...examColumns(file.exam) }).returning('id').executeTakeFirstOrThrow()).id;
      }
      const written = await writeSitting(trx, examId, file.sitting, now);
      const s = file.sitting;
      const result: ImportedSitting = {
        examId, examCreated: !existing, sittingId: written.sittingId,
        subjects: s.subjects.length, sites: s.sites.length, slots: s.slots.length, windows: s.windows.length, pools: s.capacity.length, seats: written.seats,
      };
      await recordConfigChange(trx, {
        at: now, actor: input.actor, action: 'sitting.import', object: { type: 'sitting', id: written.sittingId }, ip: input.ip ?? null,
        after: { examCode: file.exam.code, sittingCode: s.code, ...(existing ? {} : { exam: file.exam }) },
        extra: { from: `${file.authority.code}/${file.exam.code}/${s.code}`, examId, examCreated: !existing, subjects: result.subjects, sites: result.sites, slots: result.slots, windows: result.windows, pools: result.pools, seats: result.seats },
      });
      return ok(result);
    });
  } catch (err) {
    // Two imports racing for the same new exam or sitting code: the second is told, not a 500.
    if (uniqueViolation(err)) return fail('CONFIG_CODE_TAKEN', { code: `${file.exam.code}/${file.sitting.code}` });
    throw err;
  }
}

import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type { Exam } from '../../db/schema.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import type { StaffActor } from '../accounts/authorization.ts';
import type { AppContext } from '../context.ts';
import { recordConfigChange } from './config-audit.ts';
import { foreignKeyViolation, uniqueViolation } from './config-errors.ts';
import { examSettingsProblems, type Problem } from './configuration-rules.ts';
import type { ExamSettings } from './exam-configuration.schema.ts';
import { examColumns, examSettingsOf } from './exam-rows.ts';

/**
 * Exams in the console (ADM-1): account style, initial password rule, bill timeout, channels,
 * password and refund policy and the rest of ExamSettings — the same fields and checks as the
 * data file's `exam`. Every change is audited with its before and after.
 */

type Ctx = Pick<AppContext, 'db' | 'clock'>;
const invalid = (problems: Problem[]) => fail<never>('CONFIGURATION_INVALID', { count: problems.length, problems });

export async function listExams(db: DbOrTrx, authorityId: bigint) {
  const exams = await db.selectFrom('exam').selectAll().where('authority_id', '=', authorityId).orderBy('id').execute();
  const sittings = exams.length === 0 ? [] : await db.selectFrom('sitting').select(['id', 'exam_id', 'code', 'name', 'cancelled_at']).where('exam_id', 'in', exams.map((e) => e.id)).orderBy('id').execute();
  return exams.map((exam) => ({ exam, sittings: sittings.filter((s) => s.exam_id === exam.id) }));
}

export async function examWithSittings(db: DbOrTrx, exam: Exam) {
  return { exam, sittings: await db.selectFrom('sitting').select(['id', 'exam_id', 'code', 'name', 'cancelled_at']).where('exam_id', '=', exam.id).orderBy('id').execute() };
}

export async function createExam(ctx: Ctx, input: { actor: StaffActor; settings: ExamSettings; ip?: string | null }): Promise<Result<Exam>> {
  const problems = examSettingsProblems(input.settings);
  if (problems.length) return invalid(problems);
  try {
    return ok(await ctx.db.transaction().execute(async (trx) => {
      const exam = await trx.insertInto('exam').values({ authority_id: input.actor.authorityId, ...examColumns(input.settings) }).returningAll().executeTakeFirstOrThrow();
      await recordConfigChange(trx, { at: ctx.clock.now(), actor: input.actor, action: 'exam.create', object: { type: 'exam', id: exam.id }, after: examSettingsOf(exam), ip: input.ip ?? null });
      return exam;
    }));
  } catch (err) {
    if (uniqueViolation(err)) return fail('CONFIG_CODE_TAKEN', { code: input.settings.code });
    throw err;
  }
}

/**
 * Replaces an exam's settings. ACC-1: the account style cannot change once the exam has
 * candidates — their accounts were made for the other style. Everything else applies from now
 * on (a new timeout to new bills, a new password policy at the next change of password).
 */
export async function updateExam(ctx: Ctx, input: { actor: StaffActor; examId: bigint; settings: ExamSettings; ip?: string | null }): Promise<Result<Exam>> {
  const problems = examSettingsProblems(input.settings);
  if (problems.length) return invalid(problems);
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('exam').selectAll().where('id', '=', input.examId).forUpdate().executeTakeFirstOrThrow();
      if (before.account_style !== input.settings.accountStyle) {
        const candidates = await trx.selectFrom('candidate').select(sql<number>`count(*)::int`.as('n')).where('exam_id', '=', input.examId).executeTakeFirstOrThrow();
        if (candidates.n > 0) return invalid([{ path: '/accountStyle', reason: `the exam already has ${candidates.n} candidate account(s) of style ${before.account_style}` }]);
      }
      const exam = await trx.updateTable('exam').set(examColumns(input.settings)).where('id', '=', input.examId).returningAll().executeTakeFirstOrThrow();
      await recordConfigChange(trx, {
        at: ctx.clock.now(), actor: input.actor, action: 'exam.update', object: { type: 'exam', id: exam.id },
        before: examSettingsOf(before), after: examSettingsOf(exam), ip: input.ip ?? null,
      });
      return ok(exam);
    });
  } catch (err) {
    if (uniqueViolation(err)) return fail('CONFIG_CODE_TAKEN', { code: input.settings.code });
    throw err;
  }
}

/** Only an exam nothing hangs on yet: no sitting, no candidate. */
export async function deleteExam(ctx: Ctx, input: { actor: StaffActor; examId: bigint; ip?: string | null }): Promise<Result<void>> {
  try {
    return await ctx.db.transaction().execute(async (trx) => {
      const before = await trx.selectFrom('exam').selectAll().where('id', '=', input.examId).forUpdate().executeTakeFirstOrThrow();
      const sittings = await trx.selectFrom('sitting').select('id').where('exam_id', '=', input.examId).execute();
      const candidates = await trx.selectFrom('candidate').select('id').where('exam_id', '=', input.examId).limit(1).execute();
      if (sittings.length || candidates.length) return fail('CONFIG_IN_USE', { sittings: sittings.length, candidates: candidates.length > 0 });
      await trx.deleteFrom('exam').where('id', '=', input.examId).execute();
      await recordConfigChange(trx, { at: ctx.clock.now(), actor: input.actor, action: 'exam.delete', object: { type: 'exam', id: input.examId }, before: examSettingsOf(before), ip: input.ip ?? null });
      return ok(undefined);
    });
  } catch (err) {
    if (foreignKeyViolation(err)) return fail('CONFIG_IN_USE');
    throw err;
  }
}

import type { DbOrTrx } from '../../db/database.ts';
import type { AppealState } from '../../db/schema.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import { accountExamIds } from '../accounts/account-exams.ts';
import { AUDIT_ACTIONS_APPEALS, candidateAuditActor } from './appeal-audit.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { AppContext } from '../context.ts';
import { transitionAppeal } from './appeal-transition.repo.ts';

export const STATEMENT_MAX = 500;

/**
 * 报考科目申诉 (seed 000): the candidate says a subject of theirs is wrong — typically one their
 * learning centre registered, which they cannot delete. It goes to the institution that made the
 * registration, or else the candidate's own institution (NULL: the authority's admins). While it
 * is pending the candidate cannot register the subject (appeal-rule.ts).
 *
 * The candidate's row is locked first, as registerSubject locks it, so an appeal and a
 * registration of the same subject from two tabs are decided one after the other.
 */
export async function fileSubjectAppeal(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: { candidateId: bigint; subjectId: bigint; registrationId?: bigint; statement: string; ip: string | null },
): Promise<Result<{ appealId: bigint; state: AppealState }>> {
  const statement = input.statement.trim();
  if (!statement || statement.length > STATEMENT_MAX) return fail('VALIDATION_FAILED', { field: 'statement', maxLength: STATEMENT_MAX });
  return ctx.db.transaction().execute(async (trx): Promise<Result<{ appealId: bigint; state: AppealState }>> => {
    const candidate = await trx.selectFrom('candidate').select(['id', 'authority_id', 'institution_id']).where('id', '=', input.candidateId).forUpdate().executeTakeFirstOrThrow();
    // A subject of an exam the account does not act in reads like a missing one.
    const subject = await trx.selectFrom('subject as s').innerJoin('sitting as st', 'st.id', 's.sitting_id')
      .select(['s.id']).where('s.id', '=', input.subjectId).where('st.exam_id', 'in', accountExamIds(trx, candidate.id)).executeTakeFirst();
    if (!subject) return fail('SUBJECT_NOT_FOUND');
    let institutionId = candidate.institution_id;
    if (input.registrationId !== undefined) {
      const reg = await trx.selectFrom('registration').select(['id', 'owner', 'institution_id']).where('id', '=', input.registrationId)
        .where('candidate_id', '=', candidate.id).where('subject_id', '=', subject.id).executeTakeFirst();
      if (!reg) return fail('REGISTRATION_NOT_FOUND');
      // The institution that made the registration (REG-8) is the one that can put it right.
      if (reg.owner === 'INSTITUTION' && reg.institution_id !== null) institutionId = reg.institution_id;
    }
    const pending = await trx.selectFrom('appeal').select('id').where('candidate_id', '=', candidate.id)
      .where('kind', '=', 'SUBJECT').where('subject_id', '=', subject.id).where('state', '=', 'PENDING').executeTakeFirst();
    if (pending) return fail('APPEAL_ALREADY_PENDING', { appealId: String(pending.id) });
    const now = ctx.clock.now();
    const appeal = await trx.insertInto('appeal').values({
      authority_id: candidate.authority_id, candidate_id: candidate.id, kind: 'SUBJECT', institution_id: institutionId,
      subject_id: subject.id, registration_id: input.registrationId ?? null, statement, created_at: now,
    }).returning(['id', 'state']).executeTakeFirstOrThrow();
    await recordAudit(trx, {
      at: now, actor: candidateAuditActor(candidate), action: AUDIT_ACTIONS_APPEALS.FILE, object: { type: 'appeal', id: appeal.id },
      // The statement is the candidate's free text: it stays on the appeal, not in the log.
      summary: { kind: 'SUBJECT', subjectId: subject.id, registrationId: input.registrationId ?? null, institutionId },
      ip: input.ip,
    });
    return ok({ appealId: appeal.id, state: appeal.state });
  });
}

/** The candidate withdraws their own pending appeal; another's reads as missing. */
export async function withdrawAppeal(ctx: Pick<AppContext, 'db' | 'clock'>, input: { candidateId: bigint; appealId: bigint; ip: string | null }): Promise<Result<AppealState>> {
  return ctx.db.transaction().execute(async (trx): Promise<Result<AppealState>> => {
    const own = await trx.selectFrom('appeal as a').innerJoin('candidate as c', 'c.id', 'a.candidate_id').select(['a.id', 'c.id as candidate_id', 'c.authority_id'])
      .where('a.id', '=', input.appealId).where('a.candidate_id', '=', input.candidateId).executeTakeFirst();
    if (!own) return fail('APPEAL_NOT_FOUND');
    const now = ctx.clock.now();
    const moved = await transitionAppeal(trx, { appealId: own.id, change: { to: 'WITHDRAWN' }, actor: `candidate:${input.candidateId}`, now });
    if (!moved.ok) return moved;
    await recordAudit(trx, {
      at: now, actor: candidateAuditActor({ id: own.candidate_id, authority_id: own.authority_id }), action: AUDIT_ACTIONS_APPEALS.WITHDRAW,
      object: { type: 'appeal', id: own.id }, summary: { before: { state: moved.value.before.state }, after: { state: moved.value.outcome.to } }, ip: input.ip,
    });
    return ok(moved.value.outcome.to);
  });
}

/** The candidate's own appeals, newest first, with the subject named and the outcome. */
export function candidateAppeals(db: DbOrTrx, candidateId: bigint) {
  return db.selectFrom('appeal as a')
    .leftJoin('subject as s', 's.id', 'a.subject_id').leftJoin('sitting as st', 'st.id', 's.sitting_id')
    .leftJoin('institution as i', 'i.id', 'a.institution_id')
    .select(['a.id', 'a.kind', 'a.state', 'a.statement', 'a.reject_reason', 'a.created_at', 'a.decided_at', 'a.subject_id', 'a.registration_id',
      's.code as subject_code', 's.name as subject_name', 'st.id as sitting_id', 'st.name as sitting_name', 'i.name as institution_name'])
    .where('a.candidate_id', '=', candidateId).orderBy('a.id', 'desc').execute();
}

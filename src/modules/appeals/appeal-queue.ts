import type { DbOrTrx } from '../../db/database.ts';
import type { AppealKind, AppealState, StaffAccount } from '../../db/schema.ts';
import { ok, type Result } from '../../shared/errors.ts';
import { listScope, staffLabel } from '../accounts/authorization.ts';
import { auditActor } from '../accounts/staff-accounts.ts';
import { loadAppeal } from '../accounts/staff-scope.ts';
import { staffActor } from '../accounts/staff-sessions.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { AppContext } from '../context.ts';
import { AUDIT_ACTIONS_APPEALS } from './appeal-audit.ts';
import { transitionAppeal } from './appeal-transition.repo.ts';
import { mailLinkAppealRejection, releaseRecordForAppeal } from './link-appeals.ts';

export interface AppealFilter {
  state: AppealState;
  kind?: AppealKind;
  candidateId?: bigint;
  limit: number;
  /** Keyset paging, oldest first: appeals after this id. */
  afterId?: bigint;
}

/**
 * The appeals queue (ORG-2) of the staff member's scope: an institution's staff see the appeals
 * that went to their institution, an authority's admins (and read-only staff) the whole
 * authority's. Oldest first: the queue is worked from the front.
 */
export async function listAppeals(db: DbOrTrx, staff: StaffAccount, filter: AppealFilter) {
  const scope = listScope(staffActor(staff));
  let q = db.selectFrom('appeal as a')
    .innerJoin('candidate as c', 'c.id', 'a.candidate_id')
    .leftJoin('institution as i', 'i.id', 'a.institution_id')
    .leftJoin('subject as s', 's.id', 'a.subject_id').leftJoin('sitting as st', 'st.id', 's.sitting_id')
    .leftJoin('registration as r', 'r.id', 'a.registration_id')
    .select(['a.id', 'a.kind', 'a.state', 'a.statement', 'a.reject_reason', 'a.decided_by', 'a.decided_at', 'a.created_at', 'a.subject_id', 'a.registration_id', 'a.institution_id',
      'c.id as candidate_id', 'c.name as candidate_name', 'c.id_number_sealed', 'c.login as candidate_login', 'i.name as institution_name',
      's.code as subject_code', 's.name as subject_name', 'st.name as sitting_name', 'r.owner as registration_owner', 'r.status as registration_status', 'r.paid_at as registration_paid_at'])
    .where('a.authority_id', '=', scope.authorityId).where('a.state', '=', filter.state);
  if (scope.institutionId !== null) q = q.where('a.institution_id', '=', scope.institutionId);
  if (filter.kind) q = q.where('a.kind', '=', filter.kind);
  if (filter.candidateId !== undefined) q = q.where('a.candidate_id', '=', filter.candidateId);
  if (filter.afterId !== undefined) q = q.where('a.id', '>', filter.afterId);
  return q.orderBy('a.id').limit(filter.limit).execute();
}

export type AppealDecision = { accept: true } | { accept: false; reason: string };

/**
 * Staff decide a pending appeal: accept, or reject with a reason the candidate reads. Scope
 * check, lock, the state change, what acceptance does (a 关联申诉 releases the record to the
 * appellant, link-appeals.ts) and the audit entry happen in one transaction: all or nothing.
 * An accepted 报考科目申诉 changes no registration by itself: the institution deletes or
 * re-registers what was wrong through its own registration actions, and the candidate may
 * register the subject again at once.
 */
export async function decideAppealAsStaff(
  ctx: Pick<AppContext, 'db' | 'clock' | 'publicBaseUrl'>,
  input: { staff: StaffAccount; appealId: bigint; decision: AppealDecision; ip: string | null },
): Promise<Result<{ state: AppealState }>> {
  return ctx.db.transaction().execute(async (trx): Promise<Result<{ state: AppealState }>> => {
    const actor = staffActor(input.staff);
    const appeal = await loadAppeal(trx, actor, 'appeal.decide', input.appealId);
    if (!appeal.ok) return appeal;
    const now = ctx.clock.now();
    const moved = await transitionAppeal(trx, {
      appealId: appeal.value.id, change: input.decision.accept ? { to: 'ACCEPTED' } : { to: 'REJECTED', reason: input.decision.reason }, actor: staffLabel(actor), now,
    });
    if (!moved.ok) return moved;
    const before = moved.value.before;
    let released: { login: string; sessionsEnded: number } | null = null;
    if (before.kind === 'LINK') {
      if (moved.value.outcome.to === 'ACCEPTED') {
        const r = await releaseRecordForAppeal(trx, ctx, before, now);
        // Thrown so the state change rolls back with it; the route answers the code.
        if (!r.ok) throw new AppealRollback(r);
        released = r.value;
      } else {
        await mailLinkAppealRejection(trx, ctx, before, moved.value.outcome.rejectReason!, now);
      }
    }
    await recordAudit(trx, {
      at: now, actor: auditActor(input.staff), action: AUDIT_ACTIONS_APPEALS.DECIDE, object: { type: 'appeal', id: before.id },
      // The reason and the statement are free text: they stay on the appeal, not in the log.
      summary: {
        kind: before.kind, candidateId: before.candidate_id, subjectId: before.subject_id, before: { state: before.state }, after: { state: moved.value.outcome.to },
        ...(released ? { recordReleased: { login: released.login, sessionsEnded: released.sessionsEnded } } : {}),
      },
      ip: input.ip,
    });
    return ok({ state: moved.value.outcome.to });
  }).catch((err: unknown) => {
    if (err instanceof AppealRollback) return err.result;
    throw err;
  });
}

class AppealRollback extends Error {
  readonly result: Result<never>;
  constructor(result: Result<never>) {
    super('appeal decision rolled back');
    this.result = result;
  }
}

import { sql } from 'kysely';
import type { AuthorityAction } from '../../db/schema.ts';
import { MINUTE } from '../../shared/clock.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import { staffLabel, type StaffActor } from '../accounts/authorization.ts';
import { loadSitting, loadSubject } from '../accounts/staff-scope.ts';
import { AUDIT_ACTIONS, recordAudit, staffAuditActor } from '../audit/audit-log.ts';
import type { AppContext } from '../context.ts';
import { endRegistrationsOfCandidate } from './authority-cancel.ts';
import { isValidReason } from './refund-rules.ts';
import { insertAction } from './registration-endings.repo.ts';

type Ctx = Pick<AppContext, 'db' | 'clock' | 'channels' | 'log'>;

/** A running cancellation is one process's for this long; if that process dies, another takes over. */
const CLAIM_MS = 5 * MINUTE;
/** Candidates ended side by side within a batch (each in its own transaction). */
const CONCURRENCY = 4;
/** Candidates that could not be ended are tried again this much later. */
const RETRY_MS = MINUTE;

/**
 * REF-2: the authority cancels a whole sitting. From this commit on nobody can register or pay for
 * it (registration-rules: SUBJECT_CANCELLED); the registrations themselves are ended, refunded and
 * told by the background job (`runAuthorityActions`), candidate by candidate, because a sitting may
 * hold hundreds of thousands of them. Returns the action whose progress staff can follow.
 */
export async function cancelSitting(ctx: Ctx, input: { actor: StaffActor; sittingId: bigint; note: string; ip?: string | null }): Promise<Result<AuthorityAction>> {
  const sitting = await loadSitting(ctx.db, input.actor, 'sitting.cancel', input.sittingId);
  if (!sitting.ok) return sitting;
  if (!isValidReason(input.note)) return fail('REASON_REQUIRED');
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx): Promise<Result<AuthorityAction>> => {
    const marked = await trx.updateTable('sitting').set({ cancelled_at: now }).where('id', '=', sitting.value.id).where('cancelled_at', 'is', null).returning('id').executeTakeFirst();
    if (!marked) return fail('ALREADY_CANCELLED');
    const action = await insertAction(trx, { kind: 'CANCEL_SITTING', sittingId: sitting.value.id, note: input.note, actor: staffLabel(input.actor), now, running: true });
    await recordAudit(trx, {
      at: now, actor: staffAuditActor(input.actor), action: AUDIT_ACTIONS.SITTING_CANCEL, object: { type: 'sitting', id: sitting.value.id },
      summary: { before: { cancelled: false }, after: { cancelled: true }, actionId: action.id, actionState: action.state },
      ip: input.ip ?? null,
    });
    return ok(action);
  });
}

/** REF-2: the authority cancels one subject of a sitting; the job ends its registrations. */
export async function cancelSubject(ctx: Ctx, input: { actor: StaffActor; subjectId: bigint; note: string; ip?: string | null }): Promise<Result<AuthorityAction>> {
  const subject = await loadSubject(ctx.db, input.actor, 'sitting.cancel', input.subjectId);
  if (!subject.ok) return subject;
  if (!isValidReason(input.note)) return fail('REASON_REQUIRED');
  if (subject.value.sitting_cancelled_at) return fail('ALREADY_CANCELLED');
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx): Promise<Result<AuthorityAction>> => {
    const marked = await trx.updateTable('subject').set({ cancelled_at: now }).where('id', '=', subject.value.id).where('cancelled_at', 'is', null).returning('id').executeTakeFirst();
    if (!marked) return fail('ALREADY_CANCELLED');
    const action = await insertAction(trx, {
      kind: 'CANCEL_SUBJECT', sittingId: subject.value.sitting_id, subjectId: subject.value.id, note: input.note, actor: staffLabel(input.actor), now, running: true,
    });
    await recordAudit(trx, {
      at: now, actor: staffAuditActor(input.actor), action: AUDIT_ACTIONS.SUBJECT_CANCEL, object: { type: 'subject', id: subject.value.id },
      summary: { before: { cancelled: false }, after: { cancelled: true }, sittingId: subject.value.sitting_id, actionId: action.id, actionState: action.state },
      ip: input.ip ?? null,
    });
    return ok(action);
  });
}

export interface ActionRun {
  actions: number;
  candidates: number;
  cancelled: number;
  refunds: number;
  failed: number;
  finished: number;
}

/**
 * The background half of a sitting or subject cancellation (REF-2). Claims one running action
 * (SKIP LOCKED, its claim pushed ahead, so processes share the work and a dead process's action
 * comes due again), then ends its registrations in batches of candidates, one transaction per
 * candidate. Every step is idempotent — a candidate's transaction skips registrations already
 * ended — so a crash at any point loses nothing and repeats nothing. The action is DONE when no
 * active registration is left in its scope.
 */
export async function runAuthorityActions(ctx: Ctx, opts: { batchSize?: number; maxBatches?: number } = {}): Promise<ActionRun> {
  const batchSize = opts.batchSize ?? 100;
  const maxBatches = opts.maxBatches ?? 20;
  const run: ActionRun = { actions: 0, candidates: 0, cancelled: 0, refunds: 0, failed: 0, finished: 0 };
  const now = ctx.clock.now();
  const action = await ctx.db.updateTable('authority_action')
    .set({ next_run_at: new Date(now.getTime() + CLAIM_MS) })
    .where('id', '=', (eb) => eb.selectFrom('authority_action').select('id')
      .where('state', '=', 'RUNNING').where('next_run_at', '<=', now)
      .orderBy('next_run_at').orderBy('id').limit(1).forUpdate().skipLocked())
    .returningAll().executeTakeFirst();
  if (!action) return run;
  run.actions = 1;

  let after = 0n;
  let failures = 0;
  for (let batch = 0; batch < maxBatches; batch++) {
    const candidates = await activeCandidates(ctx, action, after, batchSize);
    if (candidates.length === 0) break;
    after = candidates[candidates.length - 1]!;
    let cancelled = 0;
    let refunds = 0;
    // A few candidates side by side: each is its own transaction on its own rows.
    await eachConcurrently(candidates, CONCURRENCY, async (candidateId) => {
      try {
        const regs = await scopeQuery(ctx, action).select('id').where('candidate_id', '=', candidateId).execute();
        const ended = await endRegistrationsOfCandidate(ctx, { candidateId, registrationIds: regs.map((r) => r.id), action: async () => action });
        cancelled += ended?.cancelled.length ?? 0;
        refunds += ended?.refunds.length ?? 0;
      } catch (err) {
        failures++;
        ctx.log.error({ err, actionId: String(action.id), candidateId: String(candidateId) }, 'ending a candidate\'s registrations failed; retried later');
        await ctx.db.updateTable('authority_action').set({ last_error: String((err as Error).message).slice(0, 500) }).where('id', '=', action.id).execute();
      }
    });
    run.candidates += candidates.length;
    run.cancelled += cancelled;
    run.refunds += refunds;
    // Progress for staff. A crash between a candidate's commit and this line leaves the counters
    // short by that batch; the registrations themselves (registrations_left) are always exact.
    await ctx.db.updateTable('authority_action').set((eb) => ({
      cancelled_registrations: eb('cancelled_registrations', '+', cancelled),
      refunds_created: eb('refunds_created', '+', refunds),
    })).where('id', '=', action.id).execute();
  }
  run.failed = failures;
  const left = await scopeQuery(ctx, action).select('id').limit(1).executeTakeFirst();
  const at = ctx.clock.now();
  if (!left) {
    await ctx.db.updateTable('authority_action').set({ state: 'DONE', finished_at: at, next_run_at: null }).where('id', '=', action.id).where('state', '=', 'RUNNING').execute();
    run.finished = 1;
  } else {
    // More to do: due again at once — or after a pause if this run only met failures.
    const pause = failures > 0 && run.cancelled === 0 ? RETRY_MS : 0;
    await ctx.db.updateTable('authority_action').set({ next_run_at: new Date(at.getTime() + pause) }).where('id', '=', action.id).execute();
  }
  return run;
}

/** The action's registrations still active: a sitting's, or one subject's. */
function scopeQuery(ctx: Ctx, action: AuthorityAction) {
  let q = ctx.db.selectFrom('registration').where('status', '=', 'ACTIVE').where('sitting_id', '=', action.sitting_id);
  if (action.kind === 'CANCEL_SUBJECT') q = q.where('subject_id', '=', action.subject_id!);
  return q;
}

/** The next candidates (by id, after the last one this run looked at) with registrations in scope. */
async function activeCandidates(ctx: Ctx, action: AuthorityAction, after: bigint, limit: number): Promise<bigint[]> {
  const rows = await scopeQuery(ctx, action).select('candidate_id').distinct()
    .where('candidate_id', '>', after).orderBy('candidate_id').limit(limit).execute();
  return rows.map((r) => r.candidate_id);
}

/**
 * Staff follow a cancellation's progress here (and see the single decisions beside it). The route
 * has loaded the sitting through its scoped loader; `authorityId` filters again all the same.
 */
export async function listAuthorityActions(db: Ctx['db'], input: { sittingId: bigint; authorityId?: bigint }) {
  let q = db.selectFrom('authority_action as a').innerJoin('sitting as st', 'st.id', 'a.sitting_id').innerJoin('exam as e', 'e.id', 'st.exam_id')
    .select(['a.id', 'a.kind', 'a.subject_id', 'a.registration_id', 'a.note', 'a.actor', 'a.state', 'a.created_at', 'a.finished_at',
      'a.cancelled_registrations', 'a.refunds_created', 'a.last_error',
      sql<number>`(SELECT count(*)::int FROM registration r WHERE r.sitting_id = a.sitting_id AND r.status = 'ACTIVE'
                    AND a.state = 'RUNNING' AND (a.subject_id IS NULL OR r.subject_id = a.subject_id))`.as('registrations_left')])
    .where('a.sitting_id', '=', input.sittingId);
  if (input.authorityId !== undefined) q = q.where('e.authority_id', '=', input.authorityId);
  return q.orderBy('a.id', 'desc').execute();
}

async function eachConcurrently<T>(items: readonly T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

import type { Logger } from 'pino';
import type { DbOrTrx } from '../../db/database.ts';
import { AUDIT_ACTIONS, recordAudit } from '../audit/audit-log.ts';

/**
 * Every account event worth an audit line goes through `accountEvent`: sign-ins that succeed,
 * fail or are refused while locked, and password changes made or refused. Each is one structured
 * log line and one row of the append-only audit log (ADM-4, OPS-6: `candidate.sign_in`,
 * `candidate.password_change`), here and nowhere else.
 *
 * Never a password or a full ID number: the log line shows the number masked; the audit row names
 * the account by its id only.
 */
export type AccountEvent =
  | { kind: 'SIGN_IN_SUCCEEDED'; candidateId: bigint }
  | { kind: 'SIGN_IN_FAILED'; candidateId: bigint | null; lockedNow: 'ACCOUNT' | 'ADDRESS' | null }
  | { kind: 'SIGN_IN_REFUSED_LOCKED'; scope: 'ACCOUNT' | 'ADDRESS'; lockedUntil: Date }
  | { kind: 'PASSWORD_CHANGED'; candidateId: bigint; forced: boolean; otherSessionsEnded: number }
  | { kind: 'PASSWORD_CHANGE_REFUSED'; candidateId: bigint; reason: 'BAD_CURRENT_PASSWORD' | 'POLICY'; problems?: string[] };

export interface AccountEventContext {
  at: Date;
  /** The client address as Fastify sees it (req.ip: X-Forwarded-For only with TRUST_PROXY). */
  address: string;
  authorityCode?: string;
  /** The account's authority when known (a password change); otherwise found from authorityCode. */
  authorityId?: bigint;
  idNumberMasked?: string;
}

const SUCCEEDED: readonly AccountEvent['kind'][] = ['SIGN_IN_SUCCEEDED', 'PASSWORD_CHANGED'];

/**
 * Logs the event and appends it to the audit log, in `ctx.db` — the caller's transaction when
 * the event belongs to one (a password change commits with its record).
 */
export async function accountEvent(ctx: { log: Logger; db: DbOrTrx }, where: AccountEventContext, event: AccountEvent): Promise<void> {
  const candidateId = 'candidateId' in event ? event.candidateId : null;
  ctx.log.info({ accountEvent: { ...event, ...where, authorityId: undefined, candidateId: candidateId !== null ? String(candidateId) : undefined } }, `account event ${event.kind}`);
  const authorityId = where.authorityId ?? (where.authorityCode
    ? (await ctx.db.selectFrom('authority').select('id').where('code', '=', where.authorityCode).executeTakeFirst())?.id ?? null
    : null);
  const { kind, ...rest } = event;
  const summary = Object.fromEntries(Object.entries(rest).filter(([k]) => k !== 'candidateId'));
  await recordAudit(ctx.db, {
    at: where.at,
    actor: { type: 'CANDIDATE', id: candidateId, authorityId },
    action: kind.startsWith('SIGN_IN') ? AUDIT_ACTIONS.CANDIDATE_SIGN_IN : AUDIT_ACTIONS.CANDIDATE_PASSWORD_CHANGE,
    ...(candidateId !== null ? { object: { type: 'candidate', id: candidateId } } : {}),
    outcome: SUCCEEDED.includes(kind) ? 'SUCCESS' : 'FAILURE',
    summary: { event: kind, ...summary },
    ip: where.address,
  });
}

import type { Logger } from 'pino';

/**
 * Every account event worth an audit line goes through `accountEvent`: sign-ins that succeed,
 * fail or are refused while locked, and password changes made or refused. Today it writes one
 * structured log line; issue "staff roles and audit log" routes the same calls into the
 * append-only audit log (OPS-6), here and nowhere else.
 *
 * Never a password or a full ID number: the number appears masked, the account by its id.
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
  idNumberMasked?: string;
}

export function accountEvent(ctx: { log: Logger }, where: AccountEventContext, event: AccountEvent): void {
  ctx.log.info({ accountEvent: { ...event, ...where, candidateId: 'candidateId' in event && event.candidateId !== null ? String(event.candidateId) : undefined } }, `account event ${event.kind}`);
}

import type { AuditEntry } from '../audit/audit-log.ts';

/** The audit actions of appeals (ADM-4): filed and withdrawn by candidates, decided by staff. */
export const AUDIT_ACTIONS_APPEALS = {
  FILE: 'appeal.file',
  WITHDRAW: 'appeal.withdraw',
  DECIDE: 'appeal.decide',
} as const;

export function candidateAuditActor(c: { id: bigint; authority_id: bigint }): AuditEntry['actor'] {
  return { type: 'CANDIDATE', id: c.id, authorityId: c.authority_id };
}

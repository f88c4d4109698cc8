import type { AppealState } from '../../db/schema.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';

/**
 * THE state machine of an appeal (ORG-2), as data: a pending appeal is accepted or rejected by
 * the institution (or the authority's admin), or withdrawn by the candidate; a decided appeal
 * never changes again. appeal-transition.repo.ts is the one door that writes a state.
 */
export const APPEAL_TRANSITIONS: Record<AppealState, readonly AppealState[]> = {
  PENDING: ['ACCEPTED', 'REJECTED', 'WITHDRAWN'],
  ACCEPTED: [],
  REJECTED: [],
  WITHDRAWN: [],
};

export type AppealChange =
  | { to: 'ACCEPTED' }
  | { to: 'REJECTED'; reason: string }
  | { to: 'WITHDRAWN' };

export interface AppealOutcome {
  to: Exclude<AppealState, 'PENDING'>;
  /** Set exactly for REJECTED: what the candidate is told, trimmed. */
  rejectReason: string | null;
}

export const REJECT_REASON_MAX = 200;

/** Pure: may an appeal in `from` take this change, and what does it become? */
export function transition(from: AppealState, change: AppealChange): Result<AppealOutcome> {
  if (!APPEAL_TRANSITIONS[from].includes(change.to)) return fail('APPEAL_NOT_PENDING', { state: from });
  if (change.to === 'REJECTED') {
    const reason = change.reason.trim();
    if (!reason) return fail('APPEAL_REASON_REQUIRED');
    if (reason.length > REJECT_REASON_MAX) return fail('VALIDATION_FAILED', { field: 'reason', maxLength: REJECT_REASON_MAX });
    return ok({ to: 'REJECTED', rejectReason: reason });
  }
  return ok({ to: change.to, rejectReason: null });
}

/** What the candidate and staff read for each state (the page shows these words). */
export const APPEAL_STATE_LABELS: Record<AppealState, { zh: string; en: string }> = {
  PENDING: { zh: '待处理', en: 'Waiting for a decision' },
  ACCEPTED: { zh: '已受理（申诉成立）', en: 'Accepted' },
  REJECTED: { zh: '不予受理', en: 'Rejected' },
  WITHDRAWN: { zh: '已撤回', en: 'Withdrawn' },
};

import type { BillStateName } from '../../db/schema.ts';

/**
 * THE bill state machine (PAY-3). The table is the whole truth: a transition not listed here
 * does not exist. `transitionBill` in bill-transition.repo.ts is the one door that changes
 * bill.state, and it asks `checkBillTransition` first.
 */
export const BILL_STATES = ['UNPAID', 'PAYING', 'PAID', 'CLOSED', 'REFUNDED', 'PARTIALLY_REFUNDED'] as const satisfies readonly BillStateName[];

export type BillCause =
  | 'PAYMENT_STARTED'      // the candidate sent the bill to a channel
  | 'CHANNEL_PAID'         // notify, query, close or reconciliation reported a capture
  | 'CHANNEL_FAILED'       // every channel order of the bill ended without payment
  | 'EXPIRED'              // the bill's 30 minutes passed and the channel order is closed
  | 'CANCELLED'            // the candidate withdrew an unpaid bill
  | 'AUTHORITY_CANCELLED'  // the authority cancelled or changed a registration on the open bill (REF-2)
  | 'REFUNDED'             // all of the bill's settled money went back
  | 'PARTIALLY_REFUNDED';  // some items' money went back (REF-4)

export const BILL_TRANSITIONS: Readonly<Record<BillStateName, Partial<Record<BillStateName, readonly BillCause[]>>>> = {
  UNPAID: {
    PAYING: ['PAYMENT_STARTED'],
    // A capture can be reported after a failure answer put the bill back to UNPAID (reordered
    // reports). The money is real and the bill is still open, so it pays the bill.
    PAID: ['CHANNEL_PAID'],
    CLOSED: ['EXPIRED', 'CANCELLED', 'AUTHORITY_CANCELLED'],
  },
  PAYING: {
    PAID: ['CHANNEL_PAID'],
    UNPAID: ['CHANNEL_FAILED'],
    // REF-2: the authority's decision does not wait for a payer who may never pay; money that
    // still arrives on the closed bill is a LATE capture and goes back by itself (PAY-8).
    CLOSED: ['EXPIRED', 'AUTHORITY_CANCELLED'],
  },
  PAID: {
    REFUNDED: ['REFUNDED'],
    PARTIALLY_REFUNDED: ['PARTIALLY_REFUNDED'],
  },
  PARTIALLY_REFUNDED: {
    PARTIALLY_REFUNDED: ['PARTIALLY_REFUNDED'],
    REFUNDED: ['REFUNDED'],
  },
  // Final. Money that arrives for a CLOSED bill is refunded, never used to reopen it (PAY-8).
  CLOSED: {},
  REFUNDED: {},
};

export type TransitionCheck =
  | { ok: true }
  | { ok: false; reason: 'NO_SUCH_TRANSITION' | 'CAUSE_NOT_ALLOWED' };

export function checkBillTransition(from: BillStateName, to: BillStateName, cause: BillCause): TransitionCheck {
  const causes = BILL_TRANSITIONS[from][to];
  if (!causes) return { ok: false, reason: 'NO_SUCH_TRANSITION' };
  if (!causes.includes(cause)) return { ok: false, reason: 'CAUSE_NOT_ALLOWED' };
  return { ok: true };
}

/** Open bills can still take money without it being a duplicate. */
export function isOpen(state: BillStateName): boolean {
  return state === 'UNPAID' || state === 'PAYING';
}

/** What the candidate reads (seed 000 words). */
export const BILL_STATE_LABELS: Record<BillStateName, { zh: string; en: string }> = {
  UNPAID: { zh: '未缴费', en: 'Unpaid' },
  PAYING: { zh: '缴费中', en: 'Payment in progress' },
  PAID: { zh: '已完成缴费', en: 'Paid' },
  CLOSED: { zh: '订单已关闭', en: 'Closed' },
  REFUNDED: { zh: '已退费', en: 'Refunded' },
  PARTIALLY_REFUNDED: { zh: '部分退费', en: 'Partially refunded' },
};

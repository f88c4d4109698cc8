import type { AuthorityActionKind, RegistrationCancelReason, RefundReason, SeatReleaseReason } from '../../db/schema.ts';

/**
 * The refund rules (REF-1 … REF-4) as plain functions of facts the caller loads; nothing here
 * reads the database or the clock.
 */

export type RefundPolicy = 'NO_PERSONAL_REFUNDS' | 'STAFF_DECIDES';

/** A bill item as far as refunding it goes. */
export interface RefundableItem {
  /** The bill was paid (PAID or PARTIALLY_REFUNDED/REFUNDED) by a settled capture. */
  paid: boolean;
  amountFen: bigint;
  /** Every refund of the item so far, whatever its state: a failed refund is still owed. */
  refundedFen: bigint;
}

/** REF-4: what may still be given back for one item. */
export function remainingRefundable(item: Pick<RefundableItem, 'amountFen' | 'refundedFen'>): bigint {
  const left = item.amountFen - item.refundedFen;
  return left > 0n ? left : 0n;
}

export type RefundCheck<C extends string> = { ok: true; amountFen: bigint } | { ok: false; code: C };

/** A decision's reason is shown to the candidate: it must say something, and not a novel. */
export function isValidReason(reason: string): boolean {
  const r = reason.trim();
  return r.length >= 2 && r.length <= 500;
}

/**
 * REF-1: a refund for personal reasons. Where the exam says NO_PERSONAL_REFUNDS (seed 004:
 * "因个人原因申请退费的，一律不予退费") nobody can make one; where staff decide, a role allowed
 * `refund.personal` (authorization.ts, checked before this) makes one with a written reason, for
 * the rest of the item or part of it.
 */
export function checkPersonalRefund(input: {
  policy: RefundPolicy;
  reason: string;
  item: RefundableItem;
  /** Omitted: all that is left of the item. */
  amountFen?: bigint;
}): RefundCheck<'PERSONAL_REFUND_NOT_ALLOWED' | 'REASON_REQUIRED' | 'REGISTRATION_NOT_PAID' | 'REFUND_EXCEEDS_PAID' | 'VALIDATION_FAILED'> {
  if (input.policy === 'NO_PERSONAL_REFUNDS') return { ok: false, code: 'PERSONAL_REFUND_NOT_ALLOWED' };
  const reason = input.reason.trim();
  if (!isValidReason(reason)) return { ok: false, code: 'REASON_REQUIRED' };
  if (!input.item.paid) return { ok: false, code: 'REGISTRATION_NOT_PAID' };
  const left = remainingRefundable(input.item);
  const amount = input.amountFen ?? left;
  if (input.amountFen !== undefined && input.amountFen <= 0n) return { ok: false, code: 'VALIDATION_FAILED' };
  if (amount <= 0n || amount > left) return { ok: false, code: 'REFUND_EXCEEDS_PAID' };
  return { ok: true, amountFen: amount };
}

/** REF-2: what an authority action (or a granted personal refund) does to a registration. */
export interface ActionEffect {
  registrationCause: RegistrationCancelReason;
  seatReason: SeatReleaseReason;
  refundReason: RefundReason;
}

export const ACTION_EFFECTS: Record<AuthorityActionKind, ActionEffect> = {
  CANCEL_REGISTRATION: { registrationCause: 'AUTHORITY_CANCELLED', seatReason: 'CANCELLED', refundReason: 'AUTHORITY_CANCEL' },
  CANCEL_SUBJECT: { registrationCause: 'AUTHORITY_CANCELLED', seatReason: 'CANCELLED', refundReason: 'AUTHORITY_CANCEL' },
  CANCEL_SITTING: { registrationCause: 'AUTHORITY_CANCELLED', seatReason: 'CANCELLED', refundReason: 'AUTHORITY_CANCEL' },
  CHANGE_REGISTRATION: { registrationCause: 'AUTHORITY_CHANGED', seatReason: 'CHANGED', refundReason: 'AUTHORITY_CHANGE' },
  PERSONAL_REFUND: { registrationCause: 'REFUNDED', seatReason: 'CANCELLED', refundReason: 'PERSONAL' },
};

/**
 * REF-4 / PAY-3: the bill's state once item refunds have gone back. Only money the channel has
 * returned counts; a refund still on its way leaves the bill as it is.
 */
export function billStateAfterRefunds(billAmountFen: bigint, succeededItemRefundsFen: bigint): 'PAID' | 'PARTIALLY_REFUNDED' | 'REFUNDED' {
  if (succeededItemRefundsFen <= 0n) return 'PAID';
  return succeededItemRefundsFen >= billAmountFen ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
}

/**
 * REF-3: a refunded registration is CANCELLED with one of these causes and keeps its paid_at.
 * Registering the subject again needs the authority's approval where the exam says so — once per
 * refunded registration.
 */
export const REFUND_CAUSES = ['AUTHORITY_CANCELLED', 'AUTHORITY_CHANGED', 'REFUNDED'] as const satisfies readonly RegistrationCancelReason[];

export function isRefundedRegistration(r: { status: 'ACTIVE' | 'CANCELLED'; paid_at: Date | null; cancelled_reason: RegistrationCancelReason | null }): boolean {
  return r.status === 'CANCELLED' && r.paid_at !== null && (REFUND_CAUSES as readonly string[]).includes(r.cancelled_reason ?? '');
}

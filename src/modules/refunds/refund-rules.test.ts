import { describe, expect, it } from 'vitest';
import { authorize, roleMay, staffLabel, type StaffActor } from '../accounts/authorization.ts';
import { ACTION_EFFECTS, billStateAfterRefunds, checkPersonalRefund, isRefundedRegistration, isValidReason, remainingRefundable } from './refund-rules.ts';

const finance: StaffActor = { staffId: 2n, role: 'FINANCE', authorityId: 9n, institutionId: null };
const paid = { paid: true, amountFen: 8000n, refundedFen: 0n };
const personal = (o: Partial<Parameters<typeof checkPersonalRefund>[0]> = {}) =>
  checkPersonalRefund({ policy: 'STAFF_DECIDES', reason: '考生因病无法参加考试', item: paid, ...o });

describe('personal refunds (REF-1)', () => {
  it('REF-1: where the exam says NO_PERSONAL_REFUNDS (seed 004), nobody can make one, whoever asks', () => {
    expect(personal({ policy: 'NO_PERSONAL_REFUNDS' })).toEqual({ ok: false, code: 'PERSONAL_REFUND_NOT_ALLOWED' });
  });
  it('REF-1: where staff decide, one is made with a reason; the rest of the item by default', () => {
    expect(personal()).toEqual({ ok: true, amountFen: 8000n });
    expect(personal({ item: { ...paid, refundedFen: 3000n } })).toEqual({ ok: true, amountFen: 5000n });
  });
  it('REF-1: the reason is required (2–500 characters after trimming)', () => {
    expect(personal({ reason: '' })).toEqual({ ok: false, code: 'REASON_REQUIRED' });
    expect(personal({ reason: '  x ' })).toEqual({ ok: false, code: 'REASON_REQUIRED' });
    expect(personal({ reason: '病'.repeat(501) })).toEqual({ ok: false, code: 'REASON_REQUIRED' });
    expect(personal({ reason: '病假' }).ok).toBe(true);
    expect(isValidReason('病'.repeat(500))).toBe(true);
  });
  it('REF-1: an unpaid registration has nothing to refund', () => {
    expect(personal({ item: { paid: false, amountFen: 0n, refundedFen: 0n } })).toEqual({ ok: false, code: 'REGISTRATION_NOT_PAID' });
  });
  it('REF-4: part of an item, never more than what is left of it; nothing or less than nothing is invalid', () => {
    expect(personal({ amountFen: 2500n })).toEqual({ ok: true, amountFen: 2500n });
    expect(personal({ amountFen: 8000n })).toEqual({ ok: true, amountFen: 8000n });
    expect(personal({ amountFen: 8001n })).toEqual({ ok: false, code: 'REFUND_EXCEEDS_PAID' });
    expect(personal({ amountFen: 5001n, item: { ...paid, refundedFen: 3000n } })).toEqual({ ok: false, code: 'REFUND_EXCEEDS_PAID' });
    expect(personal({ item: { ...paid, refundedFen: 8000n } })).toEqual({ ok: false, code: 'REFUND_EXCEEDS_PAID' });
    expect(personal({ amountFen: 0n })).toEqual({ ok: false, code: 'VALIDATION_FAILED' });
    expect(personal({ amountFen: -1n })).toEqual({ ok: false, code: 'VALIDATION_FAILED' });
  });
});

describe('refunds per item and the bill (REF-4)', () => {
  it('REF-4: what is left of an item never goes below zero', () => {
    expect(remainingRefundable({ amountFen: 8000n, refundedFen: 0n })).toBe(8000n);
    expect(remainingRefundable({ amountFen: 8000n, refundedFen: 7999n })).toBe(1n);
    expect(remainingRefundable({ amountFen: 8000n, refundedFen: 9000n })).toBe(0n);
  });
  it('REF-4/PAY-3: the bill is PARTIALLY_REFUNDED while part is kept, REFUNDED when all went back; pending refunds do not count', () => {
    expect(billStateAfterRefunds(14500n, 0n)).toBe('PAID');
    expect(billStateAfterRefunds(14500n, 8000n)).toBe('PARTIALLY_REFUNDED');
    expect(billStateAfterRefunds(14500n, 14500n)).toBe('REFUNDED');
  });
});

describe('what each decision does (REF-2, REF-3)', () => {
  it('REF-2: cancellations end registrations as AUTHORITY_CANCELLED and free seats as CANCELLED; a change as AUTHORITY_CHANGED / CHANGED', () => {
    for (const k of ['CANCEL_REGISTRATION', 'CANCEL_SUBJECT', 'CANCEL_SITTING'] as const) {
      expect(ACTION_EFFECTS[k]).toEqual({ registrationCause: 'AUTHORITY_CANCELLED', seatReason: 'CANCELLED', refundReason: 'AUTHORITY_CANCEL' });
    }
    expect(ACTION_EFFECTS.CHANGE_REGISTRATION).toEqual({ registrationCause: 'AUTHORITY_CHANGED', seatReason: 'CHANGED', refundReason: 'AUTHORITY_CHANGE' });
    expect(ACTION_EFFECTS.PERSONAL_REFUND).toEqual({ registrationCause: 'REFUNDED', seatReason: 'CANCELLED', refundReason: 'PERSONAL' });
  });
  it('REF-3: a refunded registration is CANCELLED with a refund cause and keeps its paid_at; a deleted unpaid one is not refunded', () => {
    const at = new Date();
    expect(isRefundedRegistration({ status: 'CANCELLED', paid_at: at, cancelled_reason: 'REFUNDED' })).toBe(true);
    expect(isRefundedRegistration({ status: 'CANCELLED', paid_at: at, cancelled_reason: 'AUTHORITY_CHANGED' })).toBe(true);
    expect(isRefundedRegistration({ status: 'CANCELLED', paid_at: null, cancelled_reason: 'AUTHORITY_CANCELLED' })).toBe(false);
    expect(isRefundedRegistration({ status: 'CANCELLED', paid_at: null, cancelled_reason: 'CANDIDATE' })).toBe(false);
    expect(isRefundedRegistration({ status: 'ACTIVE', paid_at: at, cancelled_reason: null })).toBe(false);
  });
});

describe('who may decide: the staff roles of authorization.ts (ADM-5)', () => {
  it('REF-1 personal refunds and retries: administrators and finance; REF-2 decisions and REF-3 approvals: administrators only', () => {
    expect(['AUTHORITY_ADMIN', 'FINANCE', 'INSTITUTION_STAFF', 'READ_ONLY'].filter((r) => roleMay(r as StaffActor['role'], 'refund.personal'))).toEqual(['AUTHORITY_ADMIN', 'FINANCE']);
    expect(roleMay('FINANCE', 'refund.retry')).toBe(true);
    expect(roleMay('READ_ONLY', 'refund.retry')).toBe(false);
    expect(roleMay('AUTHORITY_ADMIN', 'registration.cancel')).toBe(true);
    expect(roleMay('FINANCE', 'registration.cancel')).toBe(false);
    expect(roleMay('FINANCE', 'sitting.cancel')).toBe(false);
    expect(roleMay('FINANCE', 'repayment.decide')).toBe(false);
    expect(roleMay('INSTITUTION_STAFF', 'refund.personal')).toBe(false);
  });
  it("staff of one authority never reach another's candidates; the actor is written as staff:<id>", () => {
    expect(authorize(finance, 'refund.personal', { authorityId: 9n, institutionId: null })).toEqual({ allowed: true });
    expect(authorize(finance, 'refund.personal', { authorityId: 10n, institutionId: null })).toEqual({ allowed: false, reason: 'SCOPE' });
    expect(staffLabel(finance)).toBe('staff:2');
  });
});


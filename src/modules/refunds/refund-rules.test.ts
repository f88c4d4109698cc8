import { describe, expect, it } from 'vitest';
import { actorLabel, inScope, may, type RefundActor } from './refund-actor.ts';
import { ACTION_EFFECTS, billStateAfterRefunds, checkPersonalRefund, isRefundedRegistration, isValidReason, remainingRefundable } from './refund-rules.ts';

const admin: RefundActor = { kind: 'STAFF', id: 1n, role: 'AUTHORITY_ADMIN' };
const finance: RefundActor = { kind: 'STAFF', id: 2n, role: 'FINANCE', authorityId: 9n };
const readOnly: RefundActor = { kind: 'STAFF', id: 3n, role: 'READ_ONLY' };
const institution: RefundActor = { kind: 'STAFF', id: 4n, role: 'INSTITUTION_STAFF' };
const system: RefundActor = { kind: 'SYSTEM' };
const paid = { paid: true, amountFen: 8000n, refundedFen: 0n };
const personal = (o: Partial<Parameters<typeof checkPersonalRefund>[0]> = {}) =>
  checkPersonalRefund({ policy: 'STAFF_DECIDES', actor: finance, reason: '考生因病无法参加考试', item: paid, ...o });

describe('personal refunds (REF-1)', () => {
  it('REF-1: where the exam says NO_PERSONAL_REFUNDS (seed 004), nobody can make one — not even an administrator', () => {
    expect(personal({ policy: 'NO_PERSONAL_REFUNDS', actor: admin })).toEqual({ ok: false, code: 'PERSONAL_REFUND_NOT_ALLOWED' });
    expect(personal({ policy: 'NO_PERSONAL_REFUNDS' })).toEqual({ ok: false, code: 'PERSONAL_REFUND_NOT_ALLOWED' });
  });
  it('REF-1: where staff decide, administrators and finance make one with a reason; the rest of the item by default', () => {
    expect(personal()).toEqual({ ok: true, amountFen: 8000n });
    expect(personal({ actor: admin, item: { ...paid, refundedFen: 3000n } })).toEqual({ ok: true, amountFen: 5000n });
  });
  it('REF-1: read-only and institution staff, and the system itself, cannot', () => {
    for (const actor of [readOnly, institution, system]) expect(personal({ actor })).toEqual({ ok: false, code: 'STAFF_ROLE_NOT_ALLOWED' });
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

describe('who may decide (ADM-5 roles)', () => {
  it('REF-2: authority decisions: administrators and the system; REF-3 approvals: administrators only', () => {
    expect(may(admin, 'AUTHORITY_DECISION')).toBe(true);
    expect(may(system, 'AUTHORITY_DECISION')).toBe(true);
    expect(may(finance, 'AUTHORITY_DECISION')).toBe(false);
    expect(may(readOnly, 'AUTHORITY_DECISION')).toBe(false);
    expect(may(admin, 'APPROVE_REPAYMENT')).toBe(true);
    expect(may(finance, 'APPROVE_REPAYMENT')).toBe(false);
    expect(may(system, 'APPROVE_REPAYMENT')).toBe(false);
    expect(may(finance, 'RETRY_REFUND')).toBe(true);
    expect(may(readOnly, 'RETRY_REFUND')).toBe(false);
  });
  it('staff of one authority never reach another\'s candidates', () => {
    expect(inScope(finance, 9n)).toBe(true);
    expect(inScope(finance, 10n)).toBe(false);
    expect(inScope(admin, 10n)).toBe(true); // no authority given: the caller checked scope
    expect(inScope(system, 10n)).toBe(true);
    expect(actorLabel(finance)).toBe('staff:2');
    expect(actorLabel(system)).toBe('system');
  });
});

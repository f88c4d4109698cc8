import { describe, expect, it } from 'vitest';
import { registrationPaymentStatus, type RegistrationFacts } from './registration-status.ts';

const MINE = 7n;
const facts = (o: Partial<RegistrationFacts> = {}): RegistrationFacts => ({
  owner: 'INSTITUTION', institutionId: MINE, paidAt: null, liveBill: null, needsSeat: true, hasSeat: true, seatReleasedReason: null,
  exam: { billTimeoutMinutes: 30, seatHoldMinutes: 1440 }, ...o,
});

describe('an institution registration\'s status in the console (ORG-1)', () => {
  it('unpaid with its seat held: payable by the institution', () => {
    expect(registrationPaymentStatus(facts(), MINE)).toMatchObject({ status: 'UNPAID', payableByInstitution: true, reason: null, seatReleased: null });
  });

  it('on a live bill or paid: not payable again, and says which', () => {
    const on = registrationPaymentStatus(facts({ liveBill: { billNo: '1', state: 'PAYING', owner: 'INSTITUTION' } }), MINE);
    expect(on).toMatchObject({ status: 'ON_BILL', payableByInstitution: false, reason: { code: 'ON_BILL' } });
    const paid = registrationPaymentStatus(facts({ paidAt: new Date(), liveBill: { billNo: '1', state: 'PAID', owner: 'INSTITUTION' } }), MINE);
    expect(paid).toMatchObject({ status: 'PAID', label: { zh: '已完成缴费' }, payableByInstitution: false });
  });

  it('REG-6: a seat released at the hold limit is explained as for candidates and must be chosen again', () => {
    const r = registrationPaymentStatus(facts({ hasSeat: false, seatReleasedReason: 'HOLD_EXPIRED' }), MINE);
    expect(r.status).toBe('SEAT_RELEASED');
    expect(r.payableByInstitution).toBe(false);
    expect(r.seatReleased).toMatchObject({ reason: 'HOLD_EXPIRED' });
    expect(r.seatReleased!.zh).toContain('24小时');
    expect(r.reason!.zh).toBe(r.seatReleased!.zh);
  });

  it('REG-7: released at a payment timeout, the bill timeout is named', () => {
    const r = registrationPaymentStatus(facts({ hasSeat: false, seatReleasedReason: 'PAYMENT_TIMEOUT' }), MINE);
    expect(r.seatReleased!.zh).toContain('30分钟');
  });

  it('a subject without seats never needs one; a seated one without a seat needs a slot', () => {
    expect(registrationPaymentStatus(facts({ needsSeat: false, hasSeat: false }), MINE).payableByInstitution).toBe(true);
    expect(registrationPaymentStatus(facts({ hasSeat: false }), MINE)).toMatchObject({ status: 'UNPAID', payableByInstitution: false, reason: { code: 'SLOT_REQUIRED' } });
  });

  it('REG-8: the candidate\'s own registration, or another institution\'s, is never the institution\'s to pay', () => {
    expect(registrationPaymentStatus(facts({ owner: 'CANDIDATE', institutionId: null }), MINE)).toMatchObject({ status: 'UNPAID', payableByInstitution: false, reason: { code: 'OWNED_BY_CANDIDATE' } });
    expect(registrationPaymentStatus(facts({ institutionId: 8n }), MINE).payableByInstitution).toBe(false);
  });
});

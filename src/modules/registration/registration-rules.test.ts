import { describe, expect, it } from 'vitest';
import { canPay, canRegister, type CandidateStanding, type SubjectFacts } from './registration-rules.ts';
import { appealBlocksRegistration } from './appeal-rule.ts';
import { ERROR_CATALOGUE } from '../../shared/errors.ts';

const S = (id: number, o: Partial<SubjectFacts> = {}): SubjectFacts => ({ id: BigInt(id), kind: 'WRITTEN', writtenSubjectId: null, exclusionGroup: null, requiresReview: false, ...o });
const engA = S(1, { exclusionGroup: 'ENGLISH' });
const engB = S(2, { exclusionGroup: 'ENGLISH' });
const computing = S(3);
const cet4 = S(4);
const cet4Oral = S(5, { kind: 'ORAL', writtenSubjectId: 4n });
const all = [engA, engB, computing, cet4, cet4Oral];

const standing = (o: Partial<CandidateStanding> = {}): CandidateStanding => ({
  eligibleSubjectIds: null, passedSubjectIds: new Set(), exemptSubjectIds: new Set(), registered: new Map(), reviewApproved: false, ...o,
});

describe('who may register which subject (REG-3)', () => {
  it('REG-3: an eligible, new subject can be registered', () => {
    expect(canRegister(computing, standing(), all)).toEqual({ ok: true });
  });
  it('REG-3: outside the roster → NOT_ELIGIBLE', () => {
    expect(canRegister(computing, standing({ eligibleSubjectIds: new Set([1n]) }), all)).toEqual({ ok: false, code: 'NOT_ELIGIBLE' });
  });
  it('REG-3: passed → SUBJECT_ALREADY_PASSED; exempt → SUBJECT_EXEMPT; registered → SUBJECT_ALREADY_REGISTERED', () => {
    expect(canRegister(computing, standing({ passedSubjectIds: new Set([3n]) }), all)).toMatchObject({ code: 'SUBJECT_ALREADY_PASSED' });
    expect(canRegister(computing, standing({ exemptSubjectIds: new Set([3n]) }), all)).toMatchObject({ code: 'SUBJECT_EXEMPT' });
    expect(canRegister(computing, standing({ registered: new Map([[3n, { paid: false }]]) }), all)).toMatchObject({ code: 'SUBJECT_ALREADY_REGISTERED' });
  });
  it('REG-3: 大学英语A and B exclude each other, registered or passed', () => {
    expect(canRegister(engB, standing({ registered: new Map([[1n, { paid: false }]]) }), all)).toEqual({ ok: false, code: 'EXCLUSIVE_SUBJECT_CONFLICT', subjectId: 1n });
    expect(canRegister(engB, standing({ passedSubjectIds: new Set([1n]) }), all)).toEqual({ ok: false, code: 'EXCLUSIVE_SUBJECT_CONFLICT', subjectId: 1n });
    expect(canRegister(engA, standing({ registered: new Map([[3n, { paid: true }]]) }), all)).toEqual({ ok: true });
  });
});

describe('CET6 needs an approved review (REG-4)', () => {
  it('REG-4: a subject that requires a review is refused until the review is approved', () => {
    const cet6 = S(6, { requiresReview: true });
    expect(canRegister(cet6, standing(), [cet6])).toEqual({ ok: false, code: 'REVIEW_REQUIRED' });
    expect(canRegister(cet6, standing({ reviewApproved: true }), [cet6])).toEqual({ ok: true });
  });
});

describe('written before oral (REG-5)', () => {
  it('REG-5: an oral subject needs its written subject registered first', () => {
    expect(canRegister(cet4Oral, standing(), all)).toEqual({ ok: false, code: 'WRITTEN_BEFORE_ORAL', subjectId: 4n });
    expect(canRegister(cet4Oral, standing({ registered: new Map([[4n, { paid: false }]]) }), all)).toEqual({ ok: true });
  });
  it('REG-5: an oral subject is payable only after its written subject is paid', () => {
    expect(canPay(cet4Oral, standing({ registered: new Map([[4n, { paid: false }], [5n, { paid: false }]]) }))).toEqual({ ok: false, code: 'WRITTEN_BEFORE_ORAL', subjectId: 4n });
    expect(canPay(cet4Oral, standing({ registered: new Map([[4n, { paid: true }], [5n, { paid: false }]]) }))).toEqual({ ok: true });
    expect(canPay(cet4, standing({ registered: new Map([[4n, { paid: false }]]) }))).toEqual({ ok: true });
  });
});

describe('after a refund, and when the authority cancels (REF-2, REF-3)', () => {
  it('REF-2: a subject (or sitting) the authority cancelled can be neither registered nor paid', () => {
    const cancelled = S(3, { cancelled: true });
    expect(canRegister(cancelled, standing(), all)).toEqual({ ok: false, code: 'SUBJECT_CANCELLED' });
    expect(canPay(cancelled, standing({ registered: new Map([[3n, { paid: false }]]) }))).toEqual({ ok: false, code: 'SUBJECT_CANCELLED' });
  });
  it('REF-3: a refunded (hence no longer registered) subject can be registered again while still eligible', () => {
    expect(canRegister(computing, standing({ registered: new Map() }), all)).toEqual({ ok: true });
  });
  it('REF-3: where the exam wants the authority\'s approval, none is registered until it is given', () => {
    expect(canRegister(computing, standing({ repaymentApprovalPending: true }), all)).toEqual({ ok: false, code: 'REPAYMENT_APPROVAL_REQUIRED' });
    expect(canRegister(engA, standing({ repaymentApprovalPending: true }), all)).toMatchObject({ code: 'REPAYMENT_APPROVAL_REQUIRED' });
    expect(canRegister(computing, standing({ repaymentApprovalPending: false }), all)).toEqual({ ok: true });
  });
  it('REF-3: approval does not make an ineligible candidate eligible: the roster still decides first', () => {
    expect(canRegister(computing, standing({ eligibleSubjectIds: new Set([1n]), repaymentApprovalPending: false }), all)).toEqual({ ok: false, code: 'NOT_ELIGIBLE' });
    expect(canRegister(computing, standing({ passedSubjectIds: new Set([3n]) }), all)).toMatchObject({ code: 'SUBJECT_ALREADY_PASSED' });
  });
});

describe('a pending 报考科目申诉 holds its subject back (seed 000)', () => {
  it('seed 000: while the candidate\'s appeal about a subject is pending, that subject cannot be registered; others can', () => {
    const pending = standing({ appealPendingSubjectIds: new Set([3n]) });
    expect(canRegister(computing, pending, all)).toEqual({ ok: false, code: 'SUBJECT_APPEAL_PENDING' });
    expect(canRegister(engA, pending, all)).toEqual({ ok: true });
    expect(appealBlocksRegistration(3n, new Set([3n]))).toEqual({ ok: false, code: 'SUBJECT_APPEAL_PENDING' });
    expect(appealBlocksRegistration(3n, undefined)).toEqual({ ok: true });
  });
  it('seed 000: once decided or withdrawn (no longer pending) the subject is registrable again', () => {
    expect(canRegister(computing, standing({ appealPendingSubjectIds: new Set() }), all)).toEqual({ ok: true });
  });
  it('the older reasons come first: passed, exempt or already registered is what the candidate is told', () => {
    expect(canRegister(computing, standing({ appealPendingSubjectIds: new Set([3n]), passedSubjectIds: new Set([3n]) }), all)).toMatchObject({ code: 'SUBJECT_ALREADY_PASSED' });
    expect(canRegister(computing, standing({ appealPendingSubjectIds: new Set([3n]), registered: new Map([[3n, { paid: false }]]) }), all)).toMatchObject({ code: 'SUBJECT_ALREADY_REGISTERED' });
  });
  it('the reason has its words in Chinese and English in the error catalogue', () => {
    const [status, zh, en] = ERROR_CATALOGUE.SUBJECT_APPEAL_PENDING;
    expect(status).toBe(409);
    expect(zh).toContain('申诉');
    expect(en).toMatch(/appeal/);
  });
});

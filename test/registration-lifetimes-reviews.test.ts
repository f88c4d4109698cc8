import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expireUnpaidRegistrationsJob } from '../src/jobs/expire-unpaid-registrations.job.ts';
import { confirmBill } from '../src/modules/billing/confirm-bill.ts';
import { decideReview, fileCet6Review } from '../src/modules/registration/eligibility-review.ts';
import { registerSubject } from '../src/modules/registration/register-subject.ts';
import { provisionSeats } from '../src/modules/registration/seat-holds.sql.ts';
import { HOUR, MINUTE } from '../src/shared/clock.ts';
import { makeCandidate, makeExam } from './support/fixtures.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';
import { TEST_PERSONAL_DATA } from './support/test-keys.ts';
import { sealIdNumber } from '../src/modules/accounts/candidate-identity.ts';

let w: PaymentWorld;
beforeAll(async () => {
  w = await startPaymentWorld();
});
afterAll(async () => w.close());

/** A CET-like sitting: CET4 written, CET6 written needing a review; a fresh candidate with nothing registered. */
async function cet(opts: { ttlHours?: number; audit?: boolean } = {}) {
  const exam = await makeExam(w.db, { fees: [3000n, 3000n] });
  const [cet4, cet6] = exam.subjectIds as [bigint, bigint];
  await w.db.updateTable('subject').set({ requires_review: true }).where('id', '=', cet6).execute();
  await w.db.updateTable('exam').set({ cet6_review_threshold: 425, unpaid_registration_ttl_hours: opts.ttlHours ?? null, audit_required: opts.audit ?? false }).where('id', '=', exam.examId).execute();
  const c = await makeCandidate(w.db, exam);
  await w.db.updateTable('registration').set({ status: 'CANCELLED', cancelled_at: w.clock.now(), cancelled_reason: 'CANDIDATE' }).where('candidate_id', '=', c.candidateId).execute();
  const me = await w.db.selectFrom('candidate').select(['name']).where('id', '=', c.candidateId).executeTakeFirstOrThrow();
  return { exam, cet4, cet6, c, me };
}

describe('CET6 review through the database (REG-4)', () => {
  it('REG-4: same ID → approved and CET6 can be registered; same name only → 未复核 until the institution approves; rejection needs a reason; neither → not filed', async () => {
    const s = await cet();
    await w.db.insertInto('cet4_score').values([
      // The record's ID number in another case: the lookup hash is of the normalised number.
      { authority_id: s.exam.authorityId, ticket_no: '110011191100101', ...sealIdNumber(TEST_PERSONAL_DATA, s.c.idNumber.toLowerCase()), name: '别名', score: 500 },
      { authority_id: s.exam.authorityId, ticket_no: '110011191100102', ...sealIdNumber(TEST_PERSONAL_DATA, '110105199901011234'), name: s.me.name, score: 500 },
      { authority_id: s.exam.authorityId, ticket_no: '110011191100103', ...sealIdNumber(TEST_PERSONAL_DATA, '110105199901011234'), name: '王五', score: 500 },
      { authority_id: s.exam.authorityId, ticket_no: '110011191100104', ...sealIdNumber(TEST_PERSONAL_DATA, s.c.idNumber), name: s.me.name, score: 424 },
    ]).execute();
    const file = (ticketNo: string) => fileCet6Review(w.ctx, { candidateId: s.c.candidateId, sittingId: s.exam.sittingId, ticketNo });

    expect(await registerSubject(w.ctx, { candidateId: s.c.candidateId, subjectId: s.cet6 })).toMatchObject({ error: { code: 'REVIEW_REQUIRED' } });
    expect(await file('110011191100103')).toMatchObject({ ok: false, error: { code: 'CET4_IDENTITY_MISMATCH' } });
    expect(await file('110011191100104')).toMatchObject({ ok: false, error: { code: 'CET4_SCORE_TOO_LOW' } });
    expect(await file('110011191100199')).toMatchObject({ ok: false, error: { code: 'CET4_TICKET_NOT_FOUND' } });

    const pending = await file('110011191100102');
    expect(pending).toMatchObject({ ok: true, value: { status: 'PENDING' } });
    if (!pending.ok) return;
    expect(await file('110011191100101')).toMatchObject({ error: { code: 'REVIEW_ALREADY_FILED' } });
    expect(await registerSubject(w.ctx, { candidateId: s.c.candidateId, subjectId: s.cet6 })).toMatchObject({ error: { code: 'REVIEW_REQUIRED' } });
    expect(await decideReview(w.ctx, { reviewId: pending.value.reviewId, approve: false, actor: 'staff:1' })).toMatchObject({ error: { code: 'VALIDATION_FAILED' } });
    expect(await decideReview(w.ctx, { reviewId: pending.value.reviewId, approve: false, reason: '姓名相同但证件号不符', actor: 'staff:1' })).toEqual({ ok: true, value: 'REJECTED' });
    expect(await decideReview(w.ctx, { reviewId: pending.value.reviewId, approve: true, actor: 'staff:1' })).toMatchObject({ error: { code: 'REVIEW_NOT_PENDING' } });

    // After a rejection the candidate may file again — this time with their own ticket.
    expect(await file('110011191100101')).toMatchObject({ ok: true, value: { status: 'APPROVED' } });
    expect((await registerSubject(w.ctx, { candidateId: s.c.candidateId, subjectId: s.cet6 })).ok).toBe(true);
  });

  it('REG-4: an institution approves a 未复核 review and the candidate can register CET6', async () => {
    const s = await cet();
    await w.db.insertInto('cet4_score').values({ authority_id: s.exam.authorityId, ticket_no: '220011191100102', ...sealIdNumber(TEST_PERSONAL_DATA, '110105199901011234'), name: s.me.name, score: 430 }).execute();
    const r = await fileCet6Review(w.ctx, { candidateId: s.c.candidateId, sittingId: s.exam.sittingId, ticketNo: '220011191100102' });
    if (!r.ok) throw new Error(r.error.code);
    expect(await decideReview(w.ctx, { reviewId: r.value.reviewId, approve: true, actor: 'institution:9' })).toEqual({ ok: true, value: 'APPROVED' });
    expect((await registerSubject(w.ctx, { candidateId: s.c.candidateId, subjectId: s.cet6 })).ok).toBe(true);
  });
});

describe('audit before payment (REG-9)', () => {
  it('REG-9: payment is refused until the qualification audit has passed', async () => {
    const s = await cet({ audit: true });
    const reg = await registerSubject(w.ctx, { candidateId: s.c.candidateId, subjectId: s.cet4 });
    if (!reg.ok) throw new Error(reg.error.code);
    const pay = () => confirmBill(w.ctx, { candidateId: s.c.candidateId, registrationIds: [reg.value.registrationId] });
    expect(await pay()).toMatchObject({ ok: false, error: { code: 'AUDIT_NOT_PASSED', details: { auditStatus: 'PENDING' } } });
    await w.db.insertInto('candidate_audit').values({ candidate_id: s.c.candidateId, sitting_id: s.exam.sittingId, status: 'REJECTED' }).execute();
    expect(await pay()).toMatchObject({ ok: false, error: { code: 'AUDIT_NOT_PASSED', details: { auditStatus: 'REJECTED' } } });
    await w.db.updateTable('candidate_audit').set({ status: 'PASSED' }).where('candidate_id', '=', s.c.candidateId).execute();
    expect((await pay()).ok).toBe(true);
  });
});

describe('unpaid subjects removed after 24 h (REG-7), as a scheduled job on a moved clock', () => {
  it('REG-7: removed at 24 h — not a second before — seats returned; paid ones, ones on an open bill and other exams\' untouched', async () => {
    const s = await cet({ ttlHours: 24 });
    const keepExam = await makeExam(w.db); // no TTL
    const keep = await makeCandidate(w.db, keepExam);
    const site = await w.db.insertInto('site').values({ sitting_id: s.exam.sittingId, code: 'C1', name: '校区' }).returning('id').executeTakeFirstOrThrow();
    const slot = await w.db.insertInto('slot').values({ sitting_id: s.exam.sittingId, code: 'AM', starts_at: new Date('2026-06-13T01:00:00Z'), ends_at: new Date('2026-06-13T03:00:00Z') }).returning('id').executeTakeFirstOrThrow();
    const pool = await w.db.insertInto('seat_pool').values({ site_id: site.id, slot_id: slot.id, subject_id: s.cet4, capacity: 1 }).returning('id').executeTakeFirstOrThrow();
    await w.db.transaction().execute((trx) => provisionSeats(trx, pool.id, 1));

    const unpaid = await registerSubject(w.ctx, { candidateId: s.c.candidateId, subjectId: s.cet4, siteId: site.id, slotId: slot.id });
    if (!unpaid.ok) throw new Error(unpaid.error.code);
    const other = await cet({ ttlHours: 24 });
    const onBill = await registerSubject(w.ctx, { candidateId: other.c.candidateId, subjectId: other.cet4 });
    if (!onBill.ok) throw new Error('setup');
    w.clock.advance(24 * HOUR - 31 * MINUTE);
    const bill = await confirmBill(w.ctx, { candidateId: other.c.candidateId, registrationIds: [onBill.value.registrationId] });
    expect(bill.ok).toBe(true);

    w.clock.advance(31 * MINUTE - 1000); // 1 s before 24 h
    await expireUnpaidRegistrationsJob.execute(w.ctx);
    const status = async (id: bigint) => (await w.db.selectFrom('registration').select(['status', 'cancelled_reason']).where('id', '=', id).executeTakeFirstOrThrow());
    expect((await status(unpaid.value.registrationId)).status).toBe('ACTIVE');

    w.clock.advance(1000); // exactly 24 h
    const ran = await expireUnpaidRegistrationsJob.execute(w.ctx);
    expect(ran.removed).toBeGreaterThanOrEqual(1);
    expect(await status(unpaid.value.registrationId)).toEqual({ status: 'CANCELLED', cancelled_reason: 'UNPAID_TIMEOUT' });
    expect((await w.db.selectFrom('seat').select('state').where('pool_id', '=', pool.id).executeTakeFirstOrThrow()).state).toBe('FREE');
    expect((await status(onBill.value.registrationId)).status).toBe('ACTIVE'); // its bill is still open
    expect((await status(keep.registrationIds[0]!)).status).toBe('ACTIVE'); // its exam keeps unpaid subjects
    // The subject can be registered again, and takes the freed seat.
    expect(await registerSubject(w.ctx, { candidateId: s.c.candidateId, subjectId: s.cet4, siteId: site.id, slotId: slot.id })).toMatchObject({ ok: true, value: { seat: { seatNo: 1 } } });
  });
});

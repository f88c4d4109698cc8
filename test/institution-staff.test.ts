import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionSeats } from '../src/modules/registration/seat-holds.sql.ts';
import { maskIdNumber } from '../src/modules/accounts/id-number.ts';
import { Browser } from './support/http.ts';
import { makeCandidate, makeExam } from './support/fixtures.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';
import { makeInstitution, makeStaff, staffBrowser } from './support/staff-fixtures.ts';
import { TEST_PERSONAL_DATA } from './support/test-keys.ts';
import { sealIdNumber } from '../src/modules/accounts/candidate-identity.ts';

let w: PaymentWorld;
beforeAll(async () => {
  w = await startPaymentWorld();
});
afterAll(async () => w.close());

const json = (x: unknown) => JSON.stringify(x, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v));

/**
 * A CET-like authority with two schools: subjects CET4, CET6 (needs a review) and a subject with
 * seats (2 at one site and slot); candidates in school A, school B and in none, with nothing
 * registered; staff of every role, and an admin of another authority.
 */
async function world() {
  const exam = await makeExam(w.db, { fees: [3000n, 3000n, 8000n] });
  const [cet4, cet6, seated] = exam.subjectIds as [bigint, bigint, bigint];
  await w.db.updateTable('subject').set({ requires_review: true }).where('id', '=', cet6).execute();
  await w.db.updateTable('exam').set({ cet6_review_threshold: 425 }).where('id', '=', exam.examId).execute();
  const site = await w.db.insertInto('site').values({ sitting_id: exam.sittingId, code: 'MAIN', name: '本部校区' }).returning('id').executeTakeFirstOrThrow();
  const slot = await w.db.insertInto('slot').values({ sitting_id: exam.sittingId, code: 'AM', starts_at: new Date('2026-04-11T01:00:00Z'), ends_at: new Date('2026-04-11T03:00:00Z') }).returning('id').executeTakeFirstOrThrow();
  const pool = await w.db.insertInto('seat_pool').values({ site_id: site.id, slot_id: slot.id, subject_id: seated, capacity: 2 }).returning('id').executeTakeFirstOrThrow();
  await w.db.transaction().execute((trx) => provisionSeats(trx, pool.id, 2));
  const schoolA = await makeInstitution(w.db, exam.authorityId, 'SCHOOL');
  const schoolB = await makeInstitution(w.db, exam.authorityId, 'SCHOOL');
  const candidate = async (institutionId: bigint | null) => {
    const c = await makeCandidate(w.db, exam);
    await w.db.updateTable('registration').set({ status: 'CANCELLED', cancelled_at: w.clock.now(), cancelled_reason: 'CANDIDATE' }).where('candidate_id', '=', c.candidateId).execute();
    await w.db.updateTable('candidate').set({ institution_id: institutionId }).where('id', '=', c.candidateId).execute();
    const row = { ...(await w.db.selectFrom('candidate').select(['name']).where('id', '=', c.candidateId).executeTakeFirstOrThrow()), id_number: c.idNumber };
    const browser = new Browser(w.app);
    await browser.signIn(exam.authorityCode, c.idNumber, c.password);
    return { ...c, ...row, browser };
  };
  const other = await makeExam(w.db);
  const staff = {
    schoolA: await staffBrowser(w.app, await makeStaff(w.db, exam, 'INSTITUTION_STAFF', { institutionId: schoolA.institutionId })),
    schoolB: await staffBrowser(w.app, await makeStaff(w.db, exam, 'INSTITUTION_STAFF', { institutionId: schoolB.institutionId })),
    admin: await staffBrowser(w.app, await makeStaff(w.db, exam, 'AUTHORITY_ADMIN')),
    finance: await staffBrowser(w.app, await makeStaff(w.db, exam, 'FINANCE')),
    readOnly: await staffBrowser(w.app, await makeStaff(w.db, exam, 'READ_ONLY')),
    otherAdmin: await staffBrowser(w.app, await makeStaff(w.db, other, 'AUTHORITY_ADMIN')),
  };
  return { exam, cet4, cet6, seated, siteId: site.id, slotId: slot.id, schoolA, schoolB, candidate, staff };
}

const seatOf = (registrationId: string) => w.db.selectFrom('seat').select(['state', 'registration_id']).where('registration_id', '=', BigInt(registrationId)).executeTakeFirst();

describe('institution registrations (REG-8)', () => {
  it('REG-8: the institution registers its candidate under the candidate\'s own rules and seat hold; the candidate sees it but cannot delete, move or pay it', async () => {
    const s = await world();
    const c = await s.candidate(s.schoolA.institutionId);
    const body = { candidateId: String(c.candidateId), subjectId: String(s.seated), siteId: String(s.siteId), slotId: String(s.slotId) };
    expect((await s.staff.schoolA.post('/api/v1/institution/registrations', { ...body, siteId: undefined, slotId: undefined })).body.error.code).toBe('SLOT_REQUIRED');
    const reg = await s.staff.schoolA.post('/api/v1/institution/registrations', body);
    expect(reg.status).toBe(201);
    expect(reg.body.seat).toMatchObject({ seatNo: 1 });
    const row = await w.db.selectFrom('registration').selectAll().where('id', '=', BigInt(reg.body.registrationId)).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ owner: 'INSTITUTION', institution_id: s.schoolA.institutionId, candidate_id: c.candidateId, status: 'ACTIVE' });
    expect(await seatOf(reg.body.registrationId)).toMatchObject({ state: 'HELD' });
    // The same rules as the candidate's own registering: no second registration of one subject.
    expect((await s.staff.schoolA.post('/api/v1/institution/registrations', body)).body.error.code).toBe('SUBJECT_ALREADY_REGISTERED');
    expect((await c.browser.post('/api/v1/registrations', { subjectId: String(s.seated), siteId: String(s.siteId), slotId: String(s.slotId) })).body.error.code).toBe('SUBJECT_ALREADY_REGISTERED');

    const mine = (await c.browser.get('/api/v1/registrations')).body;
    expect(mine).toEqual([expect.objectContaining({ registrationId: reg.body.registrationId, owner: 'INSTITUTION', payable: false })]);
    const del = await c.browser.delete(`/api/v1/registrations/${reg.body.registrationId}`);
    expect(del.status).toBe(409);
    expect(del.body.error).toMatchObject({ code: 'REGISTRATION_NOT_PAYABLE', details: { reason: 'INSTITUTION_REGISTRATION' } });
    const pay = await c.browser.post('/api/v1/bills', { registrationIds: [reg.body.registrationId] });
    expect(pay.status).toBe(409);
    expect(pay.body.error).toMatchObject({ code: 'REGISTRATION_NOT_PAYABLE', details: { reason: 'INSTITUTION_REGISTRATION' } });
    expect((await c.browser.post(`/api/v1/registrations/${reg.body.registrationId}/slot`, { siteId: String(s.siteId), slotId: String(s.slotId) })).status).toBe(409);
    expect(await w.db.selectFrom('bill').select('id').where('candidate_id', '=', c.candidateId).execute()).toEqual([]);
    expect((await w.db.selectFrom('registration').select('status').where('id', '=', BigInt(reg.body.registrationId)).executeTakeFirstOrThrow()).status).toBe('ACTIVE');

    const audit = await w.db.selectFrom('audit_log').selectAll().where('action', '=', 'registration.create').where('object_id', '=', reg.body.registrationId).execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ actor_type: 'STAFF', actor_role: 'INSTITUTION_STAFF', object_type: 'registration', outcome: 'SUCCESS' });
    expect(audit[0]!.summary).toMatchObject({ after: { owner: 'INSTITUTION', institutionId: String(s.schoolA.institutionId), candidateId: String(c.candidateId), seatNo: 1 } });
    expect(json(audit)).not.toContain(c.id_number);
    expect(json(audit)).not.toContain(c.name);
  });

  it('REG-8: a full slot refuses the institution like anyone else, and leaves no registration and no audit record', async () => {
    const s = await world();
    const [a, b, c] = [await s.candidate(s.schoolA.institutionId), await s.candidate(s.schoolA.institutionId), await s.candidate(s.schoolA.institutionId)];
    const reg = (x: { candidateId: bigint }) => s.staff.schoolA.post('/api/v1/institution/registrations', { candidateId: String(x.candidateId), subjectId: String(s.seated), siteId: String(s.siteId), slotId: String(s.slotId) });
    expect((await reg(a)).status).toBe(201);
    expect((await reg(b)).status).toBe(201);
    const full = await reg(c);
    expect(full.status).toBe(409);
    expect(full.body.error.code).toBe('SEAT_UNAVAILABLE');
    expect(await w.db.selectFrom('registration').select('id').where('candidate_id', '=', c.candidateId).where('status', '=', 'ACTIVE').execute()).toEqual([]);
    const audits = await w.db.selectFrom('audit_log').select('summary').where('action', '=', 'registration.create').execute();
    expect(audits.filter((e) => (e.summary.after as { candidateId?: string }).candidateId === String(c.candidateId))).toEqual([]);
  });

  it('REG-8: individual and institution registrations never share a bill (in the use case and in the database)', async () => {
    const s = await world();
    const c = await s.candidate(s.schoolA.institutionId);
    const own = await c.browser.post('/api/v1/registrations', { subjectId: String(s.cet4) });
    expect(own.status).toBe(201);
    const inst = await s.staff.schoolA.post('/api/v1/institution/registrations', { candidateId: String(c.candidateId), subjectId: String(s.seated), siteId: String(s.siteId), slotId: String(s.slotId) });
    expect(inst.status).toBe(201);

    const mixed = await c.browser.post('/api/v1/bills', { registrationIds: [own.body.registrationId, inst.body.registrationId] });
    expect(mixed.status).toBe(409);
    expect(mixed.body.error).toMatchObject({ code: 'REGISTRATION_NOT_PAYABLE', details: { reason: 'INSTITUTION_REGISTRATION', registrationIds: [inst.body.registrationId] } });
    expect(await w.db.selectFrom('bill').select('id').where('candidate_id', '=', c.candidateId).execute()).toEqual([]);

    const alone = await c.browser.post('/api/v1/bills', { registrationIds: [own.body.registrationId] });
    expect(alone.status).toBe(201);
    expect(alone.body.items.map((i: { registrationId: string }) => i.registrationId)).toEqual([own.body.registrationId]);

    // Even a code path that forgot the rule cannot put an institution's registration on a candidate's bill.
    const bill = await w.db.selectFrom('bill').select('id').where('bill_no', '=', alone.body.billNo).executeTakeFirstOrThrow();
    await expect(w.db.insertInto('bill_item').values({ bill_id: bill.id, registration_id: BigInt(inst.body.registrationId), subject_id: s.seated, amount_fen: 8000n }).execute())
      .rejects.toThrow(/REG-8/);
  });

  it('REG-8: the institution lists and deletes only its own registrations; another institution gets 404 and changes nothing', async () => {
    const s = await world();
    const a = await s.candidate(s.schoolA.institutionId);
    const inst = await s.staff.schoolA.post('/api/v1/institution/registrations', { candidateId: String(a.candidateId), subjectId: String(s.seated), siteId: String(s.siteId), slotId: String(s.slotId) });
    const own = await a.browser.post('/api/v1/registrations', { subjectId: String(s.cet4) });

    const listA = (await s.staff.schoolA.get('/api/v1/institution/registrations')).body;
    expect(listA).toEqual([expect.objectContaining({ registrationId: inst.body.registrationId, owner: 'INSTITUTION', candidate: { candidateId: String(a.candidateId), name: a.name, idNumberMasked: maskIdNumber(a.id_number) } })]);
    expect((await s.staff.schoolB.get('/api/v1/institution/registrations')).body).toEqual([]);
    const probe = await s.staff.schoolB.get(`/api/v1/institution/registrations?candidateId=${a.candidateId}`);
    expect(probe.status).toBe(404);
    expect(probe.body.error.code).toBe('CANDIDATE_NOT_FOUND');

    const foreign = await s.staff.schoolB.delete(`/api/v1/institution/registrations/${inst.body.registrationId}`);
    expect(foreign.status).toBe(404);
    expect(foreign.body.error.code).toBe('REGISTRATION_NOT_FOUND');
    const stealing = await s.staff.schoolB.post('/api/v1/institution/registrations', { candidateId: String(a.candidateId), subjectId: String(s.cet4) });
    expect(stealing.status).toBe(404);
    expect(stealing.body.error.code).toBe('CANDIDATE_NOT_FOUND');

    // Seed 000: the candidate's own registration is the candidate's to delete, not the institution's.
    const notTheirs = await s.staff.schoolA.delete(`/api/v1/institution/registrations/${own.body.registrationId}`);
    expect(notTheirs.status).toBe(409);
    expect(notTheirs.body.error.code).toBe('REGISTRATION_OWNED_BY_CANDIDATE');
    expect((await w.db.selectFrom('registration').select('status').where('id', '=', BigInt(own.body.registrationId)).executeTakeFirstOrThrow()).status).toBe('ACTIVE');

    expect((await s.staff.schoolA.delete(`/api/v1/institution/registrations/${inst.body.registrationId}`)).status).toBe(204);
    expect(await w.db.selectFrom('registration').select(['status', 'cancelled_reason']).where('id', '=', BigInt(inst.body.registrationId)).executeTakeFirstOrThrow())
      .toEqual({ status: 'CANCELLED', cancelled_reason: 'INSTITUTION' });
    expect(await seatOf(inst.body.registrationId)).toBeUndefined();
    const logged = await w.db.selectFrom('audit_log').selectAll().where('action', '=', 'registration.delete').where('object_id', '=', inst.body.registrationId).execute();
    expect(logged.map((e) => e.summary)).toEqual([{ before: expect.objectContaining({ status: 'ACTIVE', owner: 'INSTITUTION' }), after: { status: 'CANCELLED', cancelledReason: 'INSTITUTION' } }]);

    // Authority roles do not register for institutions, and cannot use the institution API.
    const byAdmin = await s.staff.admin.post('/api/v1/institution/registrations', { candidateId: String(a.candidateId), subjectId: String(s.cet4) });
    expect(byAdmin.status).toBe(403);
    expect(byAdmin.body.error.code).toBe('STAFF_WRONG_CONSOLE');
  });
});

describe('CET6 manual review by institution staff (REG-4, ORG-2)', () => {
  it('REG-4: 未复核 goes to the candidate\'s school; other schools and roles without the right cannot see or decide it; the candidate sees each outcome', async () => {
    const s = await world();
    const c = await s.candidate(s.schoolA.institutionId);
    await w.db.insertInto('cet4_score').values([
      { authority_id: s.exam.authorityId, ticket_no: '320010251102317', ...sealIdNumber(TEST_PERSONAL_DATA, '110105199901011234'), name: c.name, score: 468 },
    ]).execute();
    const reviewUrl = `/api/v1/sittings/${s.exam.sittingId}/cet6-review`;
    const filed = await c.browser.post(reviewUrl, { ticketNo: '320010251102317' });
    expect(filed.status).toBe(201);
    expect(filed.body).toMatchObject({ status: 'PENDING', statusLabel: { zh: expect.stringContaining('未复核') } });
    const reviewId = filed.body.reviewId as string;

    const queueA = (await s.staff.schoolA.get('/api/v1/institution/reviews')).body;
    expect(queueA).toEqual([expect.objectContaining({
      reviewId, status: 'PENDING', ticketNo: '320010251102317',
      candidate: { candidateId: String(c.candidateId), name: c.name, idNumberMasked: maskIdNumber(c.id_number), institutionName: expect.any(String) },
      cet4Record: { name: c.name, idNumberMasked: '1101**********1234', score: 468, sameIdNumber: false, sameName: true },
    })]);
    expect(json(queueA)).not.toContain(c.id_number);
    expect((await s.staff.schoolB.get('/api/v1/institution/reviews')).body).toEqual([]);
    expect((await s.staff.admin.get('/api/v1/admin/reviews')).body.map((r: { reviewId: string }) => r.reviewId)).toContain(reviewId);
    expect((await s.staff.readOnly.get('/api/v1/admin/reviews')).status).toBe(200);
    expect((await s.staff.otherAdmin.get('/api/v1/admin/reviews')).body).toEqual([]);
    expect((await s.staff.finance.get('/api/v1/admin/reviews')).body.error.code).toBe('STAFF_FORBIDDEN');

    for (const [who, b, status, code] of [
      ['school B', s.staff.schoolB, 404, 'REVIEW_NOT_FOUND'], ['another authority', s.staff.otherAdmin, 404, 'REVIEW_NOT_FOUND'],
      ['read-only', s.staff.readOnly, 403, 'STAFF_FORBIDDEN'], ['finance', s.staff.finance, 403, 'STAFF_FORBIDDEN'],
    ] as const) {
      const prefix = who === 'school B' ? '/api/v1/institution' : '/api/v1/admin';
      const r = await b.post(`${prefix}/reviews/${reviewId}/decision`, { decision: 'APPROVE' });
      expect([who, r.status, r.body.error.code]).toEqual([who, status, code]);
    }
    expect((await w.db.selectFrom('eligibility_review').select('status').where('id', '=', BigInt(reviewId)).executeTakeFirstOrThrow()).status).toBe('PENDING');

    const noReason = await s.staff.schoolA.post(`/api/v1/institution/reviews/${reviewId}/decision`, { decision: 'REJECT' });
    expect(noReason.status).toBe(400);
    expect(noReason.body.error.code).toBe('VALIDATION_FAILED');
    const rejected = await s.staff.schoolA.post(`/api/v1/institution/reviews/${reviewId}/decision`, { decision: 'REJECT', reason: '证件号与四级成绩不符，请携带证明复核' });
    expect(rejected.body).toEqual({ reviewId, status: 'REJECTED' });
    expect((await s.staff.schoolA.post(`/api/v1/institution/reviews/${reviewId}/decision`, { decision: 'APPROVE' })).body.error.code).toBe('REVIEW_NOT_PENDING');

    // The candidate sees the outcome and its reason; CET6 stays closed to them.
    expect((await c.browser.get(reviewUrl)).body).toEqual([expect.objectContaining({ reviewId, status: 'REJECTED', rejectReason: '证件号与四级成绩不符，请携带证明复核', decidedAt: expect.any(String) })]);
    const options = async () => (await c.browser.get(`/api/v1/sittings/${s.exam.sittingId}/registration-options`)).body.subjects.find((x: { subjectId: string }) => x.subjectId === String(s.cet6));
    expect(await options()).toMatchObject({ canRegister: false, reason: 'REVIEW_REQUIRED' });

    // Filed again (with proof brought in person) and approved by the authority's admin this time.
    const again = await c.browser.post(reviewUrl, { ticketNo: '320010251102317' });
    expect(again.body.status).toBe('PENDING');
    expect((await s.staff.admin.post(`/api/v1/admin/reviews/${again.body.reviewId}/decision`, { decision: 'APPROVE' })).body.status).toBe('APPROVED');
    expect(await options()).toMatchObject({ canRegister: true });
    expect((await c.browser.post('/api/v1/registrations', { subjectId: String(s.cet6) })).status).toBe(201);

    const log = await w.db.selectFrom('audit_log').selectAll().where('action', '=', 'review.decide').where('object_id', 'in', [reviewId, again.body.reviewId]).orderBy('id').execute();
    expect(log.map((e) => [e.object_id, e.actor_role, e.summary.before, e.summary.after])).toEqual([
      [reviewId, 'INSTITUTION_STAFF', { status: 'PENDING' }, { status: 'REJECTED' }],
      [again.body.reviewId, 'AUTHORITY_ADMIN', { status: 'PENDING' }, { status: 'APPROVED' }],
    ]);
    expect(json(log)).not.toContain('证件号与四级成绩不符');
  });
});

describe('what staff read (ADM-5)', () => {
  it('candidate search and detail stay in scope and never show a whole ID number', async () => {
    const s = await world();
    const a = await s.candidate(s.schoolA.institutionId);
    const b = await s.candidate(s.schoolB.institutionId);
    const none = await s.candidate(null);
    const ids = (r: { body: { candidateId: string }[] }) => r.body.map((x) => x.candidateId);

    const adminSearch = (body: object) => s.staff.admin.post('/api/v1/admin/candidates/search', body);
    const schoolSearch = (body: object) => s.staff.schoolA.post('/api/v1/institution/candidates/search', body);
    expect(ids(await schoolSearch({}))).toEqual([String(a.candidateId)]);
    expect(ids(await adminSearch({ limit: 200 }))).toEqual(expect.arrayContaining([a, b, none].map((x) => String(x.candidateId))));
    expect(ids(await adminSearch({ q: b.id_number }))).toEqual([String(b.candidateId)]);
    expect(ids(await adminSearch({ q: b.id_number.toLowerCase() }))).toEqual([String(b.candidateId)]);
    expect(ids(await adminSearch({ q: b.name }))).toEqual([String(b.candidateId)]);
    expect(ids(await adminSearch({ q: '100%' }))).toEqual([]);
    expect(ids(await schoolSearch({ q: b.id_number }))).toEqual([]);
    expect(ids(await adminSearch({ institutionId: String(s.schoolB.institutionId) }))).toEqual([String(b.candidateId)]);
    expect((await schoolSearch({ institutionId: String(s.schoolB.institutionId) })).body.error.code).toBe('INSTITUTION_NOT_FOUND');
    expect(ids(await s.staff.otherAdmin.post('/api/v1/admin/candidates/search', { q: a.id_number }))).toEqual([]);

    const detail = await s.staff.finance.get(`/api/v1/admin/candidates/${a.candidateId}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ candidateId: String(a.candidateId), name: a.name, idNumberMasked: maskIdNumber(a.id_number), institution: { institutionId: String(s.schoolA.institutionId) } });
    expect(detail.text).not.toContain(a.id_number);
    for (const [b2, url] of [[s.staff.schoolB, `/api/v1/institution/candidates/${a.candidateId}`], [s.staff.schoolA, `/api/v1/institution/candidates/${none.candidateId}`], [s.staff.otherAdmin, `/api/v1/admin/candidates/${a.candidateId}`]] as const) {
      const r = await b2.get(url);
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('CANDIDATE_NOT_FOUND');
    }
  });

  it('bill detail for staff: transitions with actor, channel orders, payments and balanced ledger lines; no cashier link', async () => {
    const s = await world();
    const c = await s.candidate(s.schoolA.institutionId);
    const reg = await c.browser.post('/api/v1/registrations', { subjectId: String(s.cet4) });
    const confirmed = await c.browser.post('/api/v1/bills', { registrationIds: [reg.body.registrationId] });
    const billNo = confirmed.body.billNo as string;
    await c.browser.post(`/api/v1/bills/${billNo}/agreement`, { accepted: true });
    expect((await c.browser.post(`/api/v1/bills/${billNo}/payments`, { channel: 'alipay' })).status).toBe(200);
    expect((await w.sandbox.pay(billNo)).ok).toBe(true);
    await w.sandbox.deliverDueNotifications();
    expect((await w.bill(billNo)).state).toBe('PAID');

    for (const b of [s.staff.finance, s.staff.readOnly, s.staff.admin]) {
      const r = await b.get(`/api/v1/admin/bills/${billNo}`);
      expect(r.status).toBe(200);
      expect(r.body).toMatchObject({ billNo, state: 'PAID', candidateId: String(c.candidateId), amountFen: 3000 });
      expect(r.body.transitions.map((t: { from: string; to: string; actor: string }) => [t.from, t.to])).toEqual([['UNPAID', 'PAYING'], ['PAYING', 'PAID']]);
      expect(r.body.transitions[0].actor).toBe(`candidate:${c.candidateId}`);
      expect(r.body.payments).toEqual([expect.objectContaining({ channel: 'alipay', amountFen: 3000, outcome: 'SETTLED' })]);
      expect(r.body.ledger).toEqual([expect.objectContaining({ kind: 'CAPTURE_SETTLED', postings: [{ account: 'clearing:alipay', amountFen: 3000 }, { account: `fees:${s.exam.sittingId}`, amountFen: -3000 }] })]);
      expect(r.body.orders[0]).not.toHaveProperty('payUrl');
      expect(r.text).not.toContain('qr');
    }
    expect((await s.staff.schoolA.get(`/api/v1/institution/bills/${billNo}`)).status).toBe(200);
    expect((await s.staff.schoolB.get(`/api/v1/institution/bills/${billNo}`)).body.error.code).toBe('BILL_NOT_FOUND');
    expect((await s.staff.otherAdmin.get(`/api/v1/admin/bills/${billNo}`)).body.error.code).toBe('BILL_NOT_FOUND');
  });
});

describe('races', () => {
  it('REG-4: ten staff decisions racing on one 未复核 review — exactly one wins, one audit record', async () => {
    const s = await world();
    const c = await s.candidate(s.schoolA.institutionId);
    const review = await w.db.insertInto('eligibility_review').values({ candidate_id: c.candidateId, sitting_id: s.exam.sittingId, ticket_no: '320010251102317', status: 'PENDING', created_at: w.clock.now() }).returning('id').executeTakeFirstOrThrow();
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? s.staff.admin : s.staff.schoolA).post(
      `${i % 2 ? '/api/v1/admin' : '/api/v1/institution'}/reviews/${review.id}/decision`, i % 3 ? { decision: 'APPROVE' } : { decision: 'REJECT', reason: '不符' })));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409).every((r) => r.body.error.code === 'REVIEW_NOT_PENDING')).toBe(true);
    expect(results.filter((r) => r.status === 409)).toHaveLength(9);
    expect(await w.db.selectFrom('audit_log').select('id').where('action', '=', 'review.decide').where('object_id', '=', String(review.id)).execute()).toHaveLength(1);
  });

  it('REG-8: the institution and the candidate registering the same subject at once make one registration, whoever wins', async () => {
    const s = await world();
    for (let round = 0; round < 5; round++) {
      const c = await s.candidate(s.schoolA.institutionId);
      const [byInstitution, byCandidate] = await Promise.all([
        s.staff.schoolA.post('/api/v1/institution/registrations', { candidateId: String(c.candidateId), subjectId: String(s.cet4) }),
        c.browser.post('/api/v1/registrations', { subjectId: String(s.cet4) }),
      ]);
      expect([byInstitution.status, byCandidate.status].sort()).toEqual([201, 409]);
      const active = await w.db.selectFrom('registration').select('owner').where('candidate_id', '=', c.candidateId).where('subject_id', '=', s.cet4).where('status', '=', 'ACTIVE').execute();
      expect(active).toHaveLength(1);
      expect(active[0]!.owner).toBe(byInstitution.status === 201 ? 'INSTITUTION' : 'CANDIDATE');
    }
  });
});

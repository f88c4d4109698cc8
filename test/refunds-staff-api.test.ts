/**
 * Refunds over the staff API (REF-1 … REF-4 with ADM-4, ADM-5): finance and authority
 * administrators, signed in as real staff accounts, through the routes of
 * src/http/routes/staff/refund.routes.ts; money through the sandbox channels; every decision in
 * the audit log, in the transaction that made it. Who else is refused, route by route, is the
 * access-control suite's (test/access-control.test.ts).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeCandidate, makeExam, type ExamFixture } from './support/fixtures.ts';
import type { Browser } from './support/http.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';
import { expectBooksBalance } from './support/books.ts';
import { paidBill, runRefundsToTheEnd } from './support/refunds.ts';
import { makeStaff, staffBrowser, type StaffFixture } from './support/staff-fixtures.ts';

let w: PaymentWorld;
let exam: ExamFixture;
let finance: StaffFixture;
let admin: StaffFixture;
let asFinance: Browser;
let asAdmin: Browser;
let asReadOnly: Browser;

beforeAll(async () => {
  w = await startPaymentWorld();
  exam = await makeExam(w.db, { fees: [8000n, 6500n], channels: ['alipay', 'wechatpay', 'unionpay'] });
  await w.db.updateTable('exam').set({ refund_policy: 'STAFF_DECIDES', repayment_needs_approval: true }).where('id', '=', exam.examId).execute();
  finance = await makeStaff(w.db, exam, 'FINANCE');
  admin = await makeStaff(w.db, exam, 'AUTHORITY_ADMIN');
  asFinance = await staffBrowser(w.app, finance);
  asAdmin = await staffBrowser(w.app, admin);
  asReadOnly = await staffBrowser(w.app, await makeStaff(w.db, exam, 'READ_ONLY'));
});
afterAll(async () => w.close());
// PAY-11: after every test the books balance and captured = paid + refunded (+ in flight), per channel.
afterEach(async () => expectBooksBalance(w));

const auditOf = (action: string, objectId: string | bigint) =>
  w.db.selectFrom('audit_log').selectAll().where('action', '=', action).where('object_id', '=', String(objectId)).execute();

describe('finance: personal refunds and the refund views (REF-1, REF-4)', () => {
  it('REF-1/ADM-4: finance refunds part of a paid subject with a reason; the money goes back through the channel; the decision is audited without the reason', async () => {
    const c = await makeCandidate(w.db, exam);
    const [first] = c.registrationIds as [bigint, bigint];
    const bill = await paidBill(w, { candidateId: c.candidateId, registrationIds: c.registrationIds, channel: 'wechatpay' });

    const reason = '考生因病住院，无法参加考试';
    const made = await asFinance.post(`/api/v1/admin/registrations/${first}/personal-refund`, { reason, amountFen: 5000 });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ amountFen: 5000, channel: 'wechatpay', registrationEnded: true });
    const refundNo: string = made.body.refundNo;

    const [entry, ...more] = await auditOf('refund.personal', first);
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      actor_type: 'STAFF', actor_id: finance.staffId, actor_role: 'FINANCE', authority_id: exam.authorityId, outcome: 'SUCCESS',
      summary: { before: { status: 'ACTIVE' }, after: { status: 'CANCELLED', cancelledReason: 'REFUNDED' }, refundNo, amountFen: '5000', channel: 'wechatpay' },
    });
    expect(JSON.stringify(entry!.summary)).not.toContain(reason);

    // Over the limit of what is left of the item: refused, nothing written.
    const tooMuch = await asFinance.post(`/api/v1/admin/registrations/${first}/personal-refund`, { reason: '补退', amountFen: 3001 });
    expect(tooMuch).toMatchObject({ status: 409, body: { error: { code: 'REFUND_EXCEEDS_PAID' } } });
    expect(await auditOf('refund.personal', first)).toHaveLength(1);

    const detail = await asFinance.get(`/api/v1/admin/refunds/${refundNo}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toMatchObject({ refundNo, state: 'PENDING', reason: 'PERSONAL', amountFen: 5000, note: reason, requestedBy: `staff:${finance.staffId}`, billNo: bill.bill_no, registrationId: String(first) });
    await runRefundsToTheEnd(w);
    expect((await asReadOnly.get(`/api/v1/admin/refunds/${refundNo}`)).body).toMatchObject({ state: 'SUCCEEDED', stateLabel: { zh: '已退款' } });

    const list = await asFinance.get(`/api/v1/admin/refunds?sittingId=${exam.sittingId}&reason=PERSONAL`);
    expect(list.body.map((r: { refundNo: string }) => r.refundNo)).toContain(refundNo);
    const byBill = await asFinance.get(`/api/v1/admin/refunds?billNo=${bill.bill_no}`);
    expect(byBill.body.map((r: { refundNo: string }) => r.refundNo)).toEqual([refundNo]);
    const totals = await asFinance.get(`/api/v1/admin/sittings/${exam.sittingId}/refund-totals`);
    expect(totals.body).toContainEqual(expect.objectContaining({ state: 'SUCCEEDED', reason: 'PERSONAL', count: 1, amountFen: 5000 }));
  });

  it('REF-4/ADM-4: finance sends a refused refund again; read-only staff cannot; the retry is audited', async () => {
    const c = await makeCandidate(w.db, exam);
    await paidBill(w, { candidateId: c.candidateId, registrationIds: c.registrationIds, channel: 'alipay' });
    const made = await asFinance.post(`/api/v1/admin/registrations/${c.registrationIds[1]}/personal-refund`, { reason: '考生申请退费' });
    const refundNo: string = made.body.refundNo;
    // The channel refused it for good (as the refund job marks it): FAILED and flagged for a person.
    await w.db.updateTable('refund').set({ state: 'FAILED', flagged_at: w.clock.now(), last_error: 'BALANCE_NOT_ENOUGH' }).where('refund_no', '=', refundNo).execute();
    const flagged = await asFinance.get('/api/v1/admin/refunds?flagged=true&state=FAILED');
    expect(flagged.body.map((r: { refundNo: string }) => r.refundNo)).toContain(refundNo);

    expect(await asReadOnly.post(`/api/v1/admin/refunds/${refundNo}/retry`)).toMatchObject({ status: 403, body: { error: { code: 'STAFF_FORBIDDEN' } } });
    expect(await asFinance.post(`/api/v1/admin/refunds/${refundNo}/retry`)).toMatchObject({ status: 200, body: { refundNo, state: 'PENDING' } });
    expect(await asFinance.post(`/api/v1/admin/refunds/${refundNo}/retry`)).toMatchObject({ status: 409, body: { error: { code: 'REFUND_NOT_FAILED' } } });
    expect(await auditOf('refund.retry', refundNo)).toEqual([expect.objectContaining({ actor_id: finance.staffId, summary: expect.objectContaining({ before: { state: 'FAILED' }, after: { state: 'PENDING' } }) })]);
    await runRefundsToTheEnd(w);
    expect((await asFinance.get(`/api/v1/admin/refunds/${refundNo}`)).body.state).toBe('SUCCEEDED');
  });
});

describe("the authority's decisions (REF-2, REF-3) by its administrator", () => {
  it('REF-2/ADM-4: finance cannot cancel a registration; the administrator can — the paid fee comes back, the decision and its refunds are audited', async () => {
    const c = await makeCandidate(w.db, exam);
    const [first] = c.registrationIds as [bigint, bigint];
    await paidBill(w, { candidateId: c.candidateId, registrationIds: c.registrationIds, channel: 'unionpay' });
    const body = { kind: 'CANCEL_REGISTRATION', note: '考点停用，无法安排考试' };
    expect(await asFinance.post(`/api/v1/admin/registrations/${first}/authority-decision`, body)).toMatchObject({ status: 403, body: { error: { code: 'STAFF_FORBIDDEN' } } });
    expect(await asAdmin.post(`/api/v1/admin/registrations/${first}/authority-decision`, { ...body, note: ' ' })).toMatchObject({ status: 400 });
    expect(await auditOf('registration.cancel', first)).toEqual([]);

    const done = await asAdmin.post(`/api/v1/admin/registrations/${first}/authority-decision`, body);
    expect(done.status).toBe(200);
    expect(done.body).toMatchObject({ cancelled: [String(first)], billsClosed: [], refunds: [{ amountFen: 8000, channel: 'unionpay' }] });
    expect(await asAdmin.post(`/api/v1/admin/registrations/${first}/authority-decision`, body)).toMatchObject({ status: 409, body: { error: { code: 'REGISTRATION_ENDED' } } });
    const [entry] = await auditOf('registration.cancel', first);
    expect(entry).toMatchObject({
      actor_id: admin.staffId, actor_role: 'AUTHORITY_ADMIN',
      summary: { before: { status: 'ACTIVE', paid: true }, after: { status: 'CANCELLED', cancelledReason: 'AUTHORITY_CANCELLED' }, actionId: done.body.actionId, refunds: [{ refundNo: done.body.refunds[0].refundNo, amountFen: '8000' }] },
    });
    await runRefundsToTheEnd(w);

    // The decision is in the sitting's list for finance too; the refund it made is SUCCEEDED.
    const actions = await asFinance.get(`/api/v1/admin/sittings/${exam.sittingId}/authority-actions`);
    expect(actions.body).toContainEqual(expect.objectContaining({ actionId: done.body.actionId, kind: 'CANCEL_REGISTRATION', state: 'DONE', refundsCreated: 1, actor: `staff:${admin.staffId}` }));
    expect((await asFinance.get(`/api/v1/admin/refunds/${done.body.refunds[0].refundNo}`)).body.state).toBe('SUCCEEDED');
  });

  it('REF-3/ADM-4: after a change, the refunded registration waits in the approval queue until the administrator allows paying again', async () => {
    const c = await makeCandidate(w.db, exam);
    const [first] = c.registrationIds as [bigint, bigint];
    await paidBill(w, { candidateId: c.candidateId, registrationIds: [first], channel: 'alipay' });
    expect((await asAdmin.post(`/api/v1/admin/registrations/${first}/authority-decision`, { kind: 'CHANGE_REGISTRATION', note: '考区修改报考类别' })).status).toBe(200);
    await runRefundsToTheEnd(w);

    const queue = await asReadOnly.get(`/api/v1/admin/sittings/${exam.sittingId}/repayments`);
    expect(queue.body).toContainEqual(expect.objectContaining({ registrationId: String(first), candidateId: String(c.candidateId), cancelledReason: 'AUTHORITY_CHANGED' }));
    expect(await asFinance.get(`/api/v1/admin/sittings/${exam.sittingId}/repayments`)).toMatchObject({ status: 403 });
    expect(await asFinance.post(`/api/v1/admin/registrations/${first}/repayment-decision`, { decision: 'APPROVE' })).toMatchObject({ status: 403 });
    expect(await asAdmin.post(`/api/v1/admin/registrations/${c.registrationIds[1]}/repayment-decision`, { decision: 'APPROVE' }))
      .toMatchObject({ status: 409, body: { error: { code: 'REPAYMENT_NOT_AWAITING' } } });

    const decided = await asAdmin.post(`/api/v1/admin/registrations/${first}/repayment-decision`, { decision: 'APPROVE', note: '材料已补齐' });
    expect(decided).toMatchObject({ status: 200, body: { registrationId: String(first), status: 'APPROVED' } });
    expect((await asAdmin.get(`/api/v1/admin/sittings/${exam.sittingId}/repayments`)).body.map((r: { registrationId: string }) => r.registrationId)).not.toContain(String(first));
    expect(await auditOf('repayment.decide', first)).toEqual([expect.objectContaining({ actor_id: admin.staffId, summary: expect.objectContaining({ before: { approval: null }, after: { approval: 'APPROVED' } }) })]);
    expect(await auditOf('registration.change', first)).toHaveLength(1);
  });

  it('REF-2/ADM-4: cancelling a subject answers 202 with the running decision; the job ends its registrations; progress and the audit log say so', async () => {
    const other = await makeExam(w.db, { fees: [3000n], channels: ['alipay'] });
    const otherAdmin = await staffBrowser(w.app, await makeStaff(w.db, other, 'AUTHORITY_ADMIN'));
    const c = await makeCandidate(w.db, exam);
    await paidBill(w, { candidateId: c.candidateId, registrationIds: c.registrationIds, channel: 'alipay' });
    const subjectId = (await w.db.selectFrom('registration').select('subject_id').where('id', '=', c.registrationIds[1]!).executeTakeFirstOrThrow()).subject_id;

    expect(await otherAdmin.post(`/api/v1/admin/subjects/${subjectId}/cancel`, { note: '本科目停考' })).toMatchObject({ status: 404, body: { error: { code: 'SITTING_NOT_FOUND' } } });
    const started = await asAdmin.post(`/api/v1/admin/subjects/${subjectId}/cancel`, { note: '本科目停考' });
    expect(started).toMatchObject({ status: 202, body: { kind: 'CANCEL_SUBJECT', state: 'RUNNING', subjectId: String(subjectId) } });
    expect(await asAdmin.post(`/api/v1/admin/subjects/${subjectId}/cancel`, { note: '本科目停考' })).toMatchObject({ status: 409, body: { error: { code: 'ALREADY_CANCELLED' } } });
    expect(await auditOf('subject.cancel', subjectId)).toEqual([expect.objectContaining({ actor_id: admin.staffId, summary: expect.objectContaining({ actionId: started.body.actionId, actionState: 'RUNNING' }) })]);

    const running = (await asAdmin.get(`/api/v1/admin/sittings/${exam.sittingId}/authority-actions`)).body.find((a: { actionId: string }) => a.actionId === started.body.actionId);
    expect(running.registrationsLeft).toBeGreaterThanOrEqual(1);
    await runRefundsToTheEnd(w);
    const finished = (await asAdmin.get(`/api/v1/admin/sittings/${exam.sittingId}/authority-actions`)).body.find((a: { actionId: string }) => a.actionId === started.body.actionId);
    expect(finished).toMatchObject({ state: 'DONE', registrationsLeft: 0 });
    expect(finished.refundsCreated).toBeGreaterThanOrEqual(1);
    expect(await w.db.selectFrom('registration').select(['status', 'cancelled_reason']).where('id', '=', c.registrationIds[1]!).executeTakeFirstOrThrow())
      .toEqual({ status: 'CANCELLED', cancelled_reason: 'AUTHORITY_CANCELLED' });
  });

  it('REF-2/ADM-4: cancelling a whole sitting is the administrator\'s alone, and audited; the audit log shows every refund decision', async () => {
    const small = await makeExam(w.db, { fees: [3000n], channels: ['alipay'] });
    const smallAdmin = await makeStaff(w.db, small, 'AUTHORITY_ADMIN');
    const asSmallAdmin = await staffBrowser(w.app, smallAdmin);
    const asSmallFinance = await staffBrowser(w.app, await makeStaff(w.db, small, 'FINANCE'));
    expect(await asSmallFinance.post(`/api/v1/admin/sittings/${small.sittingId}/cancel`, { note: '考试取消' })).toMatchObject({ status: 403 });
    expect(await asAdmin.post(`/api/v1/admin/sittings/${small.sittingId}/cancel`, { note: '考试取消' })).toMatchObject({ status: 404 });
    const started = await asSmallAdmin.post(`/api/v1/admin/sittings/${small.sittingId}/cancel`, { note: '因不可抗力，本次考试取消' });
    expect(started).toMatchObject({ status: 202, body: { kind: 'CANCEL_SITTING', state: 'RUNNING' } });
    expect(await auditOf('sitting.cancel', small.sittingId)).toEqual([expect.objectContaining({ actor_id: smallAdmin.staffId, authority_id: small.authorityId })]);

    // The authority's administrator reads its own decisions back from the audit log, not another authority's.
    const log = await asAdmin.get('/api/v1/admin/audit-log?limit=200');
    const actions = new Set(log.body.map((e: { action: string }) => e.action));
    for (const a of ['refund.personal', 'refund.retry', 'registration.cancel', 'registration.change', 'repayment.decide', 'subject.cancel']) expect(actions).toContain(a);
    expect(actions).not.toContain('sitting.cancel');
  });
});

/**
 * The access-control suite (issue "Accounts and security", must-show; ADM-5, ACC-7).
 *
 * The routes come from the app's own route table (Fastify's onRoute hook, `routeTable(app)`),
 * not from a list kept by hand. Every route that takes an id — a path parameter, or an id-like
 * field in its query or body (support/route-ids.ts) — must have a case in CASES; a new endpoint
 * without one fails "every route that takes an id has a case" below, by name.
 *
 * Each case gives the request a rightful caller makes with the victim's ids. The suite then sends
 * that same request as everyone who must not succeed, and checks the answer is 401/403/404 with
 * an error body only, containing none of the victim's data, and that nothing in the database
 * changed; then the rightful caller makes it and succeeds (so the 404s are not a broken route):
 * - candidate routes: a second candidate of the same exam, a candidate of another authority,
 *   a staff session, nobody;
 * - staff routes: staff of another institution and of another authority (404), every role
 *   lacking the route's declared action or using the other API (403), a candidate, nobody.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { routeTable, type RouteTableEntry } from '../src/http/app.ts';
import { staffApi } from '../src/http/plugins/staff-auth.ts';
import { roleMay, STAFF_ROLES, surfaceOf, type StaffAction } from '../src/modules/accounts/authorization.ts';
import { maskIdNumber } from '../src/modules/accounts/id-number.ts';
import { acceptAgreement } from '../src/modules/billing/accept-agreement.ts';
import { confirmBill } from '../src/modules/billing/confirm-bill.ts';
import { settleCapture } from '../src/modules/payments/settle-capture.ts';
import { requestPersonalRefund } from '../src/modules/refunds/personal-refund.ts';
import { createInstitutionBill } from '../src/modules/institutions/institution-bills.ts';
import { provisionSeats } from '../src/modules/registration/seat-holds.sql.ts';
import type { StaffRole } from '../src/db/schema.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';
import { buildTestApp, TEST_SESSION } from './support/test-app.ts';
import { makeCandidate, makeExam, type ExamFixture } from './support/fixtures.ts';
import { Browser } from './support/http.ts';
import { makeInstitution, makeStaff, staffBrowser } from './support/staff-fixtures.ts';
import { keyOf, routesTakingIds, staleCases, uncoveredRoutes } from './support/route-ids.ts';
import type { ManualClock } from '../src/shared/clock.ts';
import { TEST_PERSONAL_DATA } from './support/test-keys.ts';
import { sealIdNumber } from '../src/modules/accounts/candidate-identity.ts';

let t: TestDatabase;
let app: FastifyInstance;
let clock: ManualClock;
let W: Awaited<ReturnType<typeof world>>;

beforeAll(async () => {
  t = await createTestDatabase();
  ({ app, clock } = await buildTestApp(t));
  W = await world();
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

// ── The world: authority A (schools A1, A2) and authority B (school B1) ────────────────────────

type Actor = 'anonymous' | 'victim' | 'secondCandidate' | 'otherAuthorityCandidate'
  | 'admin' | 'finance' | 'readOnly' | 'schoolA1' | 'schoolA2' | 'otherAdmin' | 'otherSchool';
const IN_SCOPE_STAFF: Record<StaffRole, Actor> = { AUTHORITY_ADMIN: 'admin', FINANCE: 'finance', READ_ONLY: 'readOnly', INSTITUTION_STAFF: 'schoolA1' };

async function world() {
  const exam = await makeExam(t.db, { fees: [3000n, 8000n, 3000n] });
  const [plain, seated, cet6] = exam.subjectIds as [bigint, bigint, bigint];
  await t.db.updateTable('subject').set({ requires_review: true }).where('id', '=', cet6).execute();
  await t.db.updateTable('exam').set({ cet6_review_threshold: 425 }).where('id', '=', exam.examId).execute();
  const site = await t.db.insertInto('site').values({ sitting_id: exam.sittingId, code: 'MAIN', name: '本部校区' }).returning('id').executeTakeFirstOrThrow();
  const slot = await t.db.insertInto('slot').values({ sitting_id: exam.sittingId, code: 'AM', starts_at: new Date('2026-04-11T01:00:00Z'), ends_at: new Date('2026-04-11T03:00:00Z') }).returning('id').executeTakeFirstOrThrow();
  const pool = await t.db.insertInto('seat_pool').values({ site_id: site.id, slot_id: slot.id, subject_id: seated, capacity: 50 }).returning('id').executeTakeFirstOrThrow();
  await t.db.transaction().execute((trx) => provisionSeats(trx, pool.id, 50));
  const a1 = await makeInstitution(t.db, exam.authorityId, 'SCHOOL');
  const a2 = await makeInstitution(t.db, exam.authorityId, 'SCHOOL');
  const other = await makeExam(t.db);
  const b1 = await makeInstitution(t.db, other.authorityId, 'SCHOOL');
  const otherSite = await t.db.insertInto('site').values({ sitting_id: other.sittingId, code: 'B', name: '外考点' }).returning('id').executeTakeFirstOrThrow();
  const otherSlot = await t.db.insertInto('slot').values({ sitting_id: other.sittingId, code: 'B', starts_at: new Date('2026-04-11T01:00:00Z'), ends_at: new Date('2026-04-11T03:00:00Z') }).returning('id').executeTakeFirstOrThrow();

  const person = async (e: ExamFixture, name: string, institutionId: bigint) => {
    const c = await makeCandidate(t.db, e);
    await t.db.updateTable('registration').set({ status: 'CANCELLED', cancelled_at: clock.now(), cancelled_reason: 'CANDIDATE' }).where('candidate_id', '=', c.candidateId).execute();
    await t.db.updateTable('candidate').set({ name, institution_id: institutionId }).where('id', '=', c.candidateId).execute();
    return c;
  };
  const victim = await person(exam, '沈被查', a1.institutionId);
  const second = await person(exam, '韩旁观', a2.institutionId);
  const outsider = await person(other, '秦外人', b1.institutionId);

  // The victim's things: a seated registration, a registration on an unpaid bill with an open
  // channel order (its QR), an institution registration made by school A1, a 未复核 review.
  const register = async (subjectId: bigint, extra: { site_id?: bigint; slot_id?: bigint; owner?: 'INSTITUTION'; institution_id?: bigint } = {}) =>
    (await t.db.insertInto('registration').values({ candidate_id: victim.candidateId, sitting_id: exam.sittingId, subject_id: subjectId, created_at: clock.now(), ...extra }).returning('id').executeTakeFirstOrThrow()).id;
  const seatedReg = await register(seated, { site_id: site.id, slot_id: slot.id });
  await t.db.updateTable('seat').set({ state: 'HELD', registration_id: seatedReg, held_at: clock.now() }).where('pool_id', '=', pool.id).where('seat_no', '=', 1).execute();
  const billedReg = await register(plain);
  const bill = await confirmBill({ db: t.db, clock }, { candidateId: victim.candidateId, registrationIds: [billedReg] });
  if (!bill.ok) throw new Error(bill.error.code);
  await t.db.insertInto('payment_attempt').values({ bill_id: bill.value.id, seq: 1, out_trade_no: bill.value.bill_no, channel: 'alipay', pay_url: 'https://pay.example/secret-cashier', qr_content: 'https://qr.example/victim-qr', created_at: clock.now() }).execute();
  const instReg = await register(await newSubject(exam), { owner: 'INSTITUTION', institution_id: a1.institutionId });
  await t.db.insertInto('cet4_score').values([
    { authority_id: exam.authorityId, ticket_no: '320010251102317', ...sealIdNumber(TEST_PERSONAL_DATA, '110105199901011234'), name: '沈被查', score: 468 },
    { authority_id: exam.authorityId, ticket_no: '320010251109999', ...sealIdNumber(TEST_PERSONAL_DATA, victim.idNumber), name: '沈被查', score: 500 },
  ]).execute();
  const review = await insertReview(victim.candidateId, exam.sittingId);
  // Refunds (REF-1…REF-4): staff may decide personal refunds here, and paying again needs approval.
  // They happen in a sitting of their own: a refund awaiting approval stops the victim registering
  // again in its sitting (REF-3), which the other cases do in the main one.
  await t.db.updateTable('exam').set({ refund_policy: 'STAFF_DECIDES', repayment_needs_approval: true }).where('id', '=', exam.examId).execute();
  const refundSittingId = (await t.db.insertInto('sitting').values({ exam_id: exam.examId, code: 'REFUNDS', name: '退费考次' }).returning('id').executeTakeFirstOrThrow()).id;
  const paid = await paidRegistration(exam, victim.candidateId, refundSittingId);
  const refund = await refundOf(exam, paid.registrationId);

  const staff = {
    admin: await makeStaff(t.db, exam, 'AUTHORITY_ADMIN'), finance: await makeStaff(t.db, exam, 'FINANCE'), readOnly: await makeStaff(t.db, exam, 'READ_ONLY'),
    schoolA1: await makeStaff(t.db, exam, 'INSTITUTION_STAFF', { institutionId: a1.institutionId }),
    schoolA2: await makeStaff(t.db, exam, 'INSTITUTION_STAFF', { institutionId: a2.institutionId }),
    otherAdmin: await makeStaff(t.db, other, 'AUTHORITY_ADMIN'),
    otherSchool: await makeStaff(t.db, other, 'INSTITUTION_STAFF', { institutionId: b1.institutionId }),
  };
  const candidateBrowser = async (c: { idNumber: string; password: string }, authority: string) => {
    const b = new Browser(app);
    const r = await b.signIn(authority, c.idNumber, c.password);
    if (r.status !== 200) throw new Error('candidate sign-in failed');
    return b;
  };
  const browsers: Record<Actor, Browser> = {
    anonymous: new Browser(app),
    victim: await candidateBrowser(victim, exam.authorityCode),
    secondCandidate: await candidateBrowser(second, exam.authorityCode),
    otherAuthorityCandidate: await candidateBrowser(outsider, other.authorityCode),
    admin: await staffBrowser(app, staff.admin), finance: await staffBrowser(app, staff.finance), readOnly: await staffBrowser(app, staff.readOnly),
    schoolA1: await staffBrowser(app, staff.schoolA1), schoolA2: await staffBrowser(app, staff.schoolA2),
    otherAdmin: await staffBrowser(app, staff.otherAdmin), otherSchool: await staffBrowser(app, staff.otherSchool),
  };
  const victimRow = { ...(await t.db.selectFrom('candidate').select(['name']).where('id', '=', victim.candidateId).executeTakeFirstOrThrow()), id_number: victim.idNumber };
  // School A1's batch bill (ORG-1) for the victim's institution registration, with an open channel order (its QR).
  const batchReg = await register(await newSubject(exam), { owner: 'INSTITUTION', institution_id: a1.institutionId });
  const batch = await batchBillOf(staff.schoolA1.staffId, [batchReg]);
  await t.db.insertInto('payment_attempt').values({ bill_id: batch.id, seq: 1, out_trade_no: batch.bill_no, channel: 'alipay', pay_url: 'https://pay.example/batch-cashier', qr_content: 'https://qr.example/victim-batch-qr', created_at: clock.now() }).execute();
  return {
    exam, other, plain, seated, siteId: site.id, slotId: slot.id, otherSiteId: otherSite.id, otherSlotId: otherSlot.id, a1, a2, b1,
    victim, billNo: bill.value.bill_no, seatedReg, instReg, batchBillNo: batch.bill_no, review, staff, browsers, paidBillNo: paid.billNo, refundNo: refund, refundSittingId,
    /** What no one but the victim and their rightful staff may ever read. */
    secrets: [victimRow.name, victimRow.id_number, maskIdNumber(victimRow.id_number), bill.value.bill_no, 'secret-cashier', 'victim-qr', paid.billNo, refund, batch.bill_no, 'batch-cashier', 'victim-batch-qr'],
  };
}

/** A registration of a new subject on a bill paid by a settled capture (no channel adapter needed). */
async function paidRegistration(exam: ExamFixture, candidateId: bigint, sittingId: bigint) {
  const registrationId = (await t.db.insertInto('registration').values({ candidate_id: candidateId, sitting_id: sittingId, subject_id: await newSubject(exam, sittingId), created_at: clock.now() }).returning('id').executeTakeFirstOrThrow()).id;
  const bill = await confirmBill({ db: t.db, clock }, { candidateId, registrationIds: [registrationId] });
  if (!bill.ok) throw new Error(bill.error.code);
  await t.db.insertInto('payment_attempt').values({ bill_id: bill.value.id, seq: 1, out_trade_no: bill.value.bill_no, channel: 'alipay', pay_url: 'https://pay.example/paid', qr_content: 'https://qr.example/paid', created_at: clock.now() }).execute();
  const settled = await settleCapture({ db: t.db, clock }, {
    channel: 'alipay', reportedBy: 'notify', actor: 'test',
    capture: { billNo: bill.value.bill_no, channelTradeNo: `T${bill.value.bill_no}`, amountFen: bill.value.amount_fen, paidAt: clock.now() },
  });
  if (!settled.ok || settled.outcome !== 'SETTLED') throw new Error(`settle: ${JSON.stringify(settled)}`);
  return { registrationId, billNo: bill.value.bill_no };
}
/** A batch bill (ORG-1) of these registrations, made by that institution staff member. */
async function batchBillOf(staffId: bigint, registrationIds: bigint[]) {
  const account = await t.db.selectFrom('staff_account').selectAll().where('id', '=', staffId).executeTakeFirstOrThrow();
  const made = await createInstitutionBill({ db: t.db, clock }, { staff: account, registrationIds, ip: null });
  if (!made.ok) throw new Error(made.error.code);
  return made.value;
}
/** A personal refund of a paid registration, made by an administrator of its authority: its refund number. */
async function refundOf(exam: ExamFixture, registrationId: bigint) {
  const made = await requestPersonalRefund({ db: t.db, clock }, { actor: { staffId: 1n, role: 'AUTHORITY_ADMIN', authorityId: exam.authorityId, institutionId: null }, registrationId, reason: '考生申请退费' });
  if (!made.ok) throw new Error(made.error.code);
  return made.value.refundNo;
}

async function newSubject(exam: { sittingId: bigint }, sittingId = exam.sittingId) {
  const n = Math.floor(Math.random() * 1e9);
  return (await t.db.insertInto('subject').values({ sitting_id: sittingId, code: `F${n}`, name: `新科目${n}`, fee_fen: 1000n }).returning('id').executeTakeFirstOrThrow()).id;
}
async function insertReview(candidateId: bigint, sittingId: bigint) {
  return (await t.db.insertInto('eligibility_review').values({ candidate_id: candidateId, sitting_id: sittingId, ticket_no: '320010251102317', status: 'PENDING', created_at: clock.now() }).returning('id').executeTakeFirstOrThrow()).id;
}
/** A fresh object of the victim's, for a case whose rightful request consumes it. */
const fresh = {
  registration: async () => (await t.db.insertInto('registration').values({ candidate_id: W.victim.candidateId, sitting_id: W.exam.sittingId, subject_id: await newSubject(W.exam), created_at: clock.now() }).returning('id').executeTakeFirstOrThrow()).id,
  async bill(agreed = false) {
    const b = await confirmBill({ db: t.db, clock }, { candidateId: W.victim.candidateId, registrationIds: [await this.registration()] });
    if (!b.ok) throw new Error(b.error.code);
    if (agreed) await acceptAgreement({ db: t.db, clock }, { candidateId: W.victim.candidateId, billNo: b.value.bill_no });
    return b.value.bill_no;
  },
  async sitting() {
    return (await t.db.insertInto('sitting').values({ exam_id: W.exam.examId, code: `S${Math.floor(Math.random() * 1e9)}`, name: '补充考次' }).returning('id').executeTakeFirstOrThrow()).id;
  },
  async review() {
    return insertReview(W.victim.candidateId, await this.sitting());
  },
  institutionRegistration: async () => (await t.db.insertInto('registration').values({
    candidate_id: W.victim.candidateId, sitting_id: W.exam.sittingId, subject_id: await newSubject(W.exam), created_at: clock.now(), owner: 'INSTITUTION', institution_id: W.a1.institutionId,
  }).returning('id').executeTakeFirstOrThrow()).id,
  staff: async () => (await makeStaff(t.db, W.exam, 'FINANCE')).staffId,
  /** An UNPAID batch bill of school A1 for a fresh institution registration of the victim. */
  async batchBill() {
    return (await batchBillOf(W.staff.schoolA1.staffId, [await this.institutionRegistration()])).bill_no;
  },
  /** An OPEN reconciliation mismatch naming the victim's paid bill (PAY-10). */
  async mismatch() {
    const run = await t.db.insertInto('reconciliation_run').values({ channel: 'alipay', day: '2026-03-14', next_attempt_at: clock.now(), requested_by: 'test', created_at: clock.now() })
      .onConflict((oc) => oc.columns(['channel', 'day']).doUpdateSet({ requested_by: 'test' })).returning('id').executeTakeFirstOrThrow();
    return (await t.db.insertInto('reconciliation_mismatch').values({
      run_id: run.id, channel: 'alipay', day: '2026-03-14', kind: 'AMOUNT_DIFFERS', reason: 'AMOUNT_DIFFERS', line_key: `P:T${Math.floor(Math.random() * 1e12)}`,
      bill_no: W.paidBillNo, channel_trade_no: 'T-victim', refund_no: null, our_amount_fen: 8000n, their_amount_fen: 7000n, at: clock.now(),
      resolution: 'OPEN', auto_refund_no: null, resolved_note: null, resolved_by: null, resolved_at: null, created_at: clock.now(),
    }).returning('id').executeTakeFirstOrThrow()).id;
  },
  /** An institution registration of school A1 for a subject with seats at the world's site and slot, its seat not held. */
  async seatedInstitutionRegistration() {
    const subject = await newSubject(W.exam);
    const pool = await t.db.insertInto('seat_pool').values({ site_id: W.siteId, slot_id: W.slotId, subject_id: subject, capacity: 1 }).returning('id').executeTakeFirstOrThrow();
    await t.db.transaction().execute((trx) => provisionSeats(trx, pool.id, 1));
    return (await t.db.insertInto('registration').values({
      candidate_id: W.victim.candidateId, sitting_id: W.exam.sittingId, subject_id: subject, created_at: clock.now(), owner: 'INSTITUTION', institution_id: W.a1.institutionId,
    }).returning('id').executeTakeFirstOrThrow()).id;
  },
  paidRegistration: async () => (await paidRegistration(W.exam, W.victim.candidateId, W.refundSittingId)).registrationId,
  /** A paid registration in the refund sitting, whose print window (DOC-2) is then open. */
  async printableRegistration() {
    const reg = await this.paidRegistration();
    const open = await t.db.selectFrom('sitting_window').select('id').where('sitting_id', '=', W.refundSittingId).where('kind', '=', 'PRINT').executeTakeFirst();
    if (!open) await t.db.insertInto('sitting_window').values({ sitting_id: W.refundSittingId, kind: 'PRINT', site_id: null, opens_at: new Date(clock.now().getTime() - 3600_000), closes_at: new Date('2036-01-01T00:00:00Z') }).execute();
    return reg;
  },
  /** A refunded registration (REF-1), whose candidate may pay again only once approved (REF-3). */
  async refundedRegistration() {
    const reg = await this.paidRegistration();
    await refundOf(W.exam, reg);
    return reg;
  },
  /** A rejected roster import of the world's authority, with its error sheet (ADM-2). */
  importJob: async () => (await t.db.insertInto('import_job').values({
    authority_id: W.exam.authorityId, kind: 'ROSTER', exam_id: W.exam.examId, format: 'CSV', file_name: 'roster.csv', file: null, state: 'REJECTED',
    error_count: 1, error_sheet: Buffer.from('PK\u0003\u0004 error sheet'), requested_by: W.staff.admin.staffId, created_at: clock.now(), finished_at: clock.now(),
  }).returning('id').executeTakeFirstOrThrow()).id,
  /** A pending 报考科目申诉 of the victim's, gone to school A1 (ORG-2). */
  appeal: async () => (await t.db.insertInto('appeal').values({
    authority_id: W.exam.authorityId, candidate_id: W.victim.candidateId, kind: 'SUBJECT', institution_id: W.a1.institutionId,
    subject_id: await newSubject(W.exam), statement: '报考科目有误', created_at: clock.now(),
  }).returning('id').executeTakeFirstOrThrow()).id,
  /** A rejected registration file of school A1 (ORG-1), with its error sheet. */
  institutionImport: async () => (await t.db.insertInto('institution_import').values({
    institution_id: W.a1.institutionId, sitting_id: W.exam.sittingId, requested_by: W.staff.schoolA1.staffId, format: 'CSV', file_name: 'regs.csv', state: 'REJECTED',
    rows_total: 1, error_count: 1, error_sheet: Buffer.from('PK\u0003\u0004 error sheet'), created_at: clock.now(),
  }).returning('id').executeTakeFirstOrThrow()).id,
  /** A PAID batch bill of school A1 for a fresh institution registration of the victim (DOC-1: its receipt). */
  async paidBatchBill() {
    const b = await batchBillOf(W.staff.schoolA1.staffId, [await this.institutionRegistration()]);
    await t.db.insertInto('payment_attempt').values({ bill_id: b.id, seq: 1, out_trade_no: b.bill_no, channel: 'alipay', pay_url: 'https://pay.example/paid-batch', qr_content: 'https://qr.example/paid-batch', created_at: clock.now() }).execute();
    const settled = await settleCapture({ db: t.db, clock }, {
      channel: 'alipay', reportedBy: 'notify', actor: 'test', capture: { billNo: b.bill_no, channelTradeNo: `T${b.bill_no}`, amountFen: b.amount_fen, paidAt: clock.now() },
    });
    if (!settled.ok || settled.outcome !== 'SETTLED') throw new Error(`settle: ${JSON.stringify(settled)}`);
    return b.bill_no;
  },
  /** A refund the channel refused (FAILED, flagged), for staff to send again. */
  async failedRefund() {
    const refundNo = await refundOf(W.exam, await this.paidRegistration());
    await t.db.updateTable('refund').set({ state: 'FAILED', flagged_at: clock.now(), last_error: 'REFUSED' }).where('refund_no', '=', refundNo).execute();
    return refundNo;
  },
};

/** Fresh configuration objects of the victim's authority (ADM-1), for the console's cases. */
const config = {
  settings: (code: string) => ({
    code, name: '新考试', accountStyle: 'ID_DOCUMENT', initialPassword: { rule: 'ID_LAST6' }, billTimeoutMinutes: 30, channels: ['alipay'], bankCardOnly: false, agreementText: '',
    releaseSeatsOnBillExpiry: false, rosterRestricted: false, auditRequired: false, unpaidRegistrationTtlHours: null, cet6ReviewThreshold: null, refundPolicy: 'NO_PERSONAL_REFUNDS',
  }),
  institution: async () => (await t.db.insertInto('institution').values({ authority_id: W.exam.authorityId, code: `I${Math.floor(Math.random() * 1e9)}`, name: '新学校', kind: 'SCHOOL' }).returning('id').executeTakeFirstOrThrow()).id,
  exam: async () => (await t.db.insertInto('exam').values({ authority_id: W.exam.authorityId, code: `E${Math.floor(Math.random() * 1e9)}`, name: '新考试', initial_password_rule: 'ID_LAST6', initial_password_fixed: null }).returning('id').executeTakeFirstOrThrow()).id,
  async window() {
    return (await t.db.insertInto('sitting_window').values({ sitting_id: await fresh.sitting(), kind: 'PRINT', site_id: null, opens_at: new Date('2026-04-01T01:00:00Z'), closes_at: new Date('2026-04-02T01:00:00Z') }).returning('id').executeTakeFirstOrThrow()).id;
  },
  async site(sittingId?: bigint) {
    return (await t.db.insertInto('site').values({ sitting_id: sittingId ?? await fresh.sitting(), code: 'P', name: '考点' }).returning('id').executeTakeFirstOrThrow()).id;
  },
  async slot(sittingId?: bigint) {
    return (await t.db.insertInto('slot').values({ sitting_id: sittingId ?? await fresh.sitting(), code: 'P', starts_at: new Date('2026-04-11T01:00:00Z'), ends_at: new Date('2026-04-11T03:00:00Z') }).returning('id').executeTakeFirstOrThrow()).id;
  },
  /** A sitting with site, slot and subject all coded P. */
  async sittingWithParts() {
    const sittingId = await fresh.sitting();
    await this.site(sittingId);
    await this.slot(sittingId);
    await t.db.insertInto('subject').values({ sitting_id: sittingId, code: 'P', name: '科目', fee_fen: 100n }).execute();
    return sittingId;
  },
  async pool() {
    const sittingId = await this.sittingWithParts();
    const part = (table: 'site' | 'slot' | 'subject') => t.db.selectFrom(table).select('id').where('sitting_id', '=', sittingId).executeTakeFirstOrThrow();
    const pool = await t.db.insertInto('seat_pool').values({ site_id: (await part('site')).id, slot_id: (await part('slot')).id, subject_id: (await part('subject')).id, capacity: 3 }).returning('id').executeTakeFirstOrThrow();
    await t.db.transaction().execute((trx) => provisionSeats(trx, pool.id, 3));
    return pool.id;
  },
};

// ── Cases ─────────────────────────────────────────────────────────────────────────────────────

interface Req { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; url: string; body?: unknown }
type Vars = Record<string, string>;
interface Probe { actor: Actor; expect: number[]; why: string }

interface CandidateCase {
  kind: 'candidate';
  prepare?: () => Promise<Vars>;
  request: (v: Vars) => Req;
  /** Status of the victim's own request (not a 404: the object was found). */
  ok: number;
  /**
   * The route names something shared by an exam (a sitting, a subject): a second candidate of
   * the same exam may use it and gets their own answer (`expect`), never the victim's data.
   */
  sameExamOwnData?: { why: string; expect: number[] };
  /** More probes with other ids of the same request (e.g. a site of another authority). */
  extra?: (v: Vars) => (Probe & { req: Req })[];
}
interface StaffCase {
  kind: 'staff';
  prepare?: () => Promise<Vars>;
  request: (v: Vars) => Req;
  ok: { actor: Actor; status: number };
  /** The id names authority-wide reference data (a sitting) or a cursor: another institution of the authority gets its own data. */
  sameAuthorityOwnData?: string;
  /** What that other school gets, when not 200 (a request refused for what it sent, not for who sent it). */
  sameAuthorityExpect?: number[];
}
interface PublicCase { kind: 'public'; why: string; prepare?: () => Promise<Vars>; request: (v: Vars) => Req; status: number }
type Case = CandidateCase | StaffCase | PublicCase;

const u = (id: bigint | string) => String(id);

export const CASES: Record<string, Case> = {
  // Candidate API (src/http/routes/candidate, pages): the candidate's own things only.
  'GET /api/v1/bills/:billNo': { kind: 'candidate', request: () => ({ method: 'GET', url: `/api/v1/bills/${W.billNo}` }), ok: 200 },
  'GET /api/v1/bills/:billNo/qr.svg': { kind: 'candidate', request: () => ({ method: 'GET', url: `/api/v1/bills/${W.billNo}/qr.svg?channel=alipay` }), ok: 200 },
  'POST /api/v1/bills/:billNo/agreement': { kind: 'candidate', prepare: async () => ({ billNo: await fresh.bill() }), request: (v) => ({ method: 'POST', url: `/api/v1/bills/${v.billNo}/agreement`, body: { accepted: true } }), ok: 200 },
  'POST /api/v1/bills/:billNo/cancel': { kind: 'candidate', prepare: async () => ({ billNo: await fresh.bill() }), request: (v) => ({ method: 'POST', url: `/api/v1/bills/${v.billNo}/cancel` }), ok: 200 },
  // The test app has no channel adapters: the victim gets past the ownership check to CHANNEL_UNAVAILABLE.
  'POST /api/v1/bills/:billNo/payments': { kind: 'candidate', prepare: async () => ({ billNo: await fresh.bill(true) }), request: (v) => ({ method: 'POST', url: `/api/v1/bills/${v.billNo}/payments`, body: { channel: 'alipay' } }), ok: 502 },
  'POST /api/v1/bills/:billNo/status-check': { kind: 'candidate', request: () => ({ method: 'POST', url: `/api/v1/bills/${W.billNo}/status-check` }), ok: 200 },
  'POST /api/v1/bills': { kind: 'candidate', prepare: async () => ({ reg: u(await fresh.registration()) }), request: (v) => ({ method: 'POST', url: '/api/v1/bills', body: { registrationIds: [v.reg] } }), ok: 201 },
  'DELETE /api/v1/registrations/:registrationId': { kind: 'candidate', prepare: async () => ({ reg: u(await fresh.registration()) }), request: (v) => ({ method: 'DELETE', url: `/api/v1/registrations/${v.reg}` }), ok: 204 },
  'POST /api/v1/registrations/:registrationId/slot': {
    kind: 'candidate', request: () => ({ method: 'POST', url: `/api/v1/registrations/${W.seatedReg}/slot`, body: { siteId: u(W.siteId), slotId: u(W.slotId) } }), ok: 200,
    extra: () => [{
      // The victim's own registration with a site and slot of another authority: not offered for
      // the subject, so SLOT_REQUIRED, naming nothing of the other authority.
      actor: 'victim', expect: [400], why: 'a site/slot not offered for the subject is SLOT_REQUIRED (REG-6), whoever owns it',
      req: { method: 'POST', url: `/api/v1/registrations/${W.seatedReg}/slot`, body: { siteId: u(W.otherSiteId), slotId: u(W.otherSlotId) } },
    }],
  },
  'POST /api/v1/registrations': {
    kind: 'candidate', prepare: async () => ({ subject: u(await newSubject(W.exam)) }),
    request: (v) => ({ method: 'POST', url: '/api/v1/registrations', body: { subjectId: v.subject } }), ok: 201,
    sameExamOwnData: { why: "a subject is the exam's: any candidate of the exam may register it, as their own registration", expect: [201] },
  },
  'GET /api/v1/sittings/:sittingId/registration-options': {
    kind: 'candidate', request: () => ({ method: 'GET', url: `/api/v1/sittings/${W.exam.sittingId}/registration-options` }), ok: 200,
    sameExamOwnData: { why: "a sitting is the exam's: every candidate of it sees the options, computed from their own record", expect: [200] },
  },
  'GET /api/v1/sittings/:sittingId/cet6-review': {
    kind: 'candidate', request: () => ({ method: 'GET', url: `/api/v1/sittings/${W.exam.sittingId}/cet6-review` }), ok: 200,
    sameExamOwnData: { why: "a sitting is the exam's: a candidate lists only their own reviews in it", expect: [200] },
  },
  'POST /api/v1/sittings/:sittingId/cet6-review': {
    kind: 'candidate', prepare: async () => ({ sitting: u(await fresh.sitting()) }),
    request: (v) => ({ method: 'POST', url: `/api/v1/sittings/${v.sitting}/cet6-review`, body: { ticketNo: '320010251109999' } }), ok: 201,
    sameExamOwnData: { why: "the sitting is the exam's, and the victim's CET4 ticket is checked against the filer's own record (REG-4): CET4_IDENTITY_MISMATCH, naming no one", expect: [409] },
  },

  // Documents (DOC-1, DOC-2): the receipt of the victim's paid bill; tickets of a sitting whose print window is open.
  'GET /api/v1/bills/:billNo/receipt.pdf': { kind: 'candidate', request: () => ({ method: 'GET', url: `/api/v1/bills/${W.paidBillNo}/receipt.pdf` }), ok: 200 },
  'GET /api/v1/sittings/:sittingId/admission-tickets': {
    kind: 'candidate', request: () => ({ method: 'GET', url: `/api/v1/sittings/${W.refundSittingId}/admission-tickets` }), ok: 200,
    sameExamOwnData: { why: "a sitting is the exam's: a candidate lists only their own tickets in it", expect: [200] },
  },
  'GET /api/v1/sittings/:sittingId/admission-tickets/:kind.pdf': {
    kind: 'candidate', prepare: async () => ({ reg: u(await fresh.printableRegistration()) }),
    request: () => ({ method: 'GET', url: `/api/v1/sittings/${W.refundSittingId}/admission-tickets/written.pdf` }), ok: 200,
    sameExamOwnData: { why: "a sitting is the exam's: another candidate of it has no paid subject there, so no ticket (ADMISSION_TICKET_NOT_FOUND, naming no one)", expect: [404] },
  },

  // Staff APIs: the same request by everyone, the scope decides.
  'GET /api/v1/admin/candidates/:candidateId': { kind: 'staff', request: () => ({ method: 'GET', url: `/api/v1/admin/candidates/${W.victim.candidateId}` }), ok: { actor: 'admin', status: 200 } },
  'GET /api/v1/institution/candidates/:candidateId': { kind: 'staff', request: () => ({ method: 'GET', url: `/api/v1/institution/candidates/${W.victim.candidateId}` }), ok: { actor: 'schoolA1', status: 200 } },
  'POST /api/v1/admin/candidates/search': { kind: 'staff', request: () => ({ method: 'POST', url: '/api/v1/admin/candidates/search', body: { institutionId: u(W.a1.institutionId) } }), ok: { actor: 'admin', status: 200 } },
  'POST /api/v1/institution/candidates/search': { kind: 'staff', request: () => ({ method: 'POST', url: '/api/v1/institution/candidates/search', body: { institutionId: u(W.a1.institutionId) } }), ok: { actor: 'schoolA1', status: 200 } },
  'GET /api/v1/admin/bills/:billNo': { kind: 'staff', request: () => ({ method: 'GET', url: `/api/v1/admin/bills/${W.billNo}` }), ok: { actor: 'finance', status: 200 } },
  'GET /api/v1/institution/bills/:billNo': { kind: 'staff', request: () => ({ method: 'GET', url: `/api/v1/institution/bills/${W.billNo}` }), ok: { actor: 'schoolA1', status: 200 } },
  'GET /api/v1/admin/reviews': { kind: 'staff', request: () => ({ method: 'GET', url: `/api/v1/admin/reviews?sittingId=${W.exam.sittingId}` }), ok: { actor: 'admin', status: 200 } },
  'GET /api/v1/institution/reviews': {
    kind: 'staff', request: () => ({ method: 'GET', url: `/api/v1/institution/reviews?sittingId=${W.exam.sittingId}` }), ok: { actor: 'schoolA1', status: 200 },
    sameAuthorityOwnData: "a sitting is the authority's: another school of it sees its own queue for the sitting, never the victim's review",
  },
  'POST /api/v1/admin/reviews/:reviewId/decision': { kind: 'staff', prepare: async () => ({ review: u(await fresh.review()) }), request: (v) => ({ method: 'POST', url: `/api/v1/admin/reviews/${v.review}/decision`, body: { decision: 'APPROVE' } }), ok: { actor: 'admin', status: 200 } },
  'POST /api/v1/institution/reviews/:reviewId/decision': { kind: 'staff', prepare: async () => ({ review: u(await fresh.review()) }), request: (v) => ({ method: 'POST', url: `/api/v1/institution/reviews/${v.review}/decision`, body: { decision: 'REJECT', reason: '复核不通过' } }), ok: { actor: 'schoolA1', status: 200 } },
  'GET /api/v1/institution/registrations': {
    kind: 'staff', request: () => ({ method: 'GET', url: `/api/v1/institution/registrations?candidateId=${W.victim.candidateId}&sittingId=${W.exam.sittingId}` }), ok: { actor: 'schoolA1', status: 200 },
  },
  'POST /api/v1/institution/registrations': {
    kind: 'staff', prepare: async () => ({ subject: u(await newSubject(W.exam)) }),
    request: (v) => ({ method: 'POST', url: '/api/v1/institution/registrations', body: { candidateId: u(W.victim.candidateId), subjectId: v.subject } }), ok: { actor: 'schoolA1', status: 201 },
  },
  'DELETE /api/v1/institution/registrations/:registrationId': {
    kind: 'staff', prepare: async () => ({ reg: u(await fresh.institutionRegistration()) }), request: (v) => ({ method: 'DELETE', url: `/api/v1/institution/registrations/${v.reg}` }), ok: { actor: 'schoolA1', status: 204 },
  },
  // 集体缴费 (ORG-1): school A1's candidates and batch bills; another school's staff get 404, every other role 403.
  'GET /api/v1/institution/candidates': {
    kind: 'staff', request: () => ({ method: 'GET', url: `/api/v1/institution/candidates?candidateId=${W.victim.candidateId}&sittingId=${W.exam.sittingId}&afterId=1` }), ok: { actor: 'schoolA1', status: 200 },
  },
  'POST /api/v1/institution/batch-bills': {
    kind: 'staff', prepare: async () => ({ reg: u(await fresh.institutionRegistration()) }),
    request: (v) => ({ method: 'POST', url: '/api/v1/institution/batch-bills', body: { registrationIds: [v.reg] } }), ok: { actor: 'schoolA1', status: 201 },
  },
  'GET /api/v1/institution/batch-bills': {
    kind: 'staff', request: () => ({ method: 'GET', url: `/api/v1/institution/batch-bills?sittingId=${W.exam.sittingId}&beforeId=999999999` }), ok: { actor: 'schoolA1', status: 200 },
    sameAuthorityOwnData: "a sitting is the authority's: another school lists its own batch bills in it, never school A1's",
  },
  'GET /api/v1/institution/batch-bills/:billNo': { kind: 'staff', request: () => ({ method: 'GET', url: `/api/v1/institution/batch-bills/${W.batchBillNo}` }), ok: { actor: 'schoolA1', status: 200 } },
  'GET /api/v1/institution/batch-bills/:billNo/qr.svg': { kind: 'staff', request: () => ({ method: 'GET', url: `/api/v1/institution/batch-bills/${W.batchBillNo}/qr.svg?channel=alipay` }), ok: { actor: 'schoolA1', status: 200 } },
  // The test app has no channel adapters: school A1 gets past the scope and the agreement to CHANNEL_UNAVAILABLE.
  'POST /api/v1/institution/batch-bills/:billNo/payments': {
    kind: 'staff', prepare: async () => ({ billNo: await fresh.batchBill() }),
    request: (v) => ({ method: 'POST', url: `/api/v1/institution/batch-bills/${v.billNo}/payments`, body: { channel: 'alipay', agreementAccepted: true } }), ok: { actor: 'schoolA1', status: 502 },
  },
  'POST /api/v1/institution/batch-bills/:billNo/status-check': {
    kind: 'staff', request: () => ({ method: 'POST', url: `/api/v1/institution/batch-bills/${W.batchBillNo}/status-check` }), ok: { actor: 'schoolA1', status: 200 },
  },
  'POST /api/v1/institution/batch-bills/:billNo/close': {
    kind: 'staff', prepare: async () => ({ billNo: await fresh.batchBill() }), request: (v) => ({ method: 'POST', url: `/api/v1/institution/batch-bills/${v.billNo}/close` }), ok: { actor: 'schoolA1', status: 200 },
  },
  // The institution console (issue 8 item 6): registration files, a candidate's options, a paid batch bill's receipt.
  'POST /api/v1/institution/registration-imports': {
    kind: 'staff', request: () => ({ method: 'POST', url: `/api/v1/institution/registration-imports?sittingId=${W.exam.sittingId}&fileName=regs.csv` }), ok: { actor: 'schoolA1', status: 415 },
    sameAuthorityOwnData: 'the sitting is the authority\'s: another school gets as far as the file (none sent: 415), whose rows could only name its own candidates',
    sameAuthorityExpect: [415],
  },
  'GET /api/v1/institution/registration-imports/:importId/errors.xlsx': {
    kind: 'staff', prepare: async () => ({ job: u(await fresh.institutionImport()) }), request: (v) => ({ method: 'GET', url: `/api/v1/institution/registration-imports/${v.job}/errors.xlsx` }), ok: { actor: 'schoolA1', status: 200 },
  },
  'GET /api/v1/institution/candidates/:candidateId/registration-options': {
    kind: 'staff', request: () => ({ method: 'GET', url: `/api/v1/institution/candidates/${W.victim.candidateId}/registration-options?sittingId=${W.exam.sittingId}` }), ok: { actor: 'schoolA1', status: 200 },
  },
  'GET /api/v1/institution/batch-bills/:billNo/receipt.pdf': {
    kind: 'staff', prepare: async () => ({ billNo: await fresh.paidBatchBill() }), request: (v) => ({ method: 'GET', url: `/api/v1/institution/batch-bills/${v.billNo}/receipt.pdf` }), ok: { actor: 'schoolA1', status: 200 },
  },
  'POST /api/v1/institution/registrations/:registrationId/slot': {
    kind: 'staff', prepare: async () => ({ reg: u(await fresh.seatedInstitutionRegistration()) }),
    request: (v) => ({ method: 'POST', url: `/api/v1/institution/registrations/${v.reg}/slot`, body: { siteId: u(W.siteId), slotId: u(W.slotId) } }), ok: { actor: 'schoolA1', status: 200 },
  },
  'GET /api/v1/admin/audit-log': {
    kind: 'staff', request: () => ({ method: 'GET', url: `/api/v1/admin/audit-log?actorId=${W.staff.schoolA1.staffId}&beforeId=999999999` }), ok: { actor: 'admin', status: 200 },
  },
  'POST /api/v1/admin/staff': {
    kind: 'staff', prepare: async () => ({ login: `clerk${Math.floor(Math.random() * 1e9)}` }),
    request: (v) => ({ method: 'POST', url: '/api/v1/admin/staff', body: { loginName: v.login, displayName: '老师', role: 'INSTITUTION_STAFF', institutionId: u(W.a1.institutionId) } }), ok: { actor: 'admin', status: 201 },
  },
  'POST /api/v1/admin/staff/:staffId/disable': { kind: 'staff', prepare: async () => ({ staff: u(await fresh.staff()) }), request: (v) => ({ method: 'POST', url: `/api/v1/admin/staff/${v.staff}/disable` }), ok: { actor: 'admin', status: 200 } },

  // Refunds and the authority's decisions (REF-1…REF-4): finance handles money, administrators decide.
  'POST /api/v1/admin/registrations/:registrationId/personal-refund': {
    kind: 'staff', prepare: async () => ({ reg: u(await fresh.paidRegistration()) }),
    request: (v) => ({ method: 'POST', url: `/api/v1/admin/registrations/${v.reg}/personal-refund`, body: { reason: '考生因病无法参加考试', amountFen: 500 } }), ok: { actor: 'finance', status: 201 },
  },
  'POST /api/v1/admin/refunds/:refundNo/retry': {
    kind: 'staff', prepare: async () => ({ refundNo: await fresh.failedRefund() }), request: (v) => ({ method: 'POST', url: `/api/v1/admin/refunds/${v.refundNo}/retry` }), ok: { actor: 'finance', status: 200 },
  },
  'GET /api/v1/admin/refunds': {
    kind: 'staff', request: () => ({ method: 'GET', url: `/api/v1/admin/refunds?sittingId=${W.refundSittingId}&billNo=${W.paidBillNo}&beforeId=999999999` }), ok: { actor: 'finance', status: 200 },
  },
  'GET /api/v1/admin/dashboard': { kind: 'staff', request: () => ({ method: 'GET', url: `/api/v1/admin/dashboard?sittingId=${W.refundSittingId}` }), ok: { actor: 'readOnly', status: 200 } },
  'POST /api/v1/admin/bills/:billNo/status-check': { kind: 'staff', request: () => ({ method: 'POST', url: `/api/v1/admin/bills/${W.billNo}/status-check` }), ok: { actor: 'finance', status: 200 } },
  'GET /api/v1/admin/reconciliation/mismatches': {
    kind: 'staff', prepare: async () => ({ m: u(await fresh.mismatch()) }), request: () => ({ method: 'GET', url: `/api/v1/admin/reconciliation/mismatches?billNo=${W.paidBillNo}&beforeId=999999999` }), ok: { actor: 'readOnly', status: 200 },
  },
  'POST /api/v1/admin/reconciliation/mismatches/:mismatchId/resolution': {
    kind: 'staff', prepare: async () => ({ m: u(await fresh.mismatch()) }), request: (v) => ({ method: 'POST', url: `/api/v1/admin/reconciliation/mismatches/${v.m}/resolution`, body: { note: '渠道少收，已联系银行补记' } }), ok: { actor: 'finance', status: 200 },
  },
  'GET /api/v1/admin/refunds/:refundNo': { kind: 'staff', request: () => ({ method: 'GET', url: `/api/v1/admin/refunds/${W.refundNo}` }), ok: { actor: 'finance', status: 200 } },
  'GET /api/v1/admin/sittings/:sittingId/refund-totals': { kind: 'staff', request: () => ({ method: 'GET', url: `/api/v1/admin/sittings/${W.refundSittingId}/refund-totals` }), ok: { actor: 'finance', status: 200 } },
  'POST /api/v1/admin/registrations/:registrationId/authority-decision': {
    kind: 'staff', prepare: async () => ({ reg: u(await fresh.registration()) }),
    request: (v) => ({ method: 'POST', url: `/api/v1/admin/registrations/${v.reg}/authority-decision`, body: { kind: 'CHANGE_REGISTRATION', note: '考区修改报考类别' } }), ok: { actor: 'admin', status: 200 },
  },
  'POST /api/v1/admin/sittings/:sittingId/cancel': {
    kind: 'staff', prepare: async () => ({ sitting: u(await fresh.sitting()) }), request: (v) => ({ method: 'POST', url: `/api/v1/admin/sittings/${v.sitting}/cancel`, body: { note: '因不可抗力取消' } }), ok: { actor: 'admin', status: 202 },
  },
  'POST /api/v1/admin/subjects/:subjectId/cancel': {
    kind: 'staff', prepare: async () => ({ subject: u(await newSubject(W.exam)) }), request: (v) => ({ method: 'POST', url: `/api/v1/admin/subjects/${v.subject}/cancel`, body: { note: '本科目停考' } }), ok: { actor: 'admin', status: 202 },
  },
  'GET /api/v1/admin/sittings/:sittingId/authority-actions': { kind: 'staff', request: () => ({ method: 'GET', url: `/api/v1/admin/sittings/${W.refundSittingId}/authority-actions` }), ok: { actor: 'admin', status: 200 } },
  'GET /api/v1/admin/sittings/:sittingId/repayments': { kind: 'staff', request: () => ({ method: 'GET', url: `/api/v1/admin/sittings/${W.refundSittingId}/repayments` }), ok: { actor: 'admin', status: 200 } },
  'POST /api/v1/admin/registrations/:registrationId/repayment-decision': {
    kind: 'staff', prepare: async () => ({ reg: u(await fresh.refundedRegistration()) }),
    request: (v) => ({ method: 'POST', url: `/api/v1/admin/registrations/${v.reg}/repayment-decision`, body: { decision: 'APPROVE' } }), ok: { actor: 'admin', status: 200 },
  },

  // The configuration console (ADM-1): the authority's administrators only; another authority's objects are 404.
  'PUT /api/v1/admin/institutions/:institutionId': {
    kind: 'staff', prepare: async () => ({ inst: u(await config.institution()) }), request: (v) => ({ method: 'PUT', url: `/api/v1/admin/institutions/${v.inst}`, body: { code: `R${v.inst}`, name: '改名学校', kind: 'LEARNING_CENTRE' } }), ok: { actor: 'admin', status: 200 },
  },
  'DELETE /api/v1/admin/institutions/:institutionId': { kind: 'staff', prepare: async () => ({ inst: u(await config.institution()) }), request: (v) => ({ method: 'DELETE', url: `/api/v1/admin/institutions/${v.inst}` }), ok: { actor: 'admin', status: 204 } },
  'GET /api/v1/admin/exams/:examId': { kind: 'staff', request: () => ({ method: 'GET', url: `/api/v1/admin/exams/${W.exam.examId}` }), ok: { actor: 'admin', status: 200 } },
  'PUT /api/v1/admin/exams/:examId': {
    kind: 'staff', prepare: async () => ({ exam: u(await config.exam()) }), request: (v) => ({ method: 'PUT', url: `/api/v1/admin/exams/${v.exam}`, body: config.settings(`E${v.exam}`) }), ok: { actor: 'admin', status: 200 },
  },
  'DELETE /api/v1/admin/exams/:examId': { kind: 'staff', prepare: async () => ({ exam: u(await config.exam()) }), request: (v) => ({ method: 'DELETE', url: `/api/v1/admin/exams/${v.exam}` }), ok: { actor: 'admin', status: 204 } },
  'POST /api/v1/admin/exams/:examId/sittings': {
    kind: 'staff', prepare: async () => ({ exam: u(await config.exam()) }), request: (v) => ({ method: 'POST', url: `/api/v1/admin/exams/${v.exam}/sittings`, body: { code: 'NEW', name: '新考次' } }), ok: { actor: 'admin', status: 201 },
  },
  'GET /api/v1/admin/sittings/:sittingId': { kind: 'staff', request: () => ({ method: 'GET', url: `/api/v1/admin/sittings/${W.exam.sittingId}` }), ok: { actor: 'admin', status: 200 } },
  'GET /api/v1/admin/sittings/:sittingId/export': { kind: 'staff', request: () => ({ method: 'GET', url: `/api/v1/admin/sittings/${W.exam.sittingId}/export` }), ok: { actor: 'admin', status: 200 } },
  'PUT /api/v1/admin/sittings/:sittingId': {
    kind: 'staff', prepare: async () => ({ sitting: u(await fresh.sitting()) }), request: (v) => ({ method: 'PUT', url: `/api/v1/admin/sittings/${v.sitting}`, body: { code: `R${v.sitting}`, name: '改名' } }), ok: { actor: 'admin', status: 200 },
  },
  'DELETE /api/v1/admin/sittings/:sittingId': { kind: 'staff', prepare: async () => ({ sitting: u(await fresh.sitting()) }), request: (v) => ({ method: 'DELETE', url: `/api/v1/admin/sittings/${v.sitting}` }), ok: { actor: 'admin', status: 204 } },
  'POST /api/v1/admin/sittings/:sittingId/windows': {
    kind: 'staff', prepare: async () => ({ sitting: u(await fresh.sitting()) }),
    request: (v) => ({ method: 'POST', url: `/api/v1/admin/sittings/${v.sitting}/windows`, body: { kind: 'PRINT', opens: 'P1D', closes: 'P2D' } }), ok: { actor: 'admin', status: 201 },
  },
  'PUT /api/v1/admin/windows/:windowId': {
    kind: 'staff', prepare: async () => ({ window: u(await config.window()) }), request: (v) => ({ method: 'PUT', url: `/api/v1/admin/windows/${v.window}`, body: { kind: 'PRINT', opens: 'P3D', closes: 'P4D' } }), ok: { actor: 'admin', status: 200 },
  },
  'DELETE /api/v1/admin/windows/:windowId': { kind: 'staff', prepare: async () => ({ window: u(await config.window()) }), request: (v) => ({ method: 'DELETE', url: `/api/v1/admin/windows/${v.window}` }), ok: { actor: 'admin', status: 204 } },
  'POST /api/v1/admin/sittings/:sittingId/sites': {
    kind: 'staff', prepare: async () => ({ sitting: u(await fresh.sitting()) }), request: (v) => ({ method: 'POST', url: `/api/v1/admin/sittings/${v.sitting}/sites`, body: { code: 'NEW', name: '新考点' } }), ok: { actor: 'admin', status: 201 },
  },
  'PUT /api/v1/admin/sites/:siteId': {
    kind: 'staff', prepare: async () => ({ site: u(await config.site()) }), request: (v) => ({ method: 'PUT', url: `/api/v1/admin/sites/${v.site}`, body: { code: 'RENAMED', name: '改名考点' } }), ok: { actor: 'admin', status: 200 },
  },
  'DELETE /api/v1/admin/sites/:siteId': { kind: 'staff', prepare: async () => ({ site: u(await config.site()) }), request: (v) => ({ method: 'DELETE', url: `/api/v1/admin/sites/${v.site}` }), ok: { actor: 'admin', status: 204 } },
  'POST /api/v1/admin/sittings/:sittingId/slots': {
    kind: 'staff', prepare: async () => ({ sitting: u(await fresh.sitting()) }),
    request: (v) => ({ method: 'POST', url: `/api/v1/admin/sittings/${v.sitting}/slots`, body: { code: 'NEW', starts: '2026-04-11 09:00:00', ends: '2026-04-11 11:00:00' } }), ok: { actor: 'admin', status: 201 },
  },
  'PUT /api/v1/admin/slots/:slotId': {
    kind: 'staff', prepare: async () => ({ slot: u(await config.slot()) }),
    request: (v) => ({ method: 'PUT', url: `/api/v1/admin/slots/${v.slot}`, body: { code: 'MOVED', starts: '2026-04-12 09:00:00', ends: '2026-04-12 11:00:00' } }), ok: { actor: 'admin', status: 200 },
  },
  'DELETE /api/v1/admin/slots/:slotId': { kind: 'staff', prepare: async () => ({ slot: u(await config.slot()) }), request: (v) => ({ method: 'DELETE', url: `/api/v1/admin/slots/${v.slot}` }), ok: { actor: 'admin', status: 204 } },
  'POST /api/v1/admin/sittings/:sittingId/subjects': {
    kind: 'staff', prepare: async () => ({ sitting: u(await fresh.sitting()) }),
    request: (v) => ({ method: 'POST', url: `/api/v1/admin/sittings/${v.sitting}/subjects`, body: { code: 'NEW', name: '新科目', kind: 'WRITTEN', feeFen: '1000' } }), ok: { actor: 'admin', status: 201 },
  },
  'PUT /api/v1/admin/subjects/:subjectId': {
    kind: 'staff', prepare: async () => ({ subject: u(await newSubject(W.exam)) }),
    request: (v) => ({ method: 'PUT', url: `/api/v1/admin/subjects/${v.subject}`, body: { code: `C${v.subject}`, name: '改名科目', kind: 'WRITTEN', feeFen: '1200' } }), ok: { actor: 'admin', status: 200 },
  },
  'DELETE /api/v1/admin/subjects/:subjectId': { kind: 'staff', prepare: async () => ({ subject: u(await newSubject(W.exam)) }), request: (v) => ({ method: 'DELETE', url: `/api/v1/admin/subjects/${v.subject}` }), ok: { actor: 'admin', status: 204 } },
  'PUT /api/v1/admin/sittings/:sittingId/capacity': {
    kind: 'staff', prepare: async () => ({ sitting: u(await config.sittingWithParts()) }),
    request: (v) => ({ method: 'PUT', url: `/api/v1/admin/sittings/${v.sitting}/capacity`, body: { site: 'P', slot: 'P', subject: 'P', seats: 7 } }), ok: { actor: 'admin', status: 200 },
  },
  'DELETE /api/v1/admin/seat-pools/:poolId': { kind: 'staff', prepare: async () => ({ pool: u(await config.pool()) }), request: (v) => ({ method: 'DELETE', url: `/api/v1/admin/seat-pools/${v.pool}` }), ok: { actor: 'admin', status: 204 } },
  'GET /api/v1/admin/audit-log/export': {
    kind: 'staff', request: () => ({ method: 'GET', url: `/api/v1/admin/audit-log/export?actorId=${W.staff.schoolA1.staffId}&objectId=${W.review}` }), ok: { actor: 'admin', status: 200 },
  },
  // Imports and exports (ADM-2). The upload's body is the file itself: the suite sends none, so the
  // rightful admin gets past the exam's scope check to IMPORT_FILE_TYPE (415); another authority's admin gets 404.
  'POST /api/v1/admin/imports': { kind: 'staff', request: () => ({ method: 'POST', url: `/api/v1/admin/imports?kind=ROSTER&examId=${W.exam.examId}&fileName=roster.csv` }), ok: { actor: 'admin', status: 415 } },
  'GET /api/v1/admin/imports/:importId': { kind: 'staff', prepare: async () => ({ job: u(await fresh.importJob()) }), request: (v) => ({ method: 'GET', url: `/api/v1/admin/imports/${v.job}` }), ok: { actor: 'admin', status: 200 } },
  'GET /api/v1/admin/imports/:importId/errors.xlsx': { kind: 'staff', prepare: async () => ({ job: u(await fresh.importJob()) }), request: (v) => ({ method: 'GET', url: `/api/v1/admin/imports/${v.job}/errors.xlsx` }), ok: { actor: 'admin', status: 200 } },
  ...Object.fromEntries(['registrations', 'bills', 'payments', 'refunds', 'reconciliation'].map((kind) => [`GET /api/v1/admin/exports/${kind}.xlsx`, {
    kind: 'staff', request: () => ({ method: 'GET', url: `/api/v1/admin/exports/${kind}.xlsx?sittingId=${W.exam.sittingId}&subjectId=${W.exam.subjectIds[0]}&siteId=${W.siteId}` }), ok: { actor: 'finance', status: 200 },
  } satisfies StaffCase])),
  ...Object.fromEntries(['registrations', 'bills', 'payments', 'refunds'].map((kind) => [`GET /api/v1/institution/exports/${kind}.xlsx`, {
    kind: 'staff', request: () => ({ method: 'GET', url: `/api/v1/institution/exports/${kind}.xlsx?sittingId=${W.exam.sittingId}&subjectId=${W.exam.subjectIds[0]}&siteId=${W.siteId}` }), ok: { actor: 'schoolA1', status: 200 },
    sameAuthorityOwnData: "a sitting, subject and site are the authority's reference data: another school's staff get an export of their own candidates only",
  } satisfies StaffCase])),

  // Candidates' appeals (ORG-2): the candidate's own; staff by the institution the appeal went to.
  'POST /api/v1/appeals': {
    kind: 'candidate', prepare: async () => {
      const reg = await fresh.registration();
      const { subject_id } = await t.db.selectFrom('registration').select('subject_id').where('id', '=', reg).executeTakeFirstOrThrow();
      return { reg: u(reg), subject: u(subject_id) };
    },
    request: (v) => ({ method: 'POST', url: '/api/v1/appeals', body: { subjectId: v.subject, registrationId: v.reg, statement: '报考科目有误' } }), ok: 201,
  },
  'POST /api/v1/appeals/:appealId/withdraw': { kind: 'candidate', prepare: async () => ({ appeal: u(await fresh.appeal()) }), request: (v) => ({ method: 'POST', url: `/api/v1/appeals/${v.appeal}/withdraw` }), ok: 200 },
  'GET /api/v1/admin/appeals': { kind: 'staff', prepare: async () => ({ appeal: u(await fresh.appeal()) }), request: () => ({ method: 'GET', url: `/api/v1/admin/appeals?candidateId=${W.victim.candidateId}&afterId=1` }), ok: { actor: 'admin', status: 200 } },
  'GET /api/v1/institution/appeals': { kind: 'staff', prepare: async () => ({ appeal: u(await fresh.appeal()) }), request: () => ({ method: 'GET', url: `/api/v1/institution/appeals?candidateId=${W.victim.candidateId}&afterId=1` }), ok: { actor: 'schoolA1', status: 200 } },
  'POST /api/v1/admin/appeals/:appealId/decision': {
    kind: 'staff', prepare: async () => ({ appeal: u(await fresh.appeal()) }), request: (v) => ({ method: 'POST', url: `/api/v1/admin/appeals/${v.appeal}/decision`, body: { decision: 'ACCEPT' } }), ok: { actor: 'admin', status: 200 },
  },
  'POST /api/v1/institution/appeals/:appealId/decision': {
    kind: 'staff', prepare: async () => ({ appeal: u(await fresh.appeal()) }),
    request: (v) => ({ method: 'POST', url: `/api/v1/institution/appeals/${v.appeal}/decision`, body: { decision: 'REJECT', reason: '经核对，报考科目无误' } }), ok: { actor: 'schoolA1', status: 200 },
  },

  // Public by design: no session, nothing of anyone's to give.
  'GET /api/v1/public/receipts/:code': {
    kind: 'public', why: "receipt verification (DOC-1): the code is a 132-bit HMAC only the printed receipt carries; an unknown one is RECEIPT_NOT_FOUND, naming no one",
    request: () => ({ method: 'GET', url: `/api/v1/public/receipts/${'A'.repeat(22)}` }), status: 404,
  },

  'GET /api/docs/static/*': { kind: 'public', why: 'the API documentation\'s static files', request: () => ({ method: 'GET', url: '/api/docs/static/swagger-ui.css' }), status: 200 },
  'GET /pay/return/:channel': { kind: 'public', why: 'a browser back from a cashier: redirects to the bill page, which asks for the session', request: () => ({ method: 'GET', url: `/pay/return/alipay?bill=${W.billNo}` }), status: 303 },
  'POST /pay/return/:channel': { kind: 'public', why: 'a browser return posted by a channel: verified, then a redirect; settles nothing', request: () => ({ method: 'POST', url: '/pay/return/unionpay', body: 'orderId=x' }), status: 303 },
  'GET /api/v1/authorities/:authority/exams/:exam/password-policy': {
    kind: 'public', why: "an exam's password rules (ACC-3) are public: the sign-up and change pages show them before anyone signs in",
    request: () => ({ method: 'GET', url: `/api/v1/authorities/${W.exam.authorityCode}/exams/TK/password-policy` }), status: 200,
  },
  'POST /api/v1/payer-lookups': {
    kind: 'public', why: "pay-by-code (PAY-6) needs the payer's name with the bill number: the number alone opens nothing (PAYER_NOT_FOUND, naming no one)",
    prepare: async () => W.browsers.anonymous.captcha('ARITHMETIC'),
    request: (v) => ({ method: 'POST', url: '/api/v1/payer-lookups', body: { authority: W.exam.authorityCode, name: '冒名者', paymentCode: W.billNo, captchaId: v.captchaId, captchaAnswer: v.captchaAnswer } }),
    status: 404,
  },
  'POST /notify/:channel': { kind: 'public', why: 'channel notifications: the signature decides, and the answer is the channel\'s word only', request: () => ({ method: 'POST', url: '/notify/alipay', body: `out_trade_no=${'0'.repeat(21)}` }), status: 404 },
};

// ── The generated checks ─────────────────────────────────────────────────────────────────────

/** A digest of everything a request could wrongly change (logs and sessions aside). */
async function snapshot(): Promise<string> {
  const tables = ['candidate', 'registration', 'seat', 'bill', 'bill_item', 'bill_transition', 'payment_attempt', 'channel_payment', 'refund', 'eligibility_review', 'staff_account', 'institution', 'subject', 'sitting',
    'authority_action', 'candidate_notice', 'repayment_approval', 'journal_entry', 'audit_log', 'exam', 'site', 'slot', 'seat_pool', 'sitting_window', 'appeal'];
  const parts = await Promise.all(tables.map(async (tbl) =>
    (await sql<{ d: string | null }>`SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) AS d FROM ${sql.table(tbl)} x`.execute(t.db)).rows[0]!.d ?? ''));
  return tables.map((tbl, i) => `${tbl}:${parts[i]}`).join(' ');
}

async function send(actor: Actor, req: Req) {
  const b = W.browsers[actor];
  if (req.method === 'GET') return b.get(req.url);
  if (req.method === 'DELETE') return b.delete(req.url);
  if (req.method === 'PUT') return b.put(req.url, req.body);
  if (typeof req.body === 'string') return b.post(req.url, req.body, { 'content-type': 'application/x-www-form-urlencoded' });
  return b.post(req.url, req.body);
}

/** Who must fail at a staff route, and how — derived from its declared action and API. */
function staffProbes(route: RouteTableEntry, c: StaffCase): Probe[] {
  const action = route.config?.staffAction as StaffAction;
  const surface = route.url.startsWith('/api/v1/institution/') ? 'institution' : 'admin';
  const probes: Probe[] = [
    { actor: 'anonymous', expect: [401], why: 'no session' },
    { actor: 'victim', expect: [401], why: 'a candidate session is no staff session' },
  ];
  for (const role of STAFF_ROLES) {
    const actor = IN_SCOPE_STAFF[role];
    if (actor === c.ok.actor) continue;
    if (surfaceOf(role) !== surface) probes.push({ actor, expect: [403], why: `${role} uses the other API` });
    else if (!roleMay(role, action)) probes.push({ actor, expect: [403], why: `${role} lacks ${action}` });
  }
  if (surface === 'admin') probes.push({ actor: 'otherAdmin', expect: roleMay('AUTHORITY_ADMIN', action) ? [404] : [403], why: 'an admin of another authority' });
  if (surface === 'institution' && roleMay('INSTITUTION_STAFF', action)) {
    probes.push({ actor: 'schoolA2', expect: c.sameAuthorityOwnData ? c.sameAuthorityExpect ?? [200] : [404], why: c.sameAuthorityOwnData ?? 'staff of another school of the same authority' });
    probes.push({ actor: 'otherSchool', expect: [404], why: 'staff of a school of another authority' });
  }
  return probes;
}

function candidateProbes(c: CandidateCase): Probe[] {
  return [
    { actor: 'anonymous', expect: [401], why: 'no session' },
    { actor: 'admin', expect: [401], why: 'a staff session is no candidate session' },
    { actor: 'secondCandidate', expect: c.sameExamOwnData?.expect ?? [404], why: c.sameExamOwnData?.why ?? 'another candidate of the same exam' },
    { actor: 'otherAuthorityCandidate', expect: [404], why: 'a candidate of another authority' },
  ];
}

function expectNoVictimData(res: { status: number; text: string; body: unknown }, req: Req, probe: Probe) {
  const told = JSON.stringify(req);
  for (const secret of W.secrets.filter((s) => !told.includes(s))) {
    expect(res.text, `${probe.actor} (${probe.why}) must not see ${secret}`).not.toContain(secret);
  }
  if (res.status >= 400) {
    expect(Object.keys(res.body as object), `${probe.actor}: an error body only`).toEqual(['error']);
    const error = (res.body as { error: { code: string; messageZh: string; messageEn: string } }).error;
    expect(error.code).toMatch(/^[A-Z][A-Z0-9_]+$/);
    expect(error.messageZh.length * error.messageEn.length).toBeGreaterThan(0);
  }
}

describe('access control, generated from the route table (ADM-5, ACC-7)', () => {
  it('every route that takes an id has a case, and every case names a live route', () => {
    const table = routeTable(app);
    expect(routesTakingIds(table).length).toBeGreaterThan(25);
    expect(uncoveredRoutes(table, Object.keys(CASES)).map((r) => `${keyOf(r)}  (${r.ids.join(', ')})`)).toEqual([]);
    expect(staleCases(table, Object.keys(CASES))).toEqual([]);
  });

  it('staff routes are exactly the ones with a declared action; candidate routes have none', () => {
    for (const r of routeTable(app)) {
      const staffRoute = /^\/api\/v1\/(admin|institution)\//.test(r.url);
      expect([r.url, Boolean(r.config?.staffAction)]).toEqual([r.url, staffRoute]);
    }
  });

  const keys = Object.keys(CASES);
  it.each(keys)('%s', async (key) => {
    const c = CASES[key]!;
    const route = routeTable(app).find((r) => keyOf({ method: Array.isArray(r.method) ? r.method.find((m) => m !== 'HEAD')! : r.method, url: r.url }) === key);
    expect(route, `route ${key}`).toBeDefined();
    const vars = ('prepare' in c && c.prepare) ? await c.prepare() : {};
    const req = c.request(vars);

    if (c.kind === 'public') {
      const before = await snapshot();
      const res = await send('anonymous', req);
      expect(res.status, c.why).toBe(c.status);
      expectNoVictimData(res, req, { actor: 'anonymous', expect: [c.status], why: c.why });
      expect(await snapshot()).toBe(before);
      return;
    }

    const probes: (Probe & { req: Req })[] = (c.kind === 'candidate' ? candidateProbes(c) : staffProbes(route!, c)).map((p) => ({ ...p, req }));
    if (c.kind === 'candidate' && c.extra) probes.push(...c.extra(vars));
    let before = await snapshot();
    for (const p of probes) {
      const res = await send(p.actor, p.req);
      expect(p.expect, `${key} as ${p.actor} (${p.why}): got ${res.status} ${res.text.slice(0, 200)}`).toContain(res.status);
      expectNoVictimData(res, p.req, p);
      if (res.status < 300 && p.req.method !== 'GET') {
        // Allowed to write its own data (a second candidate registering the same subject) — the
        // victim's registration must still be there for the rightful request below.
        before = await snapshot();
        continue;
      }
      expect(await snapshot(), `${key} as ${p.actor} changed the database`).toBe(before);
    }

    // The rightful caller succeeds: the refusals above were about who asked, not a broken route.
    const owner = c.kind === 'candidate' ? 'victim' : c.ok.actor;
    const res = await send(owner, req);
    expect(res.status, `${key} as ${owner}: ${res.text.slice(0, 300)}`).toBe(c.kind === 'candidate' ? c.ok : c.ok.status);
  });
});

describe("appeals lists (ORG-2): institution staff never see another institution's appeal", () => {
  it('the queue of school A2, of another authority and its school hold none of the victim\'s appeals; school A1 and the admin see them', async () => {
    const appealId = u(await fresh.appeal());
    for (const state of ['PENDING', 'ACCEPTED', 'REJECTED', 'WITHDRAWN']) {
      for (const [actor, url] of [['schoolA2', '/api/v1/institution/appeals'], ['otherSchool', '/api/v1/institution/appeals'], ['otherAdmin', '/api/v1/admin/appeals']] as const) {
        const res = await send(actor, { method: 'GET', url: `${url}?state=${state}&limit=200` });
        expect(res.status, `${actor} ${state}`).toBe(200);
        expect((res.body as { appealId: string }[]).map((a) => a.appealId)).not.toContain(appealId);
        expectNoVictimData(res, { method: 'GET', url }, { actor, expect: [200], why: 'another institution or authority' });
      }
    }
    for (const [actor, url] of [['schoolA1', '/api/v1/institution/appeals'], ['admin', '/api/v1/admin/appeals']] as const) {
      expect(((await send(actor, { method: 'GET', url: `${url}?limit=200` })).body as { appealId: string }[]).map((a) => a.appealId), actor).toContain(appealId);
    }
  });
});

describe('the suite itself', () => {
  it('fails for a new route with an id and no case — in the path, the query or the body', async () => {
    const t2 = await createTestDatabase();
    const { app: app2 } = await buildTestApp(t2);
    app2.get('/api/v1/bills/:billNo/throwaway', async () => ({}));
    app2.get('/api/v1/throwaway-search', { schema: { querystring: Type.Object({ candidateId: Type.Optional(Type.String()) }) } }, async () => []);
    app2.post('/api/v1/throwaway-batch', { schema: { body: Type.Object({ items: Type.Array(Type.Object({ refundNo: Type.String() })) }) } }, async () => ({}));
    app2.get('/api/v1/throwaway-list', async () => []);
    await app2.ready();
    expect(uncoveredRoutes(routeTable(app2), Object.keys(CASES)).map((r) => `${keyOf(r)}  (${r.ids.join(', ')})`)).toEqual([
      'GET /api/v1/bills/:billNo/throwaway  (path.billNo)',
      'GET /api/v1/throwaway-search  (query.candidateId)',
      'POST /api/v1/throwaway-batch  (body.items[].refundNo)',
    ]);
    await app2.close();
    await t2.drop();
  });

  it('a staff route without a declared action cannot even be registered', async () => {
    const t2 = await createTestDatabase();
    const { app: app2, ctx } = await buildTestApp(t2);
    const start = async () => {
      await app2.register(staffApi('admin', { ctx, config: { session: TEST_SESSION, secureCookies: false, captchaTestMode: true, publicBaseUrl: '' } }, async (scope) => {
        scope.get('/api/v1/admin/forgotten', async () => ({}));
      }));
      await app2.ready();
    };
    await expect(start()).rejects.toThrow('GET /api/v1/admin/forgotten: a staff route must declare config.staffAction');
    await app2.close().catch(() => undefined);
    await t2.drop();
  });
});

/**
 * ADM-1 end to end: an authority administrator configures an exam and a sitting from nothing
 * through the console's API — exam settings, sites, slots, subjects, windows, capacity — and a
 * candidate then registers into it (holding the one seat), confirms a bill and pays it at the
 * sandbox's Alipay; the live sitting then refuses what would break its promises (capacity below
 * the seat sold, a fee change on a paid subject, deleting what is in use), and the books balance.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';
import { expectBooksBalance } from './support/books.ts';
import { makeCandidate } from './support/fixtures.ts';
import { Browser } from './support/http.ts';
import { makeStaff, staffBrowser } from './support/staff-fixtures.ts';

let w: PaymentWorld;
let admin: Browser;
beforeAll(async () => {
  w = await startPaymentWorld();
  admin = await staffBrowser(w.app, await makeStaff(w.db, w.exam, 'AUTHORITY_ADMIN'));
});
afterAll(async () => w.close());

const A = '/api/v1/admin';
const EXAM = {
  code: 'GK2026', name: '自学考试（控制台配置）', accountStyle: 'ID_DOCUMENT', initialPassword: { rule: 'ID_LAST6' }, billTimeoutMinutes: 30,
  channels: ['alipay'], bankCardOnly: false, agreementText: '网上缴费协议：缴费成功后不予退费。', releaseSeatsOnBillExpiry: true, seatHoldMinutes: 1440,
  rosterRestricted: false, auditRequired: false, unpaidRegistrationTtlHours: null, cet6ReviewThreshold: null, refundPolicy: 'NO_PERSONAL_REFUNDS',
  passwordPolicy: { minLength: 8, maxLength: 16, requiredClasses: ['LETTER', 'DIGIT'], specialCharacters: '!@#$%^&*_-' },
};

async function ok<T = any>(p: Promise<{ status: number; body: any; text: string }>, status: number): Promise<T> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const r = await p;
  expect(r.status, r.text).toBe(status);
  return r.body as T;
}

describe('a sitting configured from nothing in the console, then registered and paid into (ADM-1, REG-6, PAY-3)', () => {
  it('configures, a candidate registers and pays through the sandbox, and the live sitting keeps its promises', async () => {
    const exam = await ok(admin.post(`${A}/exams`, EXAM), 201);
    const sitting = await ok(admin.post(`${A}/exams/${exam.examId}/sittings`, { code: '2026-10', name: '2026年10月考试' }), 201);
    const S = `${A}/sittings/${sitting.sittingId}`;
    const site = await ok(admin.post(`${S}/sites`, { code: 'CS', name: '长沙考点' }), 201);
    const slot = await ok(admin.post(`${S}/slots`, { code: 'D1-AM', starts: '2026-04-20 09:00:00', ends: '2026-04-20 11:00:00' }), 201);
    const written = await ok(admin.post(`${S}/subjects`, { code: 'ENG', name: '英语（笔试）', kind: 'WRITTEN', feeFen: '7000', exclusionGroup: '英语' }), 201);
    await ok(admin.post(`${S}/subjects`, { code: 'ENG-O', name: '英语（口试）', kind: 'ORAL', feeFen: '5000', writtenSubject: 'ENG' }), 201);
    await ok(admin.post(`${S}/windows`, { kind: 'REGISTRATION', opens: 'P-1D', closes: 'P10D' }), 201);
    const pool = await ok(admin.put(`${S}/capacity`, { site: 'CS', slot: 'D1-AM', subject: 'ENG', seats: 1 }), 200);
    expect(pool).toMatchObject({ seats: 1, held: 0, sold: 0, free: 1 });

    // The candidates come from the roster (not this console's): two accounts of the new exam.
    const fixture = { authorityId: w.exam.authorityId, authorityCode: w.exam.authorityCode, examId: BigInt(exam.examId), sittingId: BigInt(sitting.sittingId), subjectIds: [], fees: [] };
    const first = await makeCandidate(w.db, fixture);
    const second = await makeCandidate(w.db, fixture);
    const candidate = new Browser(w.app);
    expect((await candidate.signIn(w.exam.authorityCode, first.idNumber, first.password)).status).toBe(200);

    const registered = await ok(candidate.post('/api/v1/registrations', { subjectId: written.subjectId, siteId: site.siteId, slotId: slot.slotId }), 201);
    expect(registered.seat).toMatchObject({ siteId: site.siteId, slotId: slot.slotId, seatNo: 1 });
    const bill = await ok(candidate.post('/api/v1/bills', { registrationIds: [registered.registrationId] }), 201);
    expect(bill.amountFen).toBe(7000);
    await ok(candidate.post(`/api/v1/bills/${bill.billNo}/agreement`, { accepted: true }), 200);
    await ok(candidate.post(`/api/v1/bills/${bill.billNo}/payments`, { channel: 'alipay' }), 200);
    expect((await w.sandbox.pay(bill.billNo)).ok).toBe(true);
    await w.sandbox.deliverDueNotifications();
    expect((await w.bill(bill.billNo)).state).toBe('PAID');

    // The one seat is sold: nobody else gets it.
    const other = new Browser(w.app);
    expect((await other.signIn(w.exam.authorityCode, second.idNumber, second.password)).status).toBe(200);
    const refused = await other.post('/api/v1/registrations', { subjectId: written.subjectId, siteId: site.siteId, slotId: slot.slotId });
    expect([refused.status, refused.body.error.code]).toEqual([409, 'SEAT_UNAVAILABLE']);

    // The live sitting refuses what would break what was sold, and says why.
    const view = await ok(admin.get(S), 200);
    expect(view.capacity).toEqual([expect.objectContaining({ poolId: pool.poolId, seats: 1, held: 0, sold: 1, free: 0 })]);
    expect(view.subjects.find((s: { code: string }) => s.code === 'ENG')).toMatchObject({ feeLocked: true, registrations: 1, feeFen: '7000' });
    const refusals = [
      [await admin.put(`${S}/capacity`, { site: 'CS', slot: 'D1-AM', subject: 'ENG', seats: 0 }), 409, 'CAPACITY_BELOW_TAKEN'],
      [await admin.put(`${A}/subjects/${written.subjectId}`, { code: 'ENG', name: '英语（笔试）', kind: 'WRITTEN', feeFen: '8000', exclusionGroup: '英语' }), 409, 'SUBJECT_FEE_LOCKED'],
      [await admin.delete(`${A}/subjects/${written.subjectId}`), 409, 'CONFIG_IN_USE'],
      [await admin.delete(`${A}/sites/${site.siteId}`), 409, 'CONFIG_IN_USE'],
      [await admin.delete(`${A}/slots/${slot.slotId}`), 409, 'CONFIG_IN_USE'],
      [await admin.delete(`${A}/seat-pools/${pool.poolId}`), 409, 'CONFIG_IN_USE'],
      [await admin.delete(S), 409, 'CONFIG_IN_USE'],
      [await admin.delete(`${A}/exams/${exam.examId}`), 409, 'CONFIG_IN_USE'],
    ] as const;
    for (const [r, status, code] of refusals) {
      expect([r.status, r.body.error.code], r.text).toEqual([status, code]);
      expect(r.body.error.messageZh.length * r.body.error.messageEn.length).toBeGreaterThan(0);
    }
    expect(await ok(admin.get(S), 200)).toEqual(view);

    // What a paid subject may still change: its name; and more seats are always possible.
    await ok(admin.put(`${A}/subjects/${written.subjectId}`, { code: 'ENG', name: '大学英语（笔试）', kind: 'WRITTEN', feeFen: '7000', exclusionGroup: '英语' }), 200);
    expect(await ok(admin.put(`${S}/capacity`, { site: 'CS', slot: 'D1-AM', subject: 'ENG', seats: 2 }), 200)).toMatchObject({ seats: 2, sold: 1, free: 1 });
    expect((await other.post('/api/v1/registrations', { subjectId: written.subjectId, siteId: site.siteId, slotId: slot.slotId })).status).toBe(201);

    // Every change is in the audit log, by this administrator, in order.
    const log = await ok(admin.get(`${A}/audit-log?limit=200`), 200);
    const mine = log.filter((e: { action: string }) => /^(exam|sitting|site|slot|subject|window|capacity)\./.test(e.action)).map((e: { action: string }) => e.action).reverse();
    expect(mine).toEqual(['exam.create', 'sitting.create', 'site.create', 'slot.create', 'subject.create', 'subject.create', 'window.create', 'capacity.set', 'subject.update', 'capacity.set']);
    await expectBooksBalance(w);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeExpiredBillsJob } from '../src/jobs/close-expired-bills.job.ts';
import { releaseStaleSeatHoldsJob } from '../src/jobs/release-stale-seat-holds.job.ts';
import { listCandidateRegistrations } from '../src/modules/registration/registration-queries.ts';
import { explainSeatRelease } from '../src/modules/registration/seat-release-explanation.ts';
import { acceptAgreement } from '../src/modules/billing/accept-agreement.ts';
import { confirmBill } from '../src/modules/billing/confirm-bill.ts';
import { startPayment } from '../src/modules/payments/start-payment.ts';
import { chooseSlot } from '../src/modules/registration/choose-slot.ts';
import { registerSubject } from '../src/modules/registration/register-subject.ts';
import { provisionSeats } from '../src/modules/registration/seat-holds.sql.ts';
import { MINUTE } from '../src/shared/clock.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';
import { makeExam } from './support/fixtures.ts';

let w: PaymentWorld;
beforeAll(async () => {
  w = await startPaymentWorld();
});
afterAll(async () => w.close());

const T0 = new Date('2026-03-15T01:00:00Z'); // the world's clock starts here (09:00 Beijing)

/** A 统考-like sitting: 大学英语A/B exclusive, a written subject with its oral, a site with two slots of `seats` seats each. */
async function sitting(opts: { seats?: number; releaseOnExpiry?: boolean; window?: [Date, Date] } = {}) {
  const exam = await makeExam(w.db, { fees: [8000n, 8000n, 5000n, 3000n] });
  const [engA, engB, written, oral] = exam.subjectIds as [bigint, bigint, bigint, bigint];
  await w.db.updateTable('subject').set({ exclusion_group: 'ENGLISH' }).where('id', 'in', [engA, engB]).execute();
  await w.db.updateTable('subject').set({ kind: 'ORAL', written_subject_id: written }).where('id', '=', oral).execute();
  await w.db.updateTable('exam').set({ release_seats_on_bill_expiry: opts.releaseOnExpiry ?? true }).where('id', '=', exam.examId).execute();
  const [opens, closes] = opts.window ?? [new Date(T0.getTime() - 86_400_000), new Date(T0.getTime() + 30 * 86_400_000)];
  await w.db.insertInto('sitting_window').values({ sitting_id: exam.sittingId, kind: 'REGISTRATION', opens_at: opens, closes_at: closes }).execute();
  const site = await w.db.insertInto('site').values({ sitting_id: exam.sittingId, code: 'BJ01', name: '北京考点' }).returning('id').executeTakeFirstOrThrow();
  const slots = await w.db.insertInto('slot').values([
    { sitting_id: exam.sittingId, code: 'AM', starts_at: new Date('2026-04-11T01:00:00Z'), ends_at: new Date('2026-04-11T03:00:00Z') },
    { sitting_id: exam.sittingId, code: 'PM', starts_at: new Date('2026-04-11T06:00:00Z'), ends_at: new Date('2026-04-11T08:00:00Z') },
  ]).returning('id').execute();
  for (const slot of slots) {
    const pool = await w.db.insertInto('seat_pool').values({ site_id: site.id, slot_id: slot.id, subject_id: engB, capacity: opts.seats ?? 2 }).returning('id').executeTakeFirstOrThrow();
    await w.db.transaction().execute((trx) => provisionSeats(trx, pool.id, opts.seats ?? 2));
  }
  const candidate = async () => {
    const c = await w.db.insertInto('candidate').values({ authority_id: exam.authorityId, exam_id: exam.examId, id_number: `X${Math.random().toString().slice(2, 14)}`, name: '考生', password_hash: 'x' }).returning('id').executeTakeFirstOrThrow();
    return c.id;
  };
  return { exam, engA, engB, written, oral, siteId: site.id, am: slots[0]!.id, pm: slots[1]!.id, candidate };
}

const count = async (candidateId: bigint) => Number((await w.db.selectFrom('registration').select((eb) => eb.fn.countAll<string>().as('n')).where('candidate_id', '=', candidateId).executeTakeFirstOrThrow()).n);

describe('registering subjects', () => {
  it('REG-1/REG-2: refused outside the registration window — 1 s before and at closing — with the window shown; open at opening', async () => {
    const opens = new Date(T0.getTime() + 3600_000);
    const s = await sitting({ window: [opens, new Date(opens.getTime() + 3600_000)] });
    const c = await s.candidate();
    const at = async (d: Date) => { w.clock.set(d); return registerSubject(w.ctx, { candidateId: c, subjectId: s.written }); };
    const before = await at(new Date(opens.getTime() - 1000));
    expect(before).toMatchObject({ ok: false, error: { code: 'WINDOW_CLOSED', details: { windows: [{ kind: 'REGISTRATION', opensAt: '2026-03-15 10:00:00', closesAt: '2026-03-15 11:00:00' }] } } });
    expect(await count(c)).toBe(0);
    expect((await at(opens)).ok).toBe(true);
    expect((await at(new Date(opens.getTime() + 3600_000))).ok).toBe(false);
    w.clock.set(T0);
  });

  it('REG-3: 大学英语A and B exclude each other — even when registered at the same moment from two tabs', async () => {
    const s = await sitting({ seats: 50 });
    const candidates = await Promise.all(Array.from({ length: 25 }, () => s.candidate()));
    const rounds = await Promise.all(candidates.map((c) => Promise.all([
      registerSubject(w.ctx, { candidateId: c, subjectId: s.engA }),
      registerSubject(w.ctx, { candidateId: c, subjectId: s.engB, siteId: s.siteId, slotId: s.am }),
    ])));
    for (const [i, results] of rounds.entries()) {
      expect(results.filter((r) => r.ok)).toHaveLength(1);
      expect(results.find((r) => !r.ok)).toMatchObject({ ok: false, error: { code: 'EXCLUSIVE_SUBJECT_CONFLICT' } });
      expect(await count(candidates[i]!)).toBe(1);
    }
  });

  it('REG-3: a passed subject cannot be registered, and it excludes its rival', async () => {
    const s = await sitting();
    const c = await s.candidate();
    await w.db.insertInto('candidate_subject_standing').values({ candidate_id: c, subject_id: s.engA, status: 'PASSED' }).execute();
    expect(await registerSubject(w.ctx, { candidateId: c, subjectId: s.engA })).toMatchObject({ error: { code: 'SUBJECT_ALREADY_PASSED' } });
    expect(await registerSubject(w.ctx, { candidateId: c, subjectId: s.engB, siteId: s.siteId, slotId: s.am })).toMatchObject({ error: { code: 'EXCLUSIVE_SUBJECT_CONFLICT' } });
  });

  it('REG-5: oral only after its written subject is registered, and payable only after the written one is paid', async () => {
    const s = await sitting();
    const c = await s.candidate();
    expect(await registerSubject(w.ctx, { candidateId: c, subjectId: s.oral })).toMatchObject({ error: { code: 'WRITTEN_BEFORE_ORAL' } });
    const written = await registerSubject(w.ctx, { candidateId: c, subjectId: s.written });
    const oral = await registerSubject(w.ctx, { candidateId: c, subjectId: s.oral });
    if (!written.ok || !oral.ok) throw new Error('setup');
    expect(await confirmBill(w.ctx, { candidateId: c, registrationIds: [written.value.registrationId, oral.value.registrationId] }))
      .toMatchObject({ ok: false, error: { code: 'WRITTEN_BEFORE_ORAL' } });
    expect((await confirmBill(w.ctx, { candidateId: c, registrationIds: [written.value.registrationId] })).ok).toBe(true);
  });

  it('REG-3: a subject of another exam reads as unknown, and nothing is created', async () => {
    const s = await sitting();
    const other = await sitting();
    const c = await s.candidate();
    expect(await registerSubject(w.ctx, { candidateId: c, subjectId: other.written })).toMatchObject({ error: { code: 'SUBJECT_NOT_FOUND' } });
    expect(await registerSubject(w.ctx, { candidateId: c, subjectId: 999_999_999n })).toMatchObject({ error: { code: 'SUBJECT_NOT_FOUND' } });
    expect(await count(c)).toBe(0);
  });
});

describe('payment windows hold at pay time too (REG-1, seed 004)', () => {
  it('REG-1: a bill confirmed 1 s before the payment deadline cannot be paid after it', async () => {
    const s = await sitting();
    const deadline = new Date(w.clock.now().getTime() + 60_000);
    await w.db.insertInto('sitting_window').values({ sitting_id: s.exam.sittingId, kind: 'PAYMENT', opens_at: new Date(w.clock.now().getTime() - 60_000), closes_at: deadline }).execute();
    const c = await s.candidate();
    const reg = await registerSubject(w.ctx, { candidateId: c, subjectId: s.written });
    if (!reg.ok) throw new Error(reg.error.code);
    w.clock.set(new Date(deadline.getTime() - 1000));
    const bill = await confirmBill(w.ctx, { candidateId: c, registrationIds: [reg.value.registrationId] });
    if (!bill.ok) throw new Error(bill.error.code);
    await acceptAgreement(w.ctx, { candidateId: c, billNo: bill.value.bill_no });
    w.clock.set(deadline);
    expect(await startPayment(w.ctx, { candidateId: c, billNo: bill.value.bill_no, channel: 'alipay', actor: 't' })).toMatchObject({ ok: false, error: { code: 'WINDOW_CLOSED' } });
    expect((await w.bill(bill.value.bill_no)).state).toBe('UNPAID');
  });

  it('REG-8: a candidate cannot move an institution\'s registration to another slot', async () => {
    const s = await sitting();
    const c = await s.candidate();
    const reg = await registerSubject(w.ctx, { candidateId: c, subjectId: s.engB, siteId: s.siteId, slotId: s.am });
    if (!reg.ok) throw new Error(reg.error.code);
    // Institutions register through their own path (issue 8); here the ownership is set directly.
    await w.db.updateTable('registration').set({ owner: 'INSTITUTION' } as never).where('id', '=', reg.value.registrationId).execute();
    expect(await chooseSlot(w.ctx, { candidateId: c, registrationId: reg.value.registrationId, siteId: s.siteId, slotId: s.pm }))
      .toMatchObject({ ok: false, error: { code: 'REGISTRATION_NOT_PAYABLE', details: { reason: 'INSTITUTION_REGISTRATION' } } });
  });
});

describe('seats through payment and timeout (REG-6, REG-7)', () => {
  it('REG-6: a subject with seats needs a site and slot; a full slot is refused and leaves no registration', async () => {
    const s = await sitting({ seats: 1 });
    const [a, b] = [await s.candidate(), await s.candidate()];
    expect(await registerSubject(w.ctx, { candidateId: a, subjectId: s.engB })).toMatchObject({ error: { code: 'SLOT_REQUIRED' } });
    expect(await registerSubject(w.ctx, { candidateId: a, subjectId: s.engB, siteId: s.siteId, slotId: s.am })).toMatchObject({ ok: true, value: { seat: { seatNo: 1 } } });
    expect(await registerSubject(w.ctx, { candidateId: b, subjectId: s.engB, siteId: s.siteId, slotId: s.am })).toMatchObject({ error: { code: 'SEAT_UNAVAILABLE' } });
    expect(await count(b)).toBe(0);
    expect(await registerSubject(w.ctx, { candidateId: b, subjectId: s.engB, siteId: s.siteId, slotId: s.pm })).toMatchObject({ ok: true });
  });

  it('REG-6/7: payment sells the seat; an unpaid bill timing out releases it, the candidate is told, chooses a slot again and pays', async () => {
    const s = await sitting({ seats: 1 });
    const c = await s.candidate();
    const reg = await registerSubject(w.ctx, { candidateId: c, subjectId: s.engB, siteId: s.siteId, slotId: s.am });
    if (!reg.ok) throw new Error('setup');
    const bill = await confirmBill(w.ctx, { candidateId: c, registrationIds: [reg.value.registrationId] });
    if (!bill.ok) throw new Error(bill.error.code);
    await acceptAgreement(w.ctx, { candidateId: c, billNo: bill.value.bill_no });
    expect((await startPayment(w.ctx, { candidateId: c, billNo: bill.value.bill_no, channel: 'alipay', actor: 't' })).ok).toBe(true);
    w.sandbox.open(bill.value.bill_no);
    w.clock.advance(30 * MINUTE);
    await closeExpiredBillsJob.execute(w.ctx);
    expect((await w.bill(bill.value.bill_no)).state).toBe('CLOSED');
    const released = await w.db.selectFrom('registration').select(['seat_released_reason']).where('id', '=', reg.value.registrationId).executeTakeFirstOrThrow();
    expect(released.seat_released_reason).toBe('PAYMENT_TIMEOUT');
    // Someone else can have that seat now.
    const other = await s.candidate();
    expect((await registerSubject(w.ctx, { candidateId: other, subjectId: s.engB, siteId: s.siteId, slotId: s.am })).ok).toBe(true);
    // The first candidate must choose again before paying.
    expect(await confirmBill(w.ctx, { candidateId: c, registrationIds: [reg.value.registrationId] })).toMatchObject({ error: { code: 'SEAT_RELEASED' } });
    expect(await chooseSlot(w.ctx, { candidateId: c, registrationId: reg.value.registrationId, siteId: s.siteId, slotId: s.am })).toMatchObject({ error: { code: 'SEAT_UNAVAILABLE' } });
    expect(await chooseSlot(w.ctx, { candidateId: c, registrationId: reg.value.registrationId, siteId: s.siteId, slotId: s.pm })).toMatchObject({ ok: true });
    const again = await confirmBill(w.ctx, { candidateId: c, registrationIds: [reg.value.registrationId] });
    if (!again.ok) throw new Error(again.error.code);
    await acceptAgreement(w.ctx, { candidateId: c, billNo: again.value.bill_no });
    await startPayment(w.ctx, { candidateId: c, billNo: again.value.bill_no, channel: 'alipay', actor: 't' });
    await w.sandbox.pay(again.value.bill_no);
    await w.sandbox.deliverDueNotifications();
    expect((await w.bill(again.value.bill_no)).state).toBe('PAID');
    const seat = await w.db.selectFrom('seat').select('state').where('registration_id', '=', reg.value.registrationId).executeTakeFirstOrThrow();
    expect(seat.state).toBe('SOLD');
    // A paid registration's seat cannot be changed.
    expect(await chooseSlot(w.ctx, { candidateId: c, registrationId: reg.value.registrationId, siteId: s.siteId, slotId: s.am })).toMatchObject({ error: { code: 'REGISTRATION_ALREADY_BILLED' } });
  });

  it('REG-7: where the exam does not say so, a timed-out bill keeps the seat held', async () => {
    const s = await sitting({ seats: 1, releaseOnExpiry: false });
    const c = await s.candidate();
    const reg = await registerSubject(w.ctx, { candidateId: c, subjectId: s.engB, siteId: s.siteId, slotId: s.am });
    if (!reg.ok) throw new Error('setup');
    const bill = await confirmBill(w.ctx, { candidateId: c, registrationIds: [reg.value.registrationId] });
    if (!bill.ok) throw new Error('setup');
    w.clock.advance(31 * MINUTE);
    await closeExpiredBillsJob.execute(w.ctx);
    expect((await w.bill(bill.value.bill_no)).state).toBe('CLOSED');
    expect((await w.db.selectFrom('seat').select('state').where('registration_id', '=', reg.value.registrationId).executeTakeFirstOrThrow()).state).toBe('HELD');
    expect((await confirmBill(w.ctx, { candidateId: c, registrationIds: [reg.value.registrationId] })).ok).toBe(true);
  });
});

describe('deleting registrations (REG-5, REG-7)', () => {
  it('REG-5: a written subject cannot be deleted while its oral subject is registered; the oral can', async () => {
    const { deleteRegistration } = await import('../src/modules/registration/delete-registration.ts');
    const s = await sitting();
    const c = await s.candidate();
    const written = await registerSubject(w.ctx, { candidateId: c, subjectId: s.written });
    const oral = await registerSubject(w.ctx, { candidateId: c, subjectId: s.oral });
    if (!written.ok || !oral.ok) throw new Error('setup');
    expect(await deleteRegistration(w.ctx, { candidateId: c, registrationId: written.value.registrationId })).toMatchObject({ ok: false, error: { code: 'WRITTEN_BEFORE_ORAL' } });
    expect((await deleteRegistration(w.ctx, { candidateId: c, registrationId: oral.value.registrationId })).ok).toBe(true);
    expect((await deleteRegistration(w.ctx, { candidateId: c, registrationId: written.value.registrationId })).ok).toBe(true);
  });
});

describe('every seat hold ends (REG-6): the hold limit, as a scheduled job on a moved clock', () => {
  const seatOf = async (registrationId: bigint) => w.db.selectFrom('seat').select(['state', 'seat_no']).where('registration_id', '=', registrationId).executeTakeFirst();
  const reasonOf = async (registrationId: bigint) => (await w.db.selectFrom('registration').select(['seat_released_reason', 'site_id']).where('id', '=', registrationId).executeTakeFirstOrThrow());

  it('REG-6: a seat held by a registration with no bill goes back at the limit — not a second before — and the candidate is told to choose again', async () => {
    w.clock.set(T0);
    const s = await sitting({ seats: 1 });
    await w.db.updateTable('exam').set({ seat_hold_minutes: 60 }).where('id', '=', s.exam.examId).execute();
    const c = await s.candidate();
    const reg = await registerSubject(w.ctx, { candidateId: c, subjectId: s.engB, siteId: s.siteId, slotId: s.am });
    if (!reg.ok) throw new Error(reg.error.code);
    w.clock.advance(60 * MINUTE - 1000);
    await releaseStaleSeatHoldsJob.execute(w.ctx);
    expect(await seatOf(reg.value.registrationId)).toMatchObject({ state: 'HELD' });
    w.clock.advance(1000);
    expect(await releaseStaleSeatHoldsJob.execute(w.ctx)).toEqual({ released: 1 });
    expect(await seatOf(reg.value.registrationId)).toBeUndefined();
    expect((await reasonOf(reg.value.registrationId)).seat_released_reason).toBe('HOLD_EXPIRED');
    const listed = (await listCandidateRegistrations(w.db, c)).find((r) => r.id === reg.value.registrationId)!;
    expect(explainSeatRelease(listed.seat_released_reason!, { billTimeoutMinutes: listed.bill_timeout_minutes, seatHoldMinutes: listed.seat_hold_minutes }).zh)
      .toBe('报考后1小时内未生成缴费单，系统已释放为您保留的座位。请重新选择考试时间后再确认缴费。');
    // A bill cannot be made on the released seat; the seat is someone else's to take; choosing again works.
    expect(await confirmBill(w.ctx, { candidateId: c, registrationIds: [reg.value.registrationId] })).toMatchObject({ error: { code: 'SEAT_RELEASED' } });
    const other = await s.candidate();
    expect((await registerSubject(w.ctx, { candidateId: other, subjectId: s.engB, siteId: s.siteId, slotId: s.am })).ok).toBe(true);
    expect((await chooseSlot(w.ctx, { candidateId: c, registrationId: reg.value.registrationId, siteId: s.siteId, slotId: s.pm })).ok).toBe(true);
    expect((await reasonOf(reg.value.registrationId)).seat_released_reason).toBeNull();
    w.clock.set(T0);
  });

  it('REG-6: a registration on an open bill keeps its seat past the limit; once the bill closed unpaid (exam keeps seats on expiry) the limit applies', async () => {
    w.clock.set(T0);
    const s = await sitting({ seats: 1, releaseOnExpiry: false });
    await w.db.updateTable('exam').set({ seat_hold_minutes: 20, bill_timeout_minutes: 30 }).where('id', '=', s.exam.examId).execute();
    const c = await s.candidate();
    const reg = await registerSubject(w.ctx, { candidateId: c, subjectId: s.engB, siteId: s.siteId, slotId: s.am });
    if (!reg.ok) throw new Error(reg.error.code);
    w.clock.advance(10 * MINUTE);
    const bill = await confirmBill(w.ctx, { candidateId: c, registrationIds: [reg.value.registrationId] });
    if (!bill.ok) throw new Error(bill.error.code);
    w.clock.advance(25 * MINUTE); // hold is 35 minutes old, the bill is open
    expect(await releaseStaleSeatHoldsJob.execute(w.ctx)).toEqual({ released: 0 });
    w.clock.advance(10 * MINUTE); // the bill is past its timeout
    await closeExpiredBillsJob.execute(w.ctx);
    expect((await w.bill(bill.value.bill_no)).state).toBe('CLOSED');
    expect(await seatOf(reg.value.registrationId)).toMatchObject({ state: 'HELD' });
    expect(await releaseStaleSeatHoldsJob.execute(w.ctx)).toEqual({ released: 1 });
    expect((await reasonOf(reg.value.registrationId)).seat_released_reason).toBe('HOLD_EXPIRED');
    w.clock.set(T0);
  });

  it('REG-6: a bill confirmation racing with the release: either the bill has the seat or the seat is free and the bill refused — never a bill without its seat', async () => {
    w.clock.set(T0);
    const s = await sitting({ seats: 12 });
    await w.db.updateTable('exam').set({ seat_hold_minutes: 5 }).where('id', '=', s.exam.examId).execute();
    const regs: { c: bigint; r: bigint }[] = [];
    for (let i = 0; i < 12; i++) {
      const c = await s.candidate();
      const r = await registerSubject(w.ctx, { candidateId: c, subjectId: s.engB, siteId: s.siteId, slotId: s.am });
      if (!r.ok) throw new Error(r.error.code);
      regs.push({ c, r: r.value.registrationId });
    }
    w.clock.advance(5 * MINUTE);
    const [job, ...bills] = await Promise.all([
      releaseStaleSeatHoldsJob.execute(w.ctx),
      ...regs.map(({ c, r }) => confirmBill(w.ctx, { candidateId: c, registrationIds: [r] })),
    ]);
    let billed = 0;
    for (const [i, b] of bills.entries()) {
      const seat = await seatOf(regs[i]!.r);
      if (b.ok) {
        billed++;
        expect(seat).toMatchObject({ state: 'HELD' });
      } else {
        expect(b.error.code).toBe('SEAT_RELEASED');
        expect(seat).toBeUndefined();
      }
    }
    expect(billed + (job as { released: number }).released).toBe(12);
    // Whatever the interleaving, nothing billed is released by a later run.
    expect(await releaseStaleSeatHoldsJob.execute(w.ctx)).toEqual({ released: 0 });
    w.clock.set(T0);
  });
});

import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { postEntry } from '../src/modules/ledger/journal.ts';
import { requestPersonalRefund } from '../src/modules/refunds/personal-refund.ts';
import { describeError } from '../src/shared/errors.ts';
import { makeCandidate, makeExam, type ExamFixture } from './support/fixtures.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';
import { expectBooksBalance } from './support/books.ts';
import { paidBill, runRefundsToTheEnd, staff } from './support/refunds.ts';

let w: PaymentWorld;
/** An exam whose refund policy lets staff decide (seeds 000–003); the world's own exam says NO_PERSONAL_REFUNDS. */
let staffDecides: ExamFixture;
beforeAll(async () => {
  w = await startPaymentWorld();
  staffDecides = await makeExam(w.db, { fees: [8000n, 6500n], channels: ['alipay', 'wechatpay', 'unionpay'] });
  await w.db.updateTable('exam').set({ refund_policy: 'STAFF_DECIDES' }).where('id', '=', staffDecides.examId).execute();
});
afterAll(async () => w.close());
// PAY-11: after every test the books balance and captured = paid + refunded (+ in flight), per channel.
afterEach(async () => expectBooksBalance(w));

const counts = async () => {
  const [r] = (await sql<{ refunds: number; actions: number; notices: number }>`SELECT
    (SELECT count(*)::int FROM refund) AS refunds, (SELECT count(*)::int FROM authority_action) AS actions,
    (SELECT count(*)::int FROM candidate_notice) AS notices`.execute(w.db)).rows;
  return r!;
};
const item = (registrationId: bigint) => w.db.selectFrom('bill_item').selectAll().where('registration_id', '=', registrationId).executeTakeFirstOrThrow();

describe('refunds for personal reasons (REF-1)', () => {
  it('REF-1: where the exam says no personal refunds, the request is refused with a coded bilingual error and nothing changes', async () => {
    const c = await w.candidate();
    await paidBill(w, { candidateId: c.candidateId, registrationIds: c.registrationIds, channel: 'wechatpay' });
    const before = await counts();
    const r = await requestPersonalRefund(w.ctx, { actor: staff(w.exam, 'AUTHORITY_ADMIN'), registrationId: c.registrationIds[0]!, reason: '考生工作调动，无法参加考试' });
    expect(r).toEqual({ ok: false, error: { code: 'PERSONAL_REFUND_NOT_ALLOWED' } });
    expect(describeError('PERSONAL_REFUND_NOT_ALLOWED')).toEqual({
      status: 409, messageZh: '本考试缴费成功后，因个人原因申请退费的，一律不予退费。', messageEn: 'This exam gives no refunds for personal reasons once paid.',
    });
    expect(await counts()).toEqual(before);
    expect((await w.db.selectFrom('registration').select('status').where('id', '=', c.registrationIds[0]!).executeTakeFirstOrThrow()).status).toBe('ACTIVE');
  });

  it('REF-1: where staff decide, a request with a reason is accepted — for part of the item — the registration ends and the candidate is told', async () => {
    const c = await makeCandidate(w.db, staffDecides);
    const [first] = c.registrationIds as [bigint, bigint];
    const bill = await paidBill(w, { candidateId: c.candidateId, registrationIds: c.registrationIds, channel: 'alipay' });
    const before = await counts();
    const ask = (o: Partial<Parameters<typeof requestPersonalRefund>[1]> = {}) =>
      requestPersonalRefund(w.ctx, { actor: staff(staffDecides, 'FINANCE'), registrationId: first, reason: '考生因病住院，无法参加考试', ...o });
    expect(await ask({ actor: staff(staffDecides, 'READ_ONLY') })).toEqual({ ok: false, error: { code: 'STAFF_FORBIDDEN', details: { action: 'refund.personal' } } });
    expect(await ask({ actor: { staffId: 8n, role: 'INSTITUTION_STAFF', authorityId: staffDecides.authorityId, institutionId: null } })).toEqual({ ok: false, error: { code: 'STAFF_FORBIDDEN', details: { action: 'refund.personal' } } });
    expect(await ask({ reason: '  ' })).toEqual({ ok: false, error: { code: 'REASON_REQUIRED' } });
    expect(await ask({ amountFen: 8001n })).toEqual({ ok: false, error: { code: 'REFUND_EXCEEDS_PAID' } });
    expect(await ask({ actor: { ...staff(staffDecides, 'FINANCE'), authorityId: staffDecides.authorityId + 1000n } })).toEqual({ ok: false, error: { code: 'REGISTRATION_NOT_FOUND' } });
    expect(await counts()).toEqual(before);

    // The authority keeps 30.00 as a handling fee: 50.00 of the 80.00 goes back.
    const made = await ask({ amountFen: 5000n });
    expect(made).toMatchObject({ ok: true, value: { amountFen: 5000n, channel: 'alipay', registrationEnded: true } });
    expect(await w.db.selectFrom('registration').select(['status', 'cancelled_reason']).where('id', '=', first).executeTakeFirstOrThrow())
      .toEqual({ status: 'CANCELLED', cancelled_reason: 'REFUNDED' });
    const refund = await w.db.selectFrom('refund').selectAll().where('bill_id', '=', bill.id).executeTakeFirstOrThrow();
    expect(refund).toMatchObject({ reason: 'PERSONAL', note: '考生因病住院，无法参加考试', requested_by: 'staff:7', amount_fen: 5000n });
    const notice = await w.db.selectFrom('candidate_notice').selectAll().where('candidate_id', '=', c.candidateId).executeTakeFirstOrThrow();
    expect(notice.kind).toBe('PERSONAL_REFUND');
    expect(notice.body_zh).toContain('¥50.00');
    await runRefundsToTheEnd(w);
    expect((await w.bill(bill.bill_no)).state).toBe('PARTIALLY_REFUNDED');
    // An unpaid registration has nothing to give back.
    const unpaid = await makeCandidate(w.db, staffDecides);
    expect(await requestPersonalRefund(w.ctx, { actor: staff(staffDecides), registrationId: unpaid.registrationIds[0]!, reason: '个人原因' })).toEqual({ ok: false, error: { code: 'REGISTRATION_NOT_PAID' } });
  });
});

describe('partial refunds per item, never more than was paid (REF-4)', () => {
  it('REF-4: 10 concurrent requests of 30.00 against one 80.00 item — exactly two are made; the rest refused; then the last 20.00, then nothing', async () => {
    const c = await makeCandidate(w.db, staffDecides);
    const [first] = c.registrationIds as [bigint, bigint];
    const bill = await paidBill(w, { candidateId: c.candidateId, registrationIds: c.registrationIds, channel: 'wechatpay' });
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) =>
      requestPersonalRefund(w.ctx, { actor: staff(staffDecides, 'FINANCE', BigInt(100 + i)), registrationId: first, reason: `考生申请退费 #${i}`, amountFen: 3000n })));
    expect(results.filter((r) => r.ok)).toHaveLength(2);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.error.code)).toEqual(Array(8).fill('REFUND_EXCEEDS_PAID'));
    expect(results.filter((r) => r.ok && r.value.registrationEnded)).toHaveLength(1);
    expect((await item(first)).refunded_fen).toBe(6000n);
    const rest = await requestPersonalRefund(w.ctx, { actor: staff(staffDecides), registrationId: first, reason: '补退剩余款项' });
    expect(rest).toMatchObject({ ok: true, value: { amountFen: 2000n, registrationEnded: false } });
    expect(await requestPersonalRefund(w.ctx, { actor: staff(staffDecides), registrationId: first, reason: '再退一次', amountFen: 1n })).toEqual({ ok: false, error: { code: 'REFUND_EXCEEDS_PAID' } });
    const refunds = await w.db.selectFrom('refund').select(['refund_no', 'amount_fen']).where('bill_id', '=', bill.id).orderBy('id').execute();
    expect(refunds.map((r) => r.amount_fen)).toEqual([3000n, 3000n, 2000n]);
    expect(new Set(refunds.map((r) => r.refund_no)).size).toBe(3);
    // Three refunds of one capture at WeChat Pay, each under its own number; the other item untouched.
    await runRefundsToTheEnd(w);
    const order = w.sandbox.getOrder(bill.bill_no, { channel: 'wechatpay' })!;
    expect(order.captures[0]!.refunds.map((r) => [r.refundNo, r.amountFen]).sort()).toEqual(refunds.map((r) => [r.refund_no, r.amount_fen]).sort());
    expect((await w.bill(bill.bill_no)).state).toBe('PARTIALLY_REFUNDED');
    expect((await item(c.registrationIds[1]!)).refunded_fen).toBe(0n);
    // All items refunded in full: the bill is REFUNDED.
    expect((await requestPersonalRefund(w.ctx, { actor: staff(staffDecides), registrationId: c.registrationIds[1]!, reason: '考生放弃全部科目' })).ok).toBe(true);
    await runRefundsToTheEnd(w);
    expect((await w.bill(bill.bill_no)).state).toBe('REFUNDED');
  });

  it('REF-4: the database itself refuses more than was paid per item, even from writers that take no lock at all', async () => {
    const c = await makeCandidate(w.db, staffDecides);
    const second = c.registrationIds[1]!; // 65.00
    const bill = await paidBill(w, { candidateId: c.candidateId, registrationIds: c.registrationIds, channel: 'alipay' });
    const capture = await w.db.selectFrom('channel_payment').selectAll().where('bill_id', '=', bill.id).executeTakeFirstOrThrow();
    const it6500 = await item(second);
    // Six writers, each its own transaction and no bill lock, each giving back 30.00 of the 65.00 item.
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => w.db.transaction().execute(async (trx) => {
      const refund = await trx.insertInto('refund').values({
        refund_no: `${bill.bill_no}X${i}`, bill_id: bill.id, channel_payment_id: capture.id, channel: 'alipay', amount_fen: 3000n,
        reason: 'PERSONAL', note: 'raw writer', bill_item_id: it6500.id, next_attempt_at: w.clock.now(), created_at: w.clock.now(),
      }).returning('id').executeTakeFirstOrThrow();
      await postEntry(trx, { kind: 'REFUND_DECIDED', at: w.clock.now(), channel: 'alipay', sittingId: bill.sitting_id, billId: bill.id, amountFen: 3000n, refundId: refund.id });
    })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    for (const r of results.filter((x): x is PromiseRejectedResult => x.status === 'rejected')) {
      expect((r.reason as { constraint?: string }).constraint).toBe('bill_item_refund_within_paid');
    }
    expect((await item(second)).refunded_fen).toBe(6000n);
    // Money that paid a bill goes back only item by item, and only from the capture that paid it.
    await expect(w.db.insertInto('refund').values({
      refund_no: `${bill.bill_no}Y1`, bill_id: bill.id, channel_payment_id: capture.id, channel: 'alipay', amount_fen: 100n,
      reason: 'DUPLICATE_PAYMENT', next_attempt_at: w.clock.now(), created_at: w.clock.now(),
    }).execute()).rejects.toThrow(/without naming the item/);
    // A refund's amount and target never change once written, and it is never deleted.
    await expect(sql`UPDATE refund SET amount_fen = 1 WHERE refund_no = ${`${bill.bill_no}X0`} OR refund_no = ${`${bill.bill_no}X1`}`.execute(w.db)).rejects.toThrow(/cannot change/);
    await expect(sql`DELETE FROM refund WHERE bill_id = ${bill.id}`.execute(w.db)).rejects.toThrow(/append-only/);
    // The two that got in are real refunds: they go back through Alipay like any other.
    await runRefundsToTheEnd(w);
    const done = await w.db.selectFrom('refund').select('state').where('bill_id', '=', bill.id).execute();
    expect(done.map((d) => d.state)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
  });
});

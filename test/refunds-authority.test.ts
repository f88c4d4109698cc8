import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { confirmBill } from '../src/modules/billing/confirm-bill.ts';
import { loadConfiguration } from '../src/modules/exams/load-configuration.ts';
import { endRegistrationByAuthority } from '../src/modules/refunds/authority-cancel.ts';
import { listRefunds, refundDetail, refundTotals } from '../src/modules/refunds/refund-queries.ts';
import { retryFailedRefund } from '../src/modules/refunds/retry-refund.ts';
import { cancelSubject, listAuthorityActions } from '../src/modules/refunds/sitting-cancel.ts';
import { registerSubject } from '../src/modules/registration/register-subject.ts';
import { registrationOptions } from '../src/modules/registration/registration-options.ts';
import { readConfiguration, seedConfigurationFiles } from '../src/demo/seed-configurations.ts';
import { Browser } from './support/http.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';
import { expectBooksBalance } from './support/books.ts';
import { paidBill, runRefundsToTheEnd, staff, startBill } from './support/refunds.ts';

let w: PaymentWorld;
/** Money a test refunded at the channel behind ExamPay's back (the merchant portal), per channel. */
const refundedOutside: Record<string, bigint> = {};
beforeAll(async () => {
  w = await startPaymentWorld();
});
afterAll(async () => w.close());
// PAY-11: after every test the books balance and captured = paid + refunded (+ in flight), per channel.
afterEach(async () => expectBooksBalance(w, { refundedOutside }));

async function signedIn(c: { idNumber: string; password: string }, authority = w.exam.authorityCode): Promise<Browser> {
  const b = new Browser(w.app);
  expect((await b.signIn(authority, c.idNumber, c.password)).status).toBe(200);
  return b;
}

const registration = (id: bigint) => w.db.selectFrom('registration').selectAll().where('id', '=', id).executeTakeFirstOrThrow();

describe('the authority cancels or changes one registration (REF-2, REF-4)', () => {
  let candidate: Awaited<ReturnType<PaymentWorld['candidate']>>;
  let billNo: string;

  it('REF-2/REF-4: cancelling one paid subject of a two-subject bill gives that item\'s fee back through the capture that paid it; the candidate is told', async () => {
    candidate = await w.candidate();
    const bill = await paidBill(w, { candidateId: candidate.candidateId, registrationIds: candidate.registrationIds, channel: 'alipay' });
    billNo = bill.bill_no;
    const [first, second] = candidate.registrationIds as [bigint, bigint];

    const ended = await endRegistrationByAuthority(w.ctx, { actor: staff(w.exam), registrationId: first, kind: 'CANCEL_REGISTRATION', note: '考点停用，无法安排考试' });
    expect(ended.ok).toBe(true);
    if (!ended.ok) return;
    expect(ended.value.cancelled).toEqual([first]);
    expect(ended.value.refunds.map((r) => [r.amount_fen, r.channel])).toEqual([[8000n, 'alipay']]);

    const refund = await w.db.selectFrom('refund').selectAll().where('bill_id', '=', bill.id).executeTakeFirstOrThrow();
    const capture = await w.db.selectFrom('channel_payment').selectAll().where('bill_id', '=', bill.id).executeTakeFirstOrThrow();
    const item = await w.db.selectFrom('bill_item').selectAll().where('registration_id', '=', first).executeTakeFirstOrThrow();
    expect(refund).toMatchObject({ reason: 'AUTHORITY_CANCEL', state: 'PENDING', bill_item_id: item.id, channel_payment_id: capture.id, requested_by: 'staff:7', note: '考点停用，无法安排考试' });
    expect(item.refunded_fen).toBe(8000n);
    // PAY-11: owed from the moment it was decided.
    const decided = await w.db.selectFrom('journal_entry').select('kind').where('refund_id', '=', refund.id).execute();
    expect(decided.map((d) => d.kind)).toEqual(['REFUND_DECIDED']);
    expect(await registration(first)).toMatchObject({ status: 'CANCELLED', cancelled_reason: 'AUTHORITY_CANCELLED' });
    expect(await registration(second)).toMatchObject({ status: 'ACTIVE' });
    expect((await w.bill(billNo)).state).toBe('PAID');

    // The refund job sends it to the original channel and the bill says part of it went back.
    await runRefundsToTheEnd(w);
    expect((await w.db.selectFrom('refund').select('state').where('id', '=', refund.id).executeTakeFirstOrThrow()).state).toBe('SUCCEEDED');
    const order = w.sandbox.getOrder(billNo, { channel: 'alipay' })!;
    expect(order.captures.map((c) => [c.captureNo, c.refunds.map((r) => [r.refundNo, r.amountFen])])).toEqual([[capture.channel_trade_no, [[refund.refund_no, 8000n]]]]);
    const after = await w.bill(billNo);
    expect(after.state).toBe('PARTIALLY_REFUNDED');
    const history = await w.db.selectFrom('bill_transition').select(['from_state', 'to_state', 'cause']).where('bill_id', '=', bill.id).orderBy('id').execute();
    expect(history.at(-1)).toEqual({ from_state: 'PAID', to_state: 'PARTIALLY_REFUNDED', cause: 'PARTIALLY_REFUNDED' });

    // What the candidate sees: the notice, and the bill with its refund explained.
    const b = await signedIn(candidate);
    const notices = (await b.get('/api/v1/notices')).body;
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ kind: 'CANCEL_REGISTRATION', refunds: [{ refundNo: refund.refund_no, amountFen: 8000, channel: 'alipay', state: 'SUCCEEDED', stateLabel: { zh: '已退款' } }] });
    expect(notices[0].title.zh).toContain('取消');
    expect(notices[0].body.zh).toContain('考点停用，无法安排考试');
    expect(notices[0].body.zh).toContain(`科目0：退还 ¥80.00，经支付宝原路退回（退款单号 ${refund.refund_no}）`);
    expect(notices[0].body.en).toContain('Alipay');
    const view = (await b.get(`/api/v1/bills/${billNo}`)).body;
    expect(view.state).toBe('PARTIALLY_REFUNDED');
    expect(view.stateLabel.zh).toBe('部分退费');
    expect(view.items.map((i: { refundedFen: number }) => i.refundedFen)).toEqual([8000, 0]);
    expect(view.refunds).toHaveLength(1);
    expect(view.refunds[0]).toMatchObject({ refundNo: refund.refund_no, registrationId: String(first), subjectName: '科目0', state: 'SUCCEEDED', reasonLabel: { zh: '考试机构取消报考退费' }, channelLabel: { zh: '支付宝' } });
    expect(view.refunds[0].explanation.zh).toContain('已于');
    expect(view.explanation.zh).toContain('¥80.00 科目费用已原路退回');
  });

  it('REF-2: the same decision twice changes nothing; the second subject changed by the authority goes back too and the bill is REFUNDED', async () => {
    const [first, second] = candidate.registrationIds as [bigint, bigint];
    const again = await endRegistrationByAuthority(w.ctx, { actor: staff(w.exam), registrationId: first, kind: 'CANCEL_REGISTRATION', note: '再次取消' });
    expect(again).toEqual({ ok: false, error: { code: 'REGISTRATION_ENDED' } });
    const changed = await endRegistrationByAuthority(w.ctx, { actor: staff(w.exam), registrationId: second, kind: 'CHANGE_REGISTRATION', note: '考区修改报考类别' });
    expect(changed.ok && changed.value.refunds.map((r) => r.amount_fen)).toEqual([6500n]);
    expect(await registration(second)).toMatchObject({ status: 'CANCELLED', cancelled_reason: 'AUTHORITY_CHANGED' });
    await runRefundsToTheEnd(w);
    expect((await w.bill(billNo)).state).toBe('REFUNDED');
    const refunds = await w.db.selectFrom('refund').select(['amount_fen', 'state']).where('bill_id', '=', (await w.bill(billNo)).id).orderBy('id').execute();
    expect(refunds).toEqual([{ amount_fen: 8000n, state: 'SUCCEEDED' }, { amount_fen: 6500n, state: 'SUCCEEDED' }]);
    const notices = (await (await signedIn(candidate)).get('/api/v1/notices')).body;
    expect(notices.map((n: { kind: string }) => n.kind)).toEqual(['CHANGE_REGISTRATION', 'CANCEL_REGISTRATION']);
    expect(notices[0].body.zh).toContain('如您仍符合报考条件');
  });

  it('REF-2/ADM-4: only an authority administrator decides, with a reason, inside its own authority; the decision is in the audit log, refusals are not', async () => {
    const c = await w.candidate();
    const id = c.registrationIds[0]!;
    const audited = () => w.db.selectFrom('audit_log').selectAll().where('object_type', '=', 'registration').where('object_id', '=', String(id)).execute();
    expect(await endRegistrationByAuthority(w.ctx, { actor: staff(w.exam, 'FINANCE'), registrationId: id, kind: 'CANCEL_REGISTRATION', note: '原因' })).toEqual({ ok: false, error: { code: 'STAFF_FORBIDDEN', details: { action: 'registration.cancel' } } });
    expect(await endRegistrationByAuthority(w.ctx, { actor: staff(w.exam), registrationId: id, kind: 'CANCEL_REGISTRATION', note: ' ' })).toEqual({ ok: false, error: { code: 'REASON_REQUIRED' } });
    expect(await endRegistrationByAuthority(w.ctx, { actor: { ...staff(w.exam), authorityId: w.exam.authorityId + 1000n }, registrationId: id, kind: 'CANCEL_REGISTRATION', note: '原因' }))
      .toEqual({ ok: false, error: { code: 'REGISTRATION_NOT_FOUND' } });
    expect(await registration(id)).toMatchObject({ status: 'ACTIVE' });
    expect(await audited()).toEqual([]);
    const byAdmin = await endRegistrationByAuthority(w.ctx, { actor: staff(w.exam, 'AUTHORITY_ADMIN', 8n), registrationId: id, kind: 'CANCEL_REGISTRATION', note: '报名信息核验不通过', ip: '203.0.113.9' });
    expect(byAdmin.ok && byAdmin.value.refunds).toEqual([]);
    const [entry, ...more] = await audited();
    expect(more).toEqual([]);
    expect(entry).toMatchObject({
      action: 'registration.cancel', actor_type: 'STAFF', actor_id: 8n, actor_role: 'AUTHORITY_ADMIN', authority_id: w.exam.authorityId, outcome: 'SUCCESS', ip: '203.0.113.9',
      summary: { before: { status: 'ACTIVE', paid: false }, after: { status: 'CANCELLED', cancelledReason: 'AUTHORITY_CANCELLED' }, actionId: String(byAdmin.ok && byAdmin.value.actionId), refunds: [] },
    });
    // The reason staff typed is on the decision and the notice, not in the log.
    expect(JSON.stringify(entry!.summary)).not.toContain('报名信息核验不通过');
    const notices = (await (await signedIn(c)).get('/api/v1/notices')).body;
    expect(notices[0].body.zh).toContain('未缴费，无需退款');
  });
});

describe('an open bill holding a registration the authority cancels (REF-2)', () => {
  it('REF-2: the channel order is closed first, then the bill (AUTHORITY_CANCELLED); nothing to refund; the other subject can go on a new bill', async () => {
    const c = await w.candidate();
    const bill = await startBill(w, { candidateId: c.candidateId, registrationIds: c.registrationIds, channel: 'wechatpay' });
    expect(bill.state).toBe('PAYING');
    const ended = await endRegistrationByAuthority(w.ctx, { actor: staff(w.exam), registrationId: c.registrationIds[0]!, kind: 'CANCEL_REGISTRATION', note: '报考信息有误' });
    expect(ended.ok && ended.value).toMatchObject({ refunds: [], billsClosed: [bill.bill_no] });
    const closed = await w.bill(bill.bill_no);
    expect(closed).toMatchObject({ state: 'CLOSED', closed_cause: 'AUTHORITY_CANCELLED' });
    // Asked the channel first: the order is closed there, so the QR can take no money.
    expect(w.sandbox.getOrder(bill.bill_no, { channel: 'wechatpay' })!.state).toBe('CLOSED');
    expect((await w.sandbox.pay(bill.bill_no, { channel: 'wechatpay' })).ok).toBe(false);
    const attempts = await w.db.selectFrom('payment_attempt').select('state').where('bill_id', '=', bill.id).execute();
    expect(attempts).toEqual([{ state: 'CLOSED' }]);
    // The other registration is free again for a new bill.
    const again = await confirmBill(w.ctx, { candidateId: c.candidateId, registrationIds: [c.registrationIds[1]!] });
    expect(again.ok).toBe(true);
    const b = await signedIn(c);
    const view = (await b.get(`/api/v1/bills/${bill.bill_no}`)).body;
    expect(view.explanation.zh).toContain('考试机构取消或变更');
    const [notice] = (await b.get('/api/v1/notices')).body;
    expect(notice.body.zh).toContain(`未缴费，无需退款；缴费单 ${bill.bill_no} 已关闭`);
  });

  it('REF-2/PAY-8: when the channel cannot be reached to close the order, the bill closes anyway and a payment that still comes is refunded by itself', async () => {
    const c = await w.candidate();
    const bill = await startBill(w, { candidateId: c.candidateId, registrationIds: c.registrationIds, channel: 'alipay' });
    w.sandbox.setFaults(bill.bill_no, { apiDown: 'error' });
    const ended = await endRegistrationByAuthority(w.ctx, { actor: staff(w.exam), registrationId: c.registrationIds[0]!, kind: 'CANCEL_REGISTRATION', note: '考区调整' });
    expect(ended.ok).toBe(true);
    expect((await w.bill(bill.bill_no)).state).toBe('CLOSED');
    w.sandbox.setFaults(bill.bill_no, {});
    // The payer had the QR open and pays now.
    expect((await w.sandbox.pay(bill.bill_no)).ok).toBe(true);
    await w.sandbox.deliverDueNotifications();
    const capture = await w.db.selectFrom('channel_payment').select('outcome').where('bill_id', '=', bill.id).executeTakeFirstOrThrow();
    expect(capture.outcome).toBe('LATE');
    await runRefundsToTheEnd(w);
    const refund = await w.db.selectFrom('refund').select(['reason', 'state', 'amount_fen']).where('bill_id', '=', bill.id).executeTakeFirstOrThrow();
    expect(refund).toEqual({ reason: 'LATE_PAYMENT', state: 'SUCCEEDED', amount_fen: bill.amount_fen });
  });
});

describe('seats, subjects and UnionPay (seed 000 统考, REF-2)', () => {
  let loaded: NonNullable<Awaited<ReturnType<typeof loadConfiguration>>>;
  const config = readConfiguration(seedConfigurationFiles().find((f) => f.endsWith('000-tongkao.json'))!);
  const idOf = async (name: string) => (await w.db.selectFrom('candidate').select('id').where('name', '=', name).where('exam_id', '=', loaded.examId).executeTakeFirstOrThrow()).id;
  const subjectId = async (code: string) => (await w.db.selectFrom('subject').select('id').where('code', '=', code).where('sitting_id', '=', loaded.sittingId).executeTakeFirstOrThrow()).id;
  /** Registers with the first site and slot that has a free seat. */
  async function registerWithSeat(candidateId: bigint, code: string): Promise<bigint> {
    const options = await registrationOptions(w.db, { candidateId, sittingId: loaded.sittingId, now: w.clock.now() });
    const subject = options!.subjects.find((s) => s.code === code)!;
    const choice = subject.choices.find((ch) => ch.free > 0)!;
    const r = await registerSubject(w.ctx, { candidateId, subjectId: subject.id, siteId: choice.site_id, slotId: choice.slot_id });
    if (!r.ok) throw new Error(r.error.code);
    return r.value.registrationId;
  }
  const seatOf = (registrationId: bigint) => w.db.selectFrom('seat').select(['state']).where('registration_id', '=', registrationId).executeTakeFirst();

  beforeAll(async () => {
    loaded = (await loadConfiguration(w.ctx, config, w.clock.now()))!;
  });

  it('REF-2: the authority changes a paid registration: its sold seat goes back (CHANGED) and the fee comes back through UnionPay', async () => {
    const candidateId = await idOf('王强');
    const reg = await registerWithSeat(candidateId, 'ENG-B');
    const bill = await paidBill(w, { candidateId, registrationIds: [reg], channel: 'unionpay' });
    expect((await seatOf(reg))?.state).toBe('SOLD');
    const changed = await endRegistrationByAuthority(w.ctx, { actor: staff(loaded), registrationId: reg, kind: 'CHANGE_REGISTRATION', note: '考生所在学习中心变更' });
    expect(changed.ok).toBe(true);
    expect(await seatOf(reg)).toBeUndefined();
    expect(await registration(reg)).toMatchObject({ status: 'CANCELLED', cancelled_reason: 'AUTHORITY_CHANGED', seat_released_reason: 'CHANGED' });
    await runRefundsToTheEnd(w);
    const refund = await w.db.selectFrom('refund').select(['channel', 'state', 'amount_fen']).where('bill_id', '=', bill.id).executeTakeFirstOrThrow();
    expect(refund).toEqual({ channel: 'unionpay', state: 'SUCCEEDED', amount_fen: 7000n });
    expect((await w.bill(bill.bill_no)).state).toBe('REFUNDED');
    // 000 needs no approval: still eligible, 王强 registers again (the seat is free again too).
    expect((await registerSubject(w.ctx, { candidateId, subjectId: await subjectId('ENG-B'), siteId: (await registration(reg)).site_id!, slotId: (await registration(reg)).slot_id! })).ok).toBe(true);
  });

  it('REF-2: cancelling a subject ends its registrations in the background job — the paid one refunded, the unpaid one\'s held seat freed — and nobody can register it any more', async () => {
    const paidId = await idOf('张伟');
    const unpaidId = await idOf('陈静');
    const paidReg = await registerWithSeat(paidId, 'COMPUTER');
    const otherReg = await registerWithSeat(paidId, 'MATH-1');
    const unpaidReg = await registerWithSeat(unpaidId, 'COMPUTER');
    const bill = await paidBill(w, { candidateId: paidId, registrationIds: [paidReg, otherReg], channel: 'unionpay' });

    const readOnly = await cancelSubject(w.ctx, { actor: staff(loaded, 'READ_ONLY'), subjectId: await subjectId('COMPUTER'), note: '本科目停考' });
    expect(readOnly).toEqual({ ok: false, error: { code: 'STAFF_FORBIDDEN', details: { action: 'sitting.cancel' } } });
    const started = await cancelSubject(w.ctx, { actor: staff(loaded), subjectId: await subjectId('COMPUTER'), note: '本科目停考' });
    expect(started.ok && started.value.state).toBe('RUNNING');
    expect(await cancelSubject(w.ctx, { actor: staff(loaded), subjectId: await subjectId('COMPUTER'), note: '本科目停考' })).toEqual({ ok: false, error: { code: 'ALREADY_CANCELLED' } });
    // From this commit on, the subject can be neither registered nor put on a bill.
    const wang = await idOf('王强');
    const refused = await registerSubject(w.ctx, { candidateId: wang, subjectId: await subjectId('COMPUTER') });
    expect(refused).toMatchObject({ ok: false, error: { code: 'SUBJECT_CANCELLED' } });
    expect(await confirmBill(w.ctx, { candidateId: unpaidId, registrationIds: [unpaidReg] })).toMatchObject({ ok: false, error: { code: 'SUBJECT_CANCELLED' } });

    await runRefundsToTheEnd(w); // the jobs: the cancellation runs first, its refunds go out after
    const actions = await listAuthorityActions(w.db, { sittingId: loaded.sittingId });
    expect(actions[0]).toMatchObject({ kind: 'CANCEL_SUBJECT', state: 'DONE', cancelled_registrations: 2, refunds_created: 1, registrations_left: 0 });
    expect(await registration(paidReg)).toMatchObject({ status: 'CANCELLED', cancelled_reason: 'AUTHORITY_CANCELLED', seat_released_reason: 'CANCELLED' });
    expect(await registration(unpaidReg)).toMatchObject({ status: 'CANCELLED', cancelled_reason: 'AUTHORITY_CANCELLED', seat_released_reason: 'CANCELLED' });
    expect(await registration(otherReg)).toMatchObject({ status: 'ACTIVE' });
    expect(await seatOf(paidReg)).toBeUndefined();
    expect(await seatOf(unpaidReg)).toBeUndefined();
    expect((await seatOf(otherReg))?.state).toBe('SOLD');
    expect((await w.bill(bill.bill_no)).state).toBe('PARTIALLY_REFUNDED');
    const refund = await w.db.selectFrom('refund').select(['amount_fen', 'state', 'channel']).where('bill_id', '=', bill.id).execute();
    expect(refund).toEqual([{ amount_fen: 8000n, state: 'SUCCEEDED', channel: 'unionpay' }]);
    const notices = await w.db.selectFrom('candidate_notice').select(['candidate_id', 'kind', 'body_zh']).where('action_id', '=', started.ok ? started.value.id : 0n).orderBy('candidate_id').execute();
    expect(notices.map((n) => [n.candidate_id, n.kind])).toEqual([[paidId, 'CANCEL_SUBJECT'], [unpaidId, 'CANCEL_SUBJECT']].sort((a, b) => Number((a[0] as bigint) - (b[0] as bigint))));
    expect(notices.find((n) => n.candidate_id === paidId)!.body_zh).toContain('经银联（银行卡）原路退回');
    expect(notices.find((n) => n.candidate_id === unpaidId)!.body_zh).toContain('未缴费，无需退款');
  });
});

describe('refund states for staff (REF-4), and a refund the channel refuses', () => {
  it('REF-4: staff list, look up and total refunds; a refused refund is FAILED, flagged, explained, and can be sent again', async () => {
    const c = await w.candidate();
    const bill = await paidBill(w, { candidateId: c.candidateId, registrationIds: c.registrationIds, channel: 'alipay' });
    const capture = await w.db.selectFrom('channel_payment').selectAll().where('bill_id', '=', bill.id).executeTakeFirstOrThrow();
    // Someone refunded most of the payment in the merchant portal, behind ExamPay's back.
    const portal = await w.ctx.channels.get('alipay')!.refund({ billNo: bill.bill_no, refundNo: `${bill.bill_no}P1`, channelTradeNo: capture.channel_trade_no, amountFen: 10_000n, reason: 'portal' });
    expect(portal.status).toBe('SUCCEEDED');
    refundedOutside.alipay = (refundedOutside.alipay ?? 0n) + 10_000n;

    const ended = await endRegistrationByAuthority(w.ctx, { actor: staff(w.exam), registrationId: c.registrationIds[0]!, kind: 'CANCEL_REGISTRATION', note: '考点停用' });
    if (!ended.ok) throw new Error(ended.error.code);
    const refundNo = ended.value.refunds[0]!.refund_no;
    await runRefundsToTheEnd(w);
    const failed = await refundDetail(w.db, { refundNo });
    expect(failed).toMatchObject({ refund_no: refundNo, state: 'FAILED', reason: 'AUTHORITY_CANCEL', subject_name: '科目0', bill_no: bill.bill_no, capture_outcome: 'SETTLED', requested_by: 'staff:7' });
    expect(failed!.flagged_at).not.toBeNull();
    expect(failed!.last_error).toContain('REFUND_EXCEEDS_PAID');
    expect(await refundDetail(w.db, { refundNo, authorityId: w.exam.authorityId + 1000n })).toBeUndefined();
    const flagged = await listRefunds(w.db, { authorityId: w.exam.authorityId, flaggedOnly: true });
    expect(flagged.map((r) => r.refund_no)).toContain(refundNo);
    const byState = await listRefunds(w.db, { sittingId: w.exam.sittingId, states: ['FAILED'], reasons: ['AUTHORITY_CANCEL', 'AUTHORITY_CHANGE'] });
    expect(byState.map((r) => r.refund_no)).toContain(refundNo);
    expect(byState.every((r) => r.state === 'FAILED' && r.sitting_id === w.exam.sittingId)).toBe(true);
    expect(await listRefunds(w.db, { sittingId: w.exam.sittingId, states: ['FAILED'], reasons: ['DUPLICATE_PAYMENT'] })).toEqual([]);
    const totals = await refundTotals(w.db, { sittingId: w.exam.sittingId });
    expect(totals.find((t) => t.state === 'FAILED' && t.reason === 'AUTHORITY_CANCEL')).toEqual({ state: 'FAILED', reason: 'AUTHORITY_CANCEL', count: 1, amountFen: 8000n });

    // The candidate is told a person is on it.
    const view = (await (await signedIn(c)).get(`/api/v1/bills/${bill.bill_no}`)).body;
    expect(view.refunds[0].state).toBe('FAILED');
    expect(view.refunds[0].explanation.zh).toContain('已转交工作人员处理');
    expect(view.explanation.zh).toContain('未能自动退回');

    // Staff send it again once they think the cause is fixed; the channel still refuses, and says so again.
    expect(await retryFailedRefund(w.ctx, { actor: staff(w.exam, 'READ_ONLY'), refundNo })).toEqual({ ok: false, error: { code: 'STAFF_FORBIDDEN', details: { action: 'refund.retry' } } });
    expect(await retryFailedRefund(w.ctx, { actor: staff(w.exam, 'FINANCE'), refundNo })).toEqual({ ok: true, value: { refundNo } });
    expect(await retryFailedRefund(w.ctx, { actor: staff(w.exam, 'FINANCE'), refundNo })).toEqual({ ok: false, error: { code: 'REFUND_NOT_FAILED' } });
    expect((await refundDetail(w.db, { refundNo }))!.state).toBe('PENDING');
    await runRefundsToTheEnd(w);
    expect((await refundDetail(w.db, { refundNo }))!.state).toBe('FAILED');
    expect(await retryFailedRefund(w.ctx, { actor: staff(w.exam), refundNo: 'nope' })).toEqual({ ok: false, error: { code: 'REFUND_NOT_FOUND' } });
  });
});

import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readConfiguration, seedConfigurationFiles } from '../src/demo/seed-configurations.ts';
import { confirmBill } from '../src/modules/billing/confirm-bill.ts';
import { loadConfiguration, type LoadedExam } from '../src/modules/exams/load-configuration.ts';
import { endRegistrationByAuthority } from '../src/modules/refunds/authority-cancel.ts';
import { requestPersonalRefund } from '../src/modules/refunds/personal-refund.ts';
import { decideRepayment, listAwaitingRepayment } from '../src/modules/refunds/repayment-approval.ts';
import { registerSubject } from '../src/modules/registration/register-subject.ts';
import { registrationOptions } from '../src/modules/registration/registration-options.ts';
import { HOUR } from '../src/shared/clock.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';
import { expectBooksBalance } from './support/books.ts';
import { paidBill, runRefundsToTheEnd, staff } from './support/refunds.ts';

let w: PaymentWorld;
let nm004: LoadedExam;
let hn003: LoadedExam;
const seed = (suffix: string) => readConfiguration(seedConfigurationFiles().find((f) => f.endsWith(suffix))!);
beforeAll(async () => {
  w = await startPaymentWorld();
  nm004 = (await loadConfiguration(w.ctx, seed('004-national-medical.json'), w.clock.now()))!;
  hn003 = (await loadConfiguration(w.ctx, seed('003-hunan-medical.json'), w.clock.now()))!;
});
afterAll(async () => w.close());
// PAY-11: after every test the books balance and captured = paid + refunded (+ in flight), per channel.
afterEach(async () => expectBooksBalance(w));

const candidate = async (exam: LoadedExam, name: string) =>
  (await w.db.selectFrom('candidate').select('id').where('exam_id', '=', exam.examId).where('name', '=', name).executeTakeFirstOrThrow()).id;
const subject = async (exam: LoadedExam, code: string) =>
  (await w.db.selectFrom('subject').select('id').where('sitting_id', '=', exam.sittingId).where('code', '=', code).executeTakeFirstOrThrow()).id;
async function register(exam: LoadedExam, candidateId: bigint, code: string) {
  return registerSubject(w.ctx, { candidateId, subjectId: await subject(exam, code) });
}
async function registerAndPay(exam: LoadedExam, candidateId: bigint, code: string, channel: string): Promise<bigint> {
  const r = await register(exam, candidateId, code);
  if (!r.ok) throw new Error(r.error.code);
  await paidBill(w, { candidateId, registrationIds: [r.value.registrationId], channel });
  return r.value.registrationId;
}

describe('paying again after a refund, seed 004 国家医学考试 (REF-1, REF-3)', () => {
  it('REF-1: no refund for personal reasons once paid (因个人原因申请退费的，一律不予退费)', async () => {
    const wu = await candidate(nm004, '吴昊');
    const reg = await registerAndPay(nm004, wu, 'LC-ZY', 'wechatpay');
    expect(await requestPersonalRefund(w.ctx, { actor: staff(nm004), registrationId: reg, reason: '考生个人原因放弃考试' })).toEqual({ ok: false, error: { code: 'PERSONAL_REFUND_NOT_ALLOWED' } });
  });

  it('REF-3: after the authority changes a registration and refunds it, the candidate registers and pays again only once the authority approves (经考区同意)', async () => {
    const wu = await candidate(nm004, '吴昊');
    const reg = (await w.db.selectFrom('registration').select('id').where('candidate_id', '=', wu).where('status', '=', 'ACTIVE').executeTakeFirstOrThrow()).id;
    const changed = await endRegistrationByAuthority(w.ctx, { actor: staff(nm004), registrationId: reg, kind: 'CHANGE_REGISTRATION', note: '考区修改报考类别为临床执业助理医师' });
    expect(changed.ok).toBe(true);
    const notice = await w.db.selectFrom('candidate_notice').select('body_zh').where('candidate_id', '=', wu).executeTakeFirstOrThrow();
    expect(notice.body_zh).toContain('并须经考区同意');
    await runRefundsToTheEnd(w);

    // Not before approval — whichever category: the change may be to another one.
    expect(await register(nm004, wu, 'LC-ZL')).toMatchObject({ ok: false, error: { code: 'REPAYMENT_APPROVAL_REQUIRED' } });
    expect(await register(nm004, wu, 'LC-ZY')).toMatchObject({ ok: false, error: { code: 'REPAYMENT_APPROVAL_REQUIRED' } });
    const options = await registrationOptions(w.db, { candidateId: wu, sittingId: nm004.sittingId, now: w.clock.now() });
    expect(options!.subjects.find((s) => s.code === 'LC-ZL')!.verdict).toEqual({ ok: false, code: 'REPAYMENT_APPROVAL_REQUIRED' });
    const queue = await listAwaitingRepayment(w.db, { sittingId: nm004.sittingId });
    expect(queue.map((q) => [q.registration_id, q.candidate_name, q.subject_code])).toEqual([[reg, '吴昊', 'LC-ZY']]);

    // Only the authority's administrators approve, and only refunded registrations.
    expect(await decideRepayment(w.ctx, { actor: staff(nm004, 'FINANCE'), registrationId: reg, approve: true })).toEqual({ ok: false, error: { code: 'STAFF_FORBIDDEN', details: { action: 'repayment.decide' } } });
    const other = await register(nm004, await candidate(nm004, '郑雪'), 'ZY-ZY');
    expect(await decideRepayment(w.ctx, { actor: staff(nm004), registrationId: other.ok ? other.value.registrationId : 0n, approve: true })).toEqual({ ok: false, error: { code: 'REPAYMENT_NOT_AWAITING' } });
    expect(await decideRepayment(w.ctx, { actor: staff(nm004), registrationId: reg, approve: false, note: '材料不全' })).toEqual({ ok: true, value: { registrationId: reg, status: 'REJECTED' } });
    expect(await register(nm004, wu, 'LC-ZL')).toMatchObject({ ok: false, error: { code: 'REPAYMENT_APPROVAL_REQUIRED' } });
    expect(await decideRepayment(w.ctx, { actor: staff(nm004), registrationId: reg, approve: true, note: '材料已补齐' })).toEqual({ ok: true, value: { registrationId: reg, status: 'APPROVED' } });
    expect(await listAwaitingRepayment(w.db, { sittingId: nm004.sittingId })).toEqual([]);

    // Approved and still qualified (audit PASSED): registers the new category and pays again.
    const again = await registerAndPay(nm004, wu, 'LC-ZL', 'unionpay');
    expect(again).not.toBe(reg);
    const regs = await w.db.selectFrom('registration').select(['id', 'status', 'cancelled_reason']).where('candidate_id', '=', wu).orderBy('id').execute();
    expect(regs).toEqual([{ id: reg, status: 'CANCELLED', cancelled_reason: 'AUTHORITY_CHANGED' }, { id: again, status: 'ACTIVE', cancelled_reason: null }]);
  });

  it('REF-3: a second refund needs a second approval; and once registration has closed, approval does not reopen it', async () => {
    const wu = await candidate(nm004, '吴昊');
    const current = (await w.db.selectFrom('registration').select('id').where('candidate_id', '=', wu).where('status', '=', 'ACTIVE').executeTakeFirstOrThrow()).id;
    expect((await endRegistrationByAuthority(w.ctx, { actor: staff(nm004), registrationId: current, kind: 'CANCEL_REGISTRATION', note: '考点调整' })).ok).toBe(true);
    await runRefundsToTheEnd(w);
    expect(await register(nm004, wu, 'LC-ZL')).toMatchObject({ ok: false, error: { code: 'REPAYMENT_APPROVAL_REQUIRED' } });
    expect((await decideRepayment(w.ctx, { actor: staff(nm004), registrationId: current, approve: true })).ok).toBe(true);
    w.clock.advance(4 * 24 * HOUR); // 004's registration window closes at P3D
    expect(await register(nm004, wu, 'LC-ZL')).toMatchObject({ ok: false, error: { code: 'WINDOW_CLOSED' } });
    w.clock.advance(-4 * 24 * HOUR);
  });

  it('REF-3: one whose qualification no longer passes cannot pay again after the refund (资格审核由通过变为不通过的，退费后不能再缴费)', async () => {
    const he = await candidate(nm004, '何丽君');
    const reg = await registerAndPay(nm004, he, 'KQ-ZY', 'alipay');
    expect((await endRegistrationByAuthority(w.ctx, { actor: staff(nm004), registrationId: reg, kind: 'CHANGE_REGISTRATION', note: '考区复核报考信息' })).ok).toBe(true);
    await w.db.updateTable('candidate_audit').set({ status: 'REJECTED' }).where('candidate_id', '=', he).where('sitting_id', '=', nm004.sittingId).execute();
    expect((await decideRepayment(w.ctx, { actor: staff(nm004), registrationId: reg, approve: true })).ok).toBe(true);
    const again = await register(nm004, he, 'KQ-ZY');
    expect(again.ok).toBe(true);
    const bill = await confirmBill(w.ctx, { candidateId: he, registrationIds: [again.ok ? again.value.registrationId : 0n] });
    expect(bill).toEqual({ ok: false, error: { code: 'AUDIT_NOT_PASSED', details: { auditStatus: 'REJECTED' } } });
    await runRefundsToTheEnd(w);
  });
});

describe('paying again after a refund, seed 003 湖南医师资格 (REF-1, REF-3: staff decide, no approval)', () => {
  it('REF-1/REF-3: a personal refund granted by staff; the candidate, still on the roster, registers and pays again at once', async () => {
    const peng = await candidate(hn003, '彭志刚');
    const reg = await registerAndPay(hn003, peng, 'LC-ZY', 'wechatpay');
    const made = await requestPersonalRefund(w.ctx, { actor: staff(hn003, 'FINANCE'), registrationId: reg, reason: '考生因工作原因申请退费' });
    expect(made).toMatchObject({ ok: true, value: { amountFen: 30000n, channel: 'wechatpay', registrationEnded: true } });
    await runRefundsToTheEnd(w);
    expect((await w.db.selectFrom('refund').select('state').where('refund_no', '=', made.ok ? made.value.refundNo : '').executeTakeFirstOrThrow()).state).toBe('SUCCEEDED');
    expect(await registerAndPay(hn003, peng, 'LC-ZY', 'wechatpay')).not.toBe(reg);
  });

  it('REF-3: one no longer on the roster for the subject cannot register it again after the refund', async () => {
    const tan = await candidate(hn003, '谭艳');
    const reg = await registerAndPay(hn003, tan, 'LC-ZL', 'wechatpay');
    expect((await requestPersonalRefund(w.ctx, { actor: staff(hn003), registrationId: reg, reason: '考生申请退费' })).ok).toBe(true);
    // The authority's roster changes: 谭艳 is no longer eligible for LC-ZL.
    await w.db.deleteFrom('candidate_subject_standing').where('candidate_id', '=', tan).execute();
    expect(await register(hn003, tan, 'LC-ZL')).toMatchObject({ ok: false, error: { code: 'NOT_ELIGIBLE' } });
    await runRefundsToTheEnd(w);
  });
});

import { newBillNo } from '../../shared/bill-number.ts';
import { MINUTE } from '../../shared/clock.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import type { Bill } from '../../db/schema.ts';
import type { AppContext } from '../context.ts';
import type { Trx } from '../../db/database.ts';
import { canPay } from '../registration/registration-rules.ts';
import { candidateStanding, sittingSubjects, sittingWindows } from '../registration/sitting-facts.repo.ts';
import { checkPaymentWindows } from '../registration/windows.ts';

/**
 * What paying needs besides the registrations being the candidate's own: the payment window
 * (or the site's management window), written paid before oral (REG-5), and a held seat where
 * the subject has seats (after a payment timeout released it, a slot must be chosen again).
 */
export async function checkPayable(
  trx: Trx,
  input: { candidateId: bigint; now: Date; registrations: { id: bigint; sitting_id: bigint; subject_id: bigint; site_id: bigint | null; seat_released_reason: string | null; roster_restricted: boolean }[] },
): Promise<Result<true>> {
  const first = input.registrations[0]!;
  const exam = await trx.selectFrom('sitting as st').innerJoin('exam as e', 'e.id', 'st.exam_id').select('e.audit_required').where('st.id', '=', first.sitting_id).executeTakeFirstOrThrow();
  if (exam.audit_required) {
    // REG-9 (seed 004): payment only after the qualification audit passed.
    const audit = await trx.selectFrom('candidate_audit').select('status').where('candidate_id', '=', input.candidateId).where('sitting_id', '=', first.sitting_id).executeTakeFirst();
    if (audit?.status !== 'PASSED') return fail('AUDIT_NOT_PASSED', { auditStatus: audit?.status ?? 'PENDING' });
  }
  const window = checkPaymentWindows(await sittingWindows(trx, first.sitting_id), input.now, input.registrations.map((r) => r.site_id));
  if (!window.ok) return fail('WINDOW_CLOSED', { windows: window.windows, registrationId: String(input.registrations[window.index]!.id) });
  const subjects = await sittingSubjects(trx, first.sitting_id);
  const standing = await candidateStanding(trx, { candidateId: input.candidateId, sittingId: first.sitting_id, rosterRestricted: first.roster_restricted });
  for (const r of input.registrations) {
    const rule = canPay(subjects.find((s) => s.id === r.subject_id)!, standing);
    if (!rule.ok) return fail(rule.code, { registrationId: String(r.id), subjectId: String(rule.subjectId) });
  }
  const needSeat = await trx.selectFrom('seat_pool').select('subject_id').distinct()
    .where('subject_id', 'in', input.registrations.map((r) => r.subject_id)).execute();
  const seated = await trx.selectFrom('seat').select('registration_id')
    .where('registration_id', 'in', input.registrations.map((r) => r.id)).where('state', '=', 'HELD').execute();
  const withSeat = new Set(seated.map((s) => s.registration_id));
  const missing = input.registrations.filter((r) => needSeat.some((p) => p.subject_id === r.subject_id) && !withSeat.has(r.id));
  if (missing.length) {
    const wasReleased = missing.some((r) => r.seat_released_reason !== null);
    return fail(wasReleased ? 'SEAT_RELEASED' : 'SLOT_REQUIRED', { registrationIds: missing.map((r) => String(r.id)) });
  }
  return ok(true);
}

/**
 * 报考科目确认 (PAY-1): the candidate picks some or all payable registrations; they become one
 * bill with its own number and amount. Registrations already on an open or paid bill cannot
 * be picked again — the partial unique index `bill_item_one_live` guarantees it even when two
 * confirmations race, and the row locks below make the loser see why.
 */
export async function confirmBill(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: { candidateId: bigint; registrationIds: bigint[] },
): Promise<Result<Bill>> {
  const ids = [...new Set(input.registrationIds)];
  if (ids.length === 0) return fail('VALIDATION_FAILED', { field: 'registrationIds', reason: 'empty' });
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const regs = await trx
      .selectFrom('registration as r')
      .innerJoin('subject as s', 's.id', 'r.subject_id')
      .innerJoin('sitting as st', 'st.id', 'r.sitting_id')
      .innerJoin('exam as e', 'e.id', 'st.exam_id')
      .select(['r.id', 'r.candidate_id', 'r.sitting_id', 'r.subject_id', 'r.site_id', 'r.seat_released_reason', 'r.owner', 'r.status', 'r.paid_at', 's.fee_fen', 'e.bill_timeout_minutes', 'e.roster_restricted'])
      .where('r.id', 'in', ids)
      .orderBy('r.id')
      .forUpdate('r')
      .execute();
    // Someone else's registration reads exactly like a missing one (404, naming only the ids
    // the caller sent): no probing of ids.
    const mine = regs.filter((r) => r.candidate_id === input.candidateId);
    if (mine.length !== ids.length) {
      const found = new Set(mine.map((r) => r.id));
      return fail('REGISTRATION_NOT_FOUND', { registrationIds: ids.filter((id) => !found.has(id)).map(String) });
    }
    const notPayable = mine.filter((r) => r.status !== 'ACTIVE' || r.owner !== 'CANDIDATE');
    if (notPayable.length) {
      return fail('REGISTRATION_NOT_PAYABLE', {
        registrationIds: notPayable.map((r) => String(r.id)),
        reason: notPayable.some((r) => r.owner !== 'CANDIDATE') ? 'INSTITUTION_REGISTRATION' : 'CANCELLED',
      });
    }
    // Seed 000: 已处于缴费中或缴费完成的科目不能被确认 — paid ones say so in those words.
    const paid = mine.filter((r) => r.paid_at !== null);
    if (paid.length) return fail('REGISTRATION_ALREADY_BILLED', { registrationIds: paid.map((r) => String(r.id)) });
    const sittings = new Set(mine.map((r) => r.sitting_id));
    if (sittings.size !== 1) return fail('REGISTRATION_NOT_PAYABLE', { reason: 'DIFFERENT_SITTINGS' });
    const payable = await checkPayable(trx, { candidateId: input.candidateId, registrations: mine, now });
    if (!payable.ok) return payable;
    const onLiveBill = await trx
      .selectFrom('bill_item')
      .select('registration_id')
      .where('registration_id', 'in', ids)
      .where('live', '=', true)
      .execute();
    if (onLiveBill.length) {
      return fail('REGISTRATION_ALREADY_BILLED', { registrationIds: onLiveBill.map((r) => String(r.registration_id)) });
    }
    const amount = mine.reduce((sum, r) => sum + r.fee_fen, 0n);
    if (amount <= 0n) return fail('REGISTRATION_NOT_PAYABLE', { reason: 'NOTHING_TO_PAY' });
    const bill = await trx
      .insertInto('bill')
      .values({
        bill_no: newBillNo(now),
        candidate_id: input.candidateId,
        sitting_id: mine[0]!.sitting_id,
        amount_fen: amount,
        expires_at: new Date(now.getTime() + mine[0]!.bill_timeout_minutes * MINUTE),
        created_at: now,
        updated_at: now,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('bill_item')
      .values(mine.map((r) => ({ bill_id: bill.id, registration_id: r.id, subject_id: r.subject_id, amount_fen: r.fee_fen })))
      .execute();
    return ok(bill);
  });
}

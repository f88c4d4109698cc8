import type { Trx } from '../../db/database.ts';
import type { AuthorityAction, Refund } from '../../db/schema.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import { staffLabel, type StaffActor } from '../accounts/authorization.ts';
import { loadRegistration } from '../accounts/staff-scope.ts';
import { AUDIT_ACTIONS, recordAudit, staffAuditActor } from '../audit/audit-log.ts';
import { isOpen } from '../billing/bill-state.ts';
import { transitionBill } from '../billing/bill-transition.repo.ts';
import type { AppContext } from '../context.ts';
import { openAttempts } from '../payments/channel-orders.ts';
import { closeChannelOrder } from '../payments/close-expired-bill.ts';
import { createRefund } from './create-refund.ts';
import type { NoticeLine } from './notice-text.ts';
import { ACTION_EFFECTS, isValidReason, remainingRefundable } from './refund-rules.ts';
import { endRegistrations, insertAction, liveBillIds, lockBills, settledCapture, writeNotice } from './registration-endings.repo.ts';

type Ctx = Pick<AppContext, 'db' | 'clock' | 'channels' | 'log'>;

export interface EndedForCandidate {
  actionId: bigint;
  cancelled: bigint[];
  refunds: Pick<Refund, 'refund_no' | 'amount_fen' | 'channel' | 'bill_item_id'>[];
  billsClosed: string[];
  noticeId: bigint | null;
}

/** The bills of the registrations changed between reading them and locking them: start again. */
class BillsMoved extends Error {}
const isDeadlock = (err: unknown) => (err as { code?: string })?.code === '40P01';

/**
 * REF-2, for one candidate: the authority cancels (or changes) some of the candidate's
 * registrations. In one transaction —
 * - an open bill holding one of them is closed (AUTHORITY_CANCELLED). Its channel orders were asked
 *   to close first, outside the transaction (STYLE 5); if that found the payer had paid, the bill is
 *   PAID by now and is refunded like any paid one; an order the channel did not close is swept
 *   later, and money it still takes is a LATE capture, refunded by itself (PAY-8);
 * - a paid registration gets a refund of what is left of its item, through the capture that paid
 *   it (REF-4: original channel, per item);
 * - the registrations end with the action's cause, their seats go back (CANCELLED / CHANGED);
 * - the candidate is told (candidate_notice).
 * Registrations already ended are skipped, so running it again changes nothing: the sitting
 * cancellation job relies on that to be restartable.
 */
interface EndInput {
  candidateId: bigint;
  registrationIds: bigint[];
  action: (trx: Trx) => Promise<AuthorityAction>;
  /** Runs last in the same transaction, with what was done (the staff decision's audit record). */
  record?: (trx: Trx, ended: EndedForCandidate) => Promise<void>;
}

export async function endRegistrationsOfCandidate(ctx: Ctx, input: EndInput): Promise<EndedForCandidate | null> {
  const actor = 'authority-action';
  for (const billId of await openBillIds(ctx, input.registrationIds)) {
    for (const attempt of await openAttempts(ctx.db, billId)) {
      try {
        await closeChannelOrder(ctx, attempt, actor);
      } catch (err) {
        ctx.log.warn({ err, outTradeNo: attempt.out_trade_no }, 'closing a channel order before an authority cancellation failed; the sweep retries it');
      }
    }
  }
  for (let attempt = 1; ; attempt++) {
    try {
      return await ctx.db.transaction().execute((trx) => endInTransaction(trx, ctx.clock.now(), input));
    } catch (err) {
      // A bill confirmed, or a settlement racing us, between the read and the locks: try again.
      if ((err instanceof BillsMoved || isDeadlock(err)) && attempt < 5) continue;
      throw err;
    }
  }
}

async function openBillIds(ctx: Ctx, registrationIds: bigint[]): Promise<bigint[]> {
  const live = await liveBillIds(ctx.db, registrationIds);
  if (live.length === 0) return [];
  const open = await ctx.db.selectFrom('bill').select('id').where('id', 'in', live).where('state', 'in', ['UNPAID', 'PAYING']).execute();
  return open.map((b) => b.id);
}

async function endInTransaction(trx: Trx, now: Date, input: EndInput): Promise<EndedForCandidate | null> {
  // Lock order as everywhere: bills, then registrations.
  const bills = await lockBills(trx, await liveBillIds(trx, input.registrationIds));
  const regs = await trx.selectFrom('registration as r').innerJoin('subject as s', 's.id', 'r.subject_id')
    .select(['r.id', 'r.status', 's.name as subject_name'])
    .where('r.id', 'in', input.registrationIds).where('r.candidate_id', '=', input.candidateId)
    .orderBy('r.id').forUpdate('r').execute();
  const lockedBillIds = new Set(bills.map((b) => b.id));
  if ((await liveBillIds(trx, input.registrationIds)).some((id) => !lockedBillIds.has(id))) throw new BillsMoved();
  const active = regs.filter((r) => r.status === 'ACTIVE');
  if (active.length === 0) return null;
  const action = await input.action(trx);
  const effect = ACTION_EFFECTS[action.kind];
  const activeIds = active.map((r) => r.id);

  const items = await trx.selectFrom('bill_item').select(['id', 'bill_id', 'registration_id', 'amount_fen', 'refunded_fen'])
    .where('registration_id', 'in', activeIds).where('live', '=', true).execute();
  const lines = new Map<bigint, NoticeLine>(active.map((r) => [r.id, { subjectName: r.subject_name, refund: null, billClosed: null }]));
  const refunds: Refund[] = [];
  const billsClosed: string[] = [];
  for (const bill of bills) {
    const onBill = items.filter((i) => i.bill_id === bill.id);
    if (onBill.length === 0) continue;
    if (isOpen(bill.state)) {
      await transitionBill(trx, bill, {
        to: 'CLOSED', cause: 'AUTHORITY_CANCELLED', actor: action.actor, at: now,
        detail: { actionId: String(action.id), registrationIds: onBill.map((i) => String(i.registration_id)) }, patch: { next_query_at: null },
      });
      billsClosed.push(bill.bill_no);
      for (const i of onBill) lines.get(i.registration_id)!.billClosed = bill.bill_no;
    } else if (bill.state === 'PAID' || bill.state === 'PARTIALLY_REFUNDED') {
      const payment = await settledCapture(trx, bill.id);
      for (const i of onBill) {
        const amount = remainingRefundable({ amountFen: i.amount_fen, refundedFen: i.refunded_fen });
        if (amount <= 0n) continue;
        const refund = await createRefund(trx, {
          bill, payment, amountFen: amount, reason: effect.refundReason, now, billItemId: i.id, note: action.note, requestedBy: action.actor,
        });
        refunds.push(refund);
        lines.get(i.registration_id)!.refund = { amountFen: refund.amount_fen, channel: refund.channel, refundNo: refund.refund_no };
      }
    }
  }
  const cancelled = await endRegistrations(trx, activeIds, effect, now);
  const noticeId = await writeNotice(trx, { action, candidateId: input.candidateId, lines: [...lines.values()], refunds, now });
  // A single decision counts itself here; a running cancellation counts per batch (runAuthorityActions),
  // so candidates processed side by side do not queue on the action's row.
  if (action.state === 'DONE') {
    await trx.updateTable('authority_action').set({ cancelled_registrations: cancelled.length, refunds_created: refunds.length }).where('id', '=', action.id).execute();
  }
  const ended = { actionId: action.id, cancelled, refunds, billsClosed, noticeId };
  await input.record?.(trx, ended);
  return ended;
}

/**
 * REF-2: the authority cancels one registration (CANCEL) or changes it (CHANGE: the registration as
 * paid is void; the candidate registers what is right, if still eligible, REF-3). Paid money comes
 * back by itself; the candidate is told why. Who may: `registration.cancel` in the registration's
 * scope; the decision's audit record is written in the transaction that ends it (ADM-4).
 */
export async function endRegistrationByAuthority(
  ctx: Ctx,
  input: { actor: StaffActor; registrationId: bigint; kind: 'CANCEL_REGISTRATION' | 'CHANGE_REGISTRATION'; note: string; ip?: string | null },
): Promise<Result<EndedForCandidate>> {
  const reg = await loadRegistration(ctx.db, input.actor, 'registration.cancel', input.registrationId);
  if (!reg.ok) return reg;
  if (!isValidReason(input.note)) return fail('REASON_REQUIRED');
  const { id, candidate_id: candidateId, sitting_id: sittingId, subject_id: subjectId, status, paid_at: paidAt } = reg.value;
  if (status !== 'ACTIVE') return fail('REGISTRATION_ENDED');
  const ended = await endRegistrationsOfCandidate(ctx, {
    candidateId, registrationIds: [id],
    action: (trx) => insertAction(trx, {
      kind: input.kind, sittingId, subjectId, registrationId: id,
      note: input.note, actor: staffLabel(input.actor), now: ctx.clock.now(), running: false,
    }),
    // The note is free text staff typed: it stays on the decision (and the notice), not in the log.
    record: (trx, done) => recordAudit(trx, {
      at: ctx.clock.now(), actor: staffAuditActor(input.actor),
      action: input.kind === 'CANCEL_REGISTRATION' ? AUDIT_ACTIONS.REGISTRATION_CANCEL : AUDIT_ACTIONS.REGISTRATION_CHANGE,
      object: { type: 'registration', id },
      summary: {
        before: { status: 'ACTIVE', paid: paidAt !== null }, after: { status: 'CANCELLED', cancelledReason: ACTION_EFFECTS[input.kind].registrationCause },
        actionId: done.actionId, candidateId, sittingId, subjectId, billsClosed: done.billsClosed,
        refunds: done.refunds.map((f) => ({ refundNo: f.refund_no, amountFen: f.amount_fen, channel: f.channel })),
      },
      ip: input.ip ?? null,
    }),
  });
  // Ended by someone else between our read and our lock.
  return ended ? ok(ended) : fail('REGISTRATION_ENDED');
}

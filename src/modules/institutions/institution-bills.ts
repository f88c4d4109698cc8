import type { DbOrTrx } from '../../db/database.ts';
import type { Bill, BillStateName, StaffAccount } from '../../db/schema.ts';
import { newBillNo } from '../../shared/bill-number.ts';
import { MINUTE } from '../../shared/clock.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import { roleMay } from '../accounts/authorization.ts';
import { auditActor } from '../accounts/staff-accounts.ts';
import { staffActor } from '../accounts/staff-sessions.ts';
import { AUDIT_ACTIONS, recordAudit } from '../audit/audit-log.ts';
import { checkPayable } from '../billing/confirm-bill.ts';
import type { AppContext } from '../context.ts';

/** One batch bill holds at most this many registrations (a large centre pays in several). */
export const MAX_BATCH_REGISTRATIONS = 500;

/** The institution of an institution staff member who may pay (`bill.pay`), or the refusal. */
export function payingInstitution(staff: StaffAccount): Result<bigint> {
  const actor = staffActor(staff);
  if (!roleMay(actor.role, 'bill.pay') || actor.institutionId === null) return fail('STAFF_FORBIDDEN', { action: 'bill.pay' });
  return ok(actor.institutionId);
}

/** Two batch bills raced for a registration and the database's one-live-bill index decided (PAY-1). */
const isOneLiveBillViolation = (err: unknown) =>
  (err as { code?: string; constraint?: string })?.code === '23505' && (err as { constraint?: string }).constraint === 'bill_item_one_live';

/**
 * 集体缴费 (ORG-1, REG-8; seed 000: 学习中心报考, 必须由学习中心完成缴费): institution staff pick
 * unpaid registrations their institution made — of many candidates, one sitting — and they
 * become one bill the institution pays. From here on it is an ordinary bill: the same state
 * machine, channel orders, settlement, polling, expiry, refunds and ledger as a candidate's.
 *
 * A candidate's own registration, another institution's, and one that does not exist all answer
 * REGISTRATION_NOT_FOUND naming only the ids sent: nothing to probe. Each registration must be
 * payable as its candidate's would be (payment window, written before oral, audit, held seat),
 * and is on at most one live bill: the registrations are locked in id order like confirmBill's,
 * and the partial unique index `bill_item_one_live` decides what locks cannot (PAY-1).
 */
export async function createInstitutionBill(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: { staff: StaffAccount; registrationIds: bigint[]; ip: string | null },
): Promise<Result<Bill>> {
  const institution = payingInstitution(input.staff);
  if (!institution.ok) return institution;
  const institutionId = institution.value;
  const ids = [...new Set(input.registrationIds)];
  if (ids.length === 0) return fail('VALIDATION_FAILED', { field: 'registrationIds', reason: 'empty' });
  if (ids.length > MAX_BATCH_REGISTRATIONS) return fail('VALIDATION_FAILED', { field: 'registrationIds', reason: 'too many', max: MAX_BATCH_REGISTRATIONS });
  const now = ctx.clock.now();
  try {
    return await ctx.db.transaction().execute(async (trx): Promise<Result<Bill>> => {
      const regs = await trx.selectFrom('registration as r')
        .innerJoin('candidate as c', 'c.id', 'r.candidate_id')
        .innerJoin('subject as s', 's.id', 'r.subject_id')
        .innerJoin('sitting as st', 'st.id', 'r.sitting_id')
        .innerJoin('exam as e', 'e.id', 'st.exam_id')
        .select(['r.id', 'r.candidate_id', 'r.sitting_id', 'r.subject_id', 'r.site_id', 'r.seat_released_reason', 'r.owner', 'r.institution_id', 'r.status', 'r.paid_at',
          'c.authority_id', 's.fee_fen', 'e.bill_timeout_minutes', 'e.roster_restricted'])
        .where('r.id', 'in', ids)
        .orderBy('r.id')
        .forUpdate('r')
        .execute();
      const mine = regs.filter((r) => r.owner === 'INSTITUTION' && r.institution_id === institutionId && r.authority_id === input.staff.authority_id);
      if (mine.length !== ids.length) {
        const found = new Set(mine.map((r) => r.id));
        return fail('REGISTRATION_NOT_FOUND', { registrationIds: ids.filter((id) => !found.has(id)).map(String) });
      }
      const ended = mine.filter((r) => r.status !== 'ACTIVE');
      if (ended.length) return fail('REGISTRATION_NOT_PAYABLE', { registrationIds: ended.map((r) => String(r.id)), reason: 'CANCELLED' });
      const paid = mine.filter((r) => r.paid_at !== null);
      if (paid.length) return fail('REGISTRATION_ALREADY_BILLED', { registrationIds: paid.map((r) => String(r.id)) });
      if (new Set(mine.map((r) => r.sitting_id)).size !== 1) return fail('REGISTRATION_NOT_PAYABLE', { reason: 'DIFFERENT_SITTINGS' });
      // Each candidate's registrations are payable as the candidate's own would be.
      const byCandidate = new Map<bigint, typeof mine>();
      for (const r of mine) byCandidate.set(r.candidate_id, [...(byCandidate.get(r.candidate_id) ?? []), r]);
      for (const [candidateId, theirs] of byCandidate) {
        const payable = await checkPayable(trx, { candidateId, registrations: theirs, now });
        if (!payable.ok) return fail(payable.error.code, { ...payable.error.details, candidateId: String(candidateId) });
      }
      const onLiveBill = await trx.selectFrom('bill_item').select('registration_id').where('registration_id', 'in', ids).where('live', '=', true).execute();
      if (onLiveBill.length) return fail('REGISTRATION_ALREADY_BILLED', { registrationIds: onLiveBill.map((r) => String(r.registration_id)) });
      const amount = mine.reduce((sum, r) => sum + r.fee_fen, 0n);
      if (amount <= 0n) return fail('REGISTRATION_NOT_PAYABLE', { reason: 'NOTHING_TO_PAY' });
      const first = mine[0]!;
      const bill = await trx.insertInto('bill').values({
        bill_no: newBillNo(now), owner: 'INSTITUTION', institution_id: institutionId, candidate_id: null, sitting_id: first.sitting_id, amount_fen: amount,
        expires_at: new Date(now.getTime() + first.bill_timeout_minutes * MINUTE), created_at: now, updated_at: now,
      }).returningAll().executeTakeFirstOrThrow();
      await trx.insertInto('bill_item')
        .values(mine.map((r) => ({ bill_id: bill.id, registration_id: r.id, subject_id: r.subject_id, amount_fen: r.fee_fen })))
        .execute();
      await recordAudit(trx, {
        at: now, actor: auditActor(input.staff), action: AUDIT_ACTIONS.INSTITUTION_BILL_CREATE, object: { type: 'bill', id: bill.bill_no },
        summary: { after: { state: 'UNPAID', owner: 'INSTITUTION', institutionId, sittingId: first.sitting_id, amountFen: amount, registrationIds: mine.map((r) => r.id) } },
        ip: input.ip,
      });
      return ok(bill);
    });
  } catch (err) {
    if (isOneLiveBillViolation(err)) return fail('REGISTRATION_ALREADY_BILLED', { registrationIds: ids.map(String) });
    throw err;
  }
}

/** The institution's batch bills, newest first (keyset paging on id). */
export async function listInstitutionBills(
  db: DbOrTrx,
  institutionId: bigint,
  filter: { states?: BillStateName[]; sittingId?: bigint; beforeId?: bigint; limit: number },
) {
  let q = db.selectFrom('bill as b')
    .select(['b.id', (eb) => eb.selectFrom('bill_item as i').select((e) => e.fn.countAll<string>().as('n')).whereRef('i.bill_id', '=', 'b.id').as('item_count')])
    .selectAll('b')
    .where('b.owner', '=', 'INSTITUTION').where('b.institution_id', '=', institutionId);
  if (filter.states?.length) q = q.where('b.state', 'in', filter.states);
  if (filter.sittingId !== undefined) q = q.where('b.sitting_id', '=', filter.sittingId);
  if (filter.beforeId !== undefined) q = q.where('b.id', '<', filter.beforeId);
  const rows = await q.orderBy('b.id', 'desc').limit(filter.limit).execute();
  return rows.map((r) => ({ ...r, item_count: Number(r.item_count ?? 0) }));
}

/**
 * The candidate and registration behind each item of a batch bill, and the payer's and sitting's
 * names: what the institution's bill page and its receipt (DOC-1: payer = the institution) show.
 */
export async function institutionBillFacts(db: DbOrTrx, bill: Bill) {
  const [items, heading] = await Promise.all([
    db.selectFrom('bill_item as i').innerJoin('registration as r', 'r.id', 'i.registration_id').innerJoin('candidate as c', 'c.id', 'r.candidate_id')
      .select(['i.registration_id', 'r.candidate_id', 'c.name as candidate_name', 'c.id_number_sealed', 'r.paid_at', 'r.site_id', 'r.slot_id'])
      .where('i.bill_id', '=', bill.id).orderBy('i.id').execute(),
    db.selectFrom('sitting as st').innerJoin('exam as e', 'e.id', 'st.exam_id').leftJoin('institution as inst', (j) => j.on('inst.id', '=', bill.institution_id ?? -1n))
      .select(['st.name as sitting_name', 'e.name as exam_name', 'e.agreement_text', 'inst.name as institution_name', 'inst.code as institution_code'])
      .where('st.id', '=', bill.sitting_id).executeTakeFirstOrThrow(),
  ]);
  return { items, ...heading };
}
export type InstitutionBillFacts = Awaited<ReturnType<typeof institutionBillFacts>>;

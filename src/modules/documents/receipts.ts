import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type { Bill } from '../../db/schema.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import { shanghaiDateCompact } from '../../shared/time.ts';
import { maskedIdentity } from '../accounts/candidate-identity.ts';
import { billPayer } from '../billing/bill-owner.ts';
import type { AppContext } from '../context.ts';
import { maskName } from '../payments/payment-pass.ts';
import { receiptContent, receiptStatusOf, type ReceiptFacts, type ReceiptStatus } from './receipt-content.ts';
import { receiptPdf } from './receipt-pdf.ts';
import { receiptVerificationCode, verificationHash, verifyUrl } from './verification-code.ts';

type DocumentsContext = Pick<AppContext, 'db' | 'clock' | 'personalData' | 'publicBaseUrl'>;

/**
 * DOC-1 receipts, for any bill: everything here takes the bill, never "the candidate", so the
 * same functions serve a candidate's bill and an institution's batch bill. Who may ask is the
 * caller's business (the candidate route checks ownership first; verification needs the code).
 */

/**
 * The bill's receipt number, issued the first time it is asked for and the same ever after:
 * Beijing date of payment + 10 digits of a sequence (18 digits). Two first requests at once
 * both try to insert; the primary key keeps one, and both read it.
 */
export async function issueReceipt(ctx: Pick<DocumentsContext, 'db' | 'clock' | 'personalData'>, bill: Pick<Bill, 'id' | 'paid_at'>): Promise<{ receiptNo: string; issuedAt: Date }> {
  const existing = await ctx.db.selectFrom('receipt').select(['receipt_no', 'issued_at']).where('bill_id', '=', bill.id).executeTakeFirst();
  if (existing) return { receiptNo: existing.receipt_no, issuedAt: existing.issued_at };
  if (!bill.paid_at) throw new Error(`bill ${bill.id} has no paid_at: no receipt`);
  const { n } = (await sql<{ n: string }>`SELECT nextval('receipt_no_seq')::text AS n`.execute(ctx.db)).rows[0]!;
  const receiptNo = `${shanghaiDateCompact(bill.paid_at)}${n.padStart(10, '0')}`;
  await ctx.db.insertInto('receipt').values({
    bill_id: bill.id, receipt_no: receiptNo, verify_hash: verificationHash(receiptVerificationCode(ctx.personalData, receiptNo)), issued_at: ctx.clock.now(),
  }).onConflict((oc) => oc.column('bill_id').doNothing()).execute();
  const row = await ctx.db.selectFrom('receipt').select(['receipt_no', 'issued_at']).where('bill_id', '=', bill.id).executeTakeFirstOrThrow();
  return { receiptNo: row.receipt_no, issuedAt: row.issued_at };
}

/**
 * Who paid the bill, as a receipt shows them (DOC-1): the candidate by name and masked ID
 * number, or — for a batch bill (ORG-1, seed 000 集体缴费) — the institution that paid, by name
 * and no ID number: the candidates on it did not pay it.
 */
export async function receiptPayer(ctx: Pick<DocumentsContext, 'db' | 'personalData'>, bill: Pick<Bill, 'id'>): Promise<{ name: string; idNumberMasked: string | null }> {
  const payer = await billPayer(ctx.db, bill.id);
  if (payer.kind === 'INSTITUTION') return { name: payer.name, idNumberMasked: null };
  const c = await ctx.db.selectFrom('candidate').select(['name', 'id_number_sealed', 'phone_sealed']).where('id', '=', payer.candidateId).executeTakeFirstOrThrow();
  return { name: c.name, idNumberMasked: maskedIdentity(ctx.personalData, c).idNumberMasked };
}

/** The facts of a paid bill's receipt (issuing its number if this is the first time), or why there is none. */
export async function receiptFacts(ctx: DocumentsContext, billId: bigint): Promise<Result<ReceiptFacts>> {
  const bill = await ctx.db.selectFrom('bill').selectAll().where('id', '=', billId).executeTakeFirst();
  if (!bill) return fail('BILL_NOT_FOUND');
  const status = receiptStatusOf(bill.state);
  if (!status || !bill.paid_at || !bill.channel || !bill.channel_trade_no) return fail('RECEIPT_NOT_AVAILABLE', { billNo: bill.bill_no, state: bill.state });
  const [issued, payer, where, items] = await Promise.all([
    issueReceipt(ctx, bill),
    receiptPayer(ctx, bill),
    ctx.db.selectFrom('sitting as st').innerJoin('exam as e', 'e.id', 'st.exam_id').innerJoin('authority as a', 'a.id', 'e.authority_id')
      .select(['a.name as issuer', 'e.name as exam', 'st.name as sitting']).where('st.id', '=', bill.sitting_id).executeTakeFirstOrThrow(),
    billItemsWithRefunds(ctx.db, bill.id, bill.owner === 'INSTITUTION'),
  ]);
  return ok({
    ...where,
    billNo: bill.bill_no,
    receiptNo: issued.receiptNo,
    payer,
    items,
    totalFen: bill.amount_fen,
    refundedFen: items.reduce((s, i) => s + i.refundedFen, 0n),
    channel: bill.channel,
    channelTradeNo: bill.channel_trade_no,
    paidAt: bill.paid_at,
    issuedAt: issued.issuedAt,
    status,
    verifyUrl: verifyUrl(ctx.publicBaseUrl, receiptVerificationCode(ctx.personalData, issued.receiptNo)),
  });
}

/**
 * Each item with the money the channel has given back for it. Only SUCCEEDED refunds count — the
 * same rule that moves the bill to PARTIALLY_REFUNDED / REFUNDED (execute-refund.ts) and books
 * REFUND_SUCCEEDED in the ledger — so the receipt never says money went back before it did.
 */
async function billItemsWithRefunds(db: DbOrTrx, billId: bigint, nameCandidates = false): Promise<ReceiptFacts['items']> {
  const rows = await db.selectFrom('bill_item as i').innerJoin('subject as s', 's.id', 'i.subject_id')
    .innerJoin('registration as r', 'r.id', 'i.registration_id').innerJoin('candidate as c', 'c.id', 'r.candidate_id')
    .select(['i.id', 's.name', 's.kind', 'i.amount_fen', 'c.name as candidate_name',
      (eb) => eb.selectFrom('refund as f').select((f) => f.fn.coalesce(f.fn.sum<string>('f.amount_fen'), f.val('0')).as('t'))
        .whereRef('f.bill_item_id', '=', 'i.id').where('f.state', '=', 'SUCCEEDED').as('refunded')])
    .where('i.bill_id', '=', billId).orderBy('i.id').execute();
  // A batch bill's items are many candidates' (ORG-1): each line names whose subject it is.
  return rows.map((r) => ({ subject: nameCandidates ? `${r.candidate_name} · ${r.name}` : r.name, kind: r.kind, amountFen: r.amount_fen, refundedFen: BigInt(r.refunded ?? '0') }));
}

/** The receipt PDF of a paid bill (DOC-1). */
export async function renderReceipt(ctx: DocumentsContext, billId: bigint): Promise<Result<{ pdf: Buffer; receiptNo: string; billNo: string }>> {
  const facts = await receiptFacts(ctx, billId);
  if (!facts.ok) return facts;
  const pdf = await receiptPdf(receiptContent(facts.value), ctx.clock.now());
  return ok({ pdf, receiptNo: facts.value.receiptNo, billNo: facts.value.billNo });
}

export interface ReceiptVerification {
  valid: true;
  billNumber: string;
  receiptNumber: string;
  issuer: string;
  exam: string;
  sitting: string;
  maskedName: string;
  amountFen: string;
  refundedFen: string;
  paidAt: string;
  status: ReceiptStatus;
}

/**
 * What anyone holding a receipt's code sees (DOC-1): enough to tell a true receipt from a forged
 * or altered one — numbers, amounts, status as of now — and no more of the payer than a masked
 * name. The status is read now, so a receipt printed before a refund verifies as refunded.
 */
export async function verifyReceipt(ctx: DocumentsContext, code: string): Promise<Result<ReceiptVerification>> {
  const row = await ctx.db.selectFrom('receipt').select(['bill_id']).where('verify_hash', '=', verificationHash(code)).executeTakeFirst();
  if (!row) return fail('RECEIPT_NOT_FOUND');
  const facts = await receiptFacts(ctx, row.bill_id);
  // A bill with a receipt stays paid (PAID → PARTIALLY_REFUNDED → REFUNDED only), so this holds.
  if (!facts.ok) throw new Error(`receipt of bill ${row.bill_id} without a paid bill: ${facts.error.code}`);
  const f = facts.value;
  return ok({
    valid: true, billNumber: f.billNo, receiptNumber: f.receiptNo, issuer: f.issuer, exam: f.exam, sitting: f.sitting,
    maskedName: maskName(f.payer.name), amountFen: f.totalFen.toString(), refundedFen: f.refundedFen.toString(), paidAt: f.paidAt.toISOString(), status: f.status,
  });
}

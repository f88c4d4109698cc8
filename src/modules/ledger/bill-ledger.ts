import type { DbOrTrx } from '../../db/database.ts';

/** A bill's journal entries with their postings (PAY-11), in booking order, for staff. */
export async function billLedgerEntries(db: DbOrTrx, billId: bigint) {
  // The refund number travels with a refund's entries, so finance reads which refund a line books (REF-4).
  const rows = await db.selectFrom('journal_entry as j').innerJoin('ledger_posting as p', 'p.entry_id', 'j.id').leftJoin('refund as r', 'r.id', 'j.refund_id')
    .select(['j.id', 'j.kind', 'j.at', 'j.channel', 'j.channel_payment_id', 'j.refund_id', 'r.refund_no', 'p.account', 'p.amount_fen'])
    .where('j.bill_id', '=', billId).orderBy('j.id').orderBy('p.id').execute();
  const entries = new Map<bigint, { id: bigint; kind: string; at: Date; channel: string; refundNo: string | null; postings: { account: string; amountFen: bigint }[] }>();
  for (const r of rows) {
    const e = entries.get(r.id) ?? { id: r.id, kind: r.kind, at: r.at, channel: r.channel, refundNo: r.refund_no, postings: [] };
    e.postings.push({ account: r.account, amountFen: r.amount_fen });
    entries.set(r.id, e);
  }
  return [...entries.values()];
}

import type { DbOrTrx } from '../../db/database.ts';
import type { Bill } from '../../db/schema.ts';

/**
 * Who may act on a bill as its payer (REG-8, ORG-1): the candidate for their own bill, or the
 * institution for the batch bill it made. Every use case that takes a bill number from a payer
 * checks it through `ownsBill`, so another payer's bill reads exactly like a missing one.
 */
export type BillOwner = { candidateId: bigint } | { institutionId: bigint };

export function ownsBill(bill: Pick<Bill, 'owner' | 'candidate_id' | 'institution_id'>, owner: BillOwner): boolean {
  return 'candidateId' in owner
    ? bill.owner === 'CANDIDATE' && bill.candidate_id === owner.candidateId
    : bill.owner === 'INSTITUTION' && bill.institution_id === owner.institutionId;
}

/** The payer's bill by number, or nothing. */
export async function findOwnedBill(db: DbOrTrx, owner: BillOwner, billNo: string): Promise<Bill | undefined> {
  let q = db.selectFrom('bill').selectAll().where('bill_no', '=', billNo);
  q = 'candidateId' in owner
    ? q.where('owner', '=', 'CANDIDATE').where('candidate_id', '=', owner.candidateId)
    : q.where('owner', '=', 'INSTITUTION').where('institution_id', '=', owner.institutionId);
  return q.executeTakeFirst();
}

/** The channels a payer may use for a bill of this exam: institutions have their own list (PAY-5 configuration). */
export function channelsFor(owner: Bill['owner'], exam: { channels: string[]; institution_channels: string[] | null }): string[] {
  return owner === 'INSTITUTION' ? exam.institution_channels ?? exam.channels : exam.channels;
}

/**
 * Who paid, as a receipt names the payer (DOC-1): the candidate, or for a batch bill the
 * institution (seed 000 集体缴费: the learning centre pays).
 */
export type BillPayer =
  | { kind: 'CANDIDATE'; candidateId: bigint; name: string }
  | { kind: 'INSTITUTION'; institutionId: bigint; code: string; name: string };

export async function billPayer(db: DbOrTrx, billId: bigint): Promise<BillPayer> {
  const row = await db.selectFrom('bill as b').leftJoin('candidate as c', 'c.id', 'b.candidate_id').leftJoin('institution as i', 'i.id', 'b.institution_id')
    .select(['b.owner', 'b.candidate_id', 'c.name as candidate_name', 'b.institution_id', 'i.code as institution_code', 'i.name as institution_name'])
    .where('b.id', '=', billId).executeTakeFirstOrThrow();
  return row.owner === 'INSTITUTION'
    ? { kind: 'INSTITUTION', institutionId: row.institution_id!, code: row.institution_code!, name: row.institution_name! }
    : { kind: 'CANDIDATE', candidateId: row.candidate_id!, name: row.candidate_name! };
}

import type { DbOrTrx } from '../../db/database.ts';

/**
 * Where a payer's browser lands back from a channel's cashier: the bill's page in the payer's own
 * console — a candidate's /bills/NO, an institution's batch bill /institution/bills/NO (ORG-1).
 * An unknown number goes to the candidate's page, which says there is no such bill.
 */
export async function billPagePath(db: DbOrTrx, billNo: string): Promise<string> {
  const bill = await db.selectFrom('bill').select('owner').where('bill_no', '=', billNo).executeTakeFirst();
  return bill?.owner === 'INSTITUTION' ? `/institution/bills/${billNo}` : `/bills/${billNo}`;
}

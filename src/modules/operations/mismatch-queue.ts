import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';
import type { MismatchResolution, ReconciliationMismatch } from '../../db/schema.ts';

/**
 * Channel statements are per merchant account, which the deployment shares among its
 * authorities; a mismatch belongs to the authority whose bill it names (by bill number or by a
 * channel order's out_trade_no). A line naming no bill of ours at all — money the channel has and
 * we cannot place — is shown to every authority of the deployment, because someone must chase it
 * and it carries no candidate's data (docs/reconciliation.md).
 */
const authorityOf = sql<bigint | null>`(select e.authority_id from bill b join sitting s on s.id = b.sitting_id join exam e on e.id = s.exam_id
  where b.bill_no = m.bill_no or b.id = (select a.bill_id from payment_attempt a where a.out_trade_no = m.bill_no limit 1) limit 1)`;

export async function listMismatches(db: DbOrTrx, input: { authorityId: bigint; resolution?: MismatchResolution; billNo?: string; channel?: string; beforeId?: bigint; limit: number }) {
  let q = db.selectFrom('reconciliation_mismatch as m').selectAll('m').select(authorityOf.as('authority_id'))
    .where((eb) => eb.or([eb(authorityOf, '=', input.authorityId), eb(authorityOf, 'is', null)]))
    .orderBy('m.id', 'desc').limit(input.limit);
  if (input.resolution) q = q.where('m.resolution', '=', input.resolution);
  if (input.channel) q = q.where('m.channel', '=', input.channel);
  if (input.billNo) q = q.where('m.bill_no', '=', input.billNo);
  if (input.beforeId !== undefined) q = q.where('m.id', '<', input.beforeId);
  return q.execute();
}

/** One mismatch if the authority may see it (as listMismatches decides), else undefined (404). */
export async function findMismatch(db: DbOrTrx, input: { authorityId: bigint; mismatchId: bigint }): Promise<ReconciliationMismatch | undefined> {
  const row = await db.selectFrom('reconciliation_mismatch as m').selectAll('m').select(authorityOf.as('authority_id')).where('m.id', '=', input.mismatchId).executeTakeFirst();
  if (!row || (row.authority_id !== null && row.authority_id !== input.authorityId)) return undefined;
  const { authority_id: _a, ...m } = row;
  return m;
}

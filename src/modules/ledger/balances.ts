import { sql } from 'kysely';
import type { DbOrTrx } from '../../db/database.ts';

/** Balance of every account (debits positive), and of every entry (each must be zero). */
export async function ledgerBalances(db: DbOrTrx): Promise<{ accounts: Map<string, bigint>; unbalancedEntries: bigint[]; total: bigint }> {
  const rows = await db.selectFrom('ledger_posting').select(['account', sql<string>`sum(amount_fen)`.as('balance')]).groupBy('account').execute();
  const unbalanced = await db.selectFrom('ledger_posting').select('entry_id').groupBy('entry_id').having(sql`sum(amount_fen)`, '<>', 0).execute();
  const accounts = new Map(rows.map((r) => [r.account, BigInt(r.balance)]));
  return { accounts, unbalancedEntries: unbalanced.map((u) => u.entry_id), total: [...accounts.values()].reduce((a, b) => a + b, 0n) };
}

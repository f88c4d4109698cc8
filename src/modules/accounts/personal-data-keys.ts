import { sql } from 'kysely';
import { lookupHash, openPersonal, sealPersonal, type PersonalDataKind } from '../../shared/personal-data.ts';
import type { IdentityContext } from './candidate-identity.ts';

/**
 * The configured keys against the data at rest (OPS-6): checked at start, so a lost or wrong
 * key stops the server with a message instead of failing every sign-in; and key rotation, which
 * re-seals rows made with an older key version (docs/personal-data.md).
 */
const SEALED_COLUMNS = [
  { table: 'candidate', column: 'id_number_sealed', kind: 'id-number' },
  { table: 'candidate', column: 'phone_sealed', kind: 'phone' },
  { table: 'cet4_score', column: 'id_number_sealed', kind: 'id-number' },
] as const satisfies readonly { table: string; column: string; kind: PersonalDataKind }[];

/** Problems that stop the start; empty when the keys open the data there. */
export async function personalDataKeyProblems(ctx: IdentityContext): Promise<string[]> {
  const problems: string[] = [];
  const configured = [...ctx.personalData.encryption.keys()];
  for (const { table, column } of SEALED_COLUMNS) {
    // min/max of the version byte come from the key-version indexes, not from reading the table.
    const { rows } = await sql<{ lo: number | null; hi: number | null }>`
      SELECT min(get_byte(${sql.ref(column)}, 0)) AS lo, max(get_byte(${sql.ref(column)}, 0)) AS hi
      FROM ${sql.table(table)} WHERE ${sql.ref(column)} IS NOT NULL`.execute(ctx.db);
    for (const v of new Set([rows[0]?.lo, rows[0]?.hi])) {
      if (v !== null && v !== undefined && !configured.includes(v)) {
        problems.push(`${table}.${column} holds values sealed with key version ${v}, which PERSONAL_DATA_KEYS does not contain (configured: ${configured.join(', ')})`);
      }
    }
  }
  if (problems.length) return problems;
  const newest = await ctx.db.selectFrom('candidate').select(['id_number_sealed', 'id_number_hash']).orderBy('id', 'desc').limit(1).executeTakeFirst();
  if (newest) {
    let idNumber: string;
    try {
      idNumber = openPersonal(ctx.personalData, 'id-number', newest.id_number_sealed);
    } catch (e) {
      return [`the newest candidate's ID number does not open: ${(e as Error).message}`];
    }
    if (!lookupHash(ctx.personalData, 'id-number', idNumber).equals(newest.id_number_hash)) {
      problems.push('PERSONAL_DATA_HASH_KEY is not the key the stored lookup hashes were made with: nobody could sign in');
    }
  }
  return problems;
}

/**
 * Re-seals up to `limit` values per column that an older key version sealed, with the current
 * key. Rows are claimed with SKIP LOCKED, so several processes share the work; the lookup
 * hashes do not change. Returns how many values were re-sealed.
 */
export async function resealOlderKeyVersions(ctx: IdentityContext, limit = 500): Promise<number> {
  const current = ctx.personalData.currentVersion;
  let resealed = 0;
  for (const { table, column, kind } of SEALED_COLUMNS) {
    resealed += await ctx.db.transaction().execute(async (trx) => {
      // A locked row keeps its ctid until this transaction ends: one row address for every table.
      const { rows } = await sql<{ at: string; sealed: Buffer }>`
        SELECT ctid::text AS at, ${sql.ref(column)} AS sealed FROM ${sql.table(table)}
        WHERE get_byte(${sql.ref(column)}, 0) < ${current} AND ${sql.ref(column)} IS NOT NULL
        LIMIT ${limit} FOR UPDATE SKIP LOCKED`.execute(trx);
      for (const row of rows) {
        const value = openPersonal(ctx.personalData, kind, row.sealed);
        await sql`UPDATE ${sql.table(table)} SET ${sql.ref(column)} = ${sealPersonal(ctx.personalData, kind, value)} WHERE ctid = ${row.at}::tid`.execute(trx);
      }
      return rows.length;
    });
  }
  return resealed;
}

import { hashBearerToken, newBearerToken } from '../../shared/bearer-token.ts';
import type { DbOrTrx } from '../../db/database.ts';
import type { AccountTokenPurpose } from '../../db/schema.ts';
import { HOUR, MINUTE } from '../../shared/clock.ts';
import { fail, ok, type ErrorCode, type Result } from '../../shared/errors.ts';

/**
 * Links sent by mail (ACC-1 verification, ACC-5 reset). The link carries 256 random bits; the
 * table keeps only their sha256, so reading the database gives no working link. A link works
 * once, until it expires; issuing a new one revokes the older ones of the same purpose.
 */
export const LINK_LIFETIME_MS: Record<AccountTokenPurpose, number> = {
  VERIFY_EMAIL: 24 * HOUR,
  RESET_PASSWORD: 30 * MINUTE,
};

const CODES: Record<AccountTokenPurpose, { invalid: ErrorCode; expired: ErrorCode }> = {
  VERIFY_EMAIL: { invalid: 'VERIFY_LINK_INVALID', expired: 'VERIFY_LINK_EXPIRED' },
  RESET_PASSWORD: { invalid: 'RESET_LINK_INVALID', expired: 'RESET_LINK_EXPIRED' },
};


export async function revokeLinks(trx: DbOrTrx, candidateId: bigint, purpose: AccountTokenPurpose, now: Date): Promise<void> {
  await trx.updateTable('account_token').set({ revoked_at: now })
    .where('candidate_id', '=', candidateId).where('purpose', '=', purpose).where('used_at', 'is', null).where('revoked_at', 'is', null).execute();
}

/**
 * A new link for the candidate, mailed: the older live links of this purpose stop working, and
 * the link and its message are written by one statement (a data-modifying CTE), in the
 * caller's transaction. One statement matters for ACC-5: a request for a missing account then
 * makes the same round trips (revoke, one insert) as one that sends a link.
 */
export async function issueLinkByMail(
  trx: DbOrTrx,
  input: { candidateId: bigint; purpose: AccountTokenPurpose; email: string; now: Date; compose: (link: { token: string; expiresAt: Date }) => { kind: string; subject: string; text: string } },
): Promise<{ token: string; expiresAt: Date }> {
  await revokeLinks(trx, input.candidateId, input.purpose, input.now);
  const token = newBearerToken();
  const expiresAt = new Date(input.now.getTime() + LINK_LIFETIME_MS[input.purpose]);
  const mail = input.compose({ token, expiresAt });
  await trx.with('link', (db) => db.insertInto('account_token').values({
    id_hash: hashBearerToken(token), candidate_id: input.candidateId, purpose: input.purpose, email: input.email,
    created_at: input.now, expires_at: expiresAt,
  }).returning('candidate_id'))
    .insertInto('mail_outbox').values({
      kind: mail.kind, to_address: input.email, subject: mail.subject, body_text: mail.text,
      next_attempt_at: input.now, expires_at: expiresAt, created_at: input.now,
    }).execute();
  return { token, expiresAt };
}

export interface LiveLink {
  candidateId: bigint;
  email: string;
}

/** Pure: is this stored link usable now? Expired at its expiry instant, not a millisecond later. */
export function linkVerdict(row: { used_at: Date | null; revoked_at: Date | null; expires_at: Date } | undefined, now: Date): 'LIVE' | 'INVALID' | 'EXPIRED' {
  if (!row || row.used_at || row.revoked_at) return 'INVALID';
  return now >= row.expires_at ? 'EXPIRED' : 'LIVE';
}

/** Whether the link would work now, without using it (e.g. before checking a new password). */
export async function checkLink(db: DbOrTrx, input: { token: string; purpose: AccountTokenPurpose; now: Date }): Promise<Result<LiveLink>> {
  const row = await db.selectFrom('account_token').selectAll().where('id_hash', '=', hashBearerToken(input.token)).where('purpose', '=', input.purpose).executeTakeFirst();
  const verdict = linkVerdict(row, input.now);
  if (verdict !== 'LIVE') return fail(verdict === 'EXPIRED' ? CODES[input.purpose].expired : CODES[input.purpose].invalid);
  return ok({ candidateId: row!.candidate_id, email: row!.email });
}

/**
 * Uses the link up. One conditional UPDATE decides, so two requests racing with one link get
 * one success between them.
 */
export async function useLink(trx: DbOrTrx, input: { token: string; purpose: AccountTokenPurpose; now: Date }): Promise<Result<LiveLink>> {
  const used = await trx.updateTable('account_token').set({ used_at: input.now })
    .where('id_hash', '=', hashBearerToken(input.token)).where('purpose', '=', input.purpose)
    .where('used_at', 'is', null).where('revoked_at', 'is', null).where('expires_at', '>', input.now)
    .returning(['candidate_id', 'email']).executeTakeFirst();
  if (used) return ok({ candidateId: used.candidate_id, email: used.email });
  const checked = await checkLink(trx, input);
  return checked.ok ? fail(CODES[input.purpose].invalid) : checked;
}

/** Housekeeping: links are worth nothing a day after they expired. */
export async function purgeLinks(db: DbOrTrx, now: Date): Promise<number> {
  const r = await db.deleteFrom('account_token').where('expires_at', '<', new Date(now.getTime() - 24 * HOUR)).executeTakeFirst();
  return Number(r.numDeletedRows);
}

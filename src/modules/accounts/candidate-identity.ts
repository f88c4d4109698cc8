import type { DbOrTrx } from '../../db/database.ts';
import type { Candidate } from '../../db/schema.ts';
import { lookupHash, maskIdNumber, maskPhone, openPersonal, sealPersonal, type PersonalDataKeys } from '../../shared/personal-data.ts';

/**
 * The one door to candidates' ID numbers and phones (OPS-6). Rows hold them sealed with a key
 * version and hashed with a keyed HMAC; everything that writes, finds, reads or shows them goes
 * through here, so no query ever compares or returns a plaintext ID number.
 */
export interface IdentityContext {
  db: DbOrTrx;
  personalData: PersonalDataKeys;
}

/** The ID-number columns of a new row (candidate, cet4_score). */
export function sealIdNumber(keys: PersonalDataKeys, idNumber: string): { id_number_sealed: Buffer; id_number_hash: Buffer } {
  return { id_number_sealed: sealPersonal(keys, 'id-number', idNumber), id_number_hash: lookupHash(keys, 'id-number', idNumber) };
}

/** The identity columns of a new candidate: ID number and, when there is one, phone. */
export function sealCandidateIdentity(keys: PersonalDataKeys, input: { idNumber: string; phone?: string | null | undefined }) {
  const phone = input.phone?.trim() ? input.phone : null;
  return {
    ...sealIdNumber(keys, input.idNumber),
    phone_sealed: phone ? sealPersonal(keys, 'phone', phone) : null,
    phone_hash: phone ? lookupHash(keys, 'phone', phone) : null,
  };
}

/** The lookup hash of an ID number as a person types it (any case, surrounding spaces). */
export function idNumberHash(keys: PersonalDataKeys, idNumber: string): Buffer {
  return lookupHash(keys, 'id-number', idNumber);
}

/**
 * THE lookup of a candidate by ID number (as a person typed it): the authority's account with
 * that number, if any. Every flow that finds an account from a number comes here.
 */
export function findCandidateByIdNumber(
  ctx: IdentityContext,
  input: ({ authorityId: bigint } | { authorityCode: string }) & { idNumber: string; forUpdate?: boolean },
): Promise<Candidate | undefined> {
  const q = ctx.db.selectFrom('candidate').selectAll()
    .where('authority_id', '=', 'authorityId' in input ? input.authorityId : (eb) => eb.selectFrom('authority').select('id').where('code', '=', input.authorityCode))
    .where('id_number_hash', '=', idNumberHash(ctx.personalData, input.idNumber));
  return (input.forUpdate ? q.forUpdate() : q).executeTakeFirst();
}

/** The full ID number, for rules that need it (password policy, initial password); never for display. */
export function candidateIdNumber(keys: PersonalDataKeys, c: Pick<Candidate, 'id_number_sealed'>): string {
  return openPersonal(keys, 'id-number', c.id_number_sealed);
}

export function candidatePhone(keys: PersonalDataKeys, c: Pick<Candidate, 'phone_sealed'>): string | null {
  return c.phone_sealed ? openPersonal(keys, 'phone', c.phone_sealed) : null;
}

/** What pages and API answers show: masked ID number and phone (docs/personal-data.md). */
export function maskedIdentity(keys: PersonalDataKeys, c: Pick<Candidate, 'id_number_sealed' | 'phone_sealed'>): { idNumberMasked: string; phoneMasked: string | null } {
  const phone = candidatePhone(keys, c);
  return { idNumberMasked: maskIdNumber(candidateIdNumber(keys, c)), phoneMasked: phone === null ? null : maskPhone(phone) };
}

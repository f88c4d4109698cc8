import type { Selectable } from 'kysely';
import type { Trx } from '../../db/database.ts';
import type { RegistrationTable } from '../../db/schema.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';

/** Who changes a registration: the candidate (their own), or an institution (REG-8: its own). */
export type RegistrationChanger = { candidateId: bigint } | { institutionId: bigint };

/**
 * Locks a registration its owner may still change (REG-7): active, owned by who asks — the
 * candidate's own and not an institution's, or the institution's own (REG-8) — not paid and not
 * on an open or paid bill. Changing its slot and deleting it both start here, under the same row
 * lock confirmBill takes.
 */
export async function lockChangeableRegistration(
  trx: Trx,
  input: { registrationId: bigint } & RegistrationChanger,
): Promise<Result<Selectable<RegistrationTable>>> {
  let q = trx.selectFrom('registration').selectAll().where('id', '=', input.registrationId).where('status', '=', 'ACTIVE');
  if ('candidateId' in input) q = q.where('candidate_id', '=', input.candidateId);
  const reg = await q.forUpdate().executeTakeFirst();
  if (!reg) return fail('REGISTRATION_NOT_FOUND');
  if ('candidateId' in input) {
    if (reg.owner !== 'CANDIDATE') return fail('REGISTRATION_NOT_PAYABLE', { reason: 'INSTITUTION_REGISTRATION' });
  } else if (reg.owner !== 'INSTITUTION') {
    // Seed 000: the candidate deletes their own first; then the institution registers it.
    return fail('REGISTRATION_OWNED_BY_CANDIDATE');
  } else if (reg.institution_id !== input.institutionId) {
    return fail('REGISTRATION_NOT_FOUND');
  }
  if (reg.paid_at) return fail('REGISTRATION_ALREADY_BILLED', { registrationIds: [String(reg.id)] });
  const onBill = await trx.selectFrom('bill_item').select('id').where('registration_id', '=', reg.id).where('live', '=', true).executeTakeFirst();
  if (onBill) return fail('REGISTRATION_ALREADY_BILLED', { registrationIds: [String(reg.id)] });
  return ok(reg);
}

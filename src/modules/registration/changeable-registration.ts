import type { Selectable } from 'kysely';
import type { Trx } from '../../db/database.ts';
import type { RegistrationTable } from '../../db/schema.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';

/**
 * Locks one of the candidate's registrations that the candidate may still change (REG-7): their
 * own, active, not an institution's (REG-8), not paid and not on an open or paid bill. Changing
 * its slot and deleting it both start here, under the same row lock confirmBill takes.
 */
export async function lockChangeableRegistration(
  trx: Trx,
  input: { candidateId: bigint; registrationId: bigint },
): Promise<Result<Selectable<RegistrationTable>>> {
  const reg = await trx.selectFrom('registration').selectAll().where('id', '=', input.registrationId)
    .where('candidate_id', '=', input.candidateId).where('status', '=', 'ACTIVE').forUpdate().executeTakeFirst();
  if (!reg) return fail('REGISTRATION_NOT_FOUND');
  if (reg.owner !== 'CANDIDATE') return fail('REGISTRATION_NOT_PAYABLE', { reason: 'INSTITUTION_REGISTRATION' });
  if (reg.paid_at) return fail('REGISTRATION_ALREADY_BILLED', { registrationIds: [String(reg.id)] });
  const onBill = await trx.selectFrom('bill_item').select('id').where('registration_id', '=', reg.id).where('live', '=', true).executeTakeFirst();
  if (onBill) return fail('REGISTRATION_ALREADY_BILLED', { registrationIds: [String(reg.id)] });
  return ok(reg);
}

import type { Db } from '../../db/database.ts';
import { describeError } from '../../shared/errors.ts';
import { checkPayable } from '../billing/confirm-bill.ts';

/** Why a registration cannot go on a bill now, in the words the confirmation would refuse it with. */
export interface PayBlock { code: string; messageZh: string; messageEn: string; details: Record<string, unknown> }

type Facts = Parameters<typeof checkPayable>[1]['registrations'][number];

/**
 * For each of a candidate's unpaid registrations that no bill holds yet: the verdict the bill
 * confirmation (PAY-1) would give if it were confirmed alone — audit not passed (REG-9, seed 004),
 * outside the payment window (REG-1), written not yet paid (REG-5, seed 002), no seat (REG-6).
 * The list then says why before the candidate tries; the confirmation still decides.
 */
export async function payVerdicts(db: Db, input: { candidateId: bigint; now: Date; registrations: Facts[] }): Promise<Map<bigint, PayBlock>> {
  const blocks = new Map<bigint, PayBlock>();
  if (input.registrations.length === 0) return blocks;
  await db.transaction().execute(async (trx) => {
    for (const r of input.registrations) {
      const verdict = await checkPayable(trx, { candidateId: input.candidateId, now: input.now, registrations: [r] });
      if (verdict.ok) continue;
      const { messageZh, messageEn } = describeError(verdict.error.code, verdict.error.details);
      blocks.set(r.id, { code: verdict.error.code, messageZh, messageEn, details: verdict.error.details ?? {} });
    }
  });
  return blocks;
}

import type { ReconciliationMismatch } from '../../db/schema.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import type { Actor, AppContext } from '../context.ts';

/**
 * Staff close an OPEN mismatch with a note saying what they did (PAY-10, ADM-4: who, when, what).
 * Only OPEN ones: what a rule settled, or staff resolved before, stays as it was. The row lock
 * makes two staff resolving at once end with one note, not two.
 */
export async function resolveMismatch(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: { mismatchId: bigint; staff: Actor; note: string },
): Promise<Result<ReconciliationMismatch>> {
  const note = input.note.trim();
  if (note.length === 0 || [...note].length > 500) return fail('RESOLUTION_NOTE_REQUIRED');
  return ctx.db.transaction().execute(async (trx) => {
    const m = await trx.selectFrom('reconciliation_mismatch').selectAll().where('id', '=', input.mismatchId).forUpdate().executeTakeFirst();
    if (!m) return fail('MISMATCH_NOT_FOUND', { id: String(input.mismatchId) });
    if (m.resolution !== 'OPEN') return fail('MISMATCH_ALREADY_RESOLVED', { id: String(m.id), resolution: m.resolution });
    const done = await trx.updateTable('reconciliation_mismatch')
      .set({ resolution: 'RESOLVED_BY_STAFF', resolved_note: note, resolved_by: input.staff, resolved_at: ctx.clock.now() })
      .where('id', '=', m.id).returningAll().executeTakeFirstOrThrow();
    return ok(done);
  });
}

import type { ReconciliationMismatch } from '../../db/schema.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import type { Actor, AppContext } from '../context.ts';
import { AUDIT_ACTIONS, recordAudit, type AuditEntry } from '../audit/audit-log.ts';

/**
 * Staff close an OPEN mismatch with a note saying what they did (PAY-10, ADM-4: who, when, what).
 * Only OPEN ones: what a rule settled, or staff resolved before, stays as it was. The row lock
 * makes two staff resolving at once end with one note, not two.
 */
export async function resolveMismatch(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: { mismatchId: bigint; staff: Actor; note: string; /** ADM-4: the console's resolutions are audited in the same transaction */ audit?: { actor: AuditEntry['actor']; ip: string | null } },
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
    if (input.audit) {
      await recordAudit(trx, {
        at: done.resolved_at!, actor: input.audit.actor, action: AUDIT_ACTIONS.MISMATCH_RESOLVE, object: { type: 'reconciliation_mismatch', id: done.id },
        summary: { before: { resolution: m.resolution }, after: { resolution: done.resolution }, channel: m.channel, day: m.day, kind: m.kind, billNo: m.bill_no, note },
        ip: input.audit.ip,
      });
    }
    return ok(done);
  });
}

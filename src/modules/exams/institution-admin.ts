import { sql } from 'kysely';
import type { Institution } from '../../db/schema.ts';
import { fail, ok } from '../../shared/errors.ts';
import type { AppContext } from '../context.ts';
import { recordConfigChange } from './config-audit.ts';
import { change, type Change } from './sitting-admin.ts';

/**
 * The authority's learning centres and schools in the console (ADM-1; seeds 000 学习中心 and
 * 002 学校): what a data file's `institutions` holds, made one at a time. They belong to the
 * authority, not to a sitting, so a sitting file never carries them. One that candidates, staff,
 * registrations or bills name is never deleted.
 */

type Ctx = Pick<AppContext, 'db' | 'clock'>;
export interface InstitutionConfig { code: string; name: string; kind: 'LEARNING_CENTRE' | 'SCHOOL' }

const configOf = (i: Institution) => ({ institutionId: i.id, code: i.code, name: i.name, kind: i.kind });

export function saveInstitution(ctx: Ctx, input: Change & { institutionId?: bigint; institution: InstitutionConfig }) {
  const i = input.institution;
  return change(ctx, i.code, async (trx, now) => {
    let before = null;
    if (input.institutionId !== undefined) {
      // Another authority's institution reads exactly like a missing one.
      const row = await trx.selectFrom('institution').selectAll().where('id', '=', input.institutionId).where('authority_id', '=', input.actor.authorityId).forUpdate().executeTakeFirst();
      if (!row) return fail('INSTITUTION_NOT_FOUND');
      before = configOf(row);
    }
    const values = { code: i.code, name: i.name, kind: i.kind };
    const row = input.institutionId !== undefined
      ? await trx.updateTable('institution').set(values).where('id', '=', input.institutionId).returningAll().executeTakeFirstOrThrow()
      : await trx.insertInto('institution').values({ authority_id: input.actor.authorityId, ...values }).returningAll().executeTakeFirstOrThrow();
    const after = configOf(row);
    await recordConfigChange(trx, { at: now, actor: input.actor, action: before ? 'institution.update' : 'institution.create', object: { type: 'institution', id: row.id }, before, after, ip: input.ip ?? null });
    return ok(after);
  });
}

export function deleteInstitution(ctx: Ctx, input: Change & { institutionId: bigint }) {
  return change(ctx, undefined, async (trx, now) => {
    const row = await trx.selectFrom('institution').selectAll().where('id', '=', input.institutionId).where('authority_id', '=', input.actor.authorityId).forUpdate().executeTakeFirst();
    if (!row) return fail('INSTITUTION_NOT_FOUND');
    const used = (await sql<{ candidates: number; staff: number; registrations: number; bills: number }>`
      SELECT (SELECT count(*)::int FROM candidate WHERE institution_id = ${row.id}) AS candidates,
             (SELECT count(*)::int FROM staff_account WHERE institution_id = ${row.id}) AS staff,
             (SELECT count(*)::int FROM registration WHERE institution_id = ${row.id}) AS registrations,
             (SELECT count(*)::int FROM bill WHERE institution_id = ${row.id}) AS bills`.execute(trx)).rows[0]!;
    if (Object.values(used).some((n) => n > 0)) return fail('CONFIG_IN_USE', used);
    await trx.deleteFrom('institution').where('id', '=', row.id).execute();
    await recordConfigChange(trx, { at: now, actor: input.actor, action: 'institution.delete', object: { type: 'institution', id: row.id }, before: configOf(row), ip: input.ip ?? null });
    return ok(undefined);
  });
}

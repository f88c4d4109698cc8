import { sql } from 'kysely';
import type { Trx } from '../../db/database.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import { formatShanghai } from '../../shared/time.ts';
import type { StaffActor } from '../accounts/authorization.ts';
import type { AppContext } from '../context.ts';
import { recordConfigChange } from './config-audit.ts';
import { foreignKeyViolation, uniqueViolation } from './config-errors.ts';
import { slotProblems, windowProblems, type Problem } from './configuration-rules.ts';
import type { SiteConfig, SittingWindowConfig, SlotConfig } from './exam-configuration.schema.ts';
import { checkedTime } from './sitting-writer.ts';

/**
 * Sittings and their windows, sites and slots in the console (ADM-1, REG-1), one transaction
 * per change with its audit entry (who, when, before, after). The checks are the data file's
 * (configuration-rules.ts); deleting refuses anything a registration uses.
 */

type Ctx = Pick<AppContext, 'db' | 'clock'>;
export interface Change { actor: StaffActor; ip?: string | null }
export const invalid = (problems: Problem[]) => fail<never>('CONFIGURATION_INVALID', { count: problems.length, problems });

/** Runs one change in a transaction; codes used twice and rows still referred to come back as coded failures. */
export async function change<T>(ctx: Ctx, code: string | undefined, work: (trx: Trx, now: Date) => Promise<Result<T>>): Promise<Result<T>> {
  try {
    return await ctx.db.transaction().execute((trx) => work(trx, ctx.clock.now()));
  } catch (err) {
    if (uniqueViolation(err)) return fail('CONFIG_CODE_TAKEN', { code: code ?? '' });
    if (foreignKeyViolation(err)) return fail('CONFIG_IN_USE');
    throw err;
  }
}

const audit = (trx: Trx, now: Date, c: Change, action: string, object: { type: string; id: bigint }, before: unknown, after: unknown, extra?: Record<string, unknown>) =>
  recordConfigChange(trx, { at: now, actor: c.actor, action, object, before, after, ip: c.ip ?? null, ...(extra ? { extra } : {}) });

// ── Sittings ──

export function createSitting(ctx: Ctx, input: Change & { examId: bigint; code: string; name: string }) {
  return change(ctx, input.code, async (trx, now) => {
    const row = await trx.insertInto('sitting').values({ exam_id: input.examId, code: input.code, name: input.name }).returningAll().executeTakeFirstOrThrow();
    await audit(trx, now, input, 'sitting.create', { type: 'sitting', id: row.id }, null, { examId: input.examId, code: row.code, name: row.name });
    return ok(row);
  });
}

export function updateSitting(ctx: Ctx, input: Change & { sittingId: bigint; code: string; name: string }) {
  return change(ctx, input.code, async (trx, now) => {
    const before = await trx.selectFrom('sitting').selectAll().where('id', '=', input.sittingId).forUpdate().executeTakeFirstOrThrow();
    const row = await trx.updateTable('sitting').set({ code: input.code, name: input.name }).where('id', '=', input.sittingId).returningAll().executeTakeFirstOrThrow();
    await audit(trx, now, input, 'sitting.update', { type: 'sitting', id: row.id }, { code: before.code, name: before.name }, { code: row.code, name: row.name });
    return ok(row);
  });
}

/** A sitting nobody has registered, been billed, reviewed or audited in yet, with everything configured in it. */
export function deleteSitting(ctx: Ctx, input: Change & { sittingId: bigint }) {
  return change(ctx, undefined, async (trx, now) => {
    const before = await trx.selectFrom('sitting').selectAll().where('id', '=', input.sittingId).forUpdate().executeTakeFirstOrThrow();
    const used = (await sql<{ registrations: number; bills: number; reviews: number; audits: number; decisions: number }>`
      SELECT (SELECT count(*)::int FROM registration WHERE sitting_id = ${input.sittingId}) AS registrations,
             (SELECT count(*)::int FROM bill WHERE sitting_id = ${input.sittingId}) AS bills,
             (SELECT count(*)::int FROM eligibility_review WHERE sitting_id = ${input.sittingId}) AS reviews,
             (SELECT count(*)::int FROM candidate_audit WHERE sitting_id = ${input.sittingId}) AS audits,
             (SELECT count(*)::int FROM authority_action WHERE sitting_id = ${input.sittingId}) AS decisions`.execute(trx)).rows[0]!;
    if (Object.values(used).some((n) => n > 0)) return fail('CONFIG_IN_USE', used);
    const counts = (await sql<{ subjects: number; sites: number; slots: number; windows: number; pools: number }>`
      SELECT (SELECT count(*)::int FROM subject WHERE sitting_id = ${input.sittingId}) AS subjects,
             (SELECT count(*)::int FROM site WHERE sitting_id = ${input.sittingId}) AS sites,
             (SELECT count(*)::int FROM slot WHERE sitting_id = ${input.sittingId}) AS slots,
             (SELECT count(*)::int FROM sitting_window WHERE sitting_id = ${input.sittingId}) AS windows,
             (SELECT count(*)::int FROM seat_pool WHERE sitting_id = ${input.sittingId}) AS pools`.execute(trx)).rows[0]!;
    await trx.deleteFrom('sitting_window').where('sitting_id', '=', input.sittingId).execute();
    await sql`DELETE FROM seat WHERE pool_id IN (SELECT id FROM seat_pool WHERE sitting_id = ${input.sittingId})`.execute(trx);
    await trx.deleteFrom('seat_pool').where('sitting_id', '=', input.sittingId).execute();
    await trx.updateTable('subject').set({ written_subject_id: null }).where('sitting_id', '=', input.sittingId).execute();
    await trx.deleteFrom('subject').where('sitting_id', '=', input.sittingId).execute();
    await trx.deleteFrom('site').where('sitting_id', '=', input.sittingId).execute();
    await trx.deleteFrom('slot').where('sitting_id', '=', input.sittingId).execute();
    await trx.deleteFrom('sitting').where('id', '=', input.sittingId).execute();
    await audit(trx, now, input, 'sitting.delete', { type: 'sitting', id: input.sittingId }, { examId: before.exam_id, code: before.code, name: before.name, ...counts }, null);
    return ok(undefined);
  });
}

// ── Windows (REG-1) ──

async function siteCodes(trx: Trx, sittingId: bigint) {
  return new Map((await trx.selectFrom('site').select(['id', 'code']).where('sitting_id', '=', sittingId).execute()).map((s) => [s.code, s.id] as const));
}

async function windowConfig(trx: Trx, windowId: bigint): Promise<SittingWindowConfig & { windowId: bigint }> {
  const w = await trx.selectFrom('sitting_window as w').leftJoin('site as s', 's.id', 'w.site_id').select(['w.id', 'w.kind', 's.code as site', 'w.opens_at', 'w.closes_at'])
    .where('w.id', '=', windowId).executeTakeFirstOrThrow();
  return { windowId: w.id, kind: w.kind, ...(w.site !== null ? { site: w.site } : {}), opens: formatShanghai(w.opens_at), closes: formatShanghai(w.closes_at) };
}

export function saveWindow(ctx: Ctx, input: Change & { sittingId: bigint; windowId?: bigint; window: SittingWindowConfig }) {
  return change(ctx, undefined, async (trx, now) => {
    const sites = await siteCodes(trx, input.sittingId);
    const problems = windowProblems(input.window, { sites: new Set(sites.keys()), now });
    if (problems.length) return invalid(problems);
    const w = input.window;
    const values = { kind: w.kind, site_id: w.site !== undefined ? sites.get(w.site)! : null, opens_at: checkedTime(w.opens, now), closes_at: checkedTime(w.closes, now) };
    const before = input.windowId !== undefined ? await windowConfig(trx, input.windowId) : null;
    const id = input.windowId !== undefined
      ? (await trx.updateTable('sitting_window').set(values).where('id', '=', input.windowId).returning('id').executeTakeFirstOrThrow()).id
      : (await trx.insertInto('sitting_window').values({ sitting_id: input.sittingId, ...values }).returning('id').executeTakeFirstOrThrow()).id;
    const after = await windowConfig(trx, id);
    await audit(trx, now, input, before ? 'window.update' : 'window.create', { type: 'window', id }, before, after, { sittingId: input.sittingId });
    return ok(after);
  });
}

export function deleteWindow(ctx: Ctx, input: Change & { sittingId: bigint; windowId: bigint }) {
  return change(ctx, undefined, async (trx, now) => {
    const before = await windowConfig(trx, input.windowId);
    await trx.deleteFrom('sitting_window').where('id', '=', input.windowId).execute();
    await audit(trx, now, input, 'window.delete', { type: 'window', id: input.windowId }, before, null, { sittingId: input.sittingId });
    return ok(undefined);
  });
}

// ── Sites and slots ──

async function registrationsUsing(trx: Trx, column: 'site_id' | 'slot_id', id: bigint): Promise<number> {
  return (await trx.selectFrom('registration').select(sql<number>`count(*)::int`.as('n')).where(column, '=', id).executeTakeFirstOrThrow()).n;
}

/** Removes pools nobody is registered in (their seats are all free), for a site, slot or subject being deleted. */
export async function deletePools(trx: Trx, column: 'site_id' | 'slot_id' | 'subject_id', id: bigint): Promise<number> {
  const pools = await trx.selectFrom('seat_pool').select('id').where(column, '=', id).execute();
  if (pools.length === 0) return 0;
  const ids = pools.map((p) => p.id);
  await trx.deleteFrom('seat').where('pool_id', 'in', ids).execute();
  await trx.deleteFrom('seat_pool').where('id', 'in', ids).execute();
  return pools.length;
}

export function saveSite(ctx: Ctx, input: Change & { sittingId: bigint; siteId?: bigint; site: SiteConfig }) {
  return change(ctx, input.site.code, async (trx, now) => {
    const before = input.siteId !== undefined ? await trx.selectFrom('site').select(['id as siteId', 'code', 'name']).where('id', '=', input.siteId).forUpdate().executeTakeFirstOrThrow() : null;
    const row = input.siteId !== undefined
      ? await trx.updateTable('site').set({ code: input.site.code, name: input.site.name }).where('id', '=', input.siteId).returningAll().executeTakeFirstOrThrow()
      : await trx.insertInto('site').values({ sitting_id: input.sittingId, code: input.site.code, name: input.site.name }).returningAll().executeTakeFirstOrThrow();
    await audit(trx, now, input, before ? 'site.update' : 'site.create', { type: 'site', id: row.id }, before, { siteId: row.id, code: row.code, name: row.name }, { sittingId: input.sittingId });
    return ok(row);
  });
}

/** A site no registration names; its site-management windows and its (empty) capacity go with it. */
export function deleteSite(ctx: Ctx, input: Change & { sittingId: bigint; siteId: bigint }) {
  return change(ctx, undefined, async (trx, now) => {
    const before = await trx.selectFrom('site').select(['id as siteId', 'code', 'name']).where('id', '=', input.siteId).forUpdate().executeTakeFirstOrThrow();
    const registrations = await registrationsUsing(trx, 'site_id', input.siteId);
    if (registrations > 0) return fail('CONFIG_IN_USE', { registrations });
    const windows = await trx.deleteFrom('sitting_window').where('site_id', '=', input.siteId).returning('id').execute();
    const pools = await deletePools(trx, 'site_id', input.siteId);
    await trx.deleteFrom('site').where('id', '=', input.siteId).execute();
    await audit(trx, now, input, 'site.delete', { type: 'site', id: input.siteId }, before, null, { sittingId: input.sittingId, windowsDeleted: windows.map((w) => w.id), poolsDeleted: pools });
    return ok(undefined);
  });
}

const slotView = (s: { id: bigint; code: string; starts_at: Date; ends_at: Date }) => ({ slotId: s.id, code: s.code, starts: formatShanghai(s.starts_at), ends: formatShanghai(s.ends_at) });

export function saveSlot(ctx: Ctx, input: Change & { sittingId: bigint; slotId?: bigint; slot: SlotConfig }) {
  return change(ctx, input.slot.code, async (trx, now) => {
    const problems = slotProblems(input.slot, { now });
    if (problems.length) return invalid(problems);
    const values = { code: input.slot.code, starts_at: checkedTime(input.slot.starts, now), ends_at: checkedTime(input.slot.ends, now) };
    const before = input.slotId !== undefined ? await trx.selectFrom('slot').selectAll().where('id', '=', input.slotId).forUpdate().executeTakeFirstOrThrow() : null;
    const row = input.slotId !== undefined
      ? await trx.updateTable('slot').set(values).where('id', '=', input.slotId).returningAll().executeTakeFirstOrThrow()
      : await trx.insertInto('slot').values({ sitting_id: input.sittingId, ...values }).returningAll().executeTakeFirstOrThrow();
    await audit(trx, now, input, before ? 'slot.update' : 'slot.create', { type: 'slot', id: row.id }, before && slotView(before), slotView(row), { sittingId: input.sittingId });
    return ok(row);
  });
}

export function deleteSlot(ctx: Ctx, input: Change & { sittingId: bigint; slotId: bigint }) {
  return change(ctx, undefined, async (trx, now) => {
    const before = await trx.selectFrom('slot').selectAll().where('id', '=', input.slotId).forUpdate().executeTakeFirstOrThrow();
    const registrations = await registrationsUsing(trx, 'slot_id', input.slotId);
    if (registrations > 0) return fail('CONFIG_IN_USE', { registrations });
    const pools = await deletePools(trx, 'slot_id', input.slotId);
    await trx.deleteFrom('slot').where('id', '=', input.slotId).execute();
    await audit(trx, now, input, 'slot.delete', { type: 'slot', id: input.slotId }, slotView(before), null, { sittingId: input.sittingId, poolsDeleted: pools });
    return ok(undefined);
  });
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { Type } from 'typebox';
import type { StaffActor } from '../../../modules/accounts/authorization.ts';
import { loadSeatPool, loadSite, loadSlot, loadSubject, loadWindow } from '../../../modules/accounts/staff-scope.ts';
import { schemaProblems } from '../../../modules/exams/configuration-rules.ts';
import { CapacityConfig, SiteConfig, SittingWindowConfig, SlotConfig, SubjectConfig } from '../../../modules/exams/exam-configuration.schema.ts';
import { deleteSite, deleteSlot, deleteWindow, saveSite, saveSlot, saveWindow } from '../../../modules/exams/sitting-admin.ts';
import { readSitting } from '../../../modules/exams/sitting-config.ts';
import { deleteCapacity, deleteSubject, saveSubject, setCapacity } from '../../../modules/exams/subject-admin.ts';
import { fail, ok, type Result } from '../../../shared/errors.ts';
import { currentStaff } from '../../plugins/staff-auth.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { IdString, responses } from '../../schemas.ts';
import { configurableSitting, refusedBy } from './configuration.routes.ts';
import { CapacityView, SiteView, SlotView, SubjectBody, SubjectView, sittingView, WindowView } from './configuration.views.ts';

const PREFIX = '/api/v1/admin';
const tags = ['configuration'];
const Empty = Type.Null();
const SittingParams = Type.Object({ sittingId: IdString });
type Item = 'windows' | 'subjects' | 'sites' | 'slots' | 'capacity';
const ID_OF: Record<Item, string> = { windows: 'windowId', subjects: 'subjectId', sites: 'siteId', slots: 'slotId', capacity: 'poolId' };

/**
 * A sitting's windows, sites, slots, subjects and capacity (ADM-1, REG-1, REG-3, REG-5, REG-6).
 * Bodies are the data file's pieces; answers the item as GET …/sittings/:sittingId shows it.
 */
export function sittingPartRoutes({ ctx }: RouteDeps): FastifyPluginAsyncTypebox {
  /** The item as the sitting view shows it, after the change. */
  const itemView = async (sittingId: bigint, list: Item, id: bigint | string) => {
    const view = sittingView(await readSitting(ctx.db, sittingId));
    return (view[list] as Record<string, unknown>[]).find((x) => x[ID_OF[list]] === String(id))!;
  };
  /** A part loaded by id (in scope, or its own 404), in a sitting that may still be configured. */
  const part = async (actor: StaffActor, loaded: Result<{ id: bigint; sitting_id: bigint }>) => {
    if (!loaded.ok) return loaded;
    const sitting = await configurableSitting(ctx.db, actor, loaded.value.sitting_id);
    return sitting.ok ? ok(loaded.value) : sitting;
  };
  const gone = (reply: FastifyReply) => reply.code(204).send(null);

  return async (app) => {
    // ── Windows ──
    app.post(`${PREFIX}/sittings/:sittingId/windows`, {
      config: { staffAction: 'exam.configure' },
      schema: { tags, summary: 'Add a window (registration, payment, site management, print)', params: SittingParams, body: SittingWindowConfig, response: responses(201, WindowView, [401, 403, 404, 409, 422]) },
    }, async (req, reply) => {
      const actor = currentStaff(req).actor;
      const sitting = await configurableSitting(ctx.db, actor, BigInt(req.params.sittingId));
      if (refusedBy(req, reply, sitting)) return reply;
      const r = await saveWindow(ctx, { actor, sittingId: sitting.value.id, window: req.body, ip: req.ip });
      if (refusedBy(req, reply, r)) return reply;
      return reply.code(201).send(await itemView(sitting.value.id, 'windows', r.value.windowId));
    });
    app.put(`${PREFIX}/windows/:windowId`, {
      config: { staffAction: 'exam.configure' },
      schema: { tags, summary: 'Change a window', params: Type.Object({ windowId: IdString }), body: SittingWindowConfig, response: responses(200, WindowView, [401, 403, 404, 409, 422]) },
    }, async (req, reply) => {
      const actor = currentStaff(req).actor;
      const w = await part(actor, await loadWindow(ctx.db, actor, 'exam.configure', BigInt(req.params.windowId)));
      if (refusedBy(req, reply, w)) return reply;
      const r = await saveWindow(ctx, { actor, sittingId: w.value.sitting_id, windowId: w.value.id, window: req.body, ip: req.ip });
      if (refusedBy(req, reply, r)) return reply;
      return itemView(w.value.sitting_id, 'windows', w.value.id);
    });
    app.delete(`${PREFIX}/windows/:windowId`, {
      config: { staffAction: 'exam.configure' },
      schema: { tags, summary: 'Delete a window', params: Type.Object({ windowId: IdString }), response: responses(204, Empty, [401, 403, 404, 409]) },
    }, async (req, reply) => {
      const actor = currentStaff(req).actor;
      const w = await part(actor, await loadWindow(ctx.db, actor, 'exam.configure', BigInt(req.params.windowId)));
      if (refusedBy(req, reply, w)) return reply;
      const r = await deleteWindow(ctx, { actor, sittingId: w.value.sitting_id, windowId: w.value.id, ip: req.ip });
      if (refusedBy(req, reply, r)) return reply;
      return gone(reply);
    });

    // ── Sites ──
    app.post(`${PREFIX}/sittings/:sittingId/sites`, {
      config: { staffAction: 'exam.configure' },
      schema: { tags, summary: 'Add a site (考点/校区)', params: SittingParams, body: SiteConfig, response: responses(201, SiteView, [401, 403, 404, 409]) },
    }, async (req, reply) => {
      const actor = currentStaff(req).actor;
      const sitting = await configurableSitting(ctx.db, actor, BigInt(req.params.sittingId));
      if (refusedBy(req, reply, sitting)) return reply;
      const r = await saveSite(ctx, { actor, sittingId: sitting.value.id, site: req.body, ip: req.ip });
      if (refusedBy(req, reply, r)) return reply;
      return reply.code(201).send(await itemView(sitting.value.id, 'sites', r.value.id));
    });
    app.put(`${PREFIX}/sites/:siteId`, {
      config: { staffAction: 'exam.configure' },
      schema: { tags, summary: "Change a site's code and name", params: Type.Object({ siteId: IdString }), body: SiteConfig, response: responses(200, SiteView, [401, 403, 404, 409]) },
    }, async (req, reply) => {
      const actor = currentStaff(req).actor;
      const s = await part(actor, await loadSite(ctx.db, actor, 'exam.configure', BigInt(req.params.siteId)));
      if (refusedBy(req, reply, s)) return reply;
      const r = await saveSite(ctx, { actor, sittingId: s.value.sitting_id, siteId: s.value.id, site: req.body, ip: req.ip });
      if (refusedBy(req, reply, r)) return reply;
      return itemView(s.value.sitting_id, 'sites', s.value.id);
    });
    app.delete(`${PREFIX}/sites/:siteId`, {
      config: { staffAction: 'exam.configure' },
      schema: { tags, summary: 'Delete a site no registration names (its site-management windows and empty capacity go with it)', params: Type.Object({ siteId: IdString }), response: responses(204, Empty, [401, 403, 404, 409]) },
    }, async (req, reply) => {
      const actor = currentStaff(req).actor;
      const s = await part(actor, await loadSite(ctx.db, actor, 'exam.configure', BigInt(req.params.siteId)));
      if (refusedBy(req, reply, s)) return reply;
      const r = await deleteSite(ctx, { actor, sittingId: s.value.sitting_id, siteId: s.value.id, ip: req.ip });
      if (refusedBy(req, reply, r)) return reply;
      return gone(reply);
    });

    // ── Slots ──
    app.post(`${PREFIX}/sittings/:sittingId/slots`, {
      config: { staffAction: 'exam.configure' },
      schema: { tags, summary: 'Add a time slot (考试时间/场次)', params: SittingParams, body: SlotConfig, response: responses(201, SlotView, [401, 403, 404, 409, 422]) },
    }, async (req, reply) => {
      const actor = currentStaff(req).actor;
      const sitting = await configurableSitting(ctx.db, actor, BigInt(req.params.sittingId));
      if (refusedBy(req, reply, sitting)) return reply;
      const r = await saveSlot(ctx, { actor, sittingId: sitting.value.id, slot: req.body, ip: req.ip });
      if (refusedBy(req, reply, r)) return reply;
      return reply.code(201).send(await itemView(sitting.value.id, 'slots', r.value.id));
    });
    app.put(`${PREFIX}/slots/:slotId`, {
      config: { staffAction: 'exam.configure' },
      schema: { tags, summary: 'Change a time slot', params: Type.Object({ slotId: IdString }), body: SlotConfig, response: responses(200, SlotView, [401, 403, 404, 409, 422]) },
    }, async (req, reply) => {
      const actor = currentStaff(req).actor;
      const s = await part(actor, await loadSlot(ctx.db, actor, 'exam.configure', BigInt(req.params.slotId)));
      if (refusedBy(req, reply, s)) return reply;
      const r = await saveSlot(ctx, { actor, sittingId: s.value.sitting_id, slotId: s.value.id, slot: req.body, ip: req.ip });
      if (refusedBy(req, reply, r)) return reply;
      return itemView(s.value.sitting_id, 'slots', s.value.id);
    });
    app.delete(`${PREFIX}/slots/:slotId`, {
      config: { staffAction: 'exam.configure' },
      schema: { tags, summary: 'Delete a time slot no registration names (its empty capacity goes with it)', params: Type.Object({ slotId: IdString }), response: responses(204, Empty, [401, 403, 404, 409]) },
    }, async (req, reply) => {
      const actor = currentStaff(req).actor;
      const s = await part(actor, await loadSlot(ctx.db, actor, 'exam.configure', BigInt(req.params.slotId)));
      if (refusedBy(req, reply, s)) return reply;
      const r = await deleteSlot(ctx, { actor, sittingId: s.value.sitting_id, slotId: s.value.id, ip: req.ip });
      if (refusedBy(req, reply, r)) return reply;
      return gone(reply);
    });

    // ── Subjects ──
    /** The console's subject (fee as a string) as the data file's, through the file's own schema. */
    const subjectOf = (body: { feeFen: string } & Record<string, unknown>): Result<SubjectConfig> => {
      const subject = { ...body, feeFen: Number(body.feeFen) };
      const problems = schemaProblems(SubjectConfig, subject);
      return problems.length ? fail('CONFIGURATION_INVALID', { count: problems.length, problems }) : ok(subject as SubjectConfig);
    };
    app.post(`${PREFIX}/sittings/:sittingId/subjects`, {
      config: { staffAction: 'exam.configure' },
      schema: { tags, summary: 'Add a subject (fee, kind, written subject of an oral one, exclusion group)', params: SittingParams, body: SubjectBody, response: responses(201, SubjectView, [401, 403, 404, 409, 422]) },
    }, async (req, reply) => {
      const actor = currentStaff(req).actor;
      const sitting = await configurableSitting(ctx.db, actor, BigInt(req.params.sittingId));
      if (refusedBy(req, reply, sitting)) return reply;
      const subject = subjectOf(req.body);
      if (refusedBy(req, reply, subject)) return reply;
      const r = await saveSubject(ctx, { actor, sittingId: sitting.value.id, subject: subject.value, ip: req.ip });
      if (refusedBy(req, reply, r)) return reply;
      return reply.code(201).send(await itemView(sitting.value.id, 'subjects', r.value.subjectId));
    });
    app.put(`${PREFIX}/subjects/:subjectId`, {
      config: { staffAction: 'exam.configure' },
      schema: {
        tags, summary: 'Change a subject; its fee is fixed once a candidate has it on a bill or paid it (SUBJECT_FEE_LOCKED)',
        params: Type.Object({ subjectId: IdString }), body: SubjectBody, response: responses(200, SubjectView, [401, 403, 404, 409, 422]),
      },
    }, async (req, reply) => {
      const actor = currentStaff(req).actor;
      const s = await part(actor, await loadSubject(ctx.db, actor, 'exam.configure', BigInt(req.params.subjectId)));
      if (refusedBy(req, reply, s)) return reply;
      const subject = subjectOf(req.body);
      if (refusedBy(req, reply, subject)) return reply;
      const r = await saveSubject(ctx, { actor, sittingId: s.value.sitting_id, subjectId: s.value.id, subject: subject.value, ip: req.ip });
      if (refusedBy(req, reply, r)) return reply;
      return itemView(s.value.sitting_id, 'subjects', s.value.id);
    });
    app.delete(`${PREFIX}/subjects/:subjectId`, {
      config: { staffAction: 'exam.configure' },
      schema: { tags, summary: 'Delete a subject nobody registered for (its empty capacity goes with it)', params: Type.Object({ subjectId: IdString }), response: responses(204, Empty, [401, 403, 404, 409]) },
    }, async (req, reply) => {
      const actor = currentStaff(req).actor;
      const s = await part(actor, await loadSubject(ctx.db, actor, 'exam.configure', BigInt(req.params.subjectId)));
      if (refusedBy(req, reply, s)) return reply;
      const r = await deleteSubject(ctx, { actor, sittingId: s.value.sitting_id, subjectId: s.value.id, ip: req.ip });
      if (refusedBy(req, reply, r)) return reply;
      return gone(reply);
    });

    // ── Capacity (REG-6) ──
    app.put(`${PREFIX}/sittings/:sittingId/capacity`, {
      config: { staffAction: 'exam.configure' },
      schema: {
        tags, summary: 'Set the seats of site × slot × subject (made if new); never below the seats held and sold (CAPACITY_BELOW_TAKEN)',
        params: SittingParams, body: CapacityConfig, response: responses(200, CapacityView, [401, 403, 404, 409, 422]),
      },
    }, async (req, reply) => {
      const actor = currentStaff(req).actor;
      const sitting = await configurableSitting(ctx.db, actor, BigInt(req.params.sittingId));
      if (refusedBy(req, reply, sitting)) return reply;
      const r = await setCapacity(ctx, { actor, sittingId: sitting.value.id, capacity: req.body, ip: req.ip });
      if (refusedBy(req, reply, r)) return reply;
      return itemView(sitting.value.id, 'capacity', r.value.poolId);
    });
    app.delete(`${PREFIX}/seat-pools/:poolId`, {
      config: { staffAction: 'exam.configure' },
      schema: { tags, summary: 'Remove the capacity of site × slot × subject when no registration names it', params: Type.Object({ poolId: IdString }), response: responses(204, Empty, [401, 403, 404, 409]) },
    }, async (req, reply) => {
      const actor = currentStaff(req).actor;
      const p = await part(actor, await loadSeatPool(ctx.db, actor, 'exam.configure', BigInt(req.params.poolId)));
      if (refusedBy(req, reply, p)) return reply;
      const r = await deleteCapacity(ctx, { actor, sittingId: p.value.sitting_id, poolId: p.value.id, ip: req.ip });
      if (refusedBy(req, reply, r)) return reply;
      return gone(reply);
    });
  };
}


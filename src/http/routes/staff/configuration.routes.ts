import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { StaffActor } from '../../../modules/accounts/authorization.ts';
import { loadExam, loadSitting } from '../../../modules/accounts/staff-scope.ts';
import { createExam, deleteExam, examWithSittings, listExams, updateExam } from '../../../modules/exams/exam-admin.ts';
import { ExamConfiguration, ExamSettings } from '../../../modules/exams/exam-configuration.schema.ts';
import { createSitting, deleteSitting, updateSitting } from '../../../modules/exams/sitting-admin.ts';
import { exportSitting, readSitting } from '../../../modules/exams/sitting-config.ts';
import { importSitting } from '../../../modules/exams/sitting-import.ts';
import { deleteInstitution, saveInstitution } from '../../../modules/exams/institution-admin.ts';
import { fail, type Result } from '../../../shared/errors.ts';
import { currentStaff } from '../../plugins/staff-auth.ts';
import { sendFailure } from '../../plugins/errors.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { IdString, responses } from '../../schemas.ts';
import { ExamView, examView, InstitutionBody, InstitutionView, SittingBody, SittingView, sittingView } from './configuration.views.ts';

const PREFIX = '/api/v1/admin';
const tags = ['configuration'];
const Empty = Type.Null();

/**
 * A sitting the authority may still configure: in scope, and not cancelled (REF-2 cancelled it
 * and refunded its candidates; changing it now would only confuse what they were told).
 */
export async function configurableSitting(db: RouteDeps['ctx']['db'], actor: StaffActor, sittingId: bigint): Promise<Result<{ id: bigint }>> {
  const sitting = await loadSitting(db, actor, 'exam.configure', sittingId);
  if (!sitting.ok) return sitting;
  if (sitting.value.cancelled_at) return fail('ALREADY_CANCELLED', { sittingId: String(sittingId) });
  return sitting;
}

/** Sends a failure, or nothing: `if (await refused(...)) return reply` keeps handlers flat. */
export function refusedBy<T>(req: FastifyRequest, reply: FastifyReply, r: Result<T>): r is Extract<Result<T>, { ok: false }> {
  if (r.ok) return false;
  void sendFailure(req, reply, r.error);
  return true;
}

/** The authority's exams and sittings (ADM-1): the same settings as the data file's `exam`, and the sitting file itself. */
export function configurationRoutes({ ctx }: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(`${PREFIX}/exams`, {
      config: { staffAction: 'exam.read' },
      schema: { tags, summary: "The authority's exams with their settings and sittings", response: responses(200, Type.Array(ExamView), [401, 403]) },
    }, async (req) => (await listExams(ctx.db, currentStaff(req).actor.authorityId)).map(examView));

    app.post(`${PREFIX}/exams`, {
      config: { staffAction: 'exam.configure' },
      schema: { tags, summary: 'Create an exam (the data file\'s `exam` object)', body: ExamSettings, response: responses(201, ExamView, [401, 403, 409, 422]) },
    }, async (req, reply) => {
      const r = await createExam(ctx, { actor: currentStaff(req).actor, settings: req.body, ip: req.ip });
      if (refusedBy(req, reply, r)) return reply;
      return reply.code(201).send(examView(await examWithSittings(ctx.db, r.value)));
    });

    app.get(`${PREFIX}/exams/:examId`, {
      config: { staffAction: 'exam.read' },
      schema: { tags, summary: 'One exam with its settings and sittings', params: Type.Object({ examId: IdString }), response: responses(200, ExamView, [401, 403, 404]) },
    }, async (req, reply) => {
      const exam = await loadExam(ctx.db, currentStaff(req).actor, 'exam.read', BigInt(req.params.examId));
      if (refusedBy(req, reply, exam)) return reply;
      return examView(await examWithSittings(ctx.db, exam.value));
    });

    app.put(`${PREFIX}/exams/:examId`, {
      config: { staffAction: 'exam.configure' },
      schema: {
        tags, summary: "Replace an exam's settings (the account style is fixed once it has candidates)",
        params: Type.Object({ examId: IdString }), body: ExamSettings, response: responses(200, ExamView, [401, 403, 404, 409, 422]),
      },
    }, async (req, reply) => {
      const actor = currentStaff(req).actor;
      const exam = await loadExam(ctx.db, actor, 'exam.configure', BigInt(req.params.examId));
      if (refusedBy(req, reply, exam)) return reply;
      const r = await updateExam(ctx, { actor, examId: exam.value.id, settings: req.body, ip: req.ip });
      if (refusedBy(req, reply, r)) return reply;
      return examView(await examWithSittings(ctx.db, r.value));
    });

    app.delete(`${PREFIX}/exams/:examId`, {
      config: { staffAction: 'exam.configure' },
      schema: { tags, summary: 'Delete an exam that has no sitting and no candidate', params: Type.Object({ examId: IdString }), response: responses(204, Empty, [401, 403, 404, 409]) },
    }, async (req, reply) => {
      const actor = currentStaff(req).actor;
      const exam = await loadExam(ctx.db, actor, 'exam.configure', BigInt(req.params.examId));
      if (refusedBy(req, reply, exam)) return reply;
      const r = await deleteExam(ctx, { actor, examId: exam.value.id, ip: req.ip });
      if (refusedBy(req, reply, r)) return reply;
      return reply.code(204).send(null);
    });

    app.post(`${PREFIX}/exams/:examId/sittings`, {
      config: { staffAction: 'exam.configure' },
      schema: { tags, summary: 'Create an empty sitting of the exam', params: Type.Object({ examId: IdString }), body: SittingBody, response: responses(201, SittingView, [401, 403, 404, 409]) },
    }, async (req, reply) => {
      const actor = currentStaff(req).actor;
      const exam = await loadExam(ctx.db, actor, 'exam.configure', BigInt(req.params.examId));
      if (refusedBy(req, reply, exam)) return reply;
      const r = await createSitting(ctx, { actor, examId: exam.value.id, code: req.body.code, name: req.body.name, ip: req.ip });
      if (refusedBy(req, reply, r)) return reply;
      return reply.code(201).send(sittingView(await readSitting(ctx.db, r.value.id)));
    });

    app.get(`${PREFIX}/sittings/:sittingId`, {
      config: { staffAction: 'exam.read' },
      schema: {
        tags, summary: 'A sitting with its windows, subjects, sites, slots and capacity (seats held, sold, free)',
        params: Type.Object({ sittingId: IdString }), response: responses(200, SittingView, [401, 403, 404]),
      },
    }, async (req, reply) => {
      const sitting = await loadSitting(ctx.db, currentStaff(req).actor, 'exam.read', BigInt(req.params.sittingId));
      if (refusedBy(req, reply, sitting)) return reply;
      return sittingView(await readSitting(ctx.db, sitting.value.id));
    });

    app.put(`${PREFIX}/sittings/:sittingId`, {
      config: { staffAction: 'exam.configure' },
      schema: { tags, summary: "Change a sitting's code and name", params: Type.Object({ sittingId: IdString }), body: SittingBody, response: responses(200, SittingView, [401, 403, 404, 409]) },
    }, async (req, reply) => {
      const actor = currentStaff(req).actor;
      const sitting = await configurableSitting(ctx.db, actor, BigInt(req.params.sittingId));
      if (refusedBy(req, reply, sitting)) return reply;
      const r = await updateSitting(ctx, { actor, sittingId: sitting.value.id, code: req.body.code, name: req.body.name, ip: req.ip });
      if (refusedBy(req, reply, r)) return reply;
      return sittingView(await readSitting(ctx.db, sitting.value.id));
    });

    app.delete(`${PREFIX}/sittings/:sittingId`, {
      config: { staffAction: 'exam.configure' },
      schema: {
        tags, summary: 'Delete a sitting nobody has registered, been billed or reviewed in, with everything configured in it',
        params: Type.Object({ sittingId: IdString }), response: responses(204, Empty, [401, 403, 404, 409]),
      },
    }, async (req, reply) => {
      const actor = currentStaff(req).actor;
      const sitting = await loadSitting(ctx.db, actor, 'exam.configure', BigInt(req.params.sittingId));
      if (refusedBy(req, reply, sitting)) return reply;
      const r = await deleteSitting(ctx, { actor, sittingId: sitting.value.id, ip: req.ip });
      if (refusedBy(req, reply, r)) return reply;
      return reply.code(204).send(null);
    });

    app.get(`${PREFIX}/sittings/:sittingId/export`, {
      config: { staffAction: 'exam.read' },
      schema: {
        tags, summary: 'The sitting and its exam as a data file (the format of fixtures/seeds/*.json), times in Beijing time; no roster',
        params: Type.Object({ sittingId: IdString }), response: responses(200, ExamConfiguration, [401, 403, 404]),
      },
    }, async (req, reply) => {
      const sitting = await loadSitting(ctx.db, currentStaff(req).actor, 'exam.read', BigInt(req.params.sittingId));
      if (refusedBy(req, reply, sitting)) return reply;
      const file = await exportSitting(ctx.db, sitting.value.id);
      reply.header('content-disposition', `attachment; filename="${file.exam.code}-${file.sitting.code}.json"`);
      return file;
    });

    app.post(`${PREFIX}/sittings/import`, {
      config: { staffAction: 'exam.configure' },
      // Checked in the use case, not by Fastify, so every problem comes back at once with its path.
      bodyLimit: 5 * 1024 * 1024,
      schema: {
        tags, summary: 'Import a sitting file as a new sitting (and its exam, if the code is new): all or nothing; refused with every problem (path, reason)',
        body: Type.Object({}, { additionalProperties: true, description: 'A data file in the format of GET …/sittings/:sittingId/export (schema: ExamConfiguration)' }),
        response: responses(201, Type.Object({
          examId: IdString, examCreated: Type.Boolean(), sittingId: IdString,
          subjects: Type.Integer(), sites: Type.Integer(), slots: Type.Integer(), windows: Type.Integer(), pools: Type.Integer(), seats: Type.Integer(),
        }), [401, 403, 409, 413, 422]),
      },
    }, async (req, reply) => {
      const r = await importSitting(ctx, { actor: currentStaff(req).actor, file: req.body, ip: req.ip });
      if (refusedBy(req, reply, r)) return reply;
      return reply.code(201).send({ ...r.value, examId: String(r.value.examId), sittingId: String(r.value.sittingId) });
    });

    // ── Institutions (seeds 000, 002): the authority's, not a sitting's ──
    const institutionView = (i: { institutionId: bigint; code: string; name: string; kind: string }) => ({ ...i, institutionId: String(i.institutionId) });
    app.post(`${PREFIX}/institutions`, {
      config: { staffAction: 'exam.configure' },
      schema: { tags, summary: 'Add a learning centre or school (学习中心/学校)', body: InstitutionBody, response: responses(201, InstitutionView, [401, 403, 409]) },
    }, async (req, reply) => {
      const r = await saveInstitution(ctx, { actor: currentStaff(req).actor, institution: req.body, ip: req.ip });
      if (refusedBy(req, reply, r)) return reply;
      return reply.code(201).send(institutionView(r.value));
    });
    app.put(`${PREFIX}/institutions/:institutionId`, {
      config: { staffAction: 'exam.configure' },
      schema: { tags, summary: "Change an institution's code, name or kind", params: Type.Object({ institutionId: IdString }), body: InstitutionBody, response: responses(200, InstitutionView, [401, 403, 404, 409]) },
    }, async (req, reply) => {
      const r = await saveInstitution(ctx, { actor: currentStaff(req).actor, institutionId: BigInt(req.params.institutionId), institution: req.body, ip: req.ip });
      if (refusedBy(req, reply, r)) return reply;
      return institutionView(r.value);
    });
    app.delete(`${PREFIX}/institutions/:institutionId`, {
      config: { staffAction: 'exam.configure' },
      schema: { tags, summary: 'Delete an institution no candidate, staff account, registration or bill names', params: Type.Object({ institutionId: IdString }), response: responses(204, Empty, [401, 403, 404, 409]) },
    }, async (req, reply) => {
      const r = await deleteInstitution(ctx, { actor: currentStaff(req).actor, institutionId: BigInt(req.params.institutionId), ip: req.ip });
      if (refusedBy(req, reply, r)) return reply;
      return reply.code(204).send(null);
    });
  };
}

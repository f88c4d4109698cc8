import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { maskIdNumber, readIdNumber } from '../../../modules/accounts/id-number.ts';
import { loadCandidate, loadSitting } from '../../../modules/accounts/staff-scope.ts';
import { chooseInstitutionSlot, deleteInstitutionRegistration, listInstitutionRegistrations, registerForInstitution } from '../../../modules/institutions/institution-registrations.ts';
import { currentStaff } from '../../plugins/staff-auth.ts';
import { sendFailure } from '../../plugins/errors.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { IdString, responses, Timestamp } from '../../schemas.ts';
import { Limit } from '../staff/staff-read.routes.ts';
import { RegistrationRow, registrationRowView } from '../staff/staff-views.ts';

const PREFIX = '/api/v1/institution';
const tags = ['institution'];
const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/**
 * Institution registrations (REG-8, seed 000 学习中心报考): the institution registers its own
 * candidates, lists and deletes what it registered. Payment of them in one institution bill is
 * the batch-payment issue's (ORG-1); until then they are never on any candidate's bill.
 */
export function institutionRoutes({ ctx }: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get(`${PREFIX}/registrations`, {
      config: { staffAction: 'registration.read' },
      schema: {
        tags, summary: 'Registrations this institution made, newest first',
        querystring: Type.Object({ candidateId: Type.Optional(IdString), sittingId: Type.Optional(IdString), limit: Type.Optional(Limit) }, { additionalProperties: false }),
        response: responses(200, Type.Array(Type.Intersect([RegistrationRow, Type.Object({
          candidate: Type.Object({ candidateId: IdString, name: Type.String(), idNumberMasked: Type.String() }), createdAt: Timestamp,
        })])), [401, 403, 404]),
      },
    }, async (req, reply) => {
      const staff = currentStaff(req);
      if (req.query.candidateId) {
        const c = await loadCandidate(ctx.db, staff.actor, 'registration.read', BigInt(req.query.candidateId));
        if (!c.ok) return sendFailure(req, reply, c.error);
      }
      if (req.query.sittingId) {
        const s = await loadSitting(ctx.db, staff.actor, 'registration.read', BigInt(req.query.sittingId));
        if (!s.ok) return sendFailure(req, reply, s.error);
      }
      const rows = await listInstitutionRegistrations(ctx.db, staff.account, {
        limit: Number(req.query.limit ?? 50),
        ...(req.query.candidateId ? { candidateId: BigInt(req.query.candidateId) } : {}), ...(req.query.sittingId ? { sittingId: BigInt(req.query.sittingId) } : {}),
      });
      return rows.map((r) => ({
        ...registrationRowView({ ...r, owner: 'INSTITUTION' }),
        candidate: { candidateId: String(r.candidate_id), name: r.candidate_name, idNumberMasked: maskIdNumber(readIdNumber(ctx.personalData, r)) },
        createdAt: r.created_at.toISOString(),
      }));
    });

    app.post(`${PREFIX}/registrations`, {
      config: { staffAction: 'registration.create' },
      schema: {
        tags, summary: '报考 for one of the institution\'s candidates: the registration is the institution\'s (REG-8); same rules and seat hold as the candidate\'s own',
        body: Type.Object({ candidateId: IdString, subjectId: IdString, siteId: Type.Optional(IdString), slotId: Type.Optional(IdString) }, { additionalProperties: false }),
        response: responses(201, Type.Object({ registrationId: IdString, seat: Nullable(Type.Object({ siteId: IdString, slotId: IdString, seatNo: Type.Integer() })) }), [401, 403, 404, 409]),
      },
    }, async (req, reply) => {
      const r = await registerForInstitution(ctx, {
        staff: currentStaff(req).account, candidateId: BigInt(req.body.candidateId), subjectId: BigInt(req.body.subjectId), ip: req.ip,
        ...(req.body.siteId ? { siteId: BigInt(req.body.siteId) } : {}), ...(req.body.slotId ? { slotId: BigInt(req.body.slotId) } : {}),
      });
      if (!r.ok) return sendFailure(req, reply, r.error);
      const seat = r.value.seat;
      return reply.code(201).send({ registrationId: String(r.value.registrationId), seat: seat ? { siteId: String(seat.siteId), slotId: String(seat.slotId), seatNo: seat.seatNo } : null });
    });

    app.post(`${PREFIX}/registrations/:registrationId/slot`, {
      config: { staffAction: 'registration.create' },
      schema: {
        tags, summary: '选择考试时间 for one of the institution\'s unpaid registrations (after its seat was released, or to change slot)',
        params: Type.Object({ registrationId: IdString }),
        body: Type.Object({ siteId: IdString, slotId: IdString }, { additionalProperties: false }),
        response: responses(200, Type.Object({ seatNo: Type.Integer() }), [400, 401, 403, 404, 409]),
      },
    }, async (req, reply) => {
      const r = await chooseInstitutionSlot(ctx, {
        staff: currentStaff(req).account, registrationId: BigInt(req.params.registrationId), siteId: BigInt(req.body.siteId), slotId: BigInt(req.body.slotId), ip: req.ip,
      });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return { seatNo: r.value.seatNo };
    });

    app.delete(`${PREFIX}/registrations/:registrationId`, {
      config: { staffAction: 'registration.delete' },
      schema: {
        tags, summary: 'Delete one of the institution\'s unpaid registrations (its seat goes back)',
        params: Type.Object({ registrationId: IdString }), response: responses(204, Type.Null(), [401, 403, 404, 409]),
      },
    }, async (req, reply) => {
      const r = await deleteInstitutionRegistration(ctx, { staff: currentStaff(req).account, registrationId: BigInt(req.params.registrationId), ip: req.ip });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return reply.code(204).send(null);
    });
  };
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { loadCandidate } from '../../../modules/accounts/staff-scope.ts';
import { maskIdNumber, readIdNumber } from '../../../modules/accounts/id-number.ts';
import { decideAppealAsStaff, listAppeals } from '../../../modules/appeals/appeal-queue.ts';
import { APPEAL_STATE_LABELS, REJECT_REASON_MAX } from '../../../modules/appeals/appeal-state.ts';
import { currentStaff } from '../../plugins/staff-auth.ts';
import { sendFailure } from '../../plugins/errors.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { IdString, NullableTimestamp, responses, Timestamp } from '../../schemas.ts';
import { AppealKindSchema, AppealStateSchema } from '../candidate/appeal.routes.ts';
import { Limit } from './staff-read.routes.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

const QueuedAppeal = Type.Object({
  appealId: IdString, kind: AppealKindSchema, state: AppealStateSchema, stateLabel: Type.Object({ zh: Type.String(), en: Type.String() }),
  candidate: Type.Object({ candidateId: IdString, name: Type.String(), idNumberMasked: Type.String(), login: Type.String() }),
  institutionName: Nullable(Type.String()),
  subject: Nullable(Type.Object({ subjectId: IdString, code: Type.String(), name: Type.String(), sittingName: Type.String() })),
  registration: Nullable(Type.Object({ registrationId: IdString, owner: Type.String(), status: Type.String(), paid: Type.Boolean() })),
  statement: Type.String(), rejectReason: Nullable(Type.String()), decidedBy: Nullable(Type.String()), createdAt: Timestamp, decidedAt: NullableTimestamp,
});

/**
 * The appeals queue and its decisions (ORG-2), under /api/v1/admin (the whole authority) and
 * /api/v1/institution (the appeals that went to the staff member's institution). The scope
 * comes from the signed-in staff member, never from the URL.
 */
export function appealStaffRoutes(prefix: string, { ctx }: RouteDeps): FastifyPluginAsyncTypebox {
  const tags = [prefix.endsWith('/admin') ? 'staff' : 'institution'];
  return async (app) => {
    app.get(`${prefix}/appeals`, {
      config: { staffAction: 'appeal.read' },
      schema: {
        tags, summary: "Candidates' appeals in scope (default: the pending queue, oldest first); optionally one candidate's",
        querystring: Type.Object({
          state: Type.Optional(AppealStateSchema), kind: Type.Optional(AppealKindSchema), candidateId: Type.Optional(IdString),
          afterId: Type.Optional(IdString), limit: Type.Optional(Limit),
        }, { additionalProperties: false }),
        response: responses(200, Type.Array(QueuedAppeal), [401, 403, 404]),
      },
    }, async (req, reply) => {
      const staff = currentStaff(req);
      if (req.query.candidateId) {
        // Another institution's candidate is a 404, not an empty list (docs/roles.md).
        const c = await loadCandidate(ctx.db, staff.actor, 'appeal.read', BigInt(req.query.candidateId));
        if (!c.ok) return sendFailure(req, reply, c.error);
      }
      const rows = await listAppeals(ctx.db, staff.account, {
        state: req.query.state ?? 'PENDING', limit: Number(req.query.limit ?? 50),
        ...(req.query.kind ? { kind: req.query.kind } : {}),
        ...(req.query.candidateId ? { candidateId: BigInt(req.query.candidateId) } : {}),
        ...(req.query.afterId ? { afterId: BigInt(req.query.afterId) } : {}),
      });
      return rows.map((a) => ({
        appealId: String(a.id), kind: a.kind, state: a.state, stateLabel: APPEAL_STATE_LABELS[a.state],
        candidate: { candidateId: String(a.candidate_id), name: a.candidate_name, idNumberMasked: maskIdNumber(readIdNumber(ctx.personalData, a)), login: a.candidate_login },
        institutionName: a.institution_name,
        subject: a.subject_id !== null ? { subjectId: String(a.subject_id), code: a.subject_code ?? '', name: a.subject_name ?? '', sittingName: a.sitting_name ?? '' } : null,
        registration: a.registration_id !== null
          ? { registrationId: String(a.registration_id), owner: a.registration_owner ?? '', status: a.registration_status ?? '', paid: a.registration_paid_at !== null } : null,
        statement: a.statement, rejectReason: a.reject_reason, decidedBy: a.decided_by, createdAt: a.created_at.toISOString(), decidedAt: a.decided_at ? a.decided_at.toISOString() : null,
      }));
    });

    app.post(`${prefix}/appeals/:appealId/decision`, {
      config: { staffAction: 'appeal.decide' },
      schema: {
        tags, summary: 'Decide a pending appeal: accept, or reject with a reason the candidate reads. Accepting a 关联申诉 releases the record to the appellant.',
        params: Type.Object({ appealId: IdString }),
        body: Type.Object({
          decision: Type.Union([Type.Literal('ACCEPT'), Type.Literal('REJECT')]),
          reason: Type.Optional(Type.String({ minLength: 1, maxLength: REJECT_REASON_MAX, description: 'Required to reject; shown to the candidate' })),
        }, { additionalProperties: false }),
        response: responses(200, Type.Object({ appealId: IdString, state: AppealStateSchema }), [401, 403, 404, 409]),
      },
    }, async (req, reply) => {
      const r = await decideAppealAsStaff(ctx, {
        staff: currentStaff(req).account, appealId: BigInt(req.params.appealId), ip: req.ip,
        decision: req.body.decision === 'ACCEPT' ? { accept: true } : { accept: false, reason: req.body.reason ?? '' },
      });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return { appealId: req.params.appealId, state: r.value.state };
    });
  };
}

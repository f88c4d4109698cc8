import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { APPEAL_STATE_LABELS } from '../../../modules/appeals/appeal-state.ts';
import { candidateAppeals, fileSubjectAppeal, STATEMENT_MAX, withdrawAppeal } from '../../../modules/appeals/candidate-appeals.ts';
import { studentRecord } from '../../../modules/registration/student-record.ts';
import { currentCandidate, requireCandidate } from '../../plugins/auth.ts';
import { sendFailure } from '../../plugins/errors.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { IdString, NullableTimestamp, responses, Timestamp } from '../../schemas.ts';

const Nullable = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);
const Label = Type.Object({ zh: Type.String(), en: Type.String() });
export const AppealStateSchema = Type.Union([Type.Literal('PENDING'), Type.Literal('ACCEPTED'), Type.Literal('REJECTED'), Type.Literal('WITHDRAWN')]);
export const AppealKindSchema = Type.Union([Type.Literal('LINK'), Type.Literal('SUBJECT')]);

const MyAppeal = Type.Object({
  appealId: IdString, kind: AppealKindSchema, state: AppealStateSchema, stateLabel: Label,
  subject: Nullable(Type.Object({ subjectId: IdString, code: Type.String(), name: Type.String(), sittingId: IdString, sittingName: Type.String() })),
  registrationId: Nullable(IdString), institutionName: Nullable(Type.String({ description: 'Who decides it; null: the authority' })),
  statement: Type.String(), rejectReason: Nullable(Type.String()), createdAt: Timestamp, decidedAt: NullableTimestamp,
});

const Standing = Nullable(Type.Union([Type.Literal('ELIGIBLE'), Type.Literal('PASSED'), Type.Literal('EXEMPT')]));
const StudentRecord = Type.Object({
  candidate: Type.Object({
    name: Type.String(), idType: Type.String(), idNumberMasked: Type.String(), login: Type.String(), examName: Type.String(),
    institution: Nullable(Type.Object({ name: Type.String(), kind: Type.String() })),
  }),
  sittings: Type.Array(Type.Object({
    sittingId: IdString, code: Type.String(), name: Type.String(), examName: Type.String(), rosterRestricted: Type.Boolean(), cancelled: Type.Boolean(),
    subjects: Type.Array(Type.Object({
      subjectId: IdString, code: Type.String(), name: Type.String(), kind: Type.String(), cancelled: Type.Boolean(),
      standing: Standing, onRoster: Type.Boolean({ description: 'The roster lets the candidate take it (always, where the exam has no roster restriction)' }),
      registered: Type.Boolean(), registeredBy: Nullable(Type.String()), paid: Type.Boolean(), appealPending: Type.Boolean(),
    })),
  })),
});

/**
 * The candidate's appeals (ORG-2, seed 000's 报考科目申诉) and their student record (学籍 and
 * eligibility, issue 7 item 1): their own only, found by the signed-in candidate's id.
 * 关联申诉 is filed without signing in (routes/public/link-appeal.routes.ts).
 */
export function appealRoutes({ ctx, config }: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('preHandler', requireCandidate(ctx, config.session));

    app.get('/api/v1/me/student-record', {
      schema: {
        tags: ['registration'], summary: '学籍与报考资格: my record (ID number masked) and, per sitting, each subject\'s standing (可报考/已通过/免考), registration and pending appeal',
        response: responses(200, StudentRecord, [401, 403]),
      },
    }, async (req) => {
      const r = await studentRecord(ctx.db, ctx.personalData, currentCandidate(req));
      return {
        candidate: r.candidate,
        sittings: r.sittings.map((st) => ({ ...st, sittingId: String(st.sittingId), subjects: st.subjects.map((s) => ({ ...s, subjectId: String(s.subjectId) })) })),
      };
    });

    app.get('/api/v1/appeals', {
      schema: { tags: ['appeals'], summary: 'My appeals, newest first, with their outcome (and the reason of a rejection)', response: responses(200, Type.Array(MyAppeal), [401, 403]) },
    }, async (req) => {
      const rows = await candidateAppeals(ctx.db, currentCandidate(req).id);
      return rows.map((a) => ({
        appealId: String(a.id), kind: a.kind, state: a.state, stateLabel: APPEAL_STATE_LABELS[a.state],
        subject: a.subject_id !== null && a.sitting_id !== null
          ? { subjectId: String(a.subject_id), code: a.subject_code ?? '', name: a.subject_name ?? '', sittingId: String(a.sitting_id), sittingName: a.sitting_name ?? '' } : null,
        registrationId: a.registration_id === null ? null : String(a.registration_id), institutionName: a.institution_name,
        statement: a.statement, rejectReason: a.reject_reason, createdAt: a.created_at.toISOString(), decidedAt: a.decided_at ? a.decided_at.toISOString() : null,
      }));
    });

    app.post('/api/v1/appeals', {
      schema: {
        tags: ['appeals'], summary: '报考科目申诉: appeal about a wrong subject; while pending, that subject cannot be registered (SUBJECT_APPEAL_PENDING)',
        body: Type.Object({
          subjectId: IdString, registrationId: Type.Optional(IdString),
          statement: Type.String({ minLength: 1, maxLength: STATEMENT_MAX, pattern: '\\S', description: 'What is wrong, in the candidate\'s words' }),
        }, { additionalProperties: false }),
        response: responses(201, Type.Object({ appealId: IdString, state: AppealStateSchema, stateLabel: Label }), [401, 403, 404, 409]),
      },
    }, async (req, reply) => {
      const r = await fileSubjectAppeal(ctx, {
        candidateId: currentCandidate(req).id, subjectId: BigInt(req.body.subjectId), statement: req.body.statement, ip: req.ip,
        ...(req.body.registrationId ? { registrationId: BigInt(req.body.registrationId) } : {}),
      });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return reply.code(201).send({ appealId: String(r.value.appealId), state: r.value.state, stateLabel: APPEAL_STATE_LABELS[r.value.state] });
    });

    app.post('/api/v1/appeals/:appealId/withdraw', {
      schema: {
        tags: ['appeals'], summary: 'Withdraw my pending appeal',
        params: Type.Object({ appealId: IdString }),
        response: responses(200, Type.Object({ appealId: IdString, state: AppealStateSchema, stateLabel: Label }), [401, 403, 404, 409]),
      },
    }, async (req, reply) => {
      const r = await withdrawAppeal(ctx, { candidateId: currentCandidate(req).id, appealId: BigInt(req.params.appealId), ip: req.ip });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return { appealId: req.params.appealId, state: r.value, stateLabel: APPEAL_STATE_LABELS[r.value] };
    });
  };
}

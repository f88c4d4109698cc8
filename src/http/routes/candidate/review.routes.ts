import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { candidateReviewsInSitting, fileCet6Review } from '../../../modules/registration/eligibility-review.ts';
import { currentCandidate, requireCandidate } from '../../plugins/auth.ts';
import { sendFailure } from '../../plugins/errors.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { IdString, NullableTimestamp, responses, Timestamp } from '../../schemas.ts';

const STATUS_LABELS = {
  APPROVED: { zh: '复核通过', en: 'Approved' },
  PENDING: { zh: '未复核（请按学校规定携带证明到学校管理员处复核）', en: 'Not yet reviewed: take your proof to your school\'s administrator' },
  REJECTED: { zh: '复核未通过', en: 'Rejected' },
} as const;

const Review = Type.Object({
  reviewId: IdString, ticketNo: Type.String(), status: Type.Union([Type.Literal('APPROVED'), Type.Literal('PENDING'), Type.Literal('REJECTED')]),
  statusLabel: Type.Object({ zh: Type.String(), en: Type.String() }), rejectReason: Type.Union([Type.String(), Type.Null()]), createdAt: Timestamp, decidedAt: NullableTimestamp,
});

/** CET6 资格复核 (REG-4), the candidate's side: file a CET4 ticket number, and see the outcome. */
export function reviewRoutes({ ctx, config }: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('preHandler', requireCandidate(ctx, config.session));
    const Params = Type.Object({ sittingId: IdString });

    app.get('/api/v1/sittings/:sittingId/cet6-review', {
      schema: {
        tags: ['registration'], summary: 'My CET6 eligibility reviews for a sitting, newest first (the outcome of a 未复核 one appears here)',
        params: Params, response: responses(200, Type.Array(Review), [401, 403, 404]),
      },
    }, async (req, reply) => {
      const me = currentCandidate(req);
      const rows = await candidateReviewsInSitting(ctx.db, { candidateId: me.id, examId: me.exam_id, sittingId: BigInt(req.params.sittingId) });
      if (!rows) return sendFailure(req, reply, { code: 'NOT_FOUND' });
      return rows.map((v) => ({
        reviewId: String(v.id), ticketNo: v.ticket_no, status: v.status, statusLabel: STATUS_LABELS[v.status], rejectReason: v.reject_reason,
        createdAt: v.created_at.toISOString(), decidedAt: v.decided_at ? v.decided_at.toISOString() : null,
      }));
    });

    app.post('/api/v1/sittings/:sittingId/cet6-review', {
      schema: {
        tags: ['registration'], summary: 'File a CET6 eligibility review with a CET4 admission-ticket number (≥ the exam\'s score)',
        params: Params, body: Type.Object({ ticketNo: Type.String({ pattern: '^[0-9]{15}$' }) }, { additionalProperties: false }),
        response: responses(201, Type.Object({ reviewId: IdString, status: Review.properties.status, statusLabel: Review.properties.statusLabel }), [401, 403, 404, 409]),
      },
    }, async (req, reply) => {
      const r = await fileCet6Review(ctx, { candidateId: currentCandidate(req).id, sittingId: BigInt(req.params.sittingId), ticketNo: req.body.ticketNo });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return reply.code(201).send({ reviewId: String(r.value.reviewId), status: r.value.status, statusLabel: STATUS_LABELS[r.value.status] });
    });
  };
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listScope } from '../../../modules/accounts/authorization.ts';
import { candidateReviews, searchCandidates } from '../../../modules/accounts/candidate-search.ts';
import { loadBill, loadCandidate, loadInstitution, loadSitting } from '../../../modules/accounts/staff-scope.ts';
import { billDetail, listCandidateBills } from '../../../modules/billing/bill-queries.ts';
import { billLedgerEntries } from '../../../modules/ledger/bill-ledger.ts';
import { listCandidateRegistrations } from '../../../modules/registration/registration-queries.ts';
import { decideReviewAsStaff, listReviews } from '../../../modules/registration/review-queue.ts';
import { isValidBillNo } from '../../../shared/bill-number.ts';
import { currentStaff } from '../../plugins/staff-auth.ts';
import { sendFailure } from '../../plugins/errors.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { BillNo, IdString, responses, Timestamp } from '../../schemas.ts';
import { BillSummary, billSummaryView } from '../candidate/bill.views.ts';
import {
  CandidateSummary, candidateSummaryView, QueuedReview, queuedReviewView, RegistrationRow, registrationRowView, ReviewRow, reviewRowView, StaffBillDetail, staffBillDetailView,
} from './staff-views.ts';

export const Limit = Type.String({ pattern: '^([1-9]|[1-9]\\d|1\\d\\d|200)$', description: '1–200, default 50' });
const ReviewStatus = Type.Union([Type.Literal('PENDING'), Type.Literal('APPROVED'), Type.Literal('REJECTED')]);

/**
 * What every staff role reads, and the review decision, under one prefix (/api/v1/admin or
 * /api/v1/institution). The same handlers serve both: the scope comes from the signed-in
 * staff member (modules/accounts/authorization.ts), not from the URL.
 */
export function staffReadRoutes(prefix: string, { ctx }: RouteDeps): FastifyPluginAsyncTypebox {
  const tags = [prefix.endsWith('/admin') ? 'staff' : 'institution'];
  return async (app) => {
    // A POST, so an ID number searched for never sits in a URL (URLs are logged, OPS-6).
    app.post(`${prefix}/candidates/search`, {
      config: { staffAction: 'candidate.read' },
      schema: {
        tags, summary: 'Search candidates in scope: an exact ID number, or part of the name; optionally one institution',
        body: Type.Object({
          q: Type.Optional(Type.String({ maxLength: 64 })), institutionId: Type.Optional(IdString),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })), offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })),
        }, { additionalProperties: false }),
        response: responses(200, Type.Array(CandidateSummary), [401, 403, 404]),
      },
    }, async (req, reply) => {
      const staff = currentStaff(req);
      if (req.body.institutionId) {
        const inst = await loadInstitution(ctx.db, staff.actor, 'institution.read', BigInt(req.body.institutionId));
        if (!inst.ok) return sendFailure(req, reply, inst.error);
      }
      const rows = await searchCandidates(ctx, listScope(staff.actor), {
        ...(req.body.q ? { q: req.body.q } : {}), ...(req.body.institutionId ? { institutionId: BigInt(req.body.institutionId) } : {}),
        limit: req.body.limit ?? 50, offset: req.body.offset ?? 0,
      });
      return rows.map((r) => candidateSummaryView(ctx.personalData, r));
    });

    app.get(`${prefix}/candidates/:candidateId`, {
      config: { staffAction: 'candidate.read' },
      schema: {
        tags, summary: 'One candidate: record (ID number masked), registrations, bills, reviews',
        params: Type.Object({ candidateId: IdString }),
        response: responses(200, Type.Intersect([CandidateSummary, Type.Object({
          examName: Type.String(), mustChangePassword: Type.Boolean(), createdAt: Timestamp,
          registrations: Type.Array(RegistrationRow), bills: Type.Array(BillSummary), reviews: Type.Array(ReviewRow),
        })]), [401, 403, 404]),
      },
    }, async (req, reply) => {
      const c = await loadCandidate(ctx.db, currentStaff(req).actor, 'candidate.read', BigInt(req.params.candidateId));
      if (!c.ok) return sendFailure(req, reply, c.error);
      const [registrations, bills, reviews] = await Promise.all([listCandidateRegistrations(ctx.db, c.value.id), listCandidateBills(ctx.db, c.value.id), candidateReviews(ctx.db, c.value.id)]);
      const now = ctx.clock.now();
      return {
        ...candidateSummaryView(ctx.personalData, c.value), examName: c.value.exam_name, mustChangePassword: c.value.must_change_password, createdAt: c.value.created_at.toISOString(),
        registrations: registrations.map(registrationRowView), bills: bills.map((b) => billSummaryView(b, now)), reviews: reviews.map(reviewRowView),
      };
    });

    app.get(`${prefix}/bills/:billNo`, {
      config: { staffAction: 'bill.read' },
      schema: {
        tags, summary: 'One bill (read only): items, transitions with actor, channel orders, payments, refunds, ledger lines',
        params: Type.Object({ billNo: BillNo }),
        response: responses(200, StaffBillDetail, [401, 403, 404]),
      },
    }, async (req, reply) => {
      if (!isValidBillNo(req.params.billNo)) return sendFailure(req, reply, { code: 'BILL_NOT_FOUND' });
      const bill = await loadBill(ctx.db, currentStaff(req).actor, 'bill.read', req.params.billNo);
      if (!bill.ok) return sendFailure(req, reply, bill.error);
      const [detail, ledger] = await Promise.all([billDetail(ctx.db, bill.value), billLedgerEntries(ctx.db, bill.value.id)]);
      return staffBillDetailView(detail, ledger, ctx.clock.now());
    });

    app.get(`${prefix}/reviews`, {
      config: { staffAction: 'review.read' },
      schema: {
        tags, summary: 'CET6 eligibility reviews in scope (default: the 未复核 queue, oldest first)',
        querystring: Type.Object({ status: Type.Optional(ReviewStatus), sittingId: Type.Optional(IdString), limit: Type.Optional(Limit) }, { additionalProperties: false }),
        response: responses(200, Type.Array(QueuedReview), [401, 403, 404]),
      },
    }, async (req, reply) => {
      if (req.query.sittingId) {
        const sitting = await loadSitting(ctx.db, currentStaff(req).actor, 'review.read', BigInt(req.query.sittingId));
        if (!sitting.ok) return sendFailure(req, reply, sitting.error);
      }
      const rows = await listReviews(ctx.db, currentStaff(req).account, {
        status: req.query.status ?? 'PENDING', limit: Number(req.query.limit ?? 50), ...(req.query.sittingId ? { sittingId: BigInt(req.query.sittingId) } : {}),
      });
      return rows.map((r) => queuedReviewView(ctx.personalData, r));
    });

    app.post(`${prefix}/reviews/:reviewId/decision`, {
      config: { staffAction: 'review.decide' },
      schema: {
        tags, summary: 'Decide a 未复核 CET6 review: approve, or reject with a reason (REG-4)',
        params: Type.Object({ reviewId: IdString }),
        body: Type.Object({
          decision: Type.Union([Type.Literal('APPROVE'), Type.Literal('REJECT')]),
          reason: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'Required to reject; shown to the candidate' })),
        }, { additionalProperties: false }),
        response: responses(200, Type.Object({ reviewId: IdString, status: ReviewStatus }), [401, 403, 404, 409]),
      },
    }, async (req, reply) => {
      const r = await decideReviewAsStaff(ctx, {
        staff: currentStaff(req).account, reviewId: BigInt(req.params.reviewId), approve: req.body.decision === 'APPROVE', ip: req.ip,
        ...(req.body.reason !== undefined ? { reason: req.body.reason } : {}),
      });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return { reviewId: req.params.reviewId, status: r.value };
    });
  };
}

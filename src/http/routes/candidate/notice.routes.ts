import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { listCandidateNotices, type CandidateNotice } from '../../../modules/refunds/refund-queries.ts';
import { channelLabel, explainRefund, REFUND_STATE_LABELS } from '../../../modules/refunds/refund-state.ts';
import { formatShanghai } from '../../../shared/time.ts';
import { currentCandidate, requireCandidate } from '../../plugins/auth.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { BillNo, Fen, IdString, NullableTimestamp, responses, Timestamp } from '../../schemas.ts';
import { fenJson } from './bill.views.ts';

const Label = Type.Object({ zh: Type.String(), en: Type.String() });

export const NoticeBody = Type.Object({
  noticeId: IdString,
  kind: Type.Union(['CANCEL_REGISTRATION', 'CHANGE_REGISTRATION', 'CANCEL_SUBJECT', 'CANCEL_SITTING', 'PERSONAL_REFUND'].map((k) => Type.Literal(k))),
  title: Label,
  body: Label,
  createdAt: Timestamp,
  shownTime: Type.String({ description: 'createdAt in Beijing time' }),
  refunds: Type.Array(Type.Object({
    refundNo: Type.String(), billNo: BillNo, amountFen: Fen, channel: Type.String(), channelLabel: Label,
    state: Type.Union(['PENDING', 'SUCCEEDED', 'FAILED'].map((s) => Type.Literal(s))), stateLabel: Label, explanation: Label, succeededAt: NullableTimestamp,
  }), { description: 'The refunds this notice announced, as they are now (REF-4)' }),
});

export function noticeView(n: CandidateNotice) {
  return {
    noticeId: String(n.id),
    kind: n.kind,
    title: { zh: n.title_zh, en: n.title_en },
    body: { zh: n.body_zh, en: n.body_en },
    createdAt: n.created_at.toISOString(),
    shownTime: formatShanghai(n.created_at),
    refunds: n.refunds.map((r) => ({
      refundNo: r.refund_no, billNo: r.bill_no, amountFen: fenJson(r.amount_fen), channel: r.channel, channelLabel: channelLabel(r.channel),
      state: r.state, stateLabel: REFUND_STATE_LABELS[r.state],
      explanation: explainRefund({ state: r.state, reason: r.reason, channel: r.channel, amountFen: r.amount_fen, succeededAt: r.succeeded_at, flagged: r.flagged_at !== null }),
      succeededAt: r.succeeded_at ? r.succeeded_at.toISOString() : null,
    })),
  };
}

/** REF-2: what the authority (or staff) decided about the candidate's registrations, and the money. */
export function noticeRoutes({ ctx, config }: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.addHook('preHandler', requireCandidate(ctx, config.session));
    app.get('/api/v1/notices', {
      schema: {
        tags: ['candidate'], summary: '通知: cancellations, changes and refunds decided about my registrations, newest first (REF-2, REF-4)',
        response: responses(200, Type.Array(NoticeBody), [401, 403]),
      },
    }, async (req) => (await listCandidateNotices(ctx.db, currentCandidate(req).id)).map(noticeView));
  };
}

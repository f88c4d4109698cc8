import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import QRCode from 'qrcode';
import { Type } from 'typebox';
import { billDetail, findCandidateBill } from '../../modules/billing/bill-queries.ts';
import { isValidBillNo } from '../../shared/bill-number.ts';
import { currentCandidate, requireCandidate } from '../plugins/auth.ts';
import { sendFailure } from '../plugins/errors.ts';
import type { RouteDeps } from '../route-deps.ts';
import { BillNo, responses } from '../schemas.ts';

/** The QR image of a bill's open channel order, for the bill page and the payer's page. */
export function pageRoutes({ ctx, config }: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/api/v1/bills/:billNo/qr.svg', {
      // PAY-6: the payer with a payment pass scans the same code (seed 003).
      config: { paymentPass: true },
      preHandler: requireCandidate(ctx, config.session),
      schema: { tags: ['candidate'], summary: 'QR code (SVG) of the bill\'s open channel order', params: Type.Object({ billNo: BillNo }), querystring: Type.Object({ channel: Type.String({ pattern: '^[a-z]{2,16}$' }) }),
        response: responses(200, Type.String({ description: 'image/svg+xml' }), [401, 403, 404]) },
    }, async (req, reply) => {
      const bill = isValidBillNo(req.params.billNo) ? await findCandidateBill(ctx.db, currentCandidate(req).id, req.params.billNo) : undefined;
      const order = bill && (await billDetail(ctx.db, bill)).attempts.find((a) => a.channel === req.query.channel && a.state === 'OPEN' && a.qr_content);
      if (!order) return sendFailure(req, reply, { code: 'BILL_NOT_FOUND' });
      return reply.type('image/svg+xml').header('cache-control', 'no-store').send(await QRCode.toString(order.qr_content, { type: 'svg', margin: 1, width: 220 }));
    });
  };
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { UnionpayAdapter } from '../../../channels/unionpay/unionpay.adapter.ts';
import { isValidBillNo } from '../../../shared/bill-number.ts';
import { sendFailure } from '../../plugins/errors.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { billPagePath } from '../../../modules/billing/bill-page.ts';

/**
 * Browser-facing pages of channels whose pay step is a form the payer's browser posts (UnionPay
 * gateway), and browser returns that come back as POSTs. Nothing here settles anything: a
 * browser can be forged, and the money is known only from notify, query or close.
 */
export function channelPageRoutes({ ctx }: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));

    app.get('/pay/form/unionpay', {
      schema: { tags: ['channel callbacks'], summary: 'UnionPay: the page that posts the signed payment form to the bank gateway (no pop-up)' },
    }, async (req, reply) => {
      const adapter = ctx.channels.get('unionpay');
      if (!(adapter instanceof UnionpayAdapter)) return sendFailure(req, reply, { code: 'NOT_FOUND' });
      const page = adapter.frontFormPage(req.raw.url ?? '');
      return reply.code(page.status).type(page.contentType).header('cache-control', 'no-store').send(page.body);
    });

    app.post('/pay/return/:channel', {
      schema: {
        tags: ['channel callbacks'], summary: 'Browser return posted by a channel (UnionPay front notify): redirects to the bill page',
        params: Type.Object({ channel: Type.String({ pattern: '^[a-z]{2,16}$' }) }),
      },
    }, async (req, reply) => {
      const adapter = ctx.channels.get(req.params.channel);
      const raw = { body: Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0), headers: req.headers };
      const read = adapter instanceof UnionpayAdapter ? adapter.readFrontReturn(raw) : undefined;
      // Order numbers are the bill number or bill number + two digits.
      const billNo = read?.ok ? read.billNo.slice(0, 21) : undefined;
      return reply.redirect(billNo && isValidBillNo(billNo) ? await billPagePath(ctx.db, billNo) : '/', 303);
    });
  };
}

import type { FastifyInstance, FastifyRequest } from 'fastify';
import { renderFrontForm } from '../../channels/unionpay/unionpay-front-form.ts';
import type { AcpFields } from '../../channels/unionpay/unionpay-sign.ts';
import { registerCashierRoutes } from '../cashier.routes.ts';
import { authenticate } from './unionpay-auth.ts';
import { acceptConsume } from './unionpay-consume.handler.ts';
import { cashierUrl, type UnionpayContext } from './unionpay-context.ts';
import { consumeResult, succeeded } from './unionpay-fields.ts';
import { paidDetail, renderBankPicker, renderGatewayError, renderOutcome } from './unionpay-cashier.page.ts';

/**
 * What the payer's browser sees:
 * - `POST {base}/unionpay/gateway/api/frontTransReq.do`: the signed consume form; accepted → 303
 *   to the cashier, refused → UnionPay's error page;
 * - `GET {base}/unionpay/cashier/:token`: the bank picker; pay / fail / abandon are POST forms;
 * - `GET {base}/unionpay/return/:token`: "返回商户" — the front notify, a signed form that
 *   auto-submits to frontUrl (a POST from the browser, as UnionPay sends it).
 */
type TokenRequest = FastifyRequest<{ Params: { token: string }; Body: Record<string, string> | undefined }>;

const HTML = 'text/html; charset=utf-8';

export function registerUnionpayFront(app: FastifyInstance, ctx: UnionpayContext): void {
  app.post('/unionpay/gateway/api/frontTransReq.do', async (request, reply) => {
    const p = request.body && typeof request.body === 'object' ? (request.body as AcpFields) : {};
    const faults = ctx.core.faults.for(p.orderId);
    if (faults.apiDown === 'hang') await ctx.core.hangs.wait(ctx.apiHangMs, reply.raw);
    if (faults.apiDown) return reply.code(503).type(HTML).send(renderGatewayError('503', '系统繁忙 Service unavailable'));
    const auth = authenticate(ctx, p);
    if (!auth.ok) return reply.code(400).type(HTML).send(renderGatewayError(auth.respCode, auth.respMsg));
    const accepted = acceptConsume(ctx, auth.merchant, p);
    if (!accepted.ok) return reply.code(400).type(HTML).send(renderGatewayError(accepted.respCode, accepted.respMsg));
    return reply.redirect(cashierUrl(ctx, accepted.order), 303);
  });

  const { find } = registerCashierRoutes(app, {
    channel: 'unionpay', core: ctx.core, merchantOf: (order) => ctx.merchants.get(order.merchantId),
    // The order exists once the front form was accepted; viewing the bank list changes nothing.
    openOnView: false, payMethodField: 'bank',
    page: renderBankPicker, result: renderOutcome,
    paidDetail: (_outcome, order) => paidDetail(order),
    words: {
      notFound: '订单不存在 No such order', declined: '银行拒绝交易，未扣款 The bank declined; nothing was charged.',
      closed: '订单已超时 Expired', stillPayable: '支付时限内仍可支付 It can still be paid until payTimeout.',
    },
  });

  app.get('/unionpay/return/:token', async (request: TokenRequest, reply) => {
    const found = find(request, reply);
    if (!found) return reply;
    const { order } = found;
    const capture = order.captures[0];
    if (order.state !== 'PAID' || !capture || !order.returnUrl) {
      return reply.code(409).type(HTML).send(renderGatewayError('35', '没有可返回的支付结果 nothing to return to the merchant'));
    }
    return reply.type(HTML).send(renderFrontForm(order.returnUrl, ctx.sign(succeeded(consumeResult(order, capture)))));
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { renderFrontForm } from '../../channels/unionpay/unionpay-front-form.ts';
import type { AcpFields } from '../../channels/unionpay/unionpay-sign.ts';
import type { SandboxOrder } from '../order-book.ts';
import { htmlPage } from '../sandbox-html.ts';
import { authenticate } from './unionpay-auth.ts';
import { acceptConsume } from './unionpay-consume.handler.ts';
import { cashierUrl, type UnionpayContext, type UnionpayMerchant } from './unionpay-context.ts';
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

  const find = (request: TokenRequest, reply: FastifyReply): { order: SandboxOrder; merchant: UnionpayMerchant } | null => {
    const order = ctx.core.book.findByToken(request.params.token);
    const merchant = order && ctx.merchants.get(order.merchantId);
    if (order && merchant && order.channel === 'unionpay') {
      ctx.core.refresh(order);
      return { order, merchant };
    }
    void reply.code(404).type(HTML).send(htmlPage('没有这笔订单 Not found', '<div class="card error"><h2>订单不存在 No such order</h2></div>'));
    return null;
  };

  app.get('/unionpay/cashier/:token', async (request: TokenRequest, reply) => {
    const found = find(request, reply);
    return found ? reply.type(HTML).send(renderBankPicker(found.order, found.merchant)) : reply;
  });

  app.post('/unionpay/cashier/:token/pay', async (request: TokenRequest, reply) => {
    const found = find(request, reply);
    if (!found) return reply;
    const { order, merchant } = found;
    // The bank chosen is the pay method of the capture.
    const outcome = await ctx.core.pay(order, request.body?.bank);
    if (!outcome.ok) return reply.type(HTML).send(renderOutcome(order, merchant, { kind: 'error', title: '无法支付 Cannot pay', detail: outcome.message }));
    if (outcome.cashierError) {
      return reply.type(HTML).send(renderOutcome(order, merchant, { kind: 'error', title: '支付结果未知 Result unknown', detail: outcome.cashierError }));
    }
    return reply.type(HTML).send(renderOutcome(order, merchant, {
      kind: 'ok', title: '支付成功 Payment successful', detail: paidDetail(order), returnUrl: outcome.returnUrl,
    }));
  });

  app.post('/unionpay/cashier/:token/fail', async (request: TokenRequest, reply) => {
    const found = find(request, reply);
    if (!found) return reply;
    const outcome = ctx.core.fail(found.order);
    const result = outcome.ok
      ? { kind: 'error' as const, title: '支付失败 Payment failed', detail: '银行拒绝交易，未扣款 The bank declined; nothing was charged.', backToCashier: true }
      : { kind: 'info' as const, title: outcome.reason === 'CLOSED' ? '订单已超时 Expired' : '该订单已支付 Already paid' };
    return reply.type(HTML).send(renderOutcome(found.order, found.merchant, result));
  });

  app.post('/unionpay/cashier/:token/abandon', async (request: TokenRequest, reply) => {
    const found = find(request, reply);
    if (!found) return reply;
    // Walking away changes nothing: the order can be paid until payTimeout.
    return reply.type(HTML).send(renderOutcome(found.order, found.merchant, {
      kind: 'info', title: '已放弃支付 You left the payment', detail: '支付时限内仍可支付 It can still be paid until payTimeout.', backToCashier: true,
    }));
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

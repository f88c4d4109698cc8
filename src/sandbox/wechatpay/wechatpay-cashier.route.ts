import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxOrder } from '../order-book.ts';
import { htmlPage } from '../sandbox-html.ts';
import { renderCashier, renderResult } from './wechatpay-cashier.page.ts';
import { cashierUrl, type WechatpayContext, type WechatpayMerchant } from './wechatpay-context.ts';

/**
 * `GET {base}/wechatpay/cashier/:token` is the page behind a Native `code_url`; opening it is the
 * payer's scan. Three plain POST forms: pay (支付), fail (支付失败), abandon (放弃). Needs form
 * bodies parsed in the scope it is registered in (the sandbox's `useFormBodies`).
 */
type TokenRequest = FastifyRequest<{ Params: { token: string }; Body: Record<string, string> | undefined }>;

const HTML = 'text/html; charset=utf-8';

export function registerWechatpayCashier(app: FastifyInstance, ctx: WechatpayContext): void {
  const find = (request: TokenRequest, reply: FastifyReply): { order: SandboxOrder; merchant: WechatpayMerchant } | null => {
    const order = ctx.core.book.findByToken(request.params.token);
    const merchant = order && ctx.merchants.get(order.merchantId);
    if (order && merchant && order.channel === 'wechatpay') return { order, merchant };
    void reply.code(404).type(HTML).send(htmlPage('没有这笔订单 Not found', '<div class="card error"><h2>二维码无效 This code is not valid</h2></div>'));
    return null;
  };

  app.get('/wechatpay/cashier/:token', async (request: TokenRequest, reply) => {
    const found = find(request, reply);
    if (!found) return reply;
    ctx.core.open(found.order);
    return reply.type(HTML).send(await renderCashier(found.order, found.merchant, cashierUrl(ctx, found.order)));
  });

  app.post('/wechatpay/cashier/:token/pay', async (request: TokenRequest, reply) => {
    const found = find(request, reply);
    if (!found) return reply;
    const { order, merchant } = found;
    const outcome = await ctx.core.pay(order, request.body?.pay_method);
    if (!outcome.ok) {
      return reply.type(HTML).send(renderResult(order, merchant, { kind: 'error', title: '无法支付 Cannot pay', detail: outcome.message }));
    }
    if (outcome.cashierError) {
      return reply.type(HTML).send(renderResult(order, merchant, { kind: 'error', title: '支付结果未知 Result unknown', detail: outcome.cashierError }));
    }
    const ids = outcome.captures.map((c) => c.captureNo).join(', ');
    return reply.type(HTML).send(renderResult(order, merchant, { kind: 'ok', title: '支付成功 Payment successful', detail: `微信支付订单号 Transaction: ${ids}` }));
  });

  app.post('/wechatpay/cashier/:token/fail', async (request: TokenRequest, reply) => {
    const found = find(request, reply);
    if (!found) return reply;
    const outcome = ctx.core.fail(found.order);
    const result = outcome.ok
      ? { kind: 'error' as const, title: '支付失败 Payment failed', detail: '扣款失败，未扣款 The payment was declined; nothing was charged.', backToCashier: true }
      : { kind: 'info' as const, title: outcome.reason === 'CLOSED' ? '订单已关闭 Order closed' : '该订单已支付 Already paid' };
    return reply.type(HTML).send(renderResult(found.order, found.merchant, result));
  });

  app.post('/wechatpay/cashier/:token/abandon', async (request: TokenRequest, reply) => {
    const found = find(request, reply);
    if (!found) return reply;
    // Walking away changes nothing: the order waits until it is paid, closed or expires.
    return reply.type(HTML).send(renderResult(found.order, found.merchant, {
      kind: 'info', title: '已放弃支付 You left the payment', detail: '订单仍可在有效期内支付 It can still be paid until it expires.', backToCashier: true,
    }));
  });
}

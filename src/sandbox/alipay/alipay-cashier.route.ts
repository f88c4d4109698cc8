import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { htmlPage } from '../sandbox-html.ts';
import type { SandboxOrder } from '../order-book.ts';
import { cashierUrl, type AlipayContext, type AlipayMerchant } from './alipay-context.ts';
import { renderCashier, renderResult } from './alipay-cashier.page.ts';

/**
 * `GET {base}/alipay/cashier/:token` shows the cashier; opening it is the payer's scan (the
 * Alipay trade comes to exist, WAIT_BUYER_PAY). Three plain POST forms: pay, fail, abandon.
 */
type TokenRequest = FastifyRequest<{ Params: { token: string }; Body: Record<string, string> | undefined }>;

const HTML = 'text/html; charset=utf-8';

export function registerAlipayCashier(app: FastifyInstance, ctx: AlipayContext): void {
  const find = (request: TokenRequest, reply: FastifyReply): { order: SandboxOrder; merchant: AlipayMerchant } | null => {
    const order = ctx.core.book.findByToken(request.params.token);
    const merchant = order && ctx.merchants.get(order.merchantId);
    if (order && merchant && order.channel === 'alipay') return { order, merchant };
    void reply.code(404).type(HTML).send(htmlPage('没有这笔订单 Not found', '<div class="card error"><h2>二维码无效 This code is not valid</h2></div>'));
    return null;
  };

  app.get('/alipay/cashier/:token', async (request: TokenRequest, reply) => {
    const found = find(request, reply);
    if (!found) return reply;
    ctx.core.open(found.order);
    return reply.type(HTML).send(await renderCashier(found.order, found.merchant, cashierUrl(ctx, found.order)));
  });

  app.post('/alipay/cashier/:token/pay', async (request: TokenRequest, reply) => {
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
    const tradeNos = outcome.captures.map((c) => c.captureNo).join(', ');
    return reply.type(HTML).send(renderResult(order, merchant, {
      kind: 'ok', title: '支付成功 Payment successful', detail: `支付宝交易号 Trade no.: ${tradeNos}`, returnUrl: outcome.returnUrl,
    }));
  });

  app.post('/alipay/cashier/:token/fail', async (request: TokenRequest, reply) => {
    const found = find(request, reply);
    if (!found) return reply;
    const outcome = ctx.core.fail(found.order);
    const result = outcome.ok
      ? { kind: 'error' as const, title: '支付失败 Payment failed', detail: '银行卡扣款失败，未扣款 The card was declined; nothing was charged.', backToCashier: true }
      : { kind: 'info' as const, title: outcome.reason === 'CLOSED' ? '交易已关闭 Trade closed' : '该订单已支付 Already paid' };
    return reply.type(HTML).send(renderResult(found.order, found.merchant, result));
  });

  app.post('/alipay/cashier/:token/abandon', async (request: TokenRequest, reply) => {
    const found = find(request, reply);
    if (!found) return reply;
    // Walking away changes nothing: the trade waits until it is paid, closed or expires.
    return reply.type(HTML).send(renderResult(found.order, found.merchant, {
      kind: 'info', title: '已放弃支付 You left the payment', detail: '订单仍可在有效期内支付 It can still be paid until it expires.', backToCashier: true,
    }));
  });
}

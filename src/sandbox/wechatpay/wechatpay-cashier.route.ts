import type { FastifyInstance } from 'fastify';
import { registerCashierRoutes } from '../cashier.routes.ts';
import { renderCashier, renderResult } from './wechatpay-cashier.page.ts';
import { cashierUrl, type WechatpayContext } from './wechatpay-context.ts';

/**
 * `GET {base}/wechatpay/cashier/:token` is the page behind a Native `code_url`; opening it is the
 * payer's scan. Three plain POST forms: pay (支付), fail (支付失败), abandon (放弃). Needs form
 * bodies parsed in the scope it is registered in (the sandbox's `useFormBodies`).
 */
export function registerWechatpayCashier(app: FastifyInstance, ctx: WechatpayContext): void {
  registerCashierRoutes(app, {
    channel: 'wechatpay', core: ctx.core, merchantOf: (order) => ctx.merchants.get(order.merchantId), openOnView: true, payMethodField: 'pay_method',
    page: (order, merchant) => renderCashier(order, merchant, cashierUrl(ctx, order)),
    // WeChat's cashier never sends the browser back; the merchant page polls instead.
    result: (order, merchant, { returnUrl: _none, ...result }) => renderResult(order, merchant, result),
    paidDetail: (outcome) => `微信支付订单号 Transaction: ${outcome.captures.map((c) => c.captureNo).join(', ')}`,
    words: {
      notFound: '二维码无效 This code is not valid', declined: '扣款失败，未扣款 The payment was declined; nothing was charged.',
      closed: '订单已关闭 Order closed', stillPayable: '订单仍可在有效期内支付 It can still be paid until it expires.',
    },
  });
}

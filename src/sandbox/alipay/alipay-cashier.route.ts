import type { FastifyInstance } from 'fastify';
import { registerCashierRoutes } from '../cashier.routes.ts';
import { cashierUrl, type AlipayContext } from './alipay-context.ts';
import { renderCashier, renderResult } from './alipay-cashier.page.ts';

/**
 * `GET {base}/alipay/cashier/:token` shows the cashier; opening it is the payer's scan (the
 * Alipay trade comes to exist, WAIT_BUYER_PAY). Three plain POST forms: pay, fail, abandon.
 */
export function registerAlipayCashier(app: FastifyInstance, ctx: AlipayContext): void {
  registerCashierRoutes(app, {
    channel: 'alipay', core: ctx.core, merchantOf: (order) => ctx.merchants.get(order.merchantId), openOnView: true, payMethodField: 'pay_method',
    page: (order, merchant) => renderCashier(order, merchant, cashierUrl(ctx, order)),
    result: renderResult,
    paidDetail: (outcome) => `支付宝交易号 Trade no.: ${outcome.captures.map((c) => c.captureNo).join(', ')}`,
    words: {
      notFound: '二维码无效 This code is not valid', declined: '银行卡扣款失败，未扣款 The card was declined; nothing was charged.',
      closed: '交易已关闭 Trade closed', stillPayable: '订单仍可在有效期内支付 It can still be paid until it expires.',
    },
  });
}

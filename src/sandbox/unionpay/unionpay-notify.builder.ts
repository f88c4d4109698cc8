import { MINUTE } from '../../shared/clock.ts';
import type { DialectHooks } from '../sandbox-core.ts';
import { frontReturnUrl, refundKey, type UnionpayContext } from './unionpay-context.ts';
import { consumeResult, refundResult, succeeded } from './unionpay-fields.ts';

/**
 * UnionPay's back notifications (unionpay.md §4): a form POST to backUrl, sent only for
 * successful trades (a payment, a refund) — failures and expiries are not notified. Resent until
 * the merchant answers HTTP 200 or 302 within 10 s; the body is ignored.
 */

/**
 * "总共发送5次，银联后续间隔1、2、4、5 分钟后会再次通知" (official ACP sample comments): five sends,
 * retries 1, 2, 4 and 5 minutes after the previous one. Older gateway samples say "间隔时间为
 * 0,1,2,4分钟" for the same five sends; the newer wording is used here.
 */
export const UNIONPAY_RETRY_DELAYS_MS = [1 * MINUTE, 2 * MINUTE, 4 * MINUTE, 5 * MINUTE] as const;

const FORM = 'application/x-www-form-urlencoded;charset=UTF-8';

export function createUnionpayHooks(ctx: UnionpayContext): DialectHooks {
  const send = (label: string, url: string, fields: Record<string, string>) => ({
    label,
    url,
    // Signed on each attempt; the fields are fixed, so every resend is the same message.
    render: () => ({ body: new URLSearchParams(ctx.sign(succeeded(fields))).toString(), contentType: FORM }),
    accepted: (status: number) => status === 200 || status === 302,
    retryDelaysMs: UNIONPAY_RETRY_DELAYS_MS,
  });
  return {
    notificationFor(event) {
      const { order } = event;
      const base = { channel: 'unionpay' as const, merchantId: order.merchantId, billNo: order.billNo };
      switch (event.kind) {
        case 'CAPTURED':
          return order.notifyUrl ? { ...base, ...send('CONSUME 00', order.notifyUrl, consumeResult(order, event.capture)) } : null;
        case 'REFUNDED': {
          const r = ctx.refunds.get(refundKey(order.merchantId, event.refund.refundNo));
          return r?.backUrl ? { ...base, ...send(`REFUND ${r.orderId}`, r.backUrl, refundResult(r)) } : null;
        }
        case 'CLOSED':
          return null;
      }
    },
    // The front notify is a form the browser POSTs to frontUrl; the sandbox serves that form from
    // its own page, so the payer's "返回商户" is an ordinary link.
    returnUrlFor(order) {
      return order.returnUrl ? frontReturnUrl(ctx, order) : null;
    },
  };
}

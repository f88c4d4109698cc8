import { aesGcmEncrypt, formatRfc3339, newResourceNonce } from '../../channels/wechatpay/wechatpay-wire.ts';
import { HOUR, MINUTE } from '../../shared/clock.ts';
import { shanghaiDateCompact } from '../../shared/time.ts';
import type { DialectHooks, OrderEvent } from '../sandbox-core.ts';
import { signatureHeaders } from './wechatpay-auth.ts';
import { transactionView, type WechatpayContext } from './wechatpay-context.ts';
import { refundResource } from './wechatpay-refund.handlers.ts';

/**
 * WeChat Pay's callbacks (wechatpay-v3.md §5): a JSON envelope whose `resource` is the transaction
 * (or refund) encrypted AEAD_AES_256_GCM under the merchant's APIv3 key, POSTed to notify_url and
 * signed in `Wechatpay-*` headers. Only successful payments are notified (closes and expiries are
 * not); refunds go to the refund's own notify_url. The envelope is made once per event; each
 * attempt is signed afresh with its own timestamp and nonce.
 */

/** "15s/15s/30s/3m/10m/20m/30m/30m/30m/60m/3h/3h/3h/6h/6h — 24h4m in all" (payment-notice pages). */
export const WECHATPAY_RETRY_DELAYS_MS = [
  15_000, 15_000, 30_000, 3 * MINUTE, 10 * MINUTE, 20 * MINUTE, 30 * MINUTE, 30 * MINUTE, 30 * MINUTE,
  HOUR, 3 * HOUR, 3 * HOUR, 3 * HOUR, 6 * HOUR, 6 * HOUR,
] as const;

interface Callback {
  url: string | null;
  eventType: string;
  summary: string;
  originalType: 'transaction' | 'refund';
  resource: Record<string, unknown>;
}

function callbackFor(ctx: WechatpayContext, event: OrderEvent): Callback | null {
  const { order } = event;
  switch (event.kind) {
    case 'CAPTURED':
      return {
        url: order.notifyUrl, eventType: 'TRANSACTION.SUCCESS', summary: '支付成功', originalType: 'transaction',
        resource: transactionView(order, event.capture),
      };
    case 'REFUNDED': {
      const { capture, refund } = event;
      return {
        url: ctx.refundNotifyUrls.get(`${order.merchantId}\u0000${refund.refundNo}`) ?? null,
        eventType: 'REFUND.SUCCESS', summary: '退款成功', originalType: 'refund',
        resource: refundResource({ order, capture, refund }, ctx.refundId(refund)),
      };
    }
    case 'CLOSED':
      return null;
  }
}

export function createWechatpayHooks(ctx: WechatpayContext): DialectHooks {
  let seq = 0;
  return {
    notificationFor(event) {
      const cb = callbackFor(ctx, event);
      if (!cb?.url) return null;
      const merchant = ctx.merchants.get(event.order.merchantId);
      if (!merchant) throw new Error(`no such WeChat Pay merchant: ${event.order.merchantId}`);
      const now = ctx.core.clock.now();
      seq += 1;
      const nonce = newResourceNonce();
      // Fixed for every resend of this callback, as WeChat Pay's notification id is.
      const body = JSON.stringify({
        id: `EV-${shanghaiDateCompact(now)}${String(seq).padStart(11, '0')}`,
        create_time: formatRfc3339(now),
        resource_type: 'encrypt-resource',
        event_type: cb.eventType,
        summary: cb.summary,
        resource: {
          original_type: cb.originalType,
          algorithm: 'AEAD_AES_256_GCM',
          ciphertext: aesGcmEncrypt(JSON.stringify(cb.resource), merchant.apiV3Key, nonce, cb.originalType),
          associated_data: cb.originalType,
          nonce,
        },
      });
      return {
        channel: 'wechatpay',
        merchantId: event.order.merchantId,
        billNo: event.order.billNo,
        label: event.kind === 'REFUNDED' ? `${cb.eventType} ${event.refund.refundNo}` : cb.eventType,
        url: cb.url,
        render(at) {
          const headers = signatureHeaders(ctx, body, at);
          ctx.relay.push(body, headers);
          // `headers` is what the dispatcher should send once it can (see wechatpay-notify-relay.ts).
          const rendered = { body, contentType: 'application/json', headers };
          return rendered;
        },
        // Success is the status alone: 200 or 204 (a body is not needed). Anything else is retried.
        accepted: (status) => status === 200 || status === 204,
        retryDelaysMs: WECHATPAY_RETRY_DELAYS_MS,
      };
    },
    // Native payments have no browser return: the payer scanned with a phone.
    returnUrlFor: () => null,
  };
}

import { encodeBody, contentTypeOf, formatAmount, NOTIFY_TYPE, REFUND_STATUS, signMessage, toWire, toWireTime, TRADE_STATUS, type Logical } from '../../channels/generic/generic-wire.ts';
import { HOUR, MINUTE } from '../../shared/clock.ts';
import type { DialectHooks } from '../sandbox-core.ts';
import type { GenericContext } from './generic-context.ts';

/**
 * The generic provider's notifications (docs/generic-channels.md §2.7): a signed message in the
 * profile's encoding, POSTed to the order's notify URL for every capture and every refund
 * (closes and failures are not notified). Re-signed on each attempt (fresh timestamp and nonce),
 * resent until the merchant answers HTTP 200 with exactly the profile's acknowledgement.
 */
export const GENERIC_RETRY_DELAYS_MS = [15_000, MINUTE, 5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 6 * HOUR] as const;

export function createGenericHooks(ctx: GenericContext): DialectHooks {
  const { profile } = ctx;
  const spec = (merchantId: string, billNo: string, label: string, url: string, logical: Logical) => {
    const merchant = ctx.merchants.get(merchantId)!;
    return {
      channel: profile.code, merchantId, billNo, label, url,
      render: (now: Date) => ({
        body: encodeBody(profile, signMessage(profile, merchant.signer, toWire(profile, { ...logical, merchantId }), now)),
        contentType: contentTypeOf(profile),
      }),
      accepted: (status: number, body: string) => status === 200 && body.trim() === profile.notifyAck,
      retryDelaysMs: GENERIC_RETRY_DELAYS_MS,
    };
  };
  return {
    notificationFor(event) {
      const { order } = event;
      if (!order.notifyUrl || !ctx.merchants.has(order.merchantId)) return null;
      switch (event.kind) {
        case 'CAPTURED': {
          const c = event.capture;
          return spec(order.merchantId, order.billNo, `PAYMENT ${c.captureNo}`, order.notifyUrl, {
            // One id per capture: a resend or a duplicate delivery carries the same one.
            notifyId: `P${c.captureNo}`, notifyType: NOTIFY_TYPE.PAYMENT, orderNo: order.billNo, tradeNo: c.captureNo,
            amount: formatAmount(profile.amountUnit, c.amountFen), status: TRADE_STATUS.PAID, paidTime: toWireTime(c.capturedAt),
          });
        }
        case 'REFUNDED': {
          const r = event.refund;
          return spec(order.merchantId, order.billNo, `REFUND ${r.refundNo}`, order.notifyUrl, {
            notifyId: `R${r.refundNo}`, notifyType: NOTIFY_TYPE.REFUND, orderNo: order.billNo, tradeNo: event.capture.captureNo,
            refundNo: r.refundNo, refundAmount: formatAmount(profile.amountUnit, r.amountFen), refundStatus: REFUND_STATUS.SUCCESS,
            refundTime: toWireTime(r.refundedAt),
          });
        }
        case 'CLOSED':
          return null;
      }
    },
    // The cashier sends the browser back to the merchant's return URL as given (no parameters):
    // the merchant's page asks its own server, which asks the provider.
    returnUrlFor(order) {
      return order.returnUrl;
    },
  };
}

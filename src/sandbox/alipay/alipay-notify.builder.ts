import { HOUR, MINUTE } from '../../shared/clock.ts';
import { fenToYuan } from '../../shared/money.ts';
import { formatShanghai, shanghaiDateCompact } from '../../shared/time.ts';
import type { SandboxCapture, SandboxOrder } from '../order-book.ts';
import type { DialectHooks, OrderEvent } from '../sandbox-core.ts';
import { ALIPAY_PAY_METHODS, maskedBuyerLogon, type AlipayContext, type AlipayPayMethod } from './alipay-context.ts';
import { signNotifyParams } from './alipay-sign.ts';

/**
 * Alipay's asynchronous notifications (`trade_status_sync`, alipay.md §7) and the signed browser
 * return. Signed with the sandbox's Alipay key over all fields except sign and sign_type.
 */

/** opendocs.alipay.com/open/270/105902: after a refused attempt, wait 4m, 10m, 10m, 1h, 2h, 6h, 15h. */
export const ALIPAY_RETRY_DELAYS_MS = [4 * MINUTE, 10 * MINUTE, 10 * MINUTE, HOUR, 2 * HOUR, 6 * HOUR, 15 * HOUR] as const;

const FORM = 'application/x-www-form-urlencoded; charset=utf-8';

/** `gmt_refund` carries milliseconds: "2026-03-15 09:00:00.123". */
const withMillis = (d: Date): string => `${formatShanghai(d)}.${String(d.getUTCMilliseconds()).padStart(3, '0')}`;

function captureFields(capture: SandboxCapture): Record<string, string> {
  const amount = fenToYuan(capture.amountFen);
  const fundChannel = ALIPAY_PAY_METHODS[capture.payMethod as AlipayPayMethod].fundChannel;
  return {
    trade_no: capture.captureNo,
    // The trade's amount is what it took (differs from the order only with fault captureAmountFen).
    total_amount: amount,
    buyer_id: capture.buyerId,
    buyer_logon_id: maskedBuyerLogon(capture.buyerId),
    receipt_amount: amount,
    invoice_amount: amount,
    buyer_pay_amount: amount,
    point_amount: '0.00',
    gmt_payment: formatShanghai(capture.capturedAt),
    // A JSON *string* inside the form, camelCase inside, exactly as Alipay sends it.
    fund_bill_list: JSON.stringify([{ amount, fundChannel }]),
  };
}

function eventFields(event: OrderEvent): { label: string; fields: Record<string, string> } {
  const { order } = event;
  switch (event.kind) {
    case 'CAPTURED':
      return { label: 'TRADE_SUCCESS', fields: { ...captureFields(event.capture), trade_status: 'TRADE_SUCCESS' } };
    case 'CLOSED':
      return {
        label: 'TRADE_CLOSED',
        fields: { trade_no: order.tradeNo!, trade_status: 'TRADE_CLOSED', gmt_close: formatShanghai(order.closedAt!) },
      };
    case 'REFUNDED': {
      const { capture, refund } = event;
      const upTo = capture.refunds.slice(0, capture.refunds.indexOf(refund) + 1);
      const refunded = upTo.reduce((s, r) => s + r.amountFen, 0n);
      // Partial refund: still TRADE_SUCCESS; full refund: the trade becomes TRADE_CLOSED.
      const full = refunded === capture.amountFen;
      return {
        label: `REFUND ${refund.refundNo}`,
        fields: {
          ...captureFields(capture),
          trade_status: full ? 'TRADE_CLOSED' : 'TRADE_SUCCESS',
          refund_fee: fenToYuan(refunded),
          gmt_refund: withMillis(refund.refundedAt),
          out_biz_no: refund.refundNo,
          ...(full ? { gmt_close: formatShanghai(refund.refundedAt) } : {}),
        },
      };
    }
  }
}

export function createAlipayHooks(ctx: AlipayContext): DialectHooks {
  let notifySeq = 0;
  const merchantOf = (order: SandboxOrder) => {
    const m = ctx.merchants.get(order.merchantId);
    if (!m) throw new Error(`no such Alipay merchant: ${order.merchantId}`);
    return m;
  };
  return {
    notificationFor(event) {
      const { order } = event;
      if (!order.notifyUrl) return null;
      const merchant = merchantOf(order);
      const now = ctx.core.clock.now();
      notifySeq += 1;
      // Fixed for all resends of this notification, as Alipay's notify_id is.
      const notifyId = `${shanghaiDateCompact(now)}00222${String(notifySeq).padStart(21, '0')}`;
      const { label, fields } = eventFields(event);
      const stable: Record<string, string> = {
        notify_type: 'trade_status_sync',
        notify_id: notifyId,
        app_id: merchant.appId,
        auth_app_id: merchant.appId,
        charset: 'utf-8',
        version: '1.0',
        out_trade_no: order.billNo,
        seller_id: merchant.sellerId,
        seller_email: merchant.sellerEmail,
        subject: order.subject,
        total_amount: fenToYuan(order.amountFen),
        gmt_create: formatShanghai(order.openedAt ?? order.createdAt),
        ...(order.extra.body ? { body: order.extra.body } : {}),
        ...(order.extra.passback_params ? { passback_params: order.extra.passback_params } : {}),
        ...fields,
      };
      return {
        channel: 'alipay',
        merchantId: order.merchantId,
        billNo: order.billNo,
        label,
        url: order.notifyUrl,
        render(at) {
          const params = signNotifyParams({ ...stable, notify_time: formatShanghai(at) }, ctx.alipayPrivateKey);
          return { body: new URLSearchParams(params).toString(), contentType: FORM };
        },
        // Exactly the seven characters `success`; anything else makes Alipay try again.
        accepted: (status, body) => status >= 200 && status < 300 && body === 'success',
        retryDelaysMs: ALIPAY_RETRY_DELAYS_MS,
      };
    },

    returnUrlFor(order, capture) {
      if (!order.returnUrl) return null;
      const merchant = merchantOf(order);
      const params = signNotifyParams({
        charset: 'utf-8',
        method: 'alipay.trade.page.pay.return',
        app_id: merchant.appId,
        auth_app_id: merchant.appId,
        seller_id: merchant.sellerId,
        out_trade_no: order.billNo,
        trade_no: capture.captureNo,
        total_amount: fenToYuan(capture.amountFen),
        timestamp: formatShanghai(ctx.core.clock.now()),
        version: '1.0',
      }, ctx.alipayPrivateKey);
      const url = new URL(order.returnUrl);
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      return url.toString();
    },
  };
}

import { formatRfc3339 } from '../../channels/wechatpay/wechatpay-wire.ts';
import type { SandboxCapture, SandboxOrder, SandboxRefund } from '../order-book.ts';
import {
  answer, merchantOrders, paramError, wxError, WECHATPAY_PAY_METHODS,
  type WechatpayContext, type WechatpayMerchant, type WechatpayPayMethod, type WxResponse,
} from './wechatpay-context.ts';
import { notifyUrlIssue, type Body } from './wechatpay-order.handlers.ts';

/**
 * `POST /v3/refund/domestic/refunds` and `GET /v3/refund/domestic/refunds/{out_refund_no}`
 * (wechatpay-v3.md §6). An out_refund_no refunds at most once per merchant; a repeat with the same
 * amount answers the same refund. A new refund answers PROCESSING ("accepted"), as WeChat Pay
 * usually does; the money has moved in the books, so every later look says SUCCESS.
 */
const OUT_REFUND_NO = /^[0-9A-Za-z_\-|*@]{1,64}$/;
const NO_ORDER = (): WxResponse => wxError(404, 'RESOURCE_NOT_EXISTS', '订单不存在');

const isObject = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);
const wholeFen = (v: unknown): v is number => typeof v === 'number' && Number.isSafeInteger(v) && v >= 1;

interface Found { order: SandboxOrder; capture: SandboxCapture; refund: SandboxRefund }

function findRefund(ctx: WechatpayContext, mchid: string, refundNo: string): Found | undefined {
  for (const order of merchantOrders(ctx, mchid)) {
    for (const capture of order.captures) {
      const refund = capture.refunds.find((r) => r.refundNo === refundNo);
      if (refund) return { order, capture, refund };
    }
  }
  return undefined;
}

const receivedAccount = (capture: SandboxCapture): string =>
  capture.payMethod === 'balance' ? '支付用户零钱' : `${WECHATPAY_PAY_METHODS[capture.payMethod as WechatpayPayMethod]?.zh ?? '银行卡'}0403`;

/** The refund as the decrypted REFUND.SUCCESS resource carries it. */
export function refundResource(f: Found, refundId: string): Record<string, unknown> {
  const total = Number(f.capture.amountFen);
  const refund = Number(f.refund.amountFen);
  return {
    mchid: f.order.merchantId,
    transaction_id: f.capture.captureNo,
    out_trade_no: f.order.billNo,
    refund_id: refundId,
    out_refund_no: f.refund.refundNo,
    refund_status: 'SUCCESS',
    success_time: formatRfc3339(f.refund.refundedAt),
    user_received_account: receivedAccount(f.capture),
    amount: { total, refund, payer_total: total, payer_refund: refund },
  };
}

function refundView(ctx: WechatpayContext, f: Found, status: 'PROCESSING' | 'SUCCESS'): Record<string, unknown> {
  const total = Number(f.capture.amountFen);
  const refund = Number(f.refund.amountFen);
  return {
    refund_id: ctx.refundId(f.refund),
    out_refund_no: f.refund.refundNo,
    transaction_id: f.capture.captureNo,
    out_trade_no: f.order.billNo,
    channel: 'ORIGINAL',
    user_received_account: receivedAccount(f.capture),
    ...(status === 'SUCCESS' ? { success_time: formatRfc3339(f.refund.refundedAt) } : {}),
    create_time: formatRfc3339(f.refund.refundedAt),
    status,
    funds_account: 'AVAILABLE',
    amount: {
      total, refund, from: [], payer_total: total, payer_refund: refund,
      settlement_refund: refund, settlement_total: total, discount_refund: 0, currency: 'CNY', refund_fee: 0,
    },
    promotion_detail: [],
  };
}

export function refund(ctx: WechatpayContext, merchant: WechatpayMerchant, body: Body): WxResponse {
  const { out_refund_no: refundNo, transaction_id: transactionId, out_trade_no: outTradeNo, amount, reason, notify_url: notifyUrl } = body;
  if (typeof refundNo !== 'string' || !OUT_REFUND_NO.test(refundNo)) return paramError('out_refund_no', '须为1至64位数字、大小写字母或_-|*@');
  if (reason !== undefined && (typeof reason !== 'string' || [...reason].length > 80)) return paramError('reason', '不超过80个字符');
  if (notifyUrl !== undefined && notifyUrlIssue(notifyUrl)) return paramError('notify_url', notifyUrlIssue(notifyUrl)!);
  if (!isObject(amount) || !wholeFen(amount.refund) || !wholeFen(amount.total)) return paramError('amount', 'refund 与 total 须为正整数（单位：分）');
  if (amount.currency !== 'CNY') return paramError('amount/currency', '须为CNY');

  let order: SandboxOrder | undefined;
  let capture: SandboxCapture | null | undefined;
  if (typeof transactionId === 'string') {
    const found = ctx.core.book.findByTradeNo('wechatpay', merchant.mchid, transactionId);
    if (found && typeof outTradeNo === 'string' && found.order.billNo !== outTradeNo) return wxError(400, 'INVALID_REQUEST', '微信支付订单号与商户订单号不匹配');
    order = found?.order;
    capture = found?.capture;
  } else if (typeof outTradeNo === 'string') {
    order = ctx.core.book.find('wechatpay', merchant.mchid, outTradeNo);
    capture = order?.captures[0];
  } else {
    return paramError('transaction_id', 'transaction_id 与 out_trade_no 须二选一');
  }
  // Unknown, unpaid or closed: there is no transaction to refund.
  if (!order || !capture) return NO_ORDER();
  if (BigInt(amount.total) !== capture.amountFen) return paramError('amount/total', '与原订单金额不一致');
  const elsewhere = findRefund(ctx, merchant.mchid, refundNo);
  if (elsewhere && elsewhere.capture !== capture) return wxError(400, 'INVALID_REQUEST', '商户退款单号已用于其他订单');

  // Read by the REFUND.SUCCESS hook, which the core calls inside refund().
  const key = `${merchant.mchid}\u0000${refundNo}`;
  if (typeof notifyUrl === 'string' && !elsewhere) ctx.refundNotifyUrls.set(key, notifyUrl);
  const outcome = ctx.core.refund(order, capture, {
    refundNo, amountFen: BigInt(amount.refund), reason: typeof reason === 'string' ? reason : '',
  });
  if (!outcome.ok) {
    return outcome.reason === 'EXCEEDS'
      ? wxError(400, 'INVALID_REQUEST', '申请退款金额超过订单可退金额')
      : wxError(400, 'INVALID_REQUEST', '同一商户退款单号的退款金额与之前请求不一致');
  }
  return answer(refundView(ctx, { order, capture, refund: outcome.refund }, outcome.fundChange ? 'PROCESSING' : 'SUCCESS'));
}

export function refundQuery(ctx: WechatpayContext, merchant: WechatpayMerchant, refundNo: string): WxResponse {
  const found = findRefund(ctx, merchant.mchid, refundNo);
  return found ? answer(refundView(ctx, found, 'SUCCESS')) : wxError(404, 'RESOURCE_NOT_EXISTS', '退款单不存在');
}

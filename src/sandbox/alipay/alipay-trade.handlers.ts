import { fenToYuan } from '../../shared/money.ts';
import { formatShanghai } from '../../shared/time.ts';
import type { SandboxCapture, SandboxOrder } from '../order-book.ts';
import {
  ALIPAY_PAY_METHODS, businessError, maskedBuyerLogon, success, tradeStatus,
  type AlipayContext, type AlipayMerchant, type AlipayPayMethod, type AlipayResponse,
} from './alipay-context.ts';
import { parseAmount, str, type Biz } from './alipay-create.handler.ts';

/**
 * `alipay.trade.query`, `.close`, `.refund` and `.fastpay.refund.query` against the sandbox
 * books. A trade is named by `trade_no` (wins when both are given) or `out_trade_no`. With fault
 * `chargeTwice` one out_trade_no has two captures: `trade_no` selects one, `out_trade_no` alone
 * means the first.
 */

const NOT_EXIST = (): AlipayResponse => businessError('ACQ.TRADE_NOT_EXIST', '交易不存在');
const STATUS_ERROR = (): AlipayResponse => businessError('ACQ.TRADE_STATUS_ERROR', '交易状态不合法');
const INVALID = (what: string): AlipayResponse => businessError('ACQ.INVALID_PARAMETER', `参数无效 Invalid parameter: ${what}`);

interface Located { order: SandboxOrder; capture: SandboxCapture | null }

/** The trade a request names, or null when Alipay would not know it (never scanned included). */
export function locateTrade(ctx: AlipayContext, merchant: AlipayMerchant, biz: Biz): Located | null {
  const tradeNo = str(biz.trade_no);
  const outTradeNo = str(biz.out_trade_no);
  let found: Located | undefined;
  if (tradeNo) {
    found = ctx.core.book.findByTradeNo('alipay', merchant.appId, tradeNo);
    if (found && outTradeNo && found.order.billNo !== outTradeNo) return null;
  } else if (outTradeNo) {
    const order = ctx.core.book.find('alipay', merchant.appId, outTradeNo);
    if (order) found = { order, capture: order.captures[0] ?? null };
  }
  if (!found) return null;
  ctx.core.refresh(found.order);
  // A precreated order nobody scanned is not a trade yet: Alipay answers TRADE_NOT_EXIST.
  return found.order.tradeNo === null ? null : found;
}

export function query(ctx: AlipayContext, merchant: AlipayMerchant, biz: Biz): AlipayResponse {
  const found = locateTrade(ctx, merchant, biz);
  if (!found) return NOT_EXIST();
  const { order, capture } = found;
  const fields: Record<string, unknown> = {
    trade_no: capture?.captureNo ?? order.tradeNo,
    out_trade_no: order.billNo,
    trade_status: tradeStatus(order, capture),
    // What the trade took (differs from the order only with fault captureAmountFen).
    total_amount: fenToYuan(capture?.amountFen ?? order.amountFen),
  };
  if (capture) {
    const amount = fenToYuan(capture.amountFen);
    Object.assign(fields, {
      buyer_logon_id: maskedBuyerLogon(capture.buyerId),
      buyer_user_id: capture.buyerId,
      buyer_pay_amount: amount,
      receipt_amount: amount,
      invoice_amount: amount,
      point_amount: '0.00',
      send_pay_date: formatShanghai(capture.capturedAt),
      fund_bill_list: [{ fund_channel: ALIPAY_PAY_METHODS[capture.payMethod as AlipayPayMethod].fundChannel, amount }],
    });
  } else {
    Object.assign(fields, { buyer_pay_amount: '0.00', receipt_amount: '0.00', invoice_amount: '0.00', point_amount: '0.00' });
  }
  return success(fields);
}

/** Only a trade waiting for payment can be closed; closing notifies TRADE_CLOSED. */
export function close(ctx: AlipayContext, merchant: AlipayMerchant, biz: Biz): AlipayResponse {
  const found = locateTrade(ctx, merchant, biz);
  if (!found) return NOT_EXIST();
  if (found.capture || !ctx.core.closeByMerchant(found.order)) return STATUS_ERROR();
  return success({ trade_no: found.order.tradeNo, out_trade_no: found.order.billNo });
}

export function refund(ctx: AlipayContext, merchant: AlipayMerchant, biz: Biz): AlipayResponse {
  const amountFen = parseAmount(biz.refund_amount);
  if (amountFen === null || amountFen < 1n) return INVALID('refund_amount');
  const found = locateTrade(ctx, merchant, biz);
  if (!found) return NOT_EXIST();
  const { order, capture } = found;
  if (!capture) return STATUS_ERROR();
  // Without out_request_no a refund is the one full refund of the trade, keyed by out_trade_no.
  const outRequestNo = str(biz.out_request_no);
  if (!outRequestNo && amountFen !== capture.amountFen) {
    return businessError('ACQ.REFUND_AMT_NOT_EQUAL_TOTAL', '退款金额与交易金额不一致（部分退款需传 out_request_no）');
  }
  const outcome = ctx.core.refund(order, capture, {
    refundNo: outRequestNo ?? order.billNo,
    amountFen,
    reason: str(biz.refund_reason) ?? '',
  });
  if (!outcome.ok) {
    return outcome.reason === 'EXCEEDS'
      ? businessError('ACQ.REASON_TRADE_REFUND_FEE_ERR', '退款金额超限')
      // Alipay's answer to a reused out_request_no with another amount is not documented.
      : INVALID('out_request_no 已用于另一金额的退款 already used for another amount');
  }
  return success({
    trade_no: capture.captureNo,
    out_trade_no: order.billNo,
    buyer_logon_id: maskedBuyerLogon(capture.buyerId),
    buyer_user_id: capture.buyerId,
    // Y: money moved by this call; N: this out_request_no had already been refunded.
    fund_change: outcome.fundChange ? 'Y' : 'N',
    refund_fee: fenToYuan(outcome.refundedTotalFen),
    send_back_fee: fenToYuan(outcome.refund.amountFen),
    gmt_refund_pay: formatShanghai(outcome.refund.refundedAt),
  });
}

/** 10000 only means the query worked; the refund happened iff its data (refund_status) is present. */
export function refundQuery(ctx: AlipayContext, merchant: AlipayMerchant, biz: Biz): AlipayResponse {
  const outRequestNo = str(biz.out_request_no);
  if (!outRequestNo) return INVALID('out_request_no');
  const found = locateTrade(ctx, merchant, biz);
  if (!found) return NOT_EXIST();
  // With only out_trade_no, look through every capture of the order (chargeTwice has two).
  const captures = str(biz.trade_no) ? (found.capture ? [found.capture] : []) : found.order.captures;
  for (const capture of captures) {
    const r = capture.refunds.find((x) => x.refundNo === outRequestNo);
    if (!r) continue;
    const options = Array.isArray(biz.query_options) ? biz.query_options : [];
    return success({
      trade_no: capture.captureNo,
      out_trade_no: found.order.billNo,
      out_request_no: outRequestNo,
      total_amount: fenToYuan(capture.amountFen),
      refund_amount: fenToYuan(r.amountFen),
      refund_status: 'REFUND_SUCCESS',
      ...(options.includes('gmt_refund_pay') ? { gmt_refund_pay: formatShanghai(r.refundedAt) } : {}),
    });
  }
  return success({});
}

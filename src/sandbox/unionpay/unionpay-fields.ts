import { toAcpTime, type AcpFields } from '../../channels/unionpay/unionpay-sign.ts';
import type { SandboxCapture, SandboxOrder } from '../order-book.ts';
import { queryIdOf, type UnionpayRefundRecord } from './unionpay-context.ts';

/**
 * The fields UnionPay reports about a trade: in back and front notifications, and in the query
 * answer (which adds origRespCode for the queried trade). Field list per unionpay.md §4.
 */

const OK_MSG = '成功[0000000]';

/** MMDDhhmmss / MMDD in Beijing time. */
const traceTime = (d: Date): string => toAcpTime(d).slice(4, 14);
const settleDate = (d: Date): string => toAcpTime(d).slice(4, 8);

const optional = (key: string, v: string | null | undefined): AcpFields => (v ? { [key]: v } : {});

/** A captured consume: what the back notify carries (respCode 00) and the query reports. */
export function consumeResult(order: SandboxOrder, capture: SandboxCapture): AcpFields {
  const queryId = queryIdOf(capture.captureNo);
  return {
    txnType: '01', txnSubType: '01', bizType: '000201', accessType: '0',
    merId: order.merchantId, orderId: order.billNo, txnTime: order.extra.txnTime!,
    txnAmt: capture.amountFen.toString(), currencyCode: '156',
    queryId, traceNo: queryId.slice(-6), traceTime: traceTime(capture.capturedAt),
    // Settlement cut-off is not modelled: the settlement day is the Beijing calendar day.
    settleAmt: capture.amountFen.toString(), settleCurrencyCode: '156', settleDate: settleDate(capture.capturedAt),
    // A masked card of the bank the payer chose; 01 = debit card.
    accNo: `6217****${capture.buyerId.slice(-4)}`, payCardType: '01',
    ...optional('reqReserved', order.extra.reqReserved),
  };
}

export function refundResult(r: UnionpayRefundRecord): AcpFields {
  return {
    txnType: '04', txnSubType: '00', bizType: '000201', accessType: '0',
    merId: r.merId, orderId: r.orderId, txnTime: r.txnTime,
    txnAmt: r.amountFen.toString(), currencyCode: '156',
    queryId: r.queryId, origQryId: r.origQryId, traceNo: r.queryId.slice(-6), traceTime: traceTime(r.at),
    settleAmt: r.amountFen.toString(), settleCurrencyCode: '156', settleDate: settleDate(r.at),
    ...optional('reqReserved', r.reqReserved),
  };
}

export const succeeded = (fields: AcpFields): AcpFields => ({ ...fields, respCode: '00', respMsg: OK_MSG });

/** The query answer's view of a consume order: origRespCode by state. */
export function consumeStatus(order: SandboxOrder): AcpFields {
  const base: AcpFields = {
    txnType: '01', txnSubType: '01', bizType: '000201', accessType: '0',
    merId: order.merchantId, orderId: order.billNo, txnTime: order.extra.txnTime!,
    txnAmt: order.amountFen.toString(), currencyCode: '156',
    ...optional('reqReserved', order.extra.reqReserved),
  };
  const capture = order.captures[0];
  if (order.state === 'PAID' && capture) return { ...consumeResult(order, capture), origRespCode: '00', origRespMsg: OK_MSG };
  if (order.state === 'CLOSED') return { ...base, origRespCode: '01', origRespMsg: '交易失败：已超过支付时间 payTimeout passed unpaid' };
  // Waiting for the payer. After a declined attempt the last answer is a failure, which before
  // payTimeout is not final: the payer may try again ("失败…均可能为中间状态").
  return order.failedAttempts > 0
    ? { ...base, origRespCode: '30', origRespMsg: '交易未通过，请尝试使用其他银联卡支付 declined; the payer may retry' }
    : { ...base, origRespCode: '05', origRespMsg: '交易已受理，请稍后查询交易结果 awaiting payment' };
}

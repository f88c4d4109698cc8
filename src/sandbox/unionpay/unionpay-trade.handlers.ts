import { ORDER_ID, toAcpTime, TXN_AMT, type AcpFields } from '../../channels/unionpay/unionpay-sign.ts';
import { isHttpUrl, txnTimeError } from './unionpay-auth.ts';
import {
  findByQueryId, refundByQueryId, refundKey, type UnionpayContext, type UnionpayMerchant, type UnionpayRefundRecord,
} from './unionpay-context.ts';
import { consumeStatus, refundResult } from './unionpay-fields.ts';

/**
 * queryTrans.do (交易状态查询, txnType 00) and backTransReq.do refunds (退货, txnType 04), against
 * the sandbox books. Answers are the fields to sign; respCode 00 means the request itself worked.
 */

const answer = (p: AcpFields, respCode: string, respMsg: string, fields: AcpFields = {}): AcpFields => ({
  txnType: p.txnType ?? '', txnSubType: p.txnSubType ?? '', bizType: p.bizType ?? '', accessType: p.accessType ?? '',
  merId: p.merId ?? '', orderId: p.orderId ?? '', txnTime: p.txnTime ?? '', ...fields, respCode, respMsg,
});

/** A trade by orderId + txnTime (both as sent), or by queryId; unknown → 34. */
export function queryTrans(ctx: UnionpayContext, merchant: UnionpayMerchant, p: AcpFields): AcpFields {
  if (p.txnType !== '00') return answer(p, '10', `queryTrans.do takes txnType 00, not ${p.txnType}`);
  const echo = { txnType: '00', txnSubType: p.txnSubType ?? '00', bizType: p.bizType ?? '' };
  const ofConsume = (order: NonNullable<ReturnType<typeof ctx.core.book.find>>): AcpFields => {
    ctx.core.refresh(order);
    return answer(p, '00', '成功[0000000]', { ...consumeStatus(order), ...echo });
  };
  const ofRefund = (r: UnionpayRefundRecord): AcpFields =>
    answer(p, '00', '成功[0000000]', { ...refundResult(r), ...echo, origRespCode: '00', origRespMsg: '成功[0000000]' });

  if (p.queryId) {
    const consume = findByQueryId(ctx, merchant.merId, p.queryId);
    if (consume) return ofConsume(consume.order);
    const refund = refundByQueryId(ctx, merchant.merId, p.queryId);
    return refund ? ofRefund(refund) : answer(p, '34', '查无此交易 no such trade');
  }
  if (!p.orderId || !p.txnTime) return answer(p, '13', '缺少必输项: orderId + txnTime, or queryId');
  const order = ctx.core.book.find('unionpay', merchant.merId, p.orderId);
  if (order && order.extra.txnTime === p.txnTime) return ofConsume(order);
  const refund = ctx.refunds.get(refundKey(merchant.merId, p.orderId));
  if (refund && refund.txnTime === p.txnTime) return ofRefund(refund);
  return answer(p, '34', '查无此交易 no such trade');
}

/**
 * A refund: its own new orderId, `origQryId` = the consume's queryId, txnAmt ≤ what is left.
 * Several partial refunds are allowed. The money moves at once here; the answer still only
 * says "accepted" — the merchant learns the result from the back notify or a query.
 */
export function refundTrans(ctx: UnionpayContext, merchant: UnionpayMerchant, p: AcpFields): AcpFields {
  if (p.txnType !== '04' || p.txnSubType !== '00') {
    return answer(p, '10', `backTransReq.do: the sandbox takes refunds (04/00), not ${p.txnType}/${p.txnSubType}`);
  }
  if (!ORDER_ID.test(p.orderId ?? '')) return answer(p, '10', `orderId must be 8–40 letters/digits: ${p.orderId ?? '(none)'}`);
  if (!TXN_AMT.test(p.txnAmt ?? '')) return answer(p, '10', `txnAmt must be integer fen: ${p.txnAmt ?? '(none)'}`);
  if (!p.origQryId) return answer(p, '13', '缺少必输项 origQryId');
  if (p.currencyCode !== '156') return answer(p, '10', `currencyCode ${p.currencyCode ?? '(none)'}`);
  if (p.backUrl && !isHttpUrl(p.backUrl)) return answer(p, '10', 'backUrl must be an http(s) URL');
  const orderId = p.orderId!;
  // Duplicates first: a retried refund (same orderId) is refused, whatever its txnTime by now.
  const key = refundKey(merchant.merId, orderId);
  if (ctx.refunds.has(key) || ctx.core.book.find('unionpay', merchant.merId, orderId)) {
    return answer(p, '12', `重复交易 orderId ${orderId} was already used`);
  }
  const timeError = txnTimeError(p.txnTime, ctx.core.clock.now());
  if (timeError) return answer(p, timeError.respCode, timeError.respMsg);
  const found = findByQueryId(ctx, merchant.merId, p.origQryId!);
  if (!found) return answer(p, '35', `原交易不存在或状态不正确 no consume with queryId ${p.origQryId}`);
  const now = ctx.core.clock.now();
  const record: UnionpayRefundRecord = {
    merId: merchant.merId, orderId, txnTime: p.txnTime!, backUrl: p.backUrl || null, reqReserved: p.reqReserved || null,
    queryId: ctx.nextRefundQueryId(now), origQryId: p.origQryId!, billNo: found.order.billNo,
    captureNo: found.capture.captureNo, amountFen: BigInt(p.txnAmt!), at: now,
  };
  // Recorded before the core moves the money: its REFUNDED event builds the notify from it.
  ctx.refunds.set(key, record);
  const outcome = ctx.core.refund(found.order, found.capture, { refundNo: orderId, amountFen: record.amountFen, reason: p.reqReserved ?? '' });
  if (!outcome.ok) {
    ctx.refunds.delete(key);
    // The code for "more than is left" was not confirmed in the sources read; 33 = amount over limit.
    return answer(p, '33', '退货金额超限 refund amount exceeds what is left of the payment');
  }
  return answer(p, '00', '成功[0000000]', {
    queryId: record.queryId, origQryId: record.origQryId, txnAmt: p.txnAmt!, currencyCode: '156',
    ...(record.reqReserved ? { reqReserved: record.reqReserved } : {}),
  });
}

export const refundQueryId = (seq: number, now: Date): string => `${toAcpTime(now).slice(0, 8)}9${String(seq).padStart(12, '0')}`;

import { fromAcpTime, ORDER_ID, TXN_AMT, type AcpFields } from '../../channels/unionpay/unionpay-sign.ts';
import type { SandboxOrder } from '../order-book.ts';
import { isHttpUrl, txnTimeError, type AcpError } from './unionpay-auth.ts';
import { ALL_BANKS, refundKey, UNIONPAY_BANKS, type UnionpayBank, type UnionpayContext, type UnionpayMerchant } from './unionpay-context.ts';

/**
 * The consume request (消费, txnType 01/01, bizType 000201) the payer's browser posts to
 * frontTransReq.do. The trade exists from here: a query now finds it waiting. Posting the same
 * form again (same orderId and txnTime, same amount) shows the same order; the same orderId
 * with another txnTime or amount is a duplicate (respCode 12).
 */
export type ConsumeResult = { ok: true; order: SandboxOrder } | ({ ok: false } & AcpError);

/** Without payTimeout the sandbox keeps an order payable this long (UnionPay's default is not documented). */
const DEFAULT_VALIDITY_MS = 24 * 3_600_000;

export function acceptConsume(ctx: UnionpayContext, merchant: UnionpayMerchant, p: AcpFields): ConsumeResult {
  const fail = (respCode: string, respMsg: string): ConsumeResult => ({ ok: false, respCode, respMsg });
  const now = ctx.core.clock.now();
  if (p.txnType !== '01' || p.txnSubType !== '01') return fail('10', `frontTransReq.do: the sandbox takes consume (01/01), not ${p.txnType}/${p.txnSubType}`);
  if (p.bizType !== '000201') return fail('10', `bizType ${p.bizType ?? '(none)'} is not 000201 (gateway payment)`);
  if (p.channelType !== '07' && p.channelType !== '08') return fail('10', `channelType ${p.channelType ?? '(none)'}`);
  if (p.accessType !== '0') return fail('10', `accessType ${p.accessType ?? '(none)'}: the sandbox has direct merchants only`);
  if (p.currencyCode !== '156') return fail('10', `currencyCode ${p.currencyCode ?? '(none)'}`);
  if (!ORDER_ID.test(p.orderId ?? '')) return fail('10', `orderId must be 8–40 letters/digits without - or _: ${p.orderId ?? '(none)'}`);
  if (!TXN_AMT.test(p.txnAmt ?? '')) return fail('10', `txnAmt must be integer fen: ${p.txnAmt ?? '(none)'}`);
  if (!isHttpUrl(p.backUrl)) return fail('10', 'backUrl must be an http(s) URL');
  if (p.frontUrl && !isHttpUrl(p.frontUrl)) return fail('10', 'frontUrl must be an http(s) URL');
  if (p.reqReserved && Buffer.byteLength(p.reqReserved) > 1024) return fail('10', 'reqReserved longer than 1024 bytes');
  if (p.issInsCode && !(p.issInsCode in UNIONPAY_BANKS)) return fail('10', `issInsCode ${p.issInsCode} is not a bank of the sandbox`);
  const amountFen = BigInt(p.txnAmt!);

  const orderId = p.orderId!;
  const existing = ctx.core.book.find('unionpay', merchant.merId, orderId);
  if (existing || ctx.refunds.has(refundKey(merchant.merId, orderId))) {
    if (!existing || existing.extra.txnTime !== p.txnTime || existing.amountFen !== amountFen) {
      return fail('12', `重复交易 orderId ${orderId} was already used`);
    }
    ctx.core.refresh(existing);
    return { ok: true, order: existing };
  }
  const timeError = txnTimeError(p.txnTime, now);
  if (timeError) return { ok: false, ...timeError };
  let expiresAt = new Date(fromAcpTime(p.txnTime)!.getTime() + DEFAULT_VALIDITY_MS);
  if (p.payTimeout) {
    const at = fromAcpTime(p.payTimeout);
    if (!at) return fail('10', `payTimeout 格式错误: ${p.payTimeout}`);
    expiresAt = at;
  }
  // "超过此时间后…银联系统会拒绝受理，提示超时"
  if (expiresAt <= now) return fail('01', '交易失败：订单已超时 payTimeout has passed');

  const extra: Record<string, string> = { txnTime: p.txnTime!, channelType: p.channelType };
  if (p.payTimeout) extra.payTimeout = p.payTimeout;
  if (p.reqReserved) extra.reqReserved = p.reqReserved;
  if (p.issInsCode) extra.issInsCode = p.issInsCode;
  const order = ctx.core.book.create({
    channel: 'unionpay',
    merchantId: merchant.merId,
    billNo: orderId,
    amountFen,
    subject: `${merchant.name} 订单 ${orderId}`,
    notifyUrl: p.backUrl!,
    returnUrl: p.frontUrl || null,
    createdAt: now,
    expiresAt,
    // 网银前置: issInsCode sends the payer straight to that bank.
    payMethods: p.issInsCode ? [p.issInsCode as UnionpayBank] : [...ALL_BANKS],
    extra,
  });
  ctx.core.open(order);
  return { ok: true, order };
}

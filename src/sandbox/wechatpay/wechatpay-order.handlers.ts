import { parseRfc3339 } from '../../channels/wechatpay/wechatpay-wire.ts';
import { HOUR, MINUTE } from '../../shared/clock.ts';
import type { SandboxOrder } from '../order-book.ts';
import {
  ALL_PAY_METHODS, answer, cashierUrl, noContent, paramError, transactionView, wxError,
  type WechatpayContext, type WechatpayMerchant, type WxResponse,
} from './wechatpay-context.ts';

/**
 * Native ordering, query and close (wechatpay-v3.md §4, §6) against the sandbox books. Unlike an
 * Alipay precreate, a Native order exists at WeChat Pay from the moment it is made (NOTPAY), scanned
 * or not; the payer opening the cashier only marks the scan.
 */
export type Body = Record<string, unknown>;

const OUT_TRADE_NO = /^[0-9A-Za-z_\-|*]{6,32}$/;
/** Without time_expire the sandbox keeps an order payable as long as its code_url lives: 2 h. */
const DEFAULT_VALIDITY_MS = 2 * HOUR;
const MAX_TOTAL_FEN = 100_000_000_00;

const NOT_EXIST = (): WxResponse => wxError(404, 'ORDER_NOT_EXIST', '订单不存在');
const PAID = (): WxResponse => wxError(400, 'ORDERPAID', '该订单已支付');
const CLOSED = (): WxResponse => wxError(400, 'ORDER_CLOSED', '订单已关闭');

const isObject = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);
const chars = (s: string): number => [...s].length;

export function notifyUrlIssue(v: unknown): string | null {
  if (typeof v !== 'string' || v.length === 0 || v.length > 255) return '必填，不超过255个字符';
  try {
    const u = new URL(v);
    // WeChat Pay requires HTTPS; the sandbox also takes http so it can call merchants on loopback.
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return '须为HTTPS地址';
    if (u.search) return '不能携带查询参数';
    return null;
  } catch {
    return '不是合法的URL';
  }
}

export function createNative(ctx: WechatpayContext, merchant: WechatpayMerchant, body: Body): WxResponse {
  const now = ctx.core.clock.now();
  if (typeof body.appid !== 'string') return paramError('appid', '必填');
  if (body.mchid !== merchant.mchid) return paramError('mchid', '须与请求签名中的商户号一致');
  if (body.appid !== merchant.appid) return wxError(400, 'APPID_MCHID_NOT_MATCH', 'AppID和mch_id不匹配');
  const { description, out_trade_no: outTradeNo, notify_url: notifyUrl, attach, amount } = body;
  if (typeof description !== 'string' || chars(description) < 1 || chars(description) > 127) return paramError('description', '长度须为1至127个字符');
  if (typeof outTradeNo !== 'string' || !OUT_TRADE_NO.test(outTradeNo)) return paramError('out_trade_no', '须为6至32位数字、大小写字母或_-|*');
  const urlIssue = notifyUrlIssue(notifyUrl);
  if (urlIssue) return paramError('notify_url', urlIssue);
  if (attach !== undefined && (typeof attach !== 'string' || chars(attach) > 128)) return paramError('attach', '不超过128个字符');
  if (!isObject(amount) || typeof amount.total !== 'number' || !Number.isSafeInteger(amount.total) || amount.total < 1 || amount.total > MAX_TOTAL_FEN) {
    return paramError('amount/total', '须为正整数（单位：分）');
  }
  if (amount.currency !== undefined && amount.currency !== 'CNY') return paramError('amount/currency', '仅支持CNY');
  let expiresAt = new Date(now.getTime() + DEFAULT_VALIDITY_MS);
  if (body.time_expire !== undefined) {
    const at = parseRfc3339(body.time_expire);
    if (!at) return paramError('time_expire', '须为RFC3339格式，如 2018-06-08T10:34:56+08:00');
    // "At least one minute after ordering, or it is set to one minute."
    expiresAt = new Date(Math.max(at.getTime(), now.getTime() + MINUTE));
  }
  const amountFen = BigInt(amount.total);

  const existing = ctx.core.book.find('wechatpay', merchant.mchid, outTradeNo);
  if (existing) {
    ctx.core.refresh(existing);
    if (existing.state === 'PAID') return PAID();
    if (existing.state === 'CLOSED') return CLOSED();
    // The same order again (a retry) gets its code_url; the same number with other content does not.
    const same = existing.amountFen === amountFen && existing.subject === description
      && existing.notifyUrl === notifyUrl && (existing.extra.attach ?? '') === (attach ?? '');
    if (!same) return wxError(403, 'OUT_TRADE_NO_USED', '商户订单号重复');
    return answer({ code_url: cashierUrl(ctx, existing) });
  }
  const order = ctx.core.book.create({
    channel: 'wechatpay',
    merchantId: merchant.mchid,
    billNo: outTradeNo,
    amountFen,
    subject: description,
    notifyUrl: notifyUrl as string,
    returnUrl: null,
    createdAt: now,
    expiresAt,
    payMethods: [...ALL_PAY_METHODS],
    extra: { appid: merchant.appid, ...(typeof attach === 'string' ? { attach } : {}) },
  });
  return answer({ code_url: cashierUrl(ctx, order) });
}

export function findOrder(ctx: WechatpayContext, mchid: string, outTradeNo: string): SandboxOrder | undefined {
  const order = ctx.core.book.find('wechatpay', mchid, outTradeNo);
  if (order) ctx.core.refresh(order);
  return order;
}

export function query(ctx: WechatpayContext, merchant: WechatpayMerchant, outTradeNo: string, q: Record<string, string>): WxResponse {
  if (q.mchid !== merchant.mchid) return paramError('mchid', '须与请求签名中的商户号一致');
  const order = findOrder(ctx, merchant.mchid, outTradeNo);
  // With fault chargeTwice one order has two captures: by out_trade_no, the first is reported.
  return order ? answer(transactionView(order, order.captures[0] ?? null)) : NOT_EXIST();
}

/** By transaction_id: only a paid order has one. */
export function queryById(ctx: WechatpayContext, merchant: WechatpayMerchant, transactionId: string, q: Record<string, string>): WxResponse {
  if (q.mchid !== merchant.mchid) return paramError('mchid', '须与请求签名中的商户号一致');
  const found = ctx.core.book.findByTradeNo('wechatpay', merchant.mchid, transactionId);
  return found?.capture ? answer(transactionView(found.order, found.capture)) : NOT_EXIST();
}

export function close(ctx: WechatpayContext, merchant: WechatpayMerchant, outTradeNo: string, body: Body): WxResponse {
  if (body.mchid !== merchant.mchid) return paramError('mchid', '须与请求签名中的商户号一致');
  const order = findOrder(ctx, merchant.mchid, outTradeNo);
  if (!order) return NOT_EXIST();
  if (order.state === 'PAID') return PAID();
  if (order.state === 'CLOSED') return CLOSED();
  // The core closes only a trade the payer has opened; a Native order is a trade already.
  ctx.core.open(order);
  return ctx.core.closeByMerchant(order) ? noContent() : CLOSED();
}

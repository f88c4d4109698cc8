import { HOUR, MINUTE } from '../../shared/clock.ts';
import { yuanToFen, type Fen } from '../../shared/money.ts';
import { formatShanghai, parseShanghai } from '../../shared/time.ts';
import type { SandboxOrder } from '../order-book.ts';
import {
  allowedPayMethods, businessError, cashierUrl, success,
  type AlipayContext, type AlipayMerchant, type AlipayResponse,
} from './alipay-context.ts';

/**
 * Creating orders: `alipay.trade.precreate` (QR) and `alipay.trade.page.pay` (browser). Both are
 * idempotent per out_trade_no while the trade is unpaid and its content unchanged, as Alipay is.
 */

/** Without any timeout parameter: Alipay keeps a precreate QR valid 2 h; the sandbox uses 2 h for both. */
const DEFAULT_VALIDITY_MS = 2 * HOUR;
const MAX_TIMEOUT_MS = 15 * 24 * HOUR;
const OUT_TRADE_NO = /^[\w-]{1,64}$/;

export type Biz = Record<string, unknown>;

export const str = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;

/** Yuan with up to two decimals ("88", "88.8", "88.80"), as Alipay accepts them. */
export function parseAmount(v: unknown): Fen | null {
  const s = str(v);
  const m = s === undefined ? null : /^(\d{1,11})(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) return null;
  return yuanToFen(`${BigInt(m[1]!)}.${(m[2] ?? '').padEnd(2, '0')}`);
}

/** `timeout_express` style: `90m`, `2h`, `1d` (1m..15d), or `1c` = until the coming Beijing midnight. */
export function parseRelativeTimeout(v: string, from: Date): Date | null {
  if (v === '1c') {
    const midnight = parseShanghai(`${formatShanghai(from).slice(0, 10)} 00:00:00`);
    return new Date(midnight.getTime() + 24 * HOUR);
  }
  const m = /^([1-9]\d*)([mhd])$/.exec(v);
  if (!m) return null;
  const ms = Number(m[1]) * { m: MINUTE, h: HOUR, d: 24 * HOUR }[m[2] as 'm' | 'h' | 'd'];
  return ms <= MAX_TIMEOUT_MS ? new Date(from.getTime() + ms) : null;
}

/** The earliest of time_expire, timeout_express and qr_code_timeout_express; 2 h by default. */
function expiry(biz: Biz, now: Date): Date | string {
  const candidates: Date[] = [];
  const timeExpire = str(biz.time_expire);
  if (timeExpire) {
    try { candidates.push(parseShanghai(timeExpire)); } catch { return 'time_expire 格式不正确'; }
  }
  for (const key of ['timeout_express', 'qr_code_timeout_express']) {
    const v = str(biz[key]);
    if (!v) continue;
    const at = parseRelativeTimeout(v, now);
    if (!at) return `${key} 不合法`;
    candidates.push(at);
  }
  if (candidates.length === 0) return new Date(now.getTime() + DEFAULT_VALIDITY_MS);
  const at = new Date(Math.min(...candidates.map((d) => d.getTime())));
  return at > now ? at : 'time_expire 不能早于当前时间';
}

export type CreateResult = { ok: true; order: SandboxOrder } | { ok: false; error: AlipayResponse };

export function createOrFindOrder(
  ctx: AlipayContext, merchant: AlipayMerchant, biz: Biz, common: Record<string, string>, kind: 'precreate' | 'page',
): CreateResult {
  const fail = (subCode: string, subMsg: string): CreateResult => ({ ok: false, error: businessError(subCode, subMsg) });
  const invalid = (what: string): CreateResult => fail('ACQ.INVALID_PARAMETER', `参数无效 Invalid parameter: ${what}`);
  const now = ctx.core.clock.now();

  const outTradeNo = str(biz.out_trade_no);
  if (!outTradeNo || !OUT_TRADE_NO.test(outTradeNo)) return invalid('out_trade_no');
  const amountFen = parseAmount(biz.total_amount);
  if (amountFen === null || amountFen < 1n || amountFen > 10_000_000_000n) return invalid('total_amount');
  const subject = str(biz.subject);
  if (!subject || subject.length > 256) return invalid('subject');
  if (kind === 'page' && biz.product_code !== 'FAST_INSTANT_TRADE_PAY') return invalid('product_code');
  const disable = str(biz.disable_pay_channels);
  const enable = str(biz.enable_pay_channels);
  if (disable && enable) return invalid('disable_pay_channels 与 enable_pay_channels 不能同时使用');
  const payMethods = allowedPayMethods(disable, enable);
  if (payMethods.length === 0) return invalid('没有可用的支付渠道 no payment channel left');
  const expiresAt = expiry(biz, now);
  if (typeof expiresAt === 'string') return invalid(expiresAt);

  const existing = ctx.core.book.find('alipay', merchant.appId, outTradeNo);
  if (existing) {
    ctx.core.refresh(existing);
    if (existing.state === 'PAID') return fail('ACQ.TRADE_HAS_SUCCESS', '交易已被支付');
    if (existing.state === 'CLOSED') return fail('ACQ.TRADE_HAS_CLOSE', '交易已经关闭');
    if (existing.amountFen !== amountFen || existing.subject !== subject) {
      return fail('ACQ.CONTEXT_INCONSISTENT', '交易信息被篡改');
    }
    return { ok: true, order: existing };
  }
  const extra: Record<string, string> = {};
  for (const key of ['product_code', 'passback_params', 'body']) {
    const v = str(biz[key]);
    if (v) extra[key] = v;
  }
  const order = ctx.core.book.create({
    channel: 'alipay',
    merchantId: merchant.appId,
    billNo: outTradeNo,
    amountFen,
    subject,
    notifyUrl: common.notify_url || null,
    // Alipay uses return_url for page payments only; the sandbox also honours it on precreate,
    // so a browser that opened the QR's cashier page can come back.
    returnUrl: common.return_url || null,
    createdAt: now,
    expiresAt,
    payMethods,
    extra,
  });
  return { ok: true, order };
}

export function precreate(ctx: AlipayContext, merchant: AlipayMerchant, biz: Biz, common: Record<string, string>): AlipayResponse {
  const created = createOrFindOrder(ctx, merchant, biz, common, 'precreate');
  if (!created.ok) return created.error;
  // The QR leads to the sandbox cashier; opening it is the scan that creates the trade.
  return success({ out_trade_no: created.order.billNo, qr_code: cashierUrl(ctx, created.order) });
}

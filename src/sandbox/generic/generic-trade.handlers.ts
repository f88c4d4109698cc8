import { createHash, randomBytes } from 'node:crypto';
import type { StatementEntry } from '../../channels/generic/generic-statement.ts';
import { renderStatement } from '../../channels/generic/generic-statement.ts';
import {
  formatAmount, fromWireTime, LIMIT_PAY_BANK_CARD, ORDER_NO, parseAmount, PAY_TYPE_QR, REFUND_STATUS, RESULT,
  toWireTime, TRADE_STATUS, type Logical,
} from '../../channels/generic/generic-wire.ts';
import { HOUR } from '../../shared/clock.ts';
import { formatShanghai, parseShanghai } from '../../shared/time.ts';
import type { SandboxCapture, SandboxOrder } from '../order-book.ts';
import {
  ALL_PAY_METHODS, BANK_CARD_METHODS, cashierUrl, findOrder, findRefund, merchantOrders,
  type GenericContext, type GenericSandboxMerchant,
} from './generic-context.ts';

/**
 * The generic provider's operations against the sandbox books (docs/generic-channels.md §2). Each
 * takes the request's logical fields and returns the answer's; the route signs it. Orders exist
 * as trades from creation (a QR order can be queried and closed before anyone scans it).
 */
type Handler = (ctx: GenericContext, merchant: GenericSandboxMerchant, req: Logical) => Logical;

const fail = (code: string, message: string): Logical => ({ code, message });
const invalid = (field: string, why: string): Logical => fail(RESULT.INVALID_PARAM, `${field}: ${why}`);
const ok = (fields: Logical): Logical => ({ code: RESULT.SUCCESS, message: 'OK', ...fields });
const chars = (s: string): number => [...s].length;

function isHttpUrl(s: string | undefined): boolean {
  try {
    const u = new URL(s ?? '');
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The order as query and close describe it; a paid order names its (first) capture. */
function orderView(ctx: GenericContext, order: SandboxOrder): Logical {
  const capture = order.captures[0];
  return {
    orderNo: order.billNo,
    amount: formatAmount(ctx.profile.amountUnit, order.amountFen),
    status: order.state === 'PAID' ? TRADE_STATUS.PAID : order.state === 'CLOSED' ? TRADE_STATUS.CLOSED : TRADE_STATUS.WAITING,
    ...(capture ? { tradeNo: capture.captureNo, paidTime: toWireTime(capture.capturedAt) } : {}),
  };
}

export const create: Handler = (ctx, merchant, req) => {
  const { profile, core } = ctx;
  const now = core.clock.now();
  if (!req.orderNo || !ORDER_NO.test(req.orderNo)) return invalid(profile.fields.orderNo, '6–32 letters, digits, _ or -');
  const amountFen = parseAmount(profile.amountUnit, req.amount);
  if (amountFen === null) return invalid(profile.fields.amount, profile.amountUnit === 'yuan' ? 'yuan with two decimals, above 0' : 'whole fen above 0');
  if (!req.subject || chars(req.subject) > 128) return invalid(profile.fields.subject, '1–128 characters');
  if (!isHttpUrl(req.notifyUrl)) return invalid(profile.fields.notifyUrl, 'an http(s) URL');
  if (req.returnUrl && !isHttpUrl(req.returnUrl)) return invalid(profile.fields.returnUrl, 'an http(s) URL');
  if (req.payType !== PAY_TYPE_QR) return invalid(profile.fields.payType, profile.qrOnly ? '仅支持扫码支付 QR only' : `the sandbox offers ${PAY_TYPE_QR} only`);
  if (req.limitPay && req.limitPay !== LIMIT_PAY_BANK_CARD) return invalid(profile.fields.limitPay, `empty or ${LIMIT_PAY_BANK_CARD}`);
  const wanted = fromWireTime(req.expireTime);
  if (!wanted) return invalid(profile.fields.expireTime, 'yyyyMMddHHmmss, Beijing time');
  const expiresAt = ctx.maxOrderMs === null ? wanted : new Date(Math.min(wanted.getTime(), now.getTime() + ctx.maxOrderMs));
  if (expiresAt <= now) return invalid(profile.fields.expireTime, 'already past');

  const existing = findOrder(ctx, merchant.merchantId, req.orderNo);
  if (existing) {
    if (existing.state === 'PAID') return { ...fail(RESULT.ORDER_PAID, '订单已支付 already paid'), ...orderView(ctx, existing) };
    if (existing.state === 'CLOSED') return fail(RESULT.ORDER_CLOSED, '订单已关闭 the order is closed');
    // The same order again (a retry) gets its QR again; the same number with other content does not.
    const same = existing.amountFen === amountFen && existing.subject === req.subject && existing.notifyUrl === req.notifyUrl;
    if (!same) return fail(RESULT.ORDER_NO_USED, '订单号已被使用 order number used for another order');
    return ok({ orderNo: existing.billNo, qrContent: cashierUrl(ctx, existing), cashierUrl: cashierUrl(ctx, existing) });
  }
  const bankCardOnly = profile.bankCardOnly === 'always' || req.limitPay === LIMIT_PAY_BANK_CARD;
  const order = core.book.create({
    channel: profile.code, merchantId: merchant.merchantId, billNo: req.orderNo, amountFen, subject: req.subject,
    notifyUrl: req.notifyUrl!, returnUrl: req.returnUrl || null, createdAt: now, expiresAt,
    payMethods: [...(bankCardOnly ? BANK_CARD_METHODS : ALL_PAY_METHODS)],
    extra: { limitPay: req.limitPay ?? '' },
  });
  core.open(order);
  return ok({ orderNo: order.billNo, qrContent: cashierUrl(ctx, order), cashierUrl: cashierUrl(ctx, order) });
};

export const query: Handler = (ctx, merchant, req) => {
  const order = findOrder(ctx, merchant.merchantId, req.orderNo);
  // With fault chargeTwice an order has two captures: by order number, the first is reported.
  return order ? ok(orderView(ctx, order)) : fail(RESULT.ORDER_NOT_FOUND, '订单不存在 no such order');
};

export const close: Handler = (ctx, merchant, req) => {
  const order = findOrder(ctx, merchant.merchantId, req.orderNo);
  if (!order) return fail(RESULT.ORDER_NOT_FOUND, '订单不存在 no such order');
  if (order.state === 'PAID') return { ...fail(RESULT.ORDER_PAID, '订单已支付 already paid'), ...orderView(ctx, order) };
  if (order.state === 'CLOSED') return { ...fail(RESULT.ORDER_CLOSED, '订单已关闭 already closed'), orderNo: order.billNo };
  ctx.core.open(order);
  return ctx.core.closeByMerchant(order) ? ok({ orderNo: order.billNo }) : fail(RESULT.ORDER_CLOSED, '订单已关闭 already closed');
};

function refundView(ctx: GenericContext, f: { order: SandboxOrder; capture: SandboxCapture; refund: SandboxCapture['refunds'][number] }, status: string): Logical {
  return {
    orderNo: f.order.billNo, tradeNo: f.capture.captureNo, refundNo: f.refund.refundNo,
    refundAmount: formatAmount(ctx.profile.amountUnit, f.refund.amountFen), refundStatus: status,
    ...(status === REFUND_STATUS.SUCCESS ? { refundTime: toWireTime(f.refund.refundedAt) } : {}),
  };
}

/**
 * A refund, idempotent by refund number. A new one answers PROCESSING (the bank leg takes time
 * in the real world); the money has moved in the books, so every later look says SUCCESS.
 */
export const refund: Handler = (ctx, merchant, req) => {
  const { profile } = ctx;
  if (!req.refundNo || !ORDER_NO.test(req.refundNo)) return invalid(profile.fields.refundNo, '6–32 letters, digits, _ or -');
  const amountFen = parseAmount(profile.amountUnit, req.refundAmount);
  if (amountFen === null) return invalid(profile.fields.refundAmount, 'a positive amount');
  if (req.refundReason && chars(req.refundReason) > 80) return invalid(profile.fields.refundReason, 'at most 80 characters');
  const order = findOrder(ctx, merchant.merchantId, req.orderNo);
  const capture = order?.captures.find((c) => c.captureNo === req.tradeNo);
  if (!order || !capture) return fail(RESULT.TRADE_NOT_FOUND, '原交易不存在 no such paid trade on this order');
  const elsewhere = findRefund(ctx, merchant.merchantId, req.refundNo);
  if (elsewhere && elsewhere.capture !== capture) return fail(RESULT.REFUND_NO_USED, '退款单号已用于其他交易 refund number used for another trade');
  const outcome = ctx.core.refund(order, capture, { refundNo: req.refundNo, amountFen, reason: req.refundReason ?? '' });
  if (!outcome.ok) {
    return outcome.reason === 'EXCEEDS'
      ? fail(RESULT.REFUND_EXCEEDS, '退款金额超过可退金额 more than is left of the payment')
      : fail(RESULT.REFUND_NO_USED, '同一退款单号金额不一致 same refund number, other amount');
  }
  return ok(refundView(ctx, { order, capture, refund: outcome.refund }, outcome.fundChange ? REFUND_STATUS.PROCESSING : REFUND_STATUS.SUCCESS));
};

export const refundQuery: Handler = (ctx, merchant, req) => {
  const found = req.refundNo ? findRefund(ctx, merchant.merchantId, req.refundNo) : undefined;
  if (!found || (req.orderNo && found.order.billNo !== req.orderNo)) return fail(RESULT.REFUND_NOT_FOUND, '退款单不存在 no such refund');
  return ok(refundView(ctx, found, REFUND_STATUS.SUCCESS));
};

/** Day D's statement is ready from 09:00 Beijing time on D+1. */
export const STATEMENT_READY_AFTER_MS = 33 * HOUR;

export const statement: Handler = (ctx, merchant, req) => {
  const date = req.statementDate ?? '';
  let dayStart: Date;
  try {
    dayStart = parseShanghai(`${date} 00:00:00`);
    if (Number.isNaN(dayStart.getTime()) || formatShanghai(dayStart).slice(0, 10) !== date) throw new RangeError(date);
  } catch {
    return invalid(ctx.profile.fields.statementDate, 'yyyy-MM-dd');
  }
  if (ctx.core.clock.now().getTime() < dayStart.getTime() + STATEMENT_READY_AFTER_MS) return fail(RESULT.STATEMENT_NOT_READY, '对账单尚未生成 not ready before 09:00 the next day');
  const onDay = (d: Date): boolean => formatShanghai(d).slice(0, 10) === date;
  const entries: StatementEntry[] = [];
  for (const order of merchantOrders(ctx, merchant.merchantId)) {
    for (const c of order.captures) {
      if (onDay(c.capturedAt)) entries.push({ kind: 'PAYMENT', orderNo: order.billNo, tradeNo: c.captureNo, amountFen: c.amountFen, at: c.capturedAt, payMethod: c.payMethod });
      for (const r of c.refunds.filter((x) => onDay(x.refundedAt))) {
        entries.push({ kind: 'REFUND', orderNo: order.billNo, tradeNo: c.captureNo, refundNo: r.refundNo, amountFen: r.amountFen, at: r.refundedAt });
      }
    }
  }
  const file = Buffer.from(renderStatement(ctx.profile, entries), 'utf8');
  const token = randomBytes(24).toString('base64url');
  ctx.statements.set(token, { merchantId: merchant.merchantId, file });
  return ok({
    statementDate: date,
    downloadUrl: `${ctx.baseUrl()}/${ctx.profile.code}/statement/file/${token}`,
    fileDigest: createHash('sha256').update(file).digest('hex'),
  });
};

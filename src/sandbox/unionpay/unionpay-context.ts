import type { KeyObject } from 'node:crypto';
import { ACP_VERSION, acpSign, SIGN_METHOD_RSA, type AcpFields } from '../../channels/unionpay/unionpay-sign.ts';
import type { Fen } from '../../shared/money.ts';
import type { SandboxCapture, SandboxOrder } from '../order-book.ts';
import type { SandboxCore } from '../sandbox-core.ts';

/** A merchant registered at the sandbox's UnionPay, with the signing certificates it uploaded. */
export interface UnionpayMerchant {
  merId: string;
  name: string;
  /** Public keys of its signing certificates, by certId (serial number in decimal). */
  certs: ReadonlyMap<string, KeyObject>;
}

/** A refund (退货, txnType 04) as the sandbox's UnionPay records it: its own order and trade. */
export interface UnionpayRefundRecord {
  merId: string;
  orderId: string;
  txnTime: string;
  backUrl: string | null;
  reqReserved: string | null;
  /** The refund's own queryId; `origQryId` is the consume's. */
  queryId: string;
  origQryId: string;
  billNo: string;
  captureNo: string;
  amountFen: Fen;
  at: Date;
}

export interface UnionpayContext {
  core: SandboxCore;
  merchants: ReadonlyMap<string, UnionpayMerchant>;
  /** Refunds by `refundKey(merId, orderId)`. */
  refunds: Map<string, UnionpayRefundRecord>;
  /** Signs an answer or notification as UnionPay: common fields, signPubKeyCert, certId, signature. */
  sign(fields: AcpFields): AcpFields;
  /** How payers and merchants reach the sandbox, without a trailing slash. */
  baseUrl(): string;
  /** How long a hanging API call is held open (real time). */
  apiHangMs: number;
  nextRefundQueryId(now: Date): string;
}

export function signer(key: KeyObject, certId: string, certPem: string): (fields: AcpFields) => AcpFields {
  // UnionPay sends its certificate with CRLF line breaks. That matters beyond looks: the front
  // notify travels as a form the payer's browser posts, and HTML form submission turns every line
  // break in a value into CRLF — a bare-LF PEM would arrive changed and fail its signature.
  const crlfPem = certPem.replace(/\r?\n/g, '\r\n');
  return (fields) => acpSign({ version: ACP_VERSION, encoding: 'UTF-8', signMethod: SIGN_METHOD_RSA, ...fields, signPubKeyCert: crlfPem }, key, certId);
}

/**
 * The banks of the sandbox's bank picker (选择银行), by the issuer codes `issInsCode` takes
 * ("网银前置": go straight to one bank). Codes as in UnionPay's bank-code table for the major
 * banks; only `ABC` is confirmed by the sample code read.
 */
export const UNIONPAY_BANKS = {
  ICBC: '中国工商银行',
  CCB: '中国建设银行',
  ABC: '中国农业银行',
  BOC: '中国银行',
  COMM: '交通银行',
  CMB: '招商银行',
  PSBC: '中国邮政储蓄银行',
} as const;
export type UnionpayBank = keyof typeof UNIONPAY_BANKS;
export const ALL_BANKS = Object.keys(UNIONPAY_BANKS) as UnionpayBank[];

export const refundKey = (merId: string, orderId: string): string => `${merId}\u0000${orderId}`;

/**
 * UnionPay's queryId (21 characters) for a capture. The shared order book numbers captures in
 * Alipay's 28-digit shape; this keeps the Beijing date and the sequence: date(8) + '0' + seq(12).
 */
export const queryIdOf = (captureNo: string): string => `${captureNo.slice(0, 8)}0${captureNo.slice(-12)}`;

/** The capture a consume queryId names, among this merchant's UnionPay orders. */
export function findByQueryId(ctx: UnionpayContext, merId: string, queryId: string): { order: SandboxOrder; capture: SandboxCapture } | null {
  for (const order of ctx.core.book.all()) {
    if (order.channel !== 'unionpay' || order.merchantId !== merId) continue;
    const capture = order.captures.find((c) => queryIdOf(c.captureNo) === queryId);
    if (capture) return { order, capture };
  }
  return null;
}

export function refundByQueryId(ctx: UnionpayContext, merId: string, queryId: string): UnionpayRefundRecord | null {
  for (const r of ctx.refunds.values()) if (r.merId === merId && r.queryId === queryId) return r;
  return null;
}

/** The bill number a request is about, for per-bill faults: consume orderId, or the refunded bill. */
export function billNoOf(ctx: UnionpayContext, p: AcpFields): string | undefined {
  const merId = p.merId ?? '';
  if (p.origQryId) return findByQueryId(ctx, merId, p.origQryId)?.order.billNo;
  if (p.orderId) return ctx.refunds.get(refundKey(merId, p.orderId))?.billNo ?? p.orderId;
  if (p.queryId) return findByQueryId(ctx, merId, p.queryId)?.order.billNo ?? refundByQueryId(ctx, merId, p.queryId)?.billNo;
  return undefined;
}

export const cashierUrl = (ctx: UnionpayContext, order: SandboxOrder): string => `${ctx.baseUrl()}/unionpay/cashier/${order.token}`;
export const frontReturnUrl = (ctx: UnionpayContext, order: SandboxOrder): string => `${ctx.baseUrl()}/unionpay/return/${order.token}`;

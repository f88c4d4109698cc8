import type { GenericProfile } from '../../channels/generic/generic-profile.ts';
import type { Signer } from '../../channels/generic/generic-wire.ts';
import type { SandboxCapture, SandboxOrder, SandboxRefund } from '../order-book.ts';
import type { SandboxCore } from '../sandbox-core.ts';

/** A merchant registered at one generic provider of the sandbox, with how the two sign to each other. */
export interface GenericSandboxMerchant {
  merchantId: string;
  name: string;
  /** The provider's side: signs answers and notifications, verifies the merchant's requests. */
  signer: Signer;
}

export interface GenericContext {
  core: SandboxCore;
  profile: GenericProfile;
  merchants: ReadonlyMap<string, GenericSandboxMerchant>;
  /** How payers and merchants reach the sandbox, without a trailing slash. */
  baseUrl(): string;
  apiHangMs: number;
  /** Longest order life the provider grants (publicpay: 30 min); a later expireTime is cut to it. */
  maxOrderMs: number | null;
  /** Statement files by download token. */
  statements: Map<string, { merchantId: string; file: Buffer }>;
}

/**
 * How the sandbox's payers pay at a generic provider's cashier. Seed 001's platform takes bank
 * cards through WeChat, Alipay or UnionPay QuickPass, but "不支持微信零钱、支付宝余额支付，必须绑定银行卡".
 */
export const GENERIC_PAY_METHODS = {
  BANK_CARD_UNIONPAY: { zh: '云闪付（银行卡）', en: 'UnionPay QuickPass (bank card)', bankCard: true },
  BANK_CARD_WECHAT: { zh: '微信支付（绑定银行卡）', en: 'WeChat Pay with a linked bank card', bankCard: true },
  BANK_CARD_ALIPAY: { zh: '支付宝（绑定银行卡）', en: 'Alipay with a linked bank card', bankCard: true },
  WECHAT_BALANCE: { zh: '微信零钱', en: 'WeChat balance', bankCard: false },
  ALIPAY_BALANCE: { zh: '支付宝余额', en: 'Alipay balance', bankCard: false },
} as const;
export type GenericPayMethod = keyof typeof GENERIC_PAY_METHODS;
export const ALL_PAY_METHODS = Object.keys(GENERIC_PAY_METHODS) as GenericPayMethod[];
export const BANK_CARD_METHODS = ALL_PAY_METHODS.filter((m) => GENERIC_PAY_METHODS[m].bankCard);

export const cashierUrl = (ctx: GenericContext, order: SandboxOrder): string => `${ctx.baseUrl()}/${ctx.profile.code}/cashier/${order.token}`;

export function merchantOrders(ctx: GenericContext, merchantId: string): SandboxOrder[] {
  return ctx.core.book.all().filter((o) => o.channel === ctx.profile.code && o.merchantId === merchantId);
}

export function findOrder(ctx: GenericContext, merchantId: string, orderNo: string | undefined): SandboxOrder | undefined {
  const order = orderNo ? ctx.core.book.find(ctx.profile.code, merchantId, orderNo) : undefined;
  if (order) ctx.core.refresh(order);
  return order;
}

export function findRefund(ctx: GenericContext, merchantId: string, refundNo: string):
  { order: SandboxOrder; capture: SandboxCapture; refund: SandboxRefund } | undefined {
  for (const order of merchantOrders(ctx, merchantId)) {
    for (const capture of order.captures) {
      const refund = capture.refunds.find((r) => r.refundNo === refundNo);
      if (refund) return { order, capture, refund };
    }
  }
  return undefined;
}

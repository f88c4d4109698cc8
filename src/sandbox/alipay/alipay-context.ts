import type { KeyObject } from 'node:crypto';
import type { SandboxCore } from '../sandbox-core.ts';
import type { SandboxCapture, SandboxOrder } from '../order-book.ts';
import { capturedLessRefunded } from '../order-book.ts';

/** A merchant app registered at the sandbox's Alipay (what Alipay's open platform console holds). */
export interface AlipayMerchant {
  appId: string;
  /** The merchant's Alipay account, `2088` + 12 digits (`seller_id`). */
  sellerId: string;
  sellerEmail: string;
  name: string;
  /** The app public key the merchant uploaded; verifies its requests. */
  appPublicKey: KeyObject;
}

export interface AlipayContext {
  core: SandboxCore;
  merchants: ReadonlyMap<string, AlipayMerchant>;
  /** "Alipay's" private key: signs responses, notifications and browser returns. */
  alipayPrivateKey: KeyObject;
  /** How payers and merchants reach the sandbox, without a trailing slash. */
  baseUrl(): string;
  /** How long a hanging API call is held open (real time) before the sandbox gives up on it. */
  apiHangMs: number;
}

/**
 * The payment methods the sandbox cashier offers, by Alipay's `disable_pay_channels` code, with
 * the `fund_channel` Alipay reports for them.
 */
export const ALIPAY_PAY_METHODS = {
  balance: { zh: '账户余额', en: 'Alipay balance', fundChannel: 'ALIPAYACCOUNT' },
  moneyFund: { zh: '余额宝', en: "Yu'e Bao", fundChannel: 'FINANCEACCOUNT' },
  pcredit: { zh: '花呗', en: 'Huabei credit', fundChannel: 'PCREDIT' },
  debitCardExpress: { zh: '储蓄卡快捷', en: 'Debit card', fundChannel: 'BANKCARD' },
  creditCardExpress: { zh: '信用卡快捷', en: 'Credit card', fundChannel: 'BANKCARD' },
} as const;

export type AlipayPayMethod = keyof typeof ALIPAY_PAY_METHODS;
export const ALL_PAY_METHODS = Object.keys(ALIPAY_PAY_METHODS) as AlipayPayMethod[];

/** Which sandbox methods each `disable_pay_channels` / `enable_pay_channels` code covers. */
const CODE_TO_METHODS: Record<string, AlipayPayMethod[]> = {
  balance: ['balance'],
  moneyFund: ['moneyFund'],
  pcredit: ['pcredit'],
  pcreditpayInstallment: ['pcredit'],
  credit_group: ['pcredit', 'creditCardExpress'],
  creditCard: ['creditCardExpress'],
  creditCardExpress: ['creditCardExpress'],
  creditCardCartoon: ['creditCardExpress'],
  debitCardExpress: ['debitCardExpress'],
};

/**
 * The methods left after `disable_pay_channels` / `enable_pay_channels`. Codes without a
 * sandbox method (coupon, point, bankPay, ...) are accepted and change nothing: whether Alipay
 * rejects unknown codes is not documented.
 */
export function allowedPayMethods(disable: string | undefined, enable: string | undefined): AlipayPayMethod[] {
  const codes = (s: string | undefined): string[] => (s ?? '').split(',').map((c) => c.trim()).filter(Boolean);
  if (enable) {
    const enabled = new Set(codes(enable).flatMap((c) => CODE_TO_METHODS[c] ?? []));
    return ALL_PAY_METHODS.filter((m) => enabled.has(m));
  }
  const disabled = new Set(codes(disable).flatMap((c) => CODE_TO_METHODS[c] ?? []));
  return ALL_PAY_METHODS.filter((m) => !disabled.has(m));
}

export type AlipayTradeStatus = 'WAIT_BUYER_PAY' | 'TRADE_SUCCESS' | 'TRADE_CLOSED';

/** Alipay's view of one trade: a capture, or the order's not-yet-paid trade. */
export function tradeStatus(order: SandboxOrder, capture: SandboxCapture | null): AlipayTradeStatus {
  // A fully refunded trade is reported TRADE_CLOSED, as Alipay does.
  if (capture) return capturedLessRefunded(capture) === 0n ? 'TRADE_CLOSED' : 'TRADE_SUCCESS';
  return order.state === 'CLOSED' ? 'TRADE_CLOSED' : 'WAIT_BUYER_PAY';
}

export const maskedBuyerLogon = (buyerId: string): string => `sbx***${buyerId.slice(-4)}@example.com`;

export function cashierUrl(ctx: AlipayContext, order: SandboxOrder): string {
  return `${ctx.baseUrl()}/alipay/cashier/${order.token}`;
}

export type AlipayResponse = { code: string; msg: string } & Record<string, unknown>;

export const success = (fields: Record<string, unknown>): AlipayResponse => ({ code: '10000', msg: 'Success', ...fields });
export const businessError = (subCode: string, subMsg: string): AlipayResponse =>
  ({ code: '40004', msg: 'Business Failed', sub_code: subCode, sub_msg: subMsg });
export const missingArgument = (subCode: string, subMsg: string): AlipayResponse =>
  ({ code: '40001', msg: 'Missing Required Arguments', sub_code: subCode, sub_msg: subMsg });
export const invalidArgument = (subCode: string, subMsg: string): AlipayResponse =>
  ({ code: '40002', msg: 'Invalid Arguments', sub_code: subCode, sub_msg: subMsg });
export const unavailable = (): AlipayResponse =>
  ({ code: '20000', msg: 'Service Currently Unavailable', sub_code: 'isp.unknow-error', sub_msg: '系统繁忙' });

import { createHash, type KeyObject } from 'node:crypto';
import { formatRfc3339 } from '../../channels/wechatpay/wechatpay-wire.ts';
import { shanghaiDateCompact } from '../../shared/time.ts';
import type { SandboxCapture, SandboxOrder, SandboxRefund } from '../order-book.ts';
import type { SandboxCore } from '../sandbox-core.ts';
import type { NotifyHeaderRelay } from './wechatpay-notify-relay.ts';

/** A direct merchant registered at the sandbox's WeChat Pay (what the merchant console holds). */
export interface WechatpayMerchant {
  mchid: string;
  appid: string;
  name: string;
  /** The public half of the merchant API key; verifies the merchant's requests. */
  merchantPublicKey: KeyObject;
  /** Serial of the merchant API certificate, expected as `serial_no`. */
  merchantSerial: string;
  /** The merchant's APIv3 key (each merchant sets its own): encrypts its callbacks. */
  apiV3Key: string;
}

export interface WechatpayContext {
  core: SandboxCore;
  merchants: ReadonlyMap<string, WechatpayMerchant>;
  /** "WeChat Pay's" private key: signs answers and callbacks. */
  platformPrivateKey: KeyObject;
  /** `PUB_KEY_ID_…`: names the key in `Wechatpay-Serial`. */
  platformSerial: string;
  baseUrl(): string;
  apiHangMs: number;
  /** Where each refund is notified: the core's refund event does not carry the refund's notify_url. */
  refundNotifyUrls: Map<string, string>;
  refundId(refund: SandboxRefund): string;
  /** Bill files handed out by `tradebill`, by download token. */
  bills: Map<string, { mchid: string; file: Buffer }>;
  relay: NotifyHeaderRelay;
}

/** The payment methods of the sandbox cashier, with the `bank_type` WeChat Pay reports for them. */
export const WECHATPAY_PAY_METHODS = {
  balance: { zh: '零钱', en: 'WeChat balance', bankType: 'OTHERS' },
  debitCard: { zh: '招商银行储蓄卡', en: 'Debit card', bankType: 'CMB_DEBIT' },
  creditCard: { zh: '招商银行信用卡', en: 'Credit card', bankType: 'CMB_CREDIT' },
} as const;
export type WechatpayPayMethod = keyof typeof WECHATPAY_PAY_METHODS;
export const ALL_PAY_METHODS = Object.keys(WECHATPAY_PAY_METHODS) as WechatpayPayMethod[];

export const bankTypeOf = (method: string): string => WECHATPAY_PAY_METHODS[method as WechatpayPayMethod]?.bankType ?? 'OTHERS';

export interface WxResponse {
  status: number;
  /** null: no body (204). */
  body: Record<string, unknown> | null;
  /** Answers to requests whose signature did not verify are not signed (wechatpay-v3.md §3). */
  unsigned?: boolean;
}

export const answer = (body: Record<string, unknown>): WxResponse => ({ status: 200, body });
export const noContent = (): WxResponse => ({ status: 204, body: null });
export function wxError(status: number, code: string, message: string, detail?: Record<string, unknown>): WxResponse {
  return { status, body: { code, message, ...(detail ? { detail } : {}) } };
}
export const paramError = (field: string, issue: string): WxResponse =>
  wxError(400, 'PARAM_ERROR', `参数错误 ${field}: ${issue}`, { field: `#/${field}`, issue, location: 'body' });
export const systemError = (unsigned = false): WxResponse =>
  ({ ...wxError(500, 'SYSTEM_ERROR', '系统异常，请稍后重试'), unsigned });

export function cashierUrl(ctx: WechatpayContext, order: SandboxOrder): string {
  return `${ctx.baseUrl()}/wechatpay/cashier/${order.token}`;
}

/** A stable 28-character `openid`-like payer id per sandbox buyer. */
export const openidOf = (buyerId: string): string =>
  `oSbx${createHash('sha256').update(buyerId).digest('base64url').slice(0, 24)}`;

/** WeChat Pay `refund_id`s are 29 digits; the sandbox numbers them in the order they are made. */
export function refundIdAllocator(now: () => Date): (refund: SandboxRefund) => string {
  const ids = new WeakMap<SandboxRefund, string>();
  let seq = 0;
  return (refund) => {
    let id = ids.get(refund);
    if (!id) {
      seq += 1;
      id = `503${shanghaiDateCompact(now())}${String(seq).padStart(18, '0')}`;
      ids.set(refund, id);
    }
    return id;
  };
}

const STATE_DESC: Record<string, string> = {
  SUCCESS: '支付成功', REFUND: '订单发生过退款', NOTPAY: '订单未支付', CLOSED: '订单已关闭',
};

/** The transaction as query and TRANSACTION.SUCCESS report it (wechatpay-v3.md §5, §6). */
export function transactionView(order: SandboxOrder, capture: SandboxCapture | null): Record<string, unknown> {
  const head = { appid: order.extra.appid, mchid: order.merchantId, out_trade_no: order.billNo };
  if (!capture) {
    const state = order.state === 'CLOSED' ? 'CLOSED' : 'NOTPAY';
    return {
      ...head, trade_state: state, trade_state_desc: STATE_DESC[state], attach: order.extra.attach ?? '',
      amount: { payer_currency: 'CNY' }, promotion_detail: [],
    };
  }
  const state = capture.refunds.length > 0 ? 'REFUND' : 'SUCCESS';
  const total = Number(capture.amountFen);
  return {
    ...head,
    transaction_id: capture.captureNo,
    trade_type: 'NATIVE',
    trade_state: state,
    trade_state_desc: STATE_DESC[state],
    bank_type: bankTypeOf(capture.payMethod),
    attach: order.extra.attach ?? '',
    success_time: formatRfc3339(capture.capturedAt),
    payer: { openid: openidOf(capture.buyerId) },
    amount: { total, payer_total: total, currency: 'CNY', payer_currency: 'CNY' },
    promotion_detail: [],
  };
}

/** Every WeChat Pay order of one merchant (refunds and bills are looked up merchant-wide). */
export const merchantOrders = (ctx: WechatpayContext, mchid: string): SandboxOrder[] =>
  ctx.core.book.all().filter((o) => o.channel === 'wechatpay' && o.merchantId === mchid);

import { randomBytes } from 'node:crypto';
import type { Fen } from '../shared/money.ts';
import { shanghaiDateCompact } from '../shared/time.ts';

/**
 * The sandbox's books: orders, captures and refunds per channel and merchant.
 *
 * Held in memory on purpose: the sandbox stands in for an external payment system, whose state
 * is not ours to persist; a restart is a fresh channel. Channel-neutral: a dialect (e.g.
 * src/sandbox/alipay/) translates its wire protocol into these records and back.
 */

export type SandboxChannel = 'alipay' | 'wechatpay' | 'unionpay' | 'publicpay' | 'payease';

export type OrderState =
  /** Created by the merchant, not yet seen by the payer (Alipay precreate: no trade exists yet). */
  | 'CREATED'
  /** The payer opened the cashier: the channel trade exists and waits for payment. */
  | 'WAITING'
  | 'PAID'
  | 'CLOSED';

export interface SandboxRefund {
  refundNo: string;
  captureNo: string;
  amountFen: Fen;
  refundedAt: Date;
  reason: string;
}

/** One movement of money from the payer; Alipay calls it a trade (`trade_no`). */
export interface SandboxCapture {
  captureNo: string;
  channel: SandboxChannel;
  merchantId: string;
  billNo: string;
  amountFen: Fen;
  capturedAt: Date;
  /** Dialect code of how the payer paid, e.g. Alipay `balance`, `debitCardExpress`. */
  payMethod: string;
  buyerId: string;
  refunds: SandboxRefund[];
}

export interface SandboxOrder {
  channel: SandboxChannel;
  merchantId: string;
  billNo: string;
  amountFen: Fen;
  subject: string;
  notifyUrl: string | null;
  returnUrl: string | null;
  createdAt: Date;
  /** After this instant the channel refuses payment and closes the order. */
  expiresAt: Date;
  /** Unguessable part of the cashier URL. */
  token: string;
  state: OrderState;
  /** The channel's number for the (first) trade, assigned when the trade comes to exist. */
  tradeNo: string | null;
  openedAt: Date | null;
  closedAt: Date | null;
  closeReason: 'EXPIRED' | 'MERCHANT_CLOSED' | null;
  /** Payment methods the payer may choose from, dialect codes. */
  payMethods: string[];
  failedAttempts: number;
  captures: SandboxCapture[];
  /** Protocol details the dialect needs later (e.g. Alipay `passback_params`, `product_code`). */
  extra: Record<string, string>;
  /** Upcoming API calls about this order that will hang (fault `chargeButTimeout`). */
  pendingApiTimeouts: number;
}

export interface NewOrder {
  channel: SandboxChannel;
  merchantId: string;
  billNo: string;
  amountFen: Fen;
  subject: string;
  notifyUrl: string | null;
  returnUrl: string | null;
  createdAt: Date;
  expiresAt: Date;
  payMethods: string[];
  extra?: Record<string, string>;
}

export interface MerchantLedger {
  channel: SandboxChannel;
  merchantId: string;
  capturedFen: Fen;
  refundedFen: Fen;
  captures: Array<Omit<SandboxCapture, 'refunds'>>;
  refunds: Array<SandboxRefund & { billNo: string }>;
}

export interface SandboxLedger {
  capturedFen: Fen;
  refundedFen: Fen;
  merchants: MerchantLedger[];
}

export const capturedLessRefunded = (c: SandboxCapture): Fen =>
  c.amountFen - c.refunds.reduce((sum, r) => sum + r.amountFen, 0n);

export class OrderBook {
  private readonly orders = new Map<string, SandboxOrder>();
  private readonly byToken = new Map<string, SandboxOrder>();
  private tradeSeq = 0;
  private buyerSeq = 0;

  static key(channel: SandboxChannel, merchantId: string, billNo: string): string {
    return `${channel}\u0000${merchantId}\u0000${billNo}`;
  }

  create(input: NewOrder): SandboxOrder {
    const key = OrderBook.key(input.channel, input.merchantId, input.billNo);
    if (this.orders.has(key)) throw new Error(`order exists: ${input.billNo}`);
    const order: SandboxOrder = {
      ...input,
      extra: { ...input.extra },
      token: randomBytes(18).toString('base64url'),
      state: 'CREATED',
      tradeNo: null,
      openedAt: null,
      closedAt: null,
      closeReason: null,
      failedAttempts: 0,
      captures: [],
      pendingApiTimeouts: 0,
    };
    this.orders.set(key, order);
    this.byToken.set(order.token, order);
    return order;
  }

  find(channel: SandboxChannel, merchantId: string, billNo: string): SandboxOrder | undefined {
    return this.orders.get(OrderBook.key(channel, merchantId, billNo));
  }

  findByToken(token: string): SandboxOrder | undefined {
    return this.byToken.get(token);
  }

  /** Every order with this bill number (one per channel/merchant it was sent to). */
  findByBillNo(billNo: string): SandboxOrder[] {
    return [...this.orders.values()].filter((o) => o.billNo === billNo);
  }

  /** The order a trade number belongs to, and the capture it names (null: not paid yet). */
  findByTradeNo(channel: SandboxChannel, merchantId: string, tradeNo: string):
    { order: SandboxOrder; capture: SandboxCapture | null } | undefined {
    for (const order of this.orders.values()) {
      if (order.channel !== channel || order.merchantId !== merchantId) continue;
      const capture = order.captures.find((c) => c.captureNo === tradeNo);
      if (capture) return { order, capture };
      if (order.tradeNo === tradeNo) return { order, capture: null };
    }
    return undefined;
  }

  all(): SandboxOrder[] {
    return [...this.orders.values()];
  }

  /**
   * A trade number in Alipay's shape: Beijing date + "22001" + a 15-digit sequence (28 digits).
   * Sequential, so runs are reproducible given the clock.
   */
  nextTradeNo(now: Date): string {
    this.tradeSeq += 1;
    return `${shanghaiDateCompact(now)}22001${String(this.tradeSeq).padStart(15, '0')}`;
  }

  nextBuyerId(): string {
    this.buyerSeq += 1;
    return `2088${String(100000000000 + this.buyerSeq)}`;
  }

  ledger(): SandboxLedger {
    const merchants = new Map<string, MerchantLedger>();
    let capturedFen = 0n;
    let refundedFen = 0n;
    for (const order of this.orders.values()) {
      const key = `${order.channel}\u0000${order.merchantId}`;
      let m = merchants.get(key);
      if (!m) {
        m = { channel: order.channel, merchantId: order.merchantId, capturedFen: 0n, refundedFen: 0n, captures: [], refunds: [] };
        merchants.set(key, m);
      }
      for (const { refunds, ...capture } of order.captures) {
        m.captures.push({ ...capture });
        m.capturedFen += capture.amountFen;
        capturedFen += capture.amountFen;
        for (const r of refunds) {
          m.refunds.push({ ...r, billNo: order.billNo });
          m.refundedFen += r.amountFen;
          refundedFen += r.amountFen;
        }
      }
    }
    return { capturedFen, refundedFen, merchants: [...merchants.values()] };
  }
}

/** A deep copy for callers outside the sandbox, so assertions cannot change the books. */
export function snapshotOrder(order: SandboxOrder): SandboxOrder {
  return structuredClone(order);
}

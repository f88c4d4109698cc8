import type { Clock } from '../shared/clock.ts';
import type { Fen } from '../shared/money.ts';
import { FaultBook, HangRegistry } from './faults.ts';
import { NotifyDispatcher, type NotificationJob, type NotificationSpec } from './notify-dispatcher.ts';
import {
  capturedLessRefunded, OrderBook, type SandboxCapture, type SandboxChannel, type SandboxOrder, type SandboxRefund,
} from './order-book.ts';

/**
 * What happens to money in the sandbox, independent of any wire protocol: the payer opens,
 * pays, fails; the merchant closes and refunds; orders expire by the clock. Faults are applied
 * here; each dialect turns the resulting events into its own notifications.
 */
export type OrderEvent =
  | { kind: 'CAPTURED'; order: SandboxOrder; capture: SandboxCapture }
  | { kind: 'CLOSED'; order: SandboxOrder }
  | { kind: 'REFUNDED'; order: SandboxOrder; capture: SandboxCapture; refund: SandboxRefund };

export interface DialectHooks {
  /** The notification a channel sends for this event, or null (no notify URL, not notified). */
  notificationFor(event: OrderEvent): NotificationSpec | null;
  /** Where the payer's browser goes after paying, with the channel's signed parameters. */
  returnUrlFor(order: SandboxOrder, capture: SandboxCapture): string | null;
}

export type PayOutcome =
  | {
      ok: true;
      captures: SandboxCapture[];
      /** Where the cashier sends the browser (null: no return URL, or the cashier showed an error). */
      returnUrl: string | null;
      /** Set with fault `chargeButTimeout`: what the cashier shows instead of success. */
      cashierError: string | null;
    }
  | { ok: false; reason: 'CLOSED' | 'ALREADY_PAID' | 'METHOD_NOT_ALLOWED'; message: string };

export type RefundOutcome =
  | { ok: true; refund: SandboxRefund; fundChange: boolean; refundedTotalFen: Fen }
  /** EXCEEDS: more than what is left of the capture; MISMATCH: same refund number, other amount. */
  | { ok: false; reason: 'EXCEEDS' | 'MISMATCH' };

export class SandboxCore {
  readonly clock: Clock;
  readonly book = new OrderBook();
  readonly faults = new FaultBook();
  readonly hangs = new HangRegistry();
  readonly dispatcher: NotifyDispatcher;
  private readonly dialects = new Map<SandboxChannel, DialectHooks>();

  constructor(opts: { clock: Clock; dispatcher: NotifyDispatcher }) {
    this.clock = opts.clock;
    this.dispatcher = opts.dispatcher;
  }

  registerDialect(channel: SandboxChannel, hooks: DialectHooks): void {
    this.dialects.set(channel, hooks);
  }

  /** Applies expiry by the clock. Call before reading or changing an order. */
  refresh(order: SandboxOrder): void {
    if ((order.state === 'CREATED' || order.state === 'WAITING') && this.clock.now() >= order.expiresAt) {
      const hadTrade = order.state === 'WAITING';
      order.state = 'CLOSED';
      order.closeReason = 'EXPIRED';
      order.closedAt = order.expiresAt;
      // An order nobody opened never became a trade (Alipay precreate): it just lapses, silently.
      if (hadTrade) this.emit({ kind: 'CLOSED', order });
    }
  }

  /** The payer reaches the cashier (Alipay: scans the QR). False when the order is over. */
  open(order: SandboxOrder): boolean {
    this.refresh(order);
    if (order.state === 'CREATED') {
      const now = this.clock.now();
      order.state = 'WAITING';
      order.openedAt = now;
      order.tradeNo = this.book.nextTradeNo(now);
    }
    return order.state === 'WAITING';
  }

  async pay(order: SandboxOrder, method?: string): Promise<PayOutcome> {
    this.open(order);
    const faults = this.faults.for(order.billNo);
    if (order.state === 'PAID') return { ok: false, reason: 'ALREADY_PAID', message: '该订单已支付 This order is already paid' };
    if (order.state === 'CLOSED' && !faults.captureAfterClose) return { ok: false, reason: 'CLOSED', message: '交易已关闭 This trade is closed' };
    const payMethod = method ?? order.payMethods[0]!;
    if (!order.payMethods.includes(payMethod)) {
      return { ok: false, reason: 'METHOD_NOT_ALLOWED', message: `该订单不支持此付款方式 Not allowed here: ${payMethod}` };
    }
    const now = this.clock.now();
    // An order that lapsed unopened never got a trade number (fault captureAfterClose).
    order.tradeNo ??= this.book.nextTradeNo(now);
    const buyerId = this.book.nextBuyerId();
    const capture = (captureNo: string): SandboxCapture => ({
      captureNo, channel: order.channel, merchantId: order.merchantId, billNo: order.billNo,
      amountFen: faults.captureAmountFen ?? order.amountFen, capturedAt: now, payMethod, buyerId, refunds: [],
    });
    order.captures.push(capture(order.tradeNo!));
    if (faults.chargeTwice) order.captures.push(capture(this.book.nextTradeNo(now)));
    order.state = 'PAID';
    if (faults.chargeButTimeout) order.pendingApiTimeouts += 1;

    const jobs = order.captures.flatMap((c) => this.emit({ kind: 'CAPTURED', order, capture: c }));
    if (faults.notifyBeforeReturn && jobs.length > 0) {
      const ids = new Set(jobs.map((j) => j.id));
      await this.dispatcher.deliverDue((j) => ids.has(j.id));
    }
    const cashierError = faults.chargeButTimeout ? '系统繁忙，支付结果未知，请稍后查询 System busy: payment result unknown, check later' : null;
    const hooks = this.dialects.get(order.channel);
    const returnUrl = cashierError || !hooks ? null : hooks.returnUrlFor(order, order.captures[0]!);
    return { ok: true, captures: order.captures, returnUrl, cashierError };
  }

  /**
   * A payment attempt failed (card declined, wrong password). No money moves and nothing is
   * notified: the trade keeps waiting for payment (Alipay: stays WAIT_BUYER_PAY, which is not
   * notified by default) and the payer may try again until it expires.
   */
  fail(order: SandboxOrder): { ok: true } | { ok: false; reason: 'CLOSED' | 'ALREADY_PAID' } {
    this.open(order);
    if (order.state === 'PAID') return { ok: false, reason: 'ALREADY_PAID' };
    if (order.state === 'CLOSED') return { ok: false, reason: 'CLOSED' };
    order.failedAttempts += 1;
    return { ok: true };
  }

  /** The merchant closes a waiting trade. Only WAITING can be closed. */
  closeByMerchant(order: SandboxOrder): boolean {
    this.refresh(order);
    if (order.state !== 'WAITING') return false;
    order.state = 'CLOSED';
    order.closeReason = 'MERCHANT_CLOSED';
    order.closedAt = this.clock.now();
    this.emit({ kind: 'CLOSED', order });
    return true;
  }

  /** Refunds part of a capture; idempotent by refund number within the capture. */
  refund(order: SandboxOrder, capture: SandboxCapture, req: { refundNo: string; amountFen: Fen; reason: string }): RefundOutcome {
    const previous = capture.refunds.find((r) => r.refundNo === req.refundNo);
    if (previous) {
      if (previous.amountFen !== req.amountFen) return { ok: false, reason: 'MISMATCH' };
      return { ok: true, refund: previous, fundChange: false, refundedTotalFen: capture.amountFen - capturedLessRefunded(capture) };
    }
    if (req.amountFen <= 0n || req.amountFen > capturedLessRefunded(capture)) return { ok: false, reason: 'EXCEEDS' };
    const refund: SandboxRefund = {
      refundNo: req.refundNo, captureNo: capture.captureNo, amountFen: req.amountFen,
      refundedAt: this.clock.now(), reason: req.reason,
    };
    capture.refunds.push(refund);
    this.emit({ kind: 'REFUNDED', order, capture, refund });
    return { ok: true, refund, fundChange: true, refundedTotalFen: capture.amountFen - capturedLessRefunded(capture) };
  }

  /**
   * The channel loses a capture from its books (a reversal it never told about, a bug): it is
   * gone from queries and statements. Test tool for reconciliation (MISSING_AT_CHANNEL).
   */
  forgetCapture(captureNo: string): boolean {
    for (const order of this.book.all()) {
      const i = order.captures.findIndex((c) => c.captureNo === captureNo);
      if (i >= 0) {
        order.captures.splice(i, 1);
        return true;
      }
    }
    return false;
  }

  /** Expires what is due, then sends what is due. */
  async deliverDue(opts: { reverse?: boolean } = {}): Promise<number> {
    for (const order of this.book.all()) this.refresh(order);
    return this.dispatcher.deliverDue(undefined, opts);
  }

  private emit(event: OrderEvent): NotificationJob[] {
    const faults = this.faults.for(event.order.billNo);
    if (faults.noNotify) return [];
    const spec = this.dialects.get(event.order.channel)?.notificationFor(event);
    if (!spec) return [];
    return this.dispatcher.enqueue(spec, {
      delayMs: faults.lateNotifyMs ?? 0,
      copies: faults.duplicateNotify ? 2 : 1,
    });
  }
}

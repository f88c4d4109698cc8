import type { Fen } from '../shared/money.ts';

/**
 * The one interface every payment channel adapter implements (PAY-5). One object in, one
 * result object out. Expected channel answers ("not paid yet", "already paid", "no such trade")
 * are values; an adapter throws only for bugs. A network failure or an answer it cannot
 * interpret is `UNKNOWN`: the caller then keeps the bill as it is and asks again later.
 *
 * Our bill number is the channel's merchant order number (Alipay `out_trade_no`), so every
 * call is keyed by it and a retry of any call is safe.
 */
export interface Channel {
  readonly code: ChannelCode;

  /** Create (or re-create, idempotently) the channel order for a bill. */
  createPayment(input: CreatePaymentInput): Promise<CreatePaymentResult>;

  /** Ask the channel what happened to a bill (PAY-4, 确认缴费状态). */
  queryPayment(input: { billNo: string }): Promise<QueryPaymentResult>;

  /** Close the channel order so the bill can no longer be paid (PAY-3, 30 min). */
  closePayment(input: { billNo: string }): Promise<ClosePaymentResult>;

  /** Refund captured money through the original channel (PAY-8, REF-4). Idempotent by refundNo. */
  refund(input: RefundInput): Promise<RefundResult>;

  /** Ask the channel what happened to a refund. */
  queryRefund(input: { billNo: string; refundNo: string }): Promise<RefundResult>;

  /**
   * Verify and interpret an asynchronous notification. The signature is checked on what the
   * channel sent before any field is trusted (STYLE: verify, then ask). Checks of the
   * merchant / app id belong here too; checks against our bill (amount, existence) are the
   * settlement's.
   */
  parseNotification(input: RawNotification): NotificationResult;

  /** What the channel wants to hear back, so it stops (accepted) or keeps (not) retrying. */
  notificationAnswer(accepted: boolean): ChannelAnswer;

  /**
   * The channel's statement (对账单) of one Beijing calendar day, `YYYY-MM-DD` (PAY-10): every
   * payment and refund it booked that day, as lines. NOT_READY while the channel has not made it
   * yet (ask again later); a day without trades is READY with no lines.
   */
  downloadStatement(input: { date: string }): Promise<StatementResult>;
}

export type ChannelCode = 'alipay' | 'wechatpay' | 'unionpay' | 'publicpay' | 'payease';

export interface CreatePaymentInput {
  billNo: string;
  amountFen: Fen;
  /** Shown to the payer by the channel, e.g. "2026年3月 统考 — 大学英语B". */
  subject: string;
  /** The channel must refuse payment after this instant (bill timeout, PAY-3). */
  expiresAt: Date;
  notifyUrl: string;
  /** Where the payer's browser comes back to after paying. */
  returnUrl?: string;
  /** Exam says "bank card only" (seed 001): wallet balance and credit are disabled. */
  bankCardOnly?: boolean;
}

export type CreatePaymentResult =
  | {
      ok: true;
      /** URL the payer opens (cashier page). The QR code encodes `qrContent`. */
      payUrl: string;
      qrContent: string;
    }
  | { ok: false; code: ChannelErrorCode; message: string };

/** A capture as the channel reports it. `channelTradeNo` identifies one movement of money. */
export interface ChannelCapture {
  billNo: string;
  channelTradeNo: string;
  amountFen: Fen;
  paidAt: Date;
}

export type QueryPaymentResult =
  | ({ status: 'PAID' } & ChannelCapture)
  /** The order exists (or was never scanned) and has not been paid. */
  | { status: 'WAITING' }
  /** The channel has no such order: never created, or never scanned (Alipay precreate). */
  | { status: 'NOT_FOUND' }
  /** Closed at the channel without payment, or payment failed for good. */
  | { status: 'CLOSED' }
  | { status: 'UNKNOWN'; reason: string };

export type ClosePaymentResult =
  | { status: 'CLOSED' }
  | { status: 'NOT_FOUND' }
  /** Too late: the payer paid. The caller settles instead of closing. */
  | ({ status: 'ALREADY_PAID' } & ChannelCapture)
  | { status: 'UNKNOWN'; reason: string };

export interface RefundInput {
  billNo: string;
  /** Our refund number (Alipay `out_request_no`); the same number is never refunded twice. */
  refundNo: string;
  /** The capture being refunded, where the channel needs it. */
  channelTradeNo: string;
  amountFen: Fen;
  reason: string;
}

export type RefundResult =
  | { status: 'SUCCEEDED'; refundedAt: Date }
  | { status: 'PENDING' }
  | { status: 'FAILED'; code: ChannelErrorCode; message: string }
  | { status: 'UNKNOWN'; reason: string };

export interface RawNotification {
  /** The raw request body exactly as received. */
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

export type NotificationEvent =
  | ({ kind: 'PAID'; notifyId: string } & ChannelCapture)
  | { kind: 'CLOSED'; billNo: string; notifyId: string }
  /** Valid, but nothing to act on (e.g. WAIT_BUYER_PAY, refund notices). */
  | { kind: 'IGNORED'; billNo: string | null; notifyId: string; reason: string };

export type NotificationResult =
  | { ok: true; event: NotificationEvent }
  | { ok: false; reason: NotificationRejection; detail: string };

export type NotificationRejection = 'MALFORMED' | 'BAD_SIGNATURE' | 'WRONG_MERCHANT';

export interface ChannelAnswer {
  status: number;
  contentType: string;
  body: string;
}

export type ChannelErrorCode =
  | 'CHANNEL_REJECTED'
  | 'CHANNEL_UNAVAILABLE'
  | 'TRADE_NOT_FOUND'
  | 'REFUND_EXCEEDS_PAID'
  | 'TRADE_STATE_INVALID';

/**
 * One line of a channel's daily statement (对账单, PAY-10): one movement of money the channel
 * booked. Reconciliation matches these with the ledger line by line. `Channel.downloadStatement`
 * (added with reconciliation) returns them for one Beijing calendar day.
 */
export interface StatementLine {
  kind: 'PAYMENT' | 'REFUND';
  /**
   * Our bill number (the channel's merchant order number); '' on a REFUND line of a channel that
   * does not repeat it there (UnionPay's refund line names the refund's own order number).
   */
  billNo: string;
  /** The channel's id of the payment this line is (PAYMENT) or refunds (REFUND). */
  channelTradeNo: string;
  /** Our refund number, for REFUND lines. */
  refundNo?: string;
  /** Always positive; `kind` says the direction. */
  amountFen: Fen;
  /** When the channel booked it. */
  at: Date;
}

export type StatementResult =
  | { status: 'READY'; lines: StatementLine[] }
  /** The channel has not produced that day's statement yet (it usually does after 09:00 next day). */
  | { status: 'NOT_READY' }
  | { status: 'UNKNOWN'; reason: string };

import { AlipaySdk } from 'alipay-sdk';
import { systemClock, type Clock } from '../../shared/clock.ts';
import { fenToYuan, yuanToFen } from '../../shared/money.ts';
import { formatShanghai, parseShanghai } from '../../shared/time.ts';
import { addDays, atBeijing, isBeijingDay } from '../../shared/beijing-day.ts';
import type {
  Channel, ChannelAnswer, ChannelCapture, ClosePaymentResult, CreatePaymentInput, CreatePaymentResult,
  NotificationResult, QueryPaymentResult, RawNotification, RefundInput, RefundResult, StatementResult,
} from '../channel.ts';
import { parseAlipayNotification } from './alipay-notify.ts';
import { alipayStatementLines, detailFileOf, parseAlipayDetail } from './alipay-statement.ts';
import { detectPrivateKeyType } from './rsa-keys.ts';

/**
 * Alipay through its OpenAPI gateway (alipay.md), driven by the official `alipay-sdk`. QR
 * payment (`alipay.trade.precreate`): the QR content is also the pay URL. Every response's
 * signature is verified; anything but a clear answer is UNKNOWN, and the caller asks again.
 */
export interface AlipayAdapterConfig {
  appId: string;
  /** Our Alipay account (`seller_id`, 2088 + 12 digits); notifications for others are refused. */
  sellerId: string;
  /** The app private key, PKCS#8 or PKCS#1 PEM (or bare base64). */
  privateKeyPem: string;
  /** Alipay's public key, PEM or the bare base64 body Alipay's console shows. */
  alipayPublicKeyPem: string;
  /** e.g. `https://openapi.alipay.com/gateway.do`, or the sandbox's `.../alipay/gateway.do`. */
  gateway: string;
  timeoutMs: number;
  /** Detected from the key when omitted (the SDK itself defaults to PKCS1). */
  keyType?: 'PKCS1' | 'PKCS8';
}

/** "Bank card only" (seed 001): no wallet balance, Yu'e Bao, Huabei credit, coupons or points. */
export const BANK_CARD_ONLY_DISABLED = 'balance,moneyFund,pcredit,pcreditpayInstallment,coupon,point';

type Reply = Record<string, unknown> & { code?: string; sub_code?: string; sub_msg?: string; msg?: string };
type Answer = { ok: true; data: Reply } | { ok: false; reason: string };

const s = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const describe = (method: string, d: Reply): string =>
  `${method}: ${d.code ?? '?'} ${d.msg ?? ''} ${d.sub_code ?? ''} ${d.sub_msg ?? ''}`.trim();
/** Alipay's "try again" answers: the gateway is busy or the business system hiccupped. */
const isTransient = (d: Reply): boolean => d.code === '20000' || d.sub_code === 'ACQ.SYSTEM_ERROR';

export class AlipayAdapter implements Channel {
  readonly code = 'alipay' as const;
  private readonly sdk: AlipaySdk;
  private readonly config: AlipayAdapterConfig;
  private readonly clock: Clock;

  constructor(config: AlipayAdapterConfig, deps: { clock?: Clock } = {}) {
    this.config = config;
    this.clock = deps.clock ?? systemClock;
    this.sdk = new AlipaySdk({
      appId: config.appId,
      privateKey: config.privateKeyPem,
      keyType: config.keyType ?? detectPrivateKeyType(config.privateKeyPem),
      alipayPublicKey: config.alipayPublicKeyPem,
      gateway: config.gateway,
      timeout: config.timeoutMs,
      signType: 'RSA2',
      // Keep Alipay's own snake_case field names (the SDK camelCases responses by default).
      camelcase: false,
    });
  }

  async createPayment(input: CreatePaymentInput): Promise<CreatePaymentResult> {
    const method = 'alipay.trade.precreate';
    const r = await this.call(method, {
      out_trade_no: input.billNo,
      total_amount: fenToYuan(input.amountFen),
      subject: [...input.subject].slice(0, 256).join(''),
      product_code: 'FACE_TO_FACE_PAYMENT',
      // Absolute Beijing time; the channel refuses payment after it (PAY-3).
      time_expire: formatShanghai(input.expiresAt),
      ...(input.bankCardOnly ? { disable_pay_channels: BANK_CARD_ONLY_DISABLED } : {}),
    }, {
      notify_url: input.notifyUrl,
      // Ignored by Alipay for precreate; the sandbox cashier uses it to send the browser back.
      ...(input.returnUrl ? { return_url: input.returnUrl } : {}),
    });
    if (!r.ok) return { ok: false, code: 'CHANNEL_UNAVAILABLE', message: r.reason };
    const d = r.data;
    const qr = s(d.qr_code);
    if (d.code === '10000' && qr) return { ok: true, payUrl: qr, qrContent: qr };
    const message = describe(method, d);
    if (isTransient(d)) return { ok: false, code: 'CHANNEL_UNAVAILABLE', message };
    // Already paid or closed: the caller asks queryPayment what happened.
    if (d.sub_code === 'ACQ.TRADE_HAS_SUCCESS' || d.sub_code === 'ACQ.TRADE_HAS_CLOSE') {
      return { ok: false, code: 'TRADE_STATE_INVALID', message };
    }
    return { ok: false, code: 'CHANNEL_REJECTED', message };
  }

  async queryPayment(input: { billNo: string }): Promise<QueryPaymentResult> {
    const method = 'alipay.trade.query';
    const r = await this.call(method, { out_trade_no: input.billNo });
    if (!r.ok) return { status: 'UNKNOWN', reason: r.reason };
    const d = r.data;
    if (d.code !== '10000') {
      // Unknown, or precreated and never scanned: Alipay has no trade yet.
      if (d.sub_code === 'ACQ.TRADE_NOT_EXIST') return { status: 'NOT_FOUND' };
      return { status: 'UNKNOWN', reason: describe(method, d) };
    }
    switch (d.trade_status) {
      case 'WAIT_BUYER_PAY':
        return { status: 'WAITING' };
      case 'TRADE_SUCCESS':
      case 'TRADE_FINISHED':
        return this.paid(input.billNo, d);
      case 'TRADE_CLOSED':
        // Closed unpaid, or paid and then fully refunded: the payment date tells them apart, and
        // money that was captured is reported as such (its refunds are tracked on their own).
        return s(d.send_pay_date) ? this.paid(input.billNo, d) : { status: 'CLOSED' };
      default:
        return { status: 'UNKNOWN', reason: `${method}: trade_status ${String(d.trade_status)}` };
    }
  }

  async closePayment(input: { billNo: string }): Promise<ClosePaymentResult> {
    const method = 'alipay.trade.close';
    const r = await this.call(method, { out_trade_no: input.billNo });
    if (!r.ok) return { status: 'UNKNOWN', reason: r.reason };
    const d = r.data;
    if (d.code === '10000') return { status: 'CLOSED' };
    // Never scanned (precreate) or unknown. NB: an unscanned QR stays payable until time_expire.
    if (d.sub_code === 'ACQ.TRADE_NOT_EXIST') return { status: 'NOT_FOUND' };
    if (['ACQ.TRADE_STATUS_ERROR', 'ACQ.REASON_TRADE_STATUS_INVALID', 'ACQ.REASON_ILLEGAL_STATUS'].includes(d.sub_code ?? '')) {
      // Not waiting for payment any more: paid, or already closed. Ask which.
      const q = await this.queryPayment(input);
      if (q.status === 'PAID') {
        const { status: _status, ...capture } = q;
        return { status: 'ALREADY_PAID', ...capture };
      }
      if (q.status === 'CLOSED' || q.status === 'NOT_FOUND') return { status: q.status };
      return { status: 'UNKNOWN', reason: `${describe(method, d)}; then query: ${q.status}` };
    }
    return { status: 'UNKNOWN', reason: describe(method, d) };
  }

  async refund(input: RefundInput): Promise<RefundResult> {
    const method = 'alipay.trade.refund';
    const r = await this.call(method, {
      out_trade_no: input.billNo,
      // Names the capture when one bill was charged twice (PAY-8); Alipay lets it win over out_trade_no.
      ...(input.channelTradeNo ? { trade_no: input.channelTradeNo } : {}),
      refund_amount: fenToYuan(input.amountFen),
      out_request_no: input.refundNo,
      refund_reason: [...input.reason].slice(0, 256).join(''),
    });
    // Unknown outcome: retrying with the same refundNo and amount is safe (Alipay's advice).
    if (!r.ok) return { status: 'UNKNOWN', reason: r.reason };
    const d = r.data;
    if (d.code === '10000') {
      if (d.fund_change === 'Y') return { status: 'SUCCEEDED', refundedAt: this.time(d.gmt_refund_pay) };
      // N or absent: "confirm with the refund query" (already refunded by an earlier call, or not yet).
      const q = await this.queryRefund({ billNo: input.billNo, refundNo: input.refundNo });
      return q.status === 'SUCCEEDED' ? q : { status: 'PENDING' };
    }
    const message = describe(method, d);
    if (isTransient(d) || d.code !== '40004' || d.sub_code === 'ACQ.SELLER_BALANCE_NOT_ENOUGH') {
      return { status: 'UNKNOWN', reason: message };
    }
    switch (d.sub_code) {
      case 'ACQ.REASON_TRADE_REFUND_FEE_ERR':
        return { status: 'FAILED', code: 'REFUND_EXCEEDS_PAID', message };
      case 'ACQ.TRADE_NOT_EXIST':
        return { status: 'FAILED', code: 'TRADE_NOT_FOUND', message };
      case 'ACQ.TRADE_STATUS_ERROR':
      case 'ACQ.TRADE_HAS_FINISHED':
      case 'ACQ.TRADE_HAS_CLOSE':
        return { status: 'FAILED', code: 'TRADE_STATE_INVALID', message };
      default:
        return { status: 'FAILED', code: 'CHANNEL_REJECTED', message };
    }
  }

  async queryRefund(input: { billNo: string; refundNo: string }): Promise<RefundResult> {
    const method = 'alipay.trade.fastpay.refund.query';
    const r = await this.call(method, {
      out_trade_no: input.billNo,
      out_request_no: input.refundNo,
      query_options: ['gmt_refund_pay'],
    });
    if (!r.ok) return { status: 'UNKNOWN', reason: r.reason };
    const d = r.data;
    if (d.code === '10000') {
      // Success iff refund data comes back (older answers carry refund_amount without refund_status).
      if (d.refund_status === 'REFUND_SUCCESS' || (d.refund_status === undefined && s(d.refund_amount))) {
        return { status: 'SUCCEEDED', refundedAt: this.time(d.gmt_refund_pay) };
      }
      return {
        status: 'FAILED', code: 'TRADE_NOT_FOUND',
        message: `${method}: no refund ${input.refundNo} (not received, or failed); resubmitting the same refundNo and amount is safe`,
      };
    }
    if (d.sub_code === 'ACQ.TRADE_NOT_EXIST') return { status: 'FAILED', code: 'TRADE_NOT_FOUND', message: describe(method, d) };
    return { status: 'UNKNOWN', reason: describe(method, d) };
  }

  parseNotification(input: RawNotification): NotificationResult {
    return parseAlipayNotification(this.sdk, { appId: this.config.appId, sellerId: this.config.sellerId }, input);
  }

  notificationAnswer(accepted: boolean): ChannelAnswer {
    // Alipay stops retrying only on the bare word `success`; anything else means "send again".
    return accepted
      ? { status: 200, contentType: 'text/plain; charset=utf-8', body: 'success' }
      : { status: 400, contentType: 'text/plain; charset=utf-8', body: 'fail' };
  }

  /**
   * The trade bill of one day (statements.md): `alipay.data.dataservice.bill.downloadurl.query`
   * (bill_type trade) gives a download URL valid for 30 s; a plain GET of it gives the zip. Day D
   * is generated "before 09:00 on D+1, later in special cases". Alipay answers BILL_NOT_EXIST both
   * for a day without trades and, reportedly, for one not generated yet: before 09:00 on D+1 that
   * is NOT_READY, after it a day without trades (reconciliation doubts an empty bill on a day we
   * booked money, and asks again).
   */
  async downloadStatement(input: { date: string }): Promise<StatementResult> {
    const method = 'alipay.data.dataservice.bill.downloadurl.query';
    if (!isBeijingDay(input.date)) return { status: 'UNKNOWN', reason: `not a calendar day: ${input.date}` };
    const readyAt = atBeijing(addDays(input.date, 1), 9);
    // Today's bill never exists: no point asking before the day is over.
    if (this.clock.now() < atBeijing(addDays(input.date, 1), 0)) return { status: 'NOT_READY' };
    const r = await this.call(method, { bill_type: 'trade', bill_date: input.date });
    if (!r.ok) return { status: 'UNKNOWN', reason: r.reason };
    const d = r.data;
    const url = s(d.bill_download_url);
    if (d.code === '10000' && url) {
      let zip: Uint8Array;
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(this.config.timeoutMs * 3) });
        if (res.status !== 200) return { status: 'UNKNOWN', reason: `bill download: HTTP ${res.status}` };
        zip = new Uint8Array(await res.arrayBuffer());
      } catch (err) {
        return { status: 'UNKNOWN', reason: `bill download: ${err instanceof Error ? err.message : String(err)}` };
      }
      try {
        return { status: 'READY', lines: alipayStatementLines(parseAlipayDetail(detailFileOf(zip))) };
      } catch (err) {
        return { status: 'UNKNOWN', reason: `bill file: ${(err as Error).message}` };
      }
    }
    if (/bill_not_exist/i.test(d.sub_code ?? '')) {
      return this.clock.now() < readyAt ? { status: 'NOT_READY' } : { status: 'READY', lines: [] };
    }
    return { status: 'UNKNOWN', reason: describe(method, d) };
  }

  private paid(billNo: string, d: Reply): QueryPaymentResult {
    const capture = this.capture(billNo, d);
    return typeof capture === 'string' ? { status: 'UNKNOWN', reason: capture } : { status: 'PAID', ...capture };
  }

  private capture(billNo: string, d: Reply): ChannelCapture | string {
    const tradeNo = s(d.trade_no);
    const amount = s(d.total_amount);
    const paidAt = s(d.send_pay_date);
    if (!tradeNo || !amount || !paidAt) return `paid trade without trade_no, total_amount or send_pay_date`;
    try {
      return { billNo, channelTradeNo: tradeNo, amountFen: yuanToFen(amount), paidAt: parseShanghai(paidAt) };
    } catch (err) {
      return (err as Error).message;
    }
  }

  private time(v: unknown): Date {
    const t = s(v);
    try {
      return t ? parseShanghai(t.slice(0, 19)) : this.clock.now();
    } catch {
      return this.clock.now();
    }
  }

  /** One gateway call. `ok: false` = no trustworthy answer (network, timeout, bad signature, garbage). */
  private async call(method: string, bizContent: Record<string, unknown>, common: Record<string, string> = {}): Promise<Answer> {
    try {
      const data = await this.sdk.exec(method, { ...common, bizContent }, { validateSign: true });
      return { ok: true, data: data as Reply };
    } catch (err) {
      return { ok: false, reason: `${method}: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
}

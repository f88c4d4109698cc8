import { createHash } from 'node:crypto';
import { systemClock, type Clock } from '../../shared/clock.ts';
import type {
  Channel, ChannelAnswer, ChannelCapture, ClosePaymentResult, CreatePaymentInput, CreatePaymentResult,
  NotificationResult, QueryPaymentResult, RawNotification, RefundInput, RefundResult, StatementResult,
} from '../channel.ts';
import { GenericClient } from './generic-client.ts';
import { parseGenericNotification } from './generic-notify.ts';
import { checkProfile, type GenericChannelCode, type GenericProfile } from './generic-profile.ts';
import { parseStatement } from './generic-statement.ts';
import {
  createSigner, formatAmount, fromWireTime, LIMIT_PAY_BANK_CARD, ORDER_NO, parseAmount, PAY_TYPE_QR, REFUND_STATUS, RESULT,
  toWireTime, TRADE_STATUS, type GenericKeys, type Logical, type Signer,
} from './generic-wire.ts';

/**
 * A configurable generic channel (docs/generic-channels.md): ExamPay's own documented wire
 * protocol, with a profile for the field names and a configured gateway, merchant id and
 * signing method. Instantiated as `publicpay` (上海市一网通办公共支付平台, seed 001) and `payease`
 * (首信易支付, seed 002). Every answer is verified; anything but a clear answer is UNKNOWN.
 */
export interface GenericAdapterConfig {
  profile: GenericProfile;
  merchantId: string;
  /** The provider's gateway; the profile's paths are appended (e.g. `https://pay.example.gov.cn`). */
  baseUrl: string;
  keys: GenericKeys;
  timeoutMs: number;
}

const describe = (d: Logical): string => `${d.code ?? '?'} ${d.message ?? ''}`.trim();
/** Subjects and reasons travel as plain text: no control characters, bounded length. */
const plain = (s: string, max: number): string => [...s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim()].slice(0, max).join('');

export class GenericAdapter implements Channel {
  readonly code: GenericChannelCode;
  readonly profile: GenericProfile;
  private readonly config: GenericAdapterConfig;
  private readonly clock: Clock;
  private readonly signer: Signer;
  private readonly client: GenericClient;

  constructor(config: GenericAdapterConfig, deps: { clock?: Clock; fetch?: typeof fetch } = {}) {
    checkProfile(config.profile);
    if (!/^[0-9A-Za-z_-]{1,32}$/.test(config.merchantId)) throw new Error(`${config.profile.code}: merchant id must be 1–32 letters, digits, _ or -`);
    this.config = config;
    this.profile = config.profile;
    this.code = config.profile.code;
    this.clock = deps.clock ?? systemClock;
    this.signer = createSigner(config.keys, config.profile.fields.sign);
    this.client = new GenericClient({
      profile: config.profile, merchantId: config.merchantId, signer: this.signer, baseUrl: config.baseUrl,
      timeoutMs: config.timeoutMs, clock: this.clock, fetch: deps.fetch ?? fetch,
    });
  }

  async createPayment(input: CreatePaymentInput): Promise<CreatePaymentResult> {
    if (!ORDER_NO.test(input.billNo)) return { ok: false, code: 'CHANNEL_REJECTED', message: `order number must be 6–32 letters, digits, _ or -: ${input.billNo}` };
    if (input.amountFen <= 0n) return { ok: false, code: 'CHANNEL_REJECTED', message: `amount must be positive: ${input.amountFen}` };
    if (input.expiresAt.getTime() <= this.clock.now().getTime()) return { ok: false, code: 'CHANNEL_REJECTED', message: 'the order would already be expired' };
    const bankCardOnly = this.profile.bankCardOnly === 'always' || input.bankCardOnly === true;
    const r = await this.client.call('create', {
      orderNo: input.billNo,
      amount: formatAmount(this.profile.amountUnit, input.amountFen),
      subject: plain(input.subject, 64),
      notifyUrl: input.notifyUrl,
      returnUrl: input.returnUrl,
      expireTime: toWireTime(input.expiresAt),
      payType: PAY_TYPE_QR,
      limitPay: bankCardOnly ? LIMIT_PAY_BANK_CARD : undefined,
    });
    if (!r.ok) return { ok: false, code: 'CHANNEL_UNAVAILABLE', message: r.reason };
    const d = r.data;
    switch (d.code) {
      case RESULT.SUCCESS:
        if (d.orderNo !== input.billNo || !d.cashierUrl || !d.qrContent) return { ok: false, code: 'CHANNEL_UNAVAILABLE', message: `create: answer without order, cashier URL or QR: ${describe(d)}` };
        return { ok: true, payUrl: d.cashierUrl, qrContent: d.qrContent };
      // Paid or closed before (a second click): the caller asks queryPayment and settles.
      case RESULT.ORDER_PAID:
      case RESULT.ORDER_CLOSED:
        return { ok: false, code: 'TRADE_STATE_INVALID', message: `create: ${describe(d)}` };
      case RESULT.SYSTEM_BUSY:
        return { ok: false, code: 'CHANNEL_UNAVAILABLE', message: `create: ${describe(d)}` };
      default:
        return { ok: false, code: 'CHANNEL_REJECTED', message: `create: ${describe(d)}` };
    }
  }

  async queryPayment(input: { billNo: string }): Promise<QueryPaymentResult> {
    const r = await this.client.call('query', { orderNo: input.billNo });
    if (!r.ok) return { status: 'UNKNOWN', reason: r.reason };
    const d = r.data;
    if (d.code === RESULT.ORDER_NOT_FOUND) return { status: 'NOT_FOUND' };
    if (d.code !== RESULT.SUCCESS) return { status: 'UNKNOWN', reason: `query: ${describe(d)}` };
    if (d.orderNo !== input.billNo) return { status: 'UNKNOWN', reason: `query answered for order ${d.orderNo ?? '(none)'}` };
    switch (d.status) {
      case TRADE_STATUS.PAID: {
        const capture = this.captureOf(input.billNo, d);
        return capture ? { status: 'PAID', ...capture } : { status: 'UNKNOWN', reason: 'query: PAID without trade number, amount or time' };
      }
      case TRADE_STATUS.WAITING:
        return { status: 'WAITING' };
      case TRADE_STATUS.CLOSED:
        return { status: 'CLOSED' };
      default:
        return { status: 'UNKNOWN', reason: `query: status ${d.status ?? '(none)'}` };
    }
  }

  async closePayment(input: { billNo: string }): Promise<ClosePaymentResult> {
    const r = await this.client.call('close', { orderNo: input.billNo });
    if (!r.ok) return { status: 'UNKNOWN', reason: r.reason };
    const d = r.data;
    switch (d.code) {
      case RESULT.SUCCESS:
      case RESULT.ORDER_CLOSED:
        return { status: 'CLOSED' };
      case RESULT.ORDER_NOT_FOUND:
        return { status: 'NOT_FOUND' };
      case RESULT.ORDER_PAID: {
        // The answer carries the capture; without it, ask.
        const capture = d.orderNo === input.billNo ? this.captureOf(input.billNo, d) : null;
        if (capture) return { status: 'ALREADY_PAID', ...capture };
        const q = await this.queryPayment(input);
        if (q.status !== 'PAID') return { status: 'UNKNOWN', reason: `close: ORDER_PAID, but the query says ${q.status}` };
        const { status: _status, ...found } = q;
        return { status: 'ALREADY_PAID', ...found };
      }
      default:
        return { status: 'UNKNOWN', reason: `close: ${describe(d)}` };
    }
  }

  async refund(input: RefundInput): Promise<RefundResult> {
    if (!ORDER_NO.test(input.refundNo)) return { status: 'FAILED', code: 'CHANNEL_REJECTED', message: `refund number must be 6–32 letters, digits, _ or -: ${input.refundNo}` };
    if (input.amountFen <= 0n) return { status: 'FAILED', code: 'CHANNEL_REJECTED', message: `refund amount must be positive: ${input.amountFen}` };
    const r = await this.client.call('refund', {
      orderNo: input.billNo, tradeNo: input.channelTradeNo, refundNo: input.refundNo,
      refundAmount: formatAmount(this.profile.amountUnit, input.amountFen), refundReason: plain(input.reason, 80),
    });
    // No answer: sending the same refund number again is safe (the provider deduplicates on it).
    if (!r.ok) return { status: 'UNKNOWN', reason: r.reason };
    const d = r.data;
    const message = `refund: ${describe(d)}`;
    switch (d.code) {
      case RESULT.SUCCESS: {
        if (d.refundNo !== input.refundNo) return { status: 'UNKNOWN', reason: `refund answered for ${d.refundNo ?? '(none)'}` };
        const result = this.refundResult(d);
        if (result.status !== 'PENDING') return result;
        // Accepted and processing: one look now; the refund job asks again later.
        const q = await this.queryRefund(input);
        return q.status === 'SUCCEEDED' || q.status === 'FAILED' ? q : { status: 'PENDING' };
      }
      case RESULT.REFUND_EXCEEDS:
        return { status: 'FAILED', code: 'REFUND_EXCEEDS_PAID', message };
      case RESULT.TRADE_NOT_FOUND:
        return { status: 'FAILED', code: 'TRADE_NOT_FOUND', message };
      case RESULT.SYSTEM_BUSY:
        return { status: 'UNKNOWN', reason: message };
      default:
        return { status: 'FAILED', code: 'CHANNEL_REJECTED', message };
    }
  }

  async queryRefund(input: { billNo: string; refundNo: string }): Promise<RefundResult> {
    const r = await this.client.call('refundQuery', { orderNo: input.billNo, refundNo: input.refundNo });
    if (!r.ok) return { status: 'UNKNOWN', reason: r.reason };
    const d = r.data;
    if (d.code === RESULT.REFUND_NOT_FOUND) {
      return { status: 'FAILED', code: 'TRADE_NOT_FOUND', message: `refund ${input.refundNo} is unknown to ${this.code}; resubmitting the same refund number and amount is safe` };
    }
    if (d.code !== RESULT.SUCCESS) return { status: 'UNKNOWN', reason: `refund query: ${describe(d)}` };
    if (d.refundNo !== input.refundNo) return { status: 'UNKNOWN', reason: `refund query answered for ${d.refundNo ?? '(none)'}` };
    return this.refundResult(d);
  }

  parseNotification(input: RawNotification): NotificationResult {
    return parseGenericNotification(input, { profile: this.profile, signer: this.signer, merchantId: this.config.merchantId });
  }

  notificationAnswer(accepted: boolean): ChannelAnswer {
    // The provider stops only on HTTP 200 with exactly the profile's acknowledgement.
    return accepted
      ? { status: 200, contentType: 'text/plain; charset=utf-8', body: this.profile.notifyAck }
      : { status: 400, contentType: 'text/plain; charset=utf-8', body: 'FAIL' };
  }

  /** The statement of one Beijing calendar day (PAY-10), in the format of generic-statement.ts. */
  async downloadStatement(input: { date: string }): Promise<StatementResult> {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(input.date) || fromWireTime(`${input.date.replaceAll('-', '')}000000`) === null) {
      return { status: 'UNKNOWN', reason: `not a date: ${JSON.stringify(input.date)}` };
    }
    const r = await this.client.call('statement', { statementDate: input.date });
    if (!r.ok) return { status: 'UNKNOWN', reason: r.reason };
    const d = r.data;
    if (d.code === RESULT.STATEMENT_NOT_READY) return { status: 'NOT_READY' };
    if (d.code !== RESULT.SUCCESS) return { status: 'UNKNOWN', reason: `statement: ${describe(d)}` };
    if (d.statementDate !== input.date || !d.downloadUrl || !/^[0-9a-f]{64}$/.test(d.fileDigest ?? '')) {
      return { status: 'UNKNOWN', reason: 'statement: answer without its date, download URL or SHA-256 digest' };
    }
    const file = await this.client.download(d.downloadUrl);
    if (!file.ok) return { status: 'UNKNOWN', reason: file.reason };
    // The signed answer vouches for the digest; the digest for the file.
    if (createHash('sha256').update(file.bytes).digest('hex') !== d.fileDigest) return { status: 'UNKNOWN', reason: 'statement file does not match its signed digest' };
    let text: string;
    try {
      text = new TextDecoder('utf-8', { fatal: true }).decode(file.bytes);
    } catch {
      return { status: 'UNKNOWN', reason: 'statement file is not UTF-8' };
    }
    const parsed = parseStatement(this.profile, text, input.date);
    return parsed.ok ? { status: 'READY', lines: parsed.lines } : { status: 'UNKNOWN', reason: parsed.reason };
  }

  private captureOf(billNo: string, d: Logical): ChannelCapture | null {
    const amountFen = parseAmount(this.profile.amountUnit, d.amount);
    const paidAt = fromWireTime(d.paidTime);
    if (!d.tradeNo || amountFen === null || !paidAt) return null;
    return { billNo, channelTradeNo: d.tradeNo, amountFen, paidAt };
  }

  private refundResult(d: Logical): RefundResult {
    switch (d.refundStatus) {
      case REFUND_STATUS.SUCCESS:
        return { status: 'SUCCEEDED', refundedAt: fromWireTime(d.refundTime) ?? this.clock.now() };
      case REFUND_STATUS.PROCESSING:
        return { status: 'PENDING' };
      case REFUND_STATUS.FAILED:
        return { status: 'FAILED', code: 'CHANNEL_REJECTED', message: `refund ${d.refundNo ?? ''} failed: ${d.message ?? ''}`.trim() };
      default:
        return { status: 'UNKNOWN', reason: `refund status ${d.refundStatus ?? '(none)'}` };
    }
  }
}

import { systemClock, type Clock } from '../../shared/clock.ts';
import type {
  Channel, ChannelAnswer, ClosePaymentResult, CreatePaymentInput, CreatePaymentResult,
  NotificationResult, QueryPaymentResult, RawNotification, RefundInput, RefundResult, StatementLine, StatementResult,
} from '../channel.ts';
import { privateKeyObject, publicKeyObject } from '../alipay/rsa-keys.ts';
import { billYuanToFen, fetchTradeBill, type TradeBillResult, type TradeBillType } from './wechatpay-bill.ts';
import { WechatpayClient, type WechatpayKeys, type WxAnswer } from './wechatpay-client.ts';
import { parseWechatpayNotification } from './wechatpay-notify.ts';
import { formatRfc3339, parseRfc3339 } from './wechatpay-wire.ts';
import { parseShanghai } from '../../shared/time.ts';

/**
 * WeChat Pay APIv3, direct merchant, Native QR (wechatpay-v3.md), on `fetch` + `node:crypto`.
 * The QR content (`code_url`) is also the pay URL. Every answer's signature is verified; anything
 * that is not a clear, verified answer is UNKNOWN, and the caller asks again.
 */
export interface WechatpayAdapterConfig {
  mchid: string;
  appid: string;
  /** The merchant API private key (`apiclient_key.pem`, PKCS#8 PEM or bare base64). */
  merchantPrivateKeyPem: string;
  /** Serial number of the merchant API certificate (hex). */
  merchantSerial: string;
  /** WeChat Pay's public key (public-key mode) or the platform certificate's public key, PEM. */
  platformPublicKeyPem: string;
  /** `PUB_KEY_ID_…` (public-key mode) or the platform certificate serial. */
  platformSerial: string;
  /** The 32-character APIv3 key: decrypts callbacks. */
  apiV3Key: string;
  /** `https://api.mch.weixin.qq.com`, or the sandbox's `.../wechatpay`. */
  baseUrl: string;
  timeoutMs: number;
}

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const describe = (what: string, a: WxAnswer): string =>
  a.kind === 'unknown' ? a.reason : a.kind === 'error' ? `${what}: HTTP ${a.status} ${a.code} ${a.message}`.trim() : `${what}: HTTP ${a.status}`;
/** "Try again later" answers: outages, rate limits, and a merchant balance too low to refund from. */
const isTransient = (a: WxAnswer & { kind: 'error' }): boolean =>
  a.status >= 500 || ['SYSTEM_ERROR', 'FREQUENCY_LIMITED', 'NOT_ENOUGH', 'BANKERROR'].includes(a.code);
const NOT_EXIST = ['ORDER_NOT_EXIST', 'ORDERNOTEXIST'];

export class WechatpayAdapter implements Channel {
  readonly code = 'wechatpay' as const;
  private readonly config: WechatpayAdapterConfig;
  private readonly clock: Clock;
  private readonly keys: WechatpayKeys;
  private readonly client: WechatpayClient;

  constructor(config: WechatpayAdapterConfig, deps: { clock?: Clock } = {}) {
    this.config = config;
    this.clock = deps.clock ?? systemClock;
    this.keys = {
      mchid: config.mchid,
      merchantPrivateKey: privateKeyObject(config.merchantPrivateKeyPem),
      merchantSerial: config.merchantSerial,
      platformPublicKey: publicKeyObject(config.platformPublicKeyPem),
      platformSerial: config.platformSerial,
    };
    this.client = new WechatpayClient({ keys: this.keys, baseUrl: config.baseUrl, timeoutMs: config.timeoutMs, clock: this.clock });
  }

  async createPayment(input: CreatePaymentInput): Promise<CreatePaymentResult> {
    if (input.bankCardOnly) {
      // APIv3 documents no way to restrict payment methods (v2's limit_pay could only refuse
      // credit cards, never the wallet balance), so "bank card only" cannot be honoured here.
      return { ok: false, code: 'CHANNEL_REJECTED', message: 'WeChat Pay cannot restrict a payment to bank cards' };
    }
    if (input.amountFen < 1n || input.amountFen > BigInt(Number.MAX_SAFE_INTEGER)) {
      return { ok: false, code: 'CHANNEL_REJECTED', message: `amount out of range: ${input.amountFen} fen` };
    }
    const a = await this.client.request('POST', '/v3/pay/transactions/native', {
      appid: this.config.appid,
      mchid: this.config.mchid,
      description: [...input.subject].slice(0, 127).join(''),
      out_trade_no: input.billNo,
      // Absolute Beijing time; the channel refuses payment after it (PAY-3).
      time_expire: formatRfc3339(input.expiresAt),
      notify_url: input.notifyUrl,
      amount: { total: Number(input.amountFen), currency: 'CNY' },
    });
    const message = describe('native', a);
    if (a.kind === 'ok') {
      const codeUrl = str(a.data.code_url);
      return codeUrl ? { ok: true, payUrl: codeUrl, qrContent: codeUrl } : { ok: false, code: 'CHANNEL_UNAVAILABLE', message: `${message} without code_url` };
    }
    if (a.kind === 'unknown' || isTransient(a)) return { ok: false, code: 'CHANNEL_UNAVAILABLE', message };
    // Already paid or closed: the caller asks queryPayment what happened.
    if (a.code === 'ORDERPAID' || a.code === 'ORDER_CLOSED') return { ok: false, code: 'TRADE_STATE_INVALID', message };
    return { ok: false, code: 'CHANNEL_REJECTED', message };
  }

  async queryPayment(input: { billNo: string }): Promise<QueryPaymentResult> {
    const a = await this.client.request('GET', `${this.tradePath(input.billNo)}?mchid=${encodeURIComponent(this.config.mchid)}`);
    if (a.kind !== 'ok') {
      if (a.kind === 'error' && a.status === 404 && NOT_EXIST.includes(a.code)) return { status: 'NOT_FOUND' };
      return { status: 'UNKNOWN', reason: describe('query', a) };
    }
    const d = a.data;
    if (d.out_trade_no !== input.billNo || d.mchid !== this.config.mchid) {
      return { status: 'UNKNOWN', reason: `query answered for ${String(d.mchid)}/${String(d.out_trade_no)}` };
    }
    switch (d.trade_state) {
      case 'SUCCESS':
      // Paid, and a refund has started: the capture stands (its refunds are tracked on their own).
      case 'REFUND':
        return this.paid(input.billNo, d);
      case 'NOTPAY':
      case 'USERPAYING':
      case 'ACCEPT':
        return { status: 'WAITING' };
      case 'CLOSED':
      case 'REVOKED':
      case 'PAYERROR':
        return { status: 'CLOSED' };
      default:
        return { status: 'UNKNOWN', reason: `query: trade_state ${String(d.trade_state)}` };
    }
  }

  /**
   * Asks first, so a paid order comes back as ALREADY_PAID with its capture; closes only a
   * waiting one. If the close is refused (paid or closed meanwhile), asks again which.
   */
  async closePayment(input: { billNo: string }): Promise<ClosePaymentResult> {
    const before = await this.queryPayment(input);
    if (before.status !== 'WAITING') return this.asCloseResult(before);
    const a = await this.client.request('POST', `${this.tradePath(input.billNo)}/close`, { mchid: this.config.mchid });
    if (a.kind === 'ok') return { status: 'CLOSED' };
    if (a.kind === 'unknown' || isTransient(a)) return { status: 'UNKNOWN', reason: describe('close', a) };
    const after = await this.queryPayment(input);
    return after.status === 'WAITING'
      ? { status: 'UNKNOWN', reason: `${describe('close', a)}; the order still waits for payment` }
      : this.asCloseResult(after);
  }

  async refund(input: RefundInput): Promise<RefundResult> {
    // WeChat Pay wants the original order total with every refund: read it from the capture.
    const path = input.channelTradeNo
      ? `/v3/pay/transactions/id/${encodeURIComponent(input.channelTradeNo)}`
      : this.tradePath(input.billNo);
    const t = await this.client.request('GET', `${path}?mchid=${encodeURIComponent(this.config.mchid)}`);
    if (t.kind === 'error' && t.status === 404 && NOT_EXIST.includes(t.code)) {
      return { status: 'FAILED', code: 'TRADE_NOT_FOUND', message: describe('query before refund', t) };
    }
    if (t.kind !== 'ok') return { status: 'UNKNOWN', reason: describe('query before refund', t) };
    if (t.data.out_trade_no !== input.billNo) return { status: 'UNKNOWN', reason: `query before refund answered for ${String(t.data.out_trade_no)}` };
    if (t.data.trade_state !== 'SUCCESS' && t.data.trade_state !== 'REFUND') {
      return { status: 'FAILED', code: 'TRADE_STATE_INVALID', message: `trade_state ${String(t.data.trade_state)}: nothing captured to refund` };
    }
    const total = isObject(t.data.amount) ? t.data.amount.total : undefined;
    if (typeof total !== 'number' || !Number.isSafeInteger(total)) return { status: 'UNKNOWN', reason: 'query before refund: no amount.total' };
    const a = await this.client.request('POST', '/v3/refund/domestic/refunds', {
      ...(input.channelTradeNo ? { transaction_id: input.channelTradeNo } : { out_trade_no: input.billNo }),
      out_refund_no: input.refundNo,
      ...(input.reason ? { reason: [...input.reason].slice(0, 80).join('') } : {}),
      amount: { refund: Number(input.amountFen), total, currency: 'CNY' },
    });
    if (a.kind === 'ok') {
      const r = this.refundResult(input.refundNo, a.data);
      if (r.status !== 'PENDING') return r;
      // PROCESSING means accepted; one look now often finds it done.
      const q = await this.queryRefund(input);
      return q.status === 'SUCCEEDED' ? q : r;
    }
    const message = describe('refund', a);
    // Unknown outcome: retrying with the same refundNo and amount is safe.
    if (a.kind === 'unknown' || isTransient(a)) return { status: 'UNKNOWN', reason: message };
    if (a.status === 404) return { status: 'FAILED', code: 'TRADE_NOT_FOUND', message };
    // WeChat Pay reports "more than is left" as INVALID_REQUEST; only the message tells it apart.
    if (a.code === 'INVALID_REQUEST' && /可退|超过|exceed/i.test(a.message)) return { status: 'FAILED', code: 'REFUND_EXCEEDS_PAID', message };
    return { status: 'FAILED', code: 'CHANNEL_REJECTED', message };
  }

  async queryRefund(input: { billNo: string; refundNo: string }): Promise<RefundResult> {
    const a = await this.client.request('GET', `/v3/refund/domestic/refunds/${encodeURIComponent(input.refundNo)}`);
    if (a.kind === 'ok') {
      if (a.data.out_trade_no !== input.billNo) return { status: 'UNKNOWN', reason: `refund ${input.refundNo} belongs to ${String(a.data.out_trade_no)}` };
      return this.refundResult(input.refundNo, a.data);
    }
    if (a.kind === 'error' && a.status === 404) {
      return {
        status: 'FAILED', code: 'TRADE_NOT_FOUND',
        message: `${describe('refund query', a)}: no refund ${input.refundNo} (never received); resubmitting the same refundNo and amount is safe`,
      };
    }
    return { status: 'UNKNOWN', reason: describe('refund query', a) };
  }

  parseNotification(input: RawNotification): NotificationResult {
    const { mchid, appid, apiV3Key } = this.config;
    const { platformPublicKey, platformSerial } = this.keys;
    return parseWechatpayNotification({ mchid, appid, apiV3Key, platformPublicKey, platformSerial }, this.clock.now(), input);
  }

  notificationAnswer(accepted: boolean): ChannelAnswer {
    // Success is the status code alone (200 or 204, no body needed); anything else is retried.
    return accepted
      ? { status: 204, contentType: 'text/plain; charset=utf-8', body: '' }
      : { status: 500, contentType: 'application/json; charset=utf-8', body: JSON.stringify({ code: 'FAIL', message: '失败' }) };
  }

  /** The daily trade bill (statements.md), for reconciliation; not part of the Channel interface. */
  downloadTradeBill(input: { billDate: string; billType?: TradeBillType }): Promise<TradeBillResult> {
    return fetchTradeBill(this.client, input);
  }

  /**
   * The ALL trade bill of the day as statement lines (statements.md, WeChat): 交易状态 SUCCESS rows
   * are payments (订单金额, 交易时间), REFUND rows whose 退款状态 is SUCCESS are refunds (退款金额, our
   * 商户退款单号); a refund still PROCESSING has moved no money yet. STATEMENT_CREATING is
   * NOT_READY; NO_STATEMENT_EXIST a day without trades.
   */
  async downloadStatement(input: { date: string }): Promise<StatementResult> {
    const r = await this.downloadTradeBill({ billDate: input.date, billType: 'ALL' });
    if (!r.ok) {
      if (r.code === 'NOT_READY') return { status: 'NOT_READY' };
      if (r.code === 'NO_STATEMENT') return { status: 'READY', lines: [] };
      return { status: 'UNKNOWN', reason: r.message };
    }
    try {
      const lines: StatementLine[] = [];
      for (const row of r.bill.rows) {
        const common = { billNo: row['商户订单号'] ?? '', channelTradeNo: row['微信订单号'] ?? '', at: parseShanghai(row['交易时间'] ?? '') };
        if (row['交易状态'] === 'SUCCESS') {
          lines.push({ kind: 'PAYMENT', ...common, amountFen: billYuanToFen(row['订单金额'] ?? row['应结订单金额'] ?? '') });
        } else if (row['交易状态'] === 'REFUND' && row['退款状态'] === 'SUCCESS') {
          lines.push({ kind: 'REFUND', ...common, refundNo: row['商户退款单号'] ?? '', amountFen: billYuanToFen(row['退款金额'] ?? '') });
        }
      }
      return { status: 'READY', lines };
    } catch (err) {
      return { status: 'UNKNOWN', reason: `trade bill: ${(err as Error).message}` };
    }
  }

  private tradePath(billNo: string): string {
    return `/v3/pay/transactions/out-trade-no/${encodeURIComponent(billNo)}`;
  }

  private asCloseResult(q: QueryPaymentResult): ClosePaymentResult {
    if (q.status === 'PAID') {
      const { status: _status, ...capture } = q;
      return { status: 'ALREADY_PAID', ...capture };
    }
    if (q.status === 'WAITING') return { status: 'UNKNOWN', reason: 'still waiting for payment' };
    return q;
  }

  private paid(billNo: string, d: Obj): QueryPaymentResult {
    const transactionId = str(d.transaction_id);
    const total = isObject(d.amount) ? d.amount.total : undefined;
    const paidAt = parseRfc3339(d.success_time);
    if (!transactionId || !paidAt || typeof total !== 'number' || !Number.isSafeInteger(total)) {
      return { status: 'UNKNOWN', reason: 'paid order without transaction_id, amount.total or success_time' };
    }
    return { status: 'PAID', billNo, channelTradeNo: transactionId, amountFen: BigInt(total), paidAt };
  }

  private refundResult(refundNo: string, d: Obj): RefundResult {
    if (d.out_refund_no !== refundNo) return { status: 'UNKNOWN', reason: `answer for refund ${String(d.out_refund_no)}` };
    switch (d.status) {
      case 'SUCCESS':
        return { status: 'SUCCEEDED', refundedAt: parseRfc3339(d.success_time) ?? this.clock.now() };
      case 'PROCESSING':
        return { status: 'PENDING' };
      case 'ABNORMAL':
      case 'CLOSED':
        // ABNORMAL: the payer's card refused the money back; it needs handling in the merchant console.
        return { status: 'FAILED', code: 'CHANNEL_REJECTED', message: `refund ${refundNo}: status ${d.status}` };
      default:
        return { status: 'UNKNOWN', reason: `refund ${refundNo}: status ${String(d.status)}` };
    }
  }
}

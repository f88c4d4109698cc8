import { createPrivateKey, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { systemClock, type Clock } from '../../shared/clock.ts';
import type {
  Channel, ChannelAnswer, ClosePaymentResult, CreatePaymentInput, CreatePaymentResult,
  NotificationResult, QueryPaymentResult, RawNotification, RefundInput, RefundResult, StatementResult,
} from '../channel.ts';
import { addDays, atBeijing, beijingDayStart, DAY_MS, isBeijingDay } from '../../shared/beijing-day.ts';
import { unionpayStatementLines, zmFileOf } from './unionpay-statement.ts';
import { BACK_TRANS_PATH, FRONT_TRANS_PATH, QUERY_TRANS_PATH, UnionpayClient, type GatewayAnswer } from './unionpay-client.ts';
import { frontFormUrl, unionpayFrontFormPage } from './unionpay-front-form.ts';
import { isSuccess, parseUnionpayNotification, readFrontReturn } from './unionpay-notify.ts';
import { memoryOrderTimes, type UnionpayOrderTimes } from './unionpay-order-times.ts';
import { certIdOf, fromAcpTime, fromTraceTime, ORDER_ID, toAcpTime, TXN_AMT, type AcpFields } from './unionpay-sign.ts';
import { unionpayTrust, type UnionpayTrust } from './unionpay-verify.ts';

/**
 * China UnionPay online gateway payment (银联在线网关支付, ACP 5.1.0, unionpay.md), node:crypto
 * only. The pay step is the payer's browser POSTing a signed form to UnionPay, where the payer
 * picks a bank; everything else (query, refund) is a signed server call whose signed answer is
 * verified against UnionPay's certificate chain. Anything but a clear answer is UNKNOWN.
 */
export interface UnionpayAdapterConfig {
  /** 15-character merchant code. */
  merId: string;
  /** The merchant signing key, PKCS#8 or PKCS#1 PEM (`openssl pkcs12 -nodes` on the `.pfx`). */
  signingKeyPem: string;
  /** Its certificate; certId = its serial number in decimal. */
  signingCertPem: string;
  /** UnionPay's root and middle certificates (acp_prod_root.cer, acp_prod_middle.cer). */
  rootCertPem: string;
  middleCertPem: string;
  /** The gateway: `https://gateway.95516.com` (test: `https://gateway.test.95516.com`) or the sandbox's `.../unionpay`. */
  baseUrl: string;
  /** ExamPay's page that posts the signed form to UnionPay (see unionpay-front-form.ts), e.g. `{publicBaseUrl}/pay/form/unionpay`. */
  formPageUrl: string;
  /** backUrl for refunds (RefundInput has none), e.g. `{publicBaseUrl}/notify/unionpay`. */
  refundNotifyUrl: string;
  timeoutMs: number;
  /**
   * The file-transfer service (对账文件下载). Default: UnionPay's own host beside `baseUrl`
   * (`https://filedownload.95516.com/`, test `https://filedownload.test.95516.com/`), or
   * `{baseUrl}/filedownload/` for any other base (the sandbox).
   */
  fileTransferUrl?: string;
  /** 07 internet/PC (default), 08 mobile. */
  channelType?: '07' | '08';
  /** The SDK's `ifValidateCNName`; false only against UnionPay's own test environment. */
  validateCnName?: boolean;
}

export interface UnionpayAdapterDeps {
  clock?: Clock;
  /** Where each order's txnTime is kept (see unionpay-order-times.ts); in-memory by default. */
  orderTimes?: UnionpayOrderTimes;
  fetch?: typeof fetch;
}

/** Still being processed: ask again (origRespCode / respCode 03, 04, 05). */
const IN_PROGRESS = ['03', '04', '05'];
/**
 * After payTimeout a failed consume is final (bank-gateway payments completed later are
 * refunded by UnionPay). Our clock and UnionPay's differ a little: wait this much longer.
 */
const PAY_TIMEOUT_MARGIN_MS = 60_000;
/**
 * A refund retried within this long repeats its first txnTime (a duplicate is then answered
 * with 12 and settled from the query); later, UnionPay is asked first (see refund()). How old a
 * txnTime UnionPay accepts is not documented; minutes are safe.
 */
const RESEND_SAME_TXN_TIME_MS = 10 * 60_000;
/** reqReserved carries payTimeout so the query answer (which echoes it) can tell when failure is final. */
const RESERVED_PREFIX = 'payTimeout|';

const describe = (d: AcpFields): string =>
  `respCode ${d.respCode ?? '?'} ${d.respMsg ?? ''}${d.origRespCode ? `; origRespCode ${d.origRespCode} ${d.origRespMsg ?? ''}` : ''}`.trim();

export class UnionpayAdapter implements Channel {
  readonly code = 'unionpay' as const;
  private readonly config: UnionpayAdapterConfig;
  private readonly clock: Clock;
  private readonly times: UnionpayOrderTimes;
  private readonly client: UnionpayClient;
  private readonly trust: UnionpayTrust;

  constructor(config: UnionpayAdapterConfig, deps: UnionpayAdapterDeps = {}) {
    this.config = config;
    this.clock = deps.clock ?? systemClock;
    this.times = deps.orderTimes ?? memoryOrderTimes();
    this.trust = unionpayTrust(config.rootCertPem, config.middleCertPem, config.validateCnName ?? true);
    const signingKey = createPrivateKey(config.signingKeyPem);
    const cert = new X509Certificate(config.signingCertPem);
    const spki = (k: KeyObject): string => k.export({ type: 'spki', format: 'der' }).toString('base64');
    if (spki(createPublicKey(signingKey)) !== spki(cert.publicKey)) throw new Error('UnionPay signing certificate does not match the signing key');
    this.client = new UnionpayClient({
      merId: config.merId, signingKey, certId: certIdOf(cert), trust: this.trust, baseUrl: config.baseUrl,
      timeoutMs: config.timeoutMs, clock: this.clock, fetch: deps.fetch ?? fetch,
    });
  }

  /** Where the payer's browser must POST the consume form. */
  get frontTransUrl(): string {
    return this.client.url(FRONT_TRANS_PATH);
  }

  async createPayment(input: CreatePaymentInput): Promise<CreatePaymentResult> {
    const now = this.clock.now();
    if (!ORDER_ID.test(input.billNo)) return { ok: false, code: 'CHANNEL_REJECTED', message: `orderId must be 8–40 letters/digits: ${input.billNo}` };
    if (!TXN_AMT.test(input.amountFen.toString())) return { ok: false, code: 'CHANNEL_REJECTED', message: `txnAmt out of range: ${input.amountFen}` };
    if (input.expiresAt.getTime() <= now.getTime()) return { ok: false, code: 'CHANNEL_REJECTED', message: 'payTimeout has already passed' };
    // Sent before (a retry, a second tab): if it was paid or has ended, say so instead of handing
    // out a form UnionPay would refuse — the caller then asks queryPayment and settles.
    if (await this.times.find(input.billNo)) {
      const q = await this.queryPayment({ billNo: input.billNo });
      if (q.status === 'PAID' || q.status === 'CLOSED') return { ok: false, code: 'TRADE_STATE_INVALID', message: `order ${input.billNo} is ${q.status}` };
    }
    // The same txnTime on every call: (merId, orderId, txnTime) is the trade.
    const txnTime = await this.times.claim(input.billNo, now);
    const payTimeout = toAcpTime(input.expiresAt);
    const fields = this.client.sign({
      txnType: '01', txnSubType: '01', bizType: '000201', channelType: this.config.channelType ?? '07', currencyCode: '156',
      orderId: input.billNo, txnTime: toAcpTime(txnTime), txnAmt: input.amountFen.toString(),
      backUrl: input.notifyUrl, frontUrl: input.returnUrl ?? '', payTimeout, reqReserved: `${RESERVED_PREFIX}${payTimeout}`,
      // bankCardOnly needs nothing here: the gateway takes bank cards only.
    });
    const payUrl = frontFormUrl(this.config.formPageUrl, fields);
    return { ok: true, payUrl, qrContent: payUrl };
  }

  async queryPayment(input: { billNo: string }): Promise<QueryPaymentResult> {
    const txnTime = await this.times.find(input.billNo);
    // Never sent from here: UnionPay cannot know it either.
    if (!txnTime) return { status: 'NOT_FOUND' };
    const r = await this.query(input.billNo, txnTime);
    if (!r.ok) return { status: 'UNKNOWN', reason: r.reason };
    const d = r.data;
    // 34: no such trade — the payer has not reached UnionPay (yet). Not a failure (unionpay.md §5).
    if (d.respCode === '34') return { status: 'NOT_FOUND' };
    // 03/04/05 here mean the query itself timed out; anything else, the query was wrong.
    if (d.respCode !== '00') return { status: 'UNKNOWN', reason: `queryTrans: ${describe(d)}` };
    if (d.orderId !== input.billNo) return { status: 'UNKNOWN', reason: `queryTrans answered for orderId ${d.orderId ?? '(none)'}` };
    if (isSuccess(d.origRespCode)) {
      const paidAt = fromTraceTime(d.traceTime, txnTime) ?? txnTime;
      if (!d.queryId || !TXN_AMT.test(d.txnAmt ?? '')) return { status: 'UNKNOWN', reason: 'paid trade without queryId or txnAmt' };
      return { status: 'PAID', billNo: input.billNo, channelTradeNo: d.queryId, amountFen: BigInt(d.txnAmt!), paidAt };
    }
    if (IN_PROGRESS.includes(d.origRespCode ?? '')) return { status: 'WAITING' };
    // A failed attempt: before payTimeout the payer may still pay ("失败…均可能为中间状态").
    const payTimeout = d.reqReserved?.startsWith(RESERVED_PREFIX) ? fromAcpTime(d.reqReserved.slice(RESERVED_PREFIX.length)) : null;
    if (!payTimeout) return { status: 'UNKNOWN', reason: `queryTrans: ${describe(d)}; payTimeout unknown` };
    return this.clock.now().getTime() >= payTimeout.getTime() + PAY_TIMEOUT_MARGIN_MS ? { status: 'CLOSED' } : { status: 'WAITING' };
  }

  /**
   * UnionPay has no close for gateway payments: an order can be paid until its payTimeout and
   * never after. So "close" asks: paid → ALREADY_PAID (settle instead); failed past payTimeout →
   * CLOSED; not there → NOT_FOUND (the caller treats it as final after the order's time); still
   * payable → UNKNOWN, so the caller tries again later rather than believe a close that did not
   * happen.
   */
  async closePayment(input: { billNo: string }): Promise<ClosePaymentResult> {
    const q = await this.queryPayment(input);
    switch (q.status) {
      case 'PAID': {
        const { status: _status, ...capture } = q;
        return { status: 'ALREADY_PAID', ...capture };
      }
      case 'CLOSED':
      case 'NOT_FOUND':
        return { status: q.status };
      case 'WAITING':
        return { status: 'UNKNOWN', reason: 'UnionPay gateway orders cannot be closed; payable until payTimeout, ask again after it' };
      default:
        return q;
    }
  }

  async refund(input: RefundInput): Promise<RefundResult> {
    if (!ORDER_ID.test(input.refundNo)) return { status: 'FAILED', code: 'CHANNEL_REJECTED', message: `refund orderId must be 8–40 letters/digits: ${input.refundNo}` };
    const now = this.clock.now();
    let txnTime = await this.times.claim(input.refundNo, now);
    if (now.getTime() - txnTime.getTime() > RESEND_SAME_TXN_TIME_MS) {
      // txnTime must be the current time (unionpay.md §2): a refund whose sends got no answer
      // for long cannot repeat its first time — UnionPay refuses it as invalid (respCode 10), and
      // the refund would fail for good with the money still owed (found by the fault simulation).
      // Ask about the first send: if UnionPay has it, its own record says how it went; only if
      // it never arrived is it sent again, under the same refund number, with the time of now.
      const first = await this.queryRefund(input);
      if (!(first.status === 'FAILED' && first.code === 'TRADE_NOT_FOUND')) return first;
      txnTime = await this.times.renew(input.refundNo, txnTime, now);
    }
    const r = await this.client.post(BACK_TRANS_PATH, {
      txnType: '04', txnSubType: '00', bizType: '000201', channelType: this.config.channelType ?? '07',
      orderId: input.refundNo, txnTime: toAcpTime(txnTime), txnAmt: input.amountFen.toString(), currencyCode: '156',
      origQryId: input.channelTradeNo, backUrl: this.config.refundNotifyUrl,
    });
    // No answer: resending the same orderId and txnTime is safe (a duplicate is refused with 12).
    if (!r.ok) return { status: 'UNKNOWN', reason: r.reason };
    const d = r.data;
    const message = `backTransReq 04: ${describe(d)}`;
    switch (d.respCode) {
      case '00': {
        // Accepted only; the result comes by notify or query. One look now, the job asks later.
        const q = await this.queryRefund(input);
        return q.status === 'SUCCEEDED' || (q.status === 'FAILED' && q.code !== 'TRADE_NOT_FOUND') ? q : { status: 'PENDING' };
      }
      case '12': {
        // Sent before: its own record says how it went.
        const q = await this.queryRefund(input);
        return q.status === 'FAILED' && q.code === 'TRADE_NOT_FOUND' ? { status: 'UNKNOWN', reason: `${message}; but the query does not find it` } : q;
      }
      case '33':
        return { status: 'FAILED', code: 'REFUND_EXCEEDS_PAID', message };
      case '35':
        return { status: 'FAILED', code: 'TRADE_NOT_FOUND', message };
      // Still processing / busy; or our signature or merchant setup refused (fix the config, then
      // the same refund goes through): not a refusal of this refund.
      case '03': case '04': case '05': case '06': case '11': case '31':
        return { status: 'UNKNOWN', reason: message };
      default:
        return { status: 'FAILED', code: 'CHANNEL_REJECTED', message };
    }
  }

  async queryRefund(input: { billNo: string; refundNo: string }): Promise<RefundResult> {
    const txnTime = await this.times.find(input.refundNo);
    const notFound = (why: string): RefundResult => ({
      status: 'FAILED', code: 'TRADE_NOT_FOUND', message: `refund ${input.refundNo} ${why}; resubmitting the same refundNo and amount is safe`,
    });
    if (!txnTime) return notFound('was never sent');
    const r = await this.query(input.refundNo, txnTime);
    if (!r.ok) return { status: 'UNKNOWN', reason: r.reason };
    const d = r.data;
    if (d.respCode === '34') return notFound('is unknown to UnionPay');
    if (d.respCode !== '00') return { status: 'UNKNOWN', reason: `queryTrans: ${describe(d)}` };
    if (isSuccess(d.origRespCode)) return { status: 'SUCCEEDED', refundedAt: fromTraceTime(d.traceTime, txnTime) ?? this.clock.now() };
    if (IN_PROGRESS.includes(d.origRespCode ?? '')) return { status: 'PENDING' };
    return { status: 'FAILED', code: 'CHANNEL_REJECTED', message: `refund ${input.refundNo}: ${describe(d)}` };
  }

  parseNotification(input: RawNotification): NotificationResult {
    return parseUnionpayNotification(input, { merId: this.config.merId, trust: this.trust, now: this.clock.now() });
  }

  notificationAnswer(accepted: boolean): ChannelAnswer {
    // UnionPay stops resending on HTTP 200 (or 302); the body is ignored.
    return accepted
      ? { status: 200, contentType: 'text/plain; charset=utf-8', body: 'ok' }
      : { status: 400, contentType: 'text/plain; charset=utf-8', body: 'fail' };
  }

  /**
   * The settlement file of one day (unionpay.md §8): a signed file-transfer request (txnType 76,
   * bizType 000000, fileType 00, settleDate MMDD) answered with the zip deflated in `fileContent`;
   * its ZM file lists the day's consumes and refunds. The settlement day is UnionPay's clearing
   * day, which reconciliation allows to differ from the calendar day near midnight. A file not
   * there yet is NOT_READY (respCode 98 in the sandbox; the real code is not confirmed).
   */
  async downloadStatement(input: { date: string }): Promise<StatementResult> {
    if (!isBeijingDay(input.date)) return { status: 'UNKNOWN', reason: `not a calendar day: ${input.date}` };
    const now = this.clock.now();
    if (now < atBeijing(addDays(input.date, 1), 0)) return { status: 'NOT_READY' };
    // settleDate has no year: only the last months can be named without doubt.
    if (now.getTime() - beijingDayStart(input.date).getTime() > 300 * DAY_MS) return { status: 'UNKNOWN', reason: `settleDate ${input.date} is too old to name by MMDD` };
    const settleDate = input.date.slice(5).replace('-', '');
    const r = await this.client.post(this.fileTransferUrl(), {
      txnType: '76', txnSubType: '01', bizType: '000000', settleDate, txnTime: toAcpTime(now), fileType: '00',
    });
    if (!r.ok) return { status: 'UNKNOWN', reason: r.reason };
    const d = r.data;
    if (d.respCode === '98') return { status: 'NOT_READY' };
    if (d.respCode !== '00') return { status: 'UNKNOWN', reason: `fileTransfer: ${describe(d)}` };
    if (d.settleDate && d.settleDate !== settleDate) return { status: 'UNKNOWN', reason: `fileTransfer answered for settleDate ${d.settleDate}` };
    if (!d.fileContent) return { status: 'UNKNOWN', reason: 'fileTransfer answer without fileContent' };
    try {
      const zm = zmFileOf(d.fileContent);
      if (!zm) return { status: 'UNKNOWN', reason: `settlement zip ${d.fileName ?? ''} holds no ZM file` };
      return { status: 'READY', lines: unionpayStatementLines(zm, beijingDayStart(input.date)) };
    } catch (err) {
      return { status: 'UNKNOWN', reason: `settlement file: ${(err as Error).message}` };
    }
  }

  private fileTransferUrl(): string {
    if (this.config.fileTransferUrl) return this.config.fileTransferUrl;
    const base = new URL(this.config.baseUrl);
    if (base.hostname === 'gateway.95516.com') return 'https://filedownload.95516.com/';
    if (base.hostname === 'gateway.test.95516.com') return 'https://filedownload.test.95516.com/';
    return `${this.config.baseUrl.replace(/\/+$/, '')}/filedownload/`;
  }

  /** For the HTTP layer's `GET {formPageUrl}?…` route (see unionpay-front-form.ts). */
  frontFormPage(rawUrl: string): ChannelAnswer {
    return unionpayFrontFormPage(rawUrl, { merId: this.config.merId, frontTransUrl: this.frontTransUrl });
  }

  /** For the HTTP layer's browser-return route (POST to frontUrl): which bill to show. Never settles. */
  readFrontReturn(input: RawNotification): ReturnType<typeof readFrontReturn> {
    return readFrontReturn(input, { merId: this.config.merId, trust: this.trust, now: this.clock.now() });
  }

  private query(orderId: string, txnTime: Date): Promise<GatewayAnswer> {
    return this.client.post(QUERY_TRANS_PATH, {
      txnType: '00', txnSubType: '00', bizType: '000201', orderId, txnTime: toAcpTime(txnTime),
    });
  }
}

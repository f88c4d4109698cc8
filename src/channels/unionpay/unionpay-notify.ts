import type { NotificationRejection, NotificationResult, RawNotification } from '../channel.ts';
import { fromAcpTime, fromTraceTime, TXN_AMT, type AcpFields } from './unionpay-sign.ts';
import { verifyAcpMessage, type UnionpayTrust } from './unionpay-verify.ts';

/**
 * UnionPay's notifications (unionpay.md §4): the back notify, a server POST to backUrl, sent
 * only for successful trades; and the front notify, the same signed fields POSTed by the payer's
 * browser to frontUrl. In this order:
 * 1. decode the raw body as UTF-8 form fields — nothing is looked at yet;
 * 2. verify (certificate chain and CN, then the signature over every field but `signature`);
 * 3. the merchant check: `merId` is ours;
 * 4. interpret: a consume (txnType 01) with respCode 00/A6 is a capture. Refund (04) and cancel
 *    (31) results are acknowledged only: refunds are confirmed by our own refund queries.
 */
export interface NotifyContext {
  merId: string;
  trust: UnionpayTrust;
  now: Date;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function formFields(body: Buffer): AcpFields | null {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return null;
  }
  const fields: AcpFields = {};
  for (const [k, v] of new URLSearchParams(text)) {
    // A repeated field could be read one way by the signature and another by the settlement.
    if (Object.hasOwn(fields, k)) return null;
    fields[k] = v;
  }
  return Object.keys(fields).length > 0 ? fields : null;
}

type Checked = { ok: true; fields: AcpFields } | { ok: false; reason: NotificationRejection; detail: string };

function verified(raw: RawNotification, ctx: NotifyContext): Checked {
  const f = formFields(raw.body);
  if (!f) return { ok: false, reason: 'MALFORMED', detail: 'body is not a UTF-8 form with distinct fields' };
  const v = verifyAcpMessage(f, ctx.trust, ctx.now);
  if (!v.ok) return { ok: false, reason: 'BAD_SIGNATURE', detail: v.detail };
  if (f.merId !== ctx.merId) return { ok: false, reason: 'WRONG_MERCHANT', detail: `merId ${f.merId ?? '(none)'}` };
  return { ok: true, fields: f };
}

export const isSuccess = (code: string | undefined): boolean => code === '00' || code === 'A6';

export function parseUnionpayNotification(raw: RawNotification, ctx: NotifyContext): NotificationResult {
  const checked = verified(raw, ctx);
  if (!checked.ok) return checked;
  const f = checked.fields;
  const orderId = f.orderId;
  const queryId = f.queryId;
  if (!orderId || !queryId) return { ok: false, reason: 'MALFORMED', detail: 'orderId or queryId missing' };
  // queryId names one movement of money; UnionPay resends carry the same one.
  const notifyId = `${f.txnType ?? '??'}:${queryId}`;

  if (f.txnType !== '01') {
    // A refund's or cancel's orderId is its own number, not a bill number.
    return { ok: true, event: { kind: 'IGNORED', billNo: null, notifyId, reason: `txnType ${f.txnType ?? '(none)'} (origQryId ${f.origQryId ?? '?'}, respCode ${f.respCode ?? '?'})` } };
  }
  if (!isSuccess(f.respCode)) {
    return { ok: true, event: { kind: 'IGNORED', billNo: orderId, notifyId, reason: `respCode ${f.respCode ?? '(none)'} ${f.respMsg ?? ''}`.trim() } };
  }
  const txnTime = fromAcpTime(f.txnTime);
  if (!txnTime || !TXN_AMT.test(f.txnAmt ?? '')) {
    return { ok: false, reason: 'MALFORMED', detail: 'paid notify without a valid txnTime or txnAmt' };
  }
  return {
    ok: true,
    event: {
      kind: 'PAID', notifyId, billNo: orderId, channelTradeNo: queryId,
      amountFen: BigInt(f.txnAmt!),
      // traceTime is when UnionPay took the money; txnTime (when we sent the order) if absent.
      paidAt: fromTraceTime(f.traceTime, txnTime) ?? txnTime,
    },
  };
}

/**
 * The front notify, as the HTTP layer's browser-return route reads it: verified the same way,
 * but it only says which bill to show. It never settles (the payer's browser carried it).
 */
export function readFrontReturn(raw: RawNotification, ctx: NotifyContext):
  { ok: true; billNo: string; respCode: string } | { ok: false; reason: NotificationRejection; detail: string } {
  const checked = verified(raw, ctx);
  if (!checked.ok) return checked;
  const { orderId, respCode } = checked.fields;
  if (!orderId) return { ok: false, reason: 'MALFORMED', detail: 'orderId missing' };
  return { ok: true, billNo: orderId, respCode: respCode ?? '' };
}

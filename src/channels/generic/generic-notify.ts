import type { NotificationResult, RawNotification } from '../channel.ts';
import type { GenericProfile } from './generic-profile.ts';
import {
  decodeBody, fromWire, fromWireTime, NOTIFY_TYPE, ORDER_NO, parseAmount, TRADE_STATUS, verifyMessage, type Signer,
} from './generic-wire.ts';

/**
 * A generic provider's asynchronous notification (docs/generic-channels.md §2.7): the body in the
 * profile's encoding, signed like every answer. Order: decode, verify the signature over exactly
 * what was decoded, then the merchant, then the fields. PAYMENT/PAID reports a capture; a REFUND
 * notice is acknowledged and ignored (the refund job asks queryRefund).
 */
export function parseGenericNotification(
  input: RawNotification,
  opts: { profile: GenericProfile; signer: Signer; merchantId: string },
): NotificationResult {
  const { profile, signer, merchantId } = opts;
  const f = profile.fields;
  const fields = decodeBody(profile, input.body);
  if (!fields) return { ok: false, reason: 'MALFORMED', detail: `body is not a ${profile.encoding} message of strings` };
  const verified = verifyMessage(profile, signer, fields);
  if (!verified.ok) return { ok: false, reason: 'BAD_SIGNATURE', detail: verified.detail };
  const n = fromWire(profile, fields);
  if (n.merchantId !== merchantId) return { ok: false, reason: 'WRONG_MERCHANT', detail: `${f.merchantId} ${n.merchantId ?? '(none)'} is not ours` };
  if (!n.notifyId) return { ok: false, reason: 'MALFORMED', detail: `no ${f.notifyId}` };
  if (!n.orderNo || !ORDER_NO.test(n.orderNo)) return { ok: false, reason: 'MALFORMED', detail: `${f.orderNo} ${JSON.stringify(n.orderNo ?? '')}` };
  const notifyId = n.notifyId;
  const billNo = n.orderNo;

  if (n.notifyType === NOTIFY_TYPE.REFUND) return { ok: true, event: { kind: 'IGNORED', billNo, notifyId, reason: `refund ${n.refundNo ?? '?'} ${n.refundStatus ?? ''}`.trim() } };
  if (n.notifyType !== NOTIFY_TYPE.PAYMENT) return { ok: false, reason: 'MALFORMED', detail: `${f.notifyType} ${JSON.stringify(n.notifyType ?? '')}` };
  if (n.status !== TRADE_STATUS.PAID) return { ok: true, event: { kind: 'IGNORED', billNo, notifyId, reason: `${f.status} ${n.status ?? ''}` } };
  const amountFen = parseAmount(profile.amountUnit, n.amount);
  if (amountFen === null) return { ok: false, reason: 'MALFORMED', detail: `${f.amount} ${JSON.stringify(n.amount ?? '')}` };
  const paidAt = fromWireTime(n.paidTime);
  if (!paidAt) return { ok: false, reason: 'MALFORMED', detail: `${f.paidTime} ${JSON.stringify(n.paidTime ?? '')}` };
  if (!n.tradeNo || !/^[0-9A-Za-z_-]{1,64}$/.test(n.tradeNo)) return { ok: false, reason: 'MALFORMED', detail: `${f.tradeNo} ${JSON.stringify(n.tradeNo ?? '')}` };
  return { ok: true, event: { kind: 'PAID', notifyId, billNo, channelTradeNo: n.tradeNo, amountFen, paidAt } };
}

import type { NotificationResult, RawNotification } from '../channel.ts';
import { verifyWechatpaySignature, type WechatpayKeys } from './wechatpay-client.ts';
import { aesGcmDecrypt, headerValue, parseRfc3339 } from './wechatpay-wire.ts';

/**
 * Reads a WeChat Pay APIv3 callback (wechatpay-v3.md §5), in this order:
 * 1. the `Wechatpay-*` headers and the raw body: our platform key's serial, a signature over
 *    `timestamp\nnonce\nbody\n` that verifies, a timestamp within ±5 min of our clock. Nothing in
 *    the body is read before this. A stale timestamp is BAD_SIGNATURE, not MALFORMED: the signature
 *    covers the timestamp, so an old message is a genuine signature over something that may no
 *    longer be sent to us — a replay — and WeChat Pay signs every resend afresh, so refusing it
 *    costs a genuine late delivery nothing but one more retry;
 * 2. the envelope, then the resource decrypted with our APIv3 key (AEAD: a wrong key or altered
 *    ciphertext cannot decrypt);
 * 3. the merchant checks: `mchid` (and `appid`, which refund resources do not carry) are ours;
 * 4. the event: TRANSACTION.SUCCESS is a capture; refund events are acknowledged and ignored
 *    (refunds are confirmed by our own refund calls and queries). Bill existence and amount are
 *    the settlement's checks.
 */
export interface NotifyExpectations extends Pick<WechatpayKeys, 'platformPublicKey' | 'platformSerial'> {
  mchid: string;
  appid: string;
  apiV3Key: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const malformed = (detail: string): NotificationResult => ({ ok: false, reason: 'MALFORMED', detail });

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

export function parseWechatpayNotification(expect: NotifyExpectations, now: Date, input: RawNotification): NotificationResult {
  const verdict = verifyWechatpaySignature(expect, (n) => headerValue(input.headers, n), input.body, now);
  if (!verdict.ok) return { ok: false, reason: 'BAD_SIGNATURE', detail: verdict.reason };

  let text: string;
  try {
    text = utf8.decode(input.body);
  } catch {
    return malformed('body is not UTF-8');
  }
  const envelope = json(text);
  if (!isObject(envelope)) return malformed('body is not a JSON object');
  const notifyId = str(envelope.id);
  const eventType = str(envelope.event_type);
  const resource = envelope.resource;
  if (!notifyId || !eventType || !isObject(resource)) return malformed('id, event_type or resource missing');
  if (resource.algorithm !== 'AEAD_AES_256_GCM') return malformed(`resource.algorithm ${String(resource.algorithm)}`);
  const { ciphertext, nonce } = resource;
  const aad = resource.associated_data ?? '';
  if (typeof ciphertext !== 'string' || typeof nonce !== 'string' || typeof aad !== 'string') {
    return malformed('resource.ciphertext, nonce or associated_data missing');
  }
  let plain: unknown;
  try {
    plain = json(aesGcmDecrypt({ ciphertext, nonce, associated_data: aad }, expect.apiV3Key));
  } catch {
    return malformed('resource does not decrypt with our APIv3 key (wrong key, or altered ciphertext)');
  }
  if (!isObject(plain)) return malformed('decrypted resource is not a JSON object');

  if (plain.mchid !== expect.mchid) return { ok: false, reason: 'WRONG_MERCHANT', detail: `mchid ${String(plain.mchid ?? '(none)')}` };
  const isTransaction = eventType.startsWith('TRANSACTION.');
  if ((isTransaction || plain.appid !== undefined) && plain.appid !== expect.appid) {
    return { ok: false, reason: 'WRONG_MERCHANT', detail: `appid ${String(plain.appid ?? '(none)')}` };
  }
  const billNo = str(plain.out_trade_no);
  if (!billNo) return malformed('out_trade_no missing');
  const ignored = (reason: string): NotificationResult => ({ ok: true, event: { kind: 'IGNORED', billNo, notifyId, reason } });

  if (eventType.startsWith('REFUND.')) {
    return ignored(`refund notification ${eventType} (out_refund_no ${String(plain.out_refund_no ?? '?')}, refund_status ${String(plain.refund_status ?? '?')})`);
  }
  if (eventType !== 'TRANSACTION.SUCCESS') return ignored(`event_type ${eventType}`);
  if (plain.trade_state !== 'SUCCESS') return ignored(`trade_state ${String(plain.trade_state ?? '(none)')}`);

  const transactionId = str(plain.transaction_id);
  const amount = isObject(plain.amount) ? plain.amount : {};
  const total = amount.total;
  const paidAt = parseRfc3339(plain.success_time);
  if (!transactionId || !paidAt || typeof total !== 'number' || !Number.isSafeInteger(total) || total < 1) {
    return malformed('paid notification without transaction_id, a whole-fen amount.total or success_time');
  }
  if (amount.currency !== undefined && amount.currency !== 'CNY') return malformed(`amount.currency ${String(amount.currency)}`);
  return {
    ok: true,
    event: { kind: 'PAID', notifyId, billNo, channelTradeNo: transactionId, amountFen: BigInt(total), paidAt },
  };
}

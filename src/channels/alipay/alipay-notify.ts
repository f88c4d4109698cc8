import type { AlipaySdk } from 'alipay-sdk';
import { yuanToFen } from '../../shared/money.ts';
import { parseShanghai } from '../../shared/time.ts';
import type { NotificationResult, RawNotification } from '../channel.ts';

/**
 * Reads an Alipay asynchronous notification (alipay.md §7), in this order:
 * 1. decode the raw body as UTF-8 form fields — nothing else is looked at yet;
 * 2. verify the RSA2 signature with Alipay's public key (content = every field but `sign` and
 *    `sign_type`, sorted, raw decoded values — the published test vector's rule);
 * 3. the merchant checks Alipay asks for: `app_id` and `seller_id` are ours;
 * 4. interpret `trade_status`. Checks against our bill (it exists, the amount matches) are the
 *    settlement's, which has the bill.
 */
export interface NotifyExpectations {
  appId: string;
  sellerId: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function formFields(body: Buffer): Record<string, string> | null {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    return null;
  }
  const fields: Record<string, string> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    // A repeated field could be read one way by the signature and another by the settlement.
    if (Object.hasOwn(fields, k)) return null;
    fields[k] = v;
  }
  return Object.keys(fields).length > 0 ? fields : null;
}

export function parseAlipayNotification(sdk: AlipaySdk, expect: NotifyExpectations, input: RawNotification): NotificationResult {
  const f = formFields(input.body);
  if (!f) return { ok: false, reason: 'MALFORMED', detail: 'body is not a UTF-8 form with distinct fields' };

  // Signature first. RSA2 only: `sign_type` would otherwise choose the algorithm (SHA1 for "RSA").
  if (!f.sign) return { ok: false, reason: 'BAD_SIGNATURE', detail: 'no sign' };
  if (f.sign_type !== 'RSA2') return { ok: false, reason: 'BAD_SIGNATURE', detail: `sign_type ${f.sign_type ?? '(none)'} is not RSA2` };
  let verified = false;
  try {
    // checkNotifySignV2 verifies the decoded values as they are (no second URL-decoding). It tries
    // the content with sign_type, then without; trade notifies verify on the second — either
    // way only Alipay's private key can produce a valid signature.
    verified = sdk.checkNotifySignV2(f);
  } catch {
    verified = false;
  }
  if (!verified) return { ok: false, reason: 'BAD_SIGNATURE', detail: 'RSA2 signature does not verify with the Alipay public key' };

  if (f.app_id !== expect.appId) return { ok: false, reason: 'WRONG_MERCHANT', detail: `app_id ${f.app_id ?? '(none)'}` };
  if (f.seller_id !== expect.sellerId) return { ok: false, reason: 'WRONG_MERCHANT', detail: `seller_id ${f.seller_id ?? '(none)'}` };

  const billNo = f.out_trade_no;
  const notifyId = f.notify_id;
  if (!billNo || !notifyId) return { ok: false, reason: 'MALFORMED', detail: 'out_trade_no or notify_id missing' };
  const ignored = (reason: string): NotificationResult => ({ ok: true, event: { kind: 'IGNORED', billNo, notifyId, reason } });

  if (f.notify_type !== 'trade_status_sync') return ignored(`notify_type ${f.notify_type ?? '(none)'}`);
  // A refund is reported with the trade's status: TRADE_SUCCESS after a partial refund,
  // TRADE_CLOSED after a full one. Read as a payment it would settle the bill a second time; read
  // as a close it would close a paid bill. Refunds are confirmed by our own refund calls and
  // queries instead, so these are only acknowledged.
  if (f.refund_fee || f.out_biz_no || f.gmt_refund) {
    return ignored(`refund notification (out_biz_no ${f.out_biz_no ?? '?'}, refund_fee ${f.refund_fee ?? '?'})`);
  }

  switch (f.trade_status) {
    case 'TRADE_SUCCESS':
    case 'TRADE_FINISHED': {
      if (!f.trade_no || !f.total_amount || !f.gmt_payment) {
        return { ok: false, reason: 'MALFORMED', detail: 'paid notify without trade_no, total_amount or gmt_payment' };
      }
      try {
        return {
          ok: true,
          event: {
            kind: 'PAID', notifyId, billNo, channelTradeNo: f.trade_no,
            amountFen: yuanToFen(f.total_amount), paidAt: parseShanghai(f.gmt_payment),
          },
        };
      } catch (err) {
        return { ok: false, reason: 'MALFORMED', detail: (err as Error).message };
      }
    }
    case 'TRADE_CLOSED':
      return { ok: true, event: { kind: 'CLOSED', billNo, notifyId } };
    default:
      return ignored(`trade_status ${f.trade_status ?? '(none)'}`);
  }
}

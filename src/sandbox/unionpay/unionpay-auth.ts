import { ACP_VERSION, acpVerify, fromAcpTime, SIGN_METHOD_RSA, type AcpFields } from '../../channels/unionpay/unionpay-sign.ts';
import { HOUR } from '../../shared/clock.ts';
import type { UnionpayContext, UnionpayMerchant } from './unionpay-context.ts';

/**
 * The gateway's common checks for every request (front and back): version 5.1.0 with
 * signMethod 01, a registered merchant, a certId registered for it (its signing certificate's
 * serial in decimal), and the signature over every field but `signature`.
 */
export interface AcpError {
  respCode: string;
  respMsg: string;
}

export type Authenticated = { ok: true; merchant: UnionpayMerchant } | ({ ok: false } & AcpError);

const fail = (respCode: string, respMsg: string): Authenticated => ({ ok: false, respCode, respMsg });

export function authenticate(ctx: UnionpayContext, p: AcpFields): Authenticated {
  for (const key of ['version', 'encoding', 'certId', 'signMethod', 'signature', 'txnType', 'merId']) {
    if (!p[key]) return fail('13', `缺少必输项 required element missing: ${key}`);
  }
  if (p.version !== ACP_VERSION) return fail('10', `报文格式错误 version ${p.version} (the sandbox speaks ${ACP_VERSION})`);
  if (p.encoding!.toUpperCase() !== 'UTF-8') return fail('10', `报文格式错误 encoding ${p.encoding} (the sandbox speaks UTF-8)`);
  if (p.signMethod !== SIGN_METHOD_RSA) return fail('10', `报文格式错误 signMethod ${p.signMethod} (the sandbox speaks 01)`);
  const merchant = ctx.merchants.get(p.merId!);
  if (!merchant) return fail('31', `商户状态不正确 unknown merId ${p.merId}`);
  const key = merchant.certs.get(p.certId!);
  if (!key) return fail('11', `验证签名失败 certId ${p.certId} is not a certificate of merchant ${merchant.merId}`);
  if (!acpVerify(p, key)) return fail('11', '验证签名失败 signature does not verify');
  return { ok: true, merchant };
}

/**
 * txnTime must be the current Beijing time when the order is sent; how far off UnionPay
 * tolerates is not documented. The sandbox accepts up to an hour ahead and a day behind (the
 * same order may be posted again later, a refund retried later).
 */
export function txnTimeError(txnTime: string | undefined, now: Date): AcpError | null {
  const at = fromAcpTime(txnTime);
  if (!at) return { respCode: '10', respMsg: `txnTime 格式错误 not yyyyMMddHHmmss: ${txnTime ?? '(none)'}` };
  const diff = at.getTime() - now.getTime();
  if (diff > HOUR || diff < -24 * HOUR) return { respCode: '10', respMsg: `txnTime invalid: ${txnTime} is not the current Beijing time` };
  return null;
}

export function isHttpUrl(s: string | undefined): boolean {
  if (!s) return false;
  try {
    const u = new URL(s);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

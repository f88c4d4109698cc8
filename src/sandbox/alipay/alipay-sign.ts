import { createSign, createVerify, type KeyObject } from 'node:crypto';

/**
 * Alipay's RSA2 content strings (see /work/shared/channels/alipay.md §3, §4, §7):
 * - requests: every parameter except `sign` (so `sign_type` is signed), empty values dropped;
 * - notifications and return parameters: everything except `sign` and `sign_type`;
 * - responses: the exact raw JSON text of the `*_response` object.
 * Keys sorted by code unit (= ASCII for Alipay's keys), `key=value` joined by `&`, raw values.
 */
export function contentToSign(params: Record<string, string>, exclude: readonly string[], dropEmpty: boolean): string {
  return Object.keys(params)
    .filter((k) => !exclude.includes(k) && !(dropEmpty && params[k] === ''))
    .sort()
    .map((k) => `${k}=${params[k]}`)
    .join('&');
}

export const REQUEST_EXCLUDED = ['sign'] as const;
export const NOTIFY_EXCLUDED = ['sign', 'sign_type'] as const;

/** SHA256withRSA, PKCS#1 v1.5, base64 — Alipay's RSA2. */
export function rsa2Sign(content: string, privateKey: KeyObject): string {
  return createSign('RSA-SHA256').update(content, 'utf8').sign(privateKey, 'base64');
}

export function rsa2Verify(content: string, signature: string, publicKey: KeyObject): boolean {
  try {
    return createVerify('RSA-SHA256').update(content, 'utf8').verify(publicKey, signature, 'base64');
  } catch {
    return false;
  }
}

/** Signs a flat parameter set the way Alipay signs notifications and browser returns. */
export function signNotifyParams(params: Record<string, string>, privateKey: KeyObject): Record<string, string> {
  const signed = { ...params, sign_type: 'RSA2' };
  return { ...signed, sign: rsa2Sign(contentToSign(signed, NOTIFY_EXCLUDED, false), privateKey) };
}

/**
 * The gateway's answer: `{"<key>":<json>,"sign":"..."}` with the signature over the exact
 * `<json>` text. The response object comes first and `sign` last, as Alipay sends it: the SDK
 * finds the signed text by slicing between the response key and the last `"sign"`.
 */
export function signedEnvelope(responseKey: string, response: Record<string, unknown>, privateKey: KeyObject): string {
  const inner = JSON.stringify(response);
  return `{${JSON.stringify(responseKey)}:${inner},"sign":${JSON.stringify(rsa2Sign(inner, privateKey))}}`;
}

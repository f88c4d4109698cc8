import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../shared/clock.ts';
import { MINUTE } from '../../shared/clock.ts';
import {
  authorizationHeader, newNonce, requestMessage, responseMessage, rsaSign, rsaVerify, SIGNATURE_TYPE, unixSeconds,
} from './wechatpay-wire.ts';

/**
 * One signed APIv3 call and the verification of its answer (wechatpay-v3.md §2, §3). Whatever
 * cannot be trusted — no answer, a timeout, a missing or wrong signature, a body that is not the
 * JSON it should be — comes back as `unknown`; the adapter turns that into UNKNOWN and asks again.
 */
export interface WechatpayKeys {
  mchid: string;
  merchantPrivateKey: KeyObject;
  /** Serial number of the merchant API certificate (hex), sent as `serial_no`. */
  merchantSerial: string;
  /** WeChat Pay's public key (public-key mode) or the platform certificate's key. */
  platformPublicKey: KeyObject;
  /** `PUB_KEY_ID_…` or the platform certificate serial: answers signed under any other are refused. */
  platformSerial: string;
}

export type WxAnswer =
  /** 2xx with a verified signature; `data` is `{}` for 204 No Content. */
  | { kind: 'ok'; status: number; data: Record<string, unknown> }
  /** An error answer `{code, message}`: verified when signed (see `request`). */
  | { kind: 'error'; status: number; code: string; message: string }
  | { kind: 'unknown'; reason: string };

/** How far a signed answer's or callback's timestamp may be from our clock (the SDKs use ±300 s). */
export const MAX_SKEW_MS = 5 * MINUTE;

export type Verdict = { ok: true } | { ok: false; reason: string };

/**
 * Checks `Wechatpay-*` headers against the raw body: our key's serial, a signature that verifies
 * over `timestamp\nnonce\nbody\n`, and a timestamp within ±5 minutes of `now` (the signature
 * covers the timestamp, so an old message replayed later fails here).
 */
export function verifyWechatpaySignature(
  keys: Pick<WechatpayKeys, 'platformPublicKey' | 'platformSerial'>,
  header: (name: string) => string | undefined,
  body: Buffer,
  now: Date,
): Verdict {
  const serial = header('wechatpay-serial');
  const signature = header('wechatpay-signature');
  const timestamp = header('wechatpay-timestamp');
  const nonce = header('wechatpay-nonce');
  const type = header('wechatpay-signature-type');
  if (!serial || !signature || !timestamp || !nonce) return { ok: false, reason: 'Wechatpay-Serial/-Signature/-Timestamp/-Nonce missing' };
  if (serial !== keys.platformSerial) return { ok: false, reason: `signed under ${serial}, we hold ${keys.platformSerial}` };
  if (type !== undefined && type !== SIGNATURE_TYPE) return { ok: false, reason: `Wechatpay-Signature-Type ${type}` };
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'Wechatpay-Timestamp is not Unix seconds' };
  if (!rsaVerify(responseMessage(timestamp, nonce, body), signature, keys.platformPublicKey)) {
    return { ok: false, reason: 'signature does not verify with the WeChat Pay public key' };
  }
  const skew = Math.abs(now.getTime() - Number(timestamp) * 1000);
  if (skew > MAX_SKEW_MS) return { ok: false, reason: `stale: Wechatpay-Timestamp is ${Math.round(skew / 1000)} s from now` };
  return { ok: true };
}

const USER_AGENT = 'ExamPay/0.1 (wechatpay-apiv3; node)';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class WechatpayClient {
  private readonly keys: WechatpayKeys;
  private readonly baseUrl: string;
  private readonly timeoutMs: number;
  private readonly clock: Clock;

  constructor(opts: { keys: WechatpayKeys; baseUrl: string; timeoutMs: number; clock: Clock }) {
    this.keys = opts.keys;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.timeoutMs = opts.timeoutMs;
    this.clock = opts.clock;
  }

  /** `path` starts with `/v3/`; its query string, if any, is part of it. */
  async request(method: 'GET' | 'POST', path: string, body?: Record<string, unknown>): Promise<WxAnswer> {
    const what = `${method} ${path.replace(/\?.*$/, '')}`;
    let res: Response;
    let raw: Buffer;
    try {
      res = await this.send(method, `${this.baseUrl}${path}`, body === undefined ? undefined : JSON.stringify(body));
      raw = Buffer.from(await res.arrayBuffer());
    } catch (err) {
      return { kind: 'unknown', reason: `${what}: ${err instanceof Error ? err.message : String(err)}` };
    }
    // A 2xx must be signed ("a success answer without a signature is forged or tampered"). An
    // error answer is checked when it carries a signature; one without any (e.g. 401 SIGN_ERROR
    // to a request WeChat Pay could not verify) is read as the official SDKs read errors.
    const success = res.status >= 200 && res.status < 300;
    const verdict = success || res.headers.has('wechatpay-signature')
      ? verifyWechatpaySignature(this.keys, (n) => res.headers.get(n) ?? undefined, raw, this.clock.now())
      : { ok: true as const };
    if (!verdict.ok) {
      const code = /"code"\s*:\s*"([A-Z_]{1,40})"/.exec(raw.toString('utf8'))?.[1];
      return { kind: 'unknown', reason: `${what}: HTTP ${res.status}${code ? ` ${code}` : ''}, answer not trusted (${verdict.reason})` };
    }
    let data: unknown = {};
    if (raw.length > 0) {
      try {
        data = JSON.parse(raw.toString('utf8'));
      } catch {
        return { kind: 'unknown', reason: `${what}: HTTP ${res.status}, body is not JSON` };
      }
    }
    if (!isObject(data)) return { kind: 'unknown', reason: `${what}: HTTP ${res.status}, body is not a JSON object` };
    if (success) return { kind: 'ok', status: res.status, data };
    if (typeof data.code !== 'string') return { kind: 'unknown', reason: `${what}: HTTP ${res.status} without an error code` };
    return { kind: 'error', status: res.status, code: data.code, message: typeof data.message === 'string' ? data.message : '' };
  }

  /**
   * A bill file from a `download_url` (wechatpay-v3.md §7): the request is signed like any other
   * (URL line = the download URL's path and query), the file itself comes back unsigned.
   */
  async download(url: string): Promise<{ ok: true; body: Buffer } | { ok: false; reason: string }> {
    try {
      const res = await this.send('GET', url, undefined);
      const body = Buffer.from(await res.arrayBuffer());
      if (res.status === 200) return { ok: true, body };
      return { ok: false, reason: `download: HTTP ${res.status} ${body.toString('utf8').slice(0, 200)}` };
    } catch (err) {
      return { ok: false, reason: `download: ${err instanceof Error ? err.message : String(err)}` };
    }
  }

  private send(method: 'GET' | 'POST', url: string, bodyText: string | undefined): Promise<Response> {
    const u = new URL(url);
    const timestamp = unixSeconds(this.clock.now());
    const nonce = newNonce();
    const signature = rsaSign(requestMessage({
      method, url: `${u.pathname}${u.search}`, timestamp, nonce, body: bodyText ?? '',
    }), this.keys.merchantPrivateKey);
    const headers: Record<string, string> = {
      authorization: authorizationHeader({
        mchid: this.keys.mchid, nonce_str: nonce, signature, timestamp, serial_no: this.keys.merchantSerial,
      }),
      accept: 'application/json',
      'user-agent': USER_AGENT,
      // Asks for answers signed under the key we hold (WeChat staff: send it on every request
      // during a platform-certificate → public-key migration).
      'wechatpay-serial': this.keys.platformSerial,
      ...(bodyText === undefined ? {} : { 'content-type': 'application/json' }),
    };
    return fetch(u, { method, headers, body: bodyText, redirect: 'manual', signal: AbortSignal.timeout(this.timeoutMs) });
  }
}

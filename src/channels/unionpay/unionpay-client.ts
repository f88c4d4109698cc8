import type { KeyObject } from 'node:crypto';
import type { Clock } from '../../shared/clock.ts';
import { ACP_VERSION, acpSign, parseAcpResponse, SIGN_METHOD_RSA, type AcpFields } from './unionpay-sign.ts';
import { verifyAcpMessage, type UnionpayTrust } from './unionpay-verify.ts';

/**
 * Server-to-server calls to UnionPay's gateway (backTransReq.do, queryTrans.do): a signed
 * `application/x-www-form-urlencoded;charset=UTF-8` POST; the answer is a raw `key=value&...`
 * string, signed by UnionPay and verified here before any field is read.
 */
export type GatewayAnswer = { ok: true; data: AcpFields } | { ok: false; reason: string };

export interface UnionpayClientOptions {
  merId: string;
  signingKey: KeyObject;
  certId: string;
  trust: UnionpayTrust;
  /** e.g. `https://gateway.95516.com`, or the sandbox's `.../unionpay`. */
  baseUrl: string;
  timeoutMs: number;
  clock: Clock;
  fetch: typeof fetch;
}

export const FRONT_TRANS_PATH = '/gateway/api/frontTransReq.do';
export const BACK_TRANS_PATH = '/gateway/api/backTransReq.do';
export const QUERY_TRANS_PATH = '/gateway/api/queryTrans.do';

export class UnionpayClient {
  private readonly o: UnionpayClientOptions;

  constructor(options: UnionpayClientOptions) {
    this.o = { ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') };
  }

  url(path: string): string {
    return `${this.o.baseUrl}${path}`;
  }

  /** The common fields, our merchant number, certId and signature added. */
  sign(fields: AcpFields): AcpFields {
    return acpSign({
      version: ACP_VERSION, encoding: 'UTF-8', signMethod: SIGN_METHOD_RSA, accessType: '0', merId: this.o.merId, ...fields,
    }, this.o.signingKey, this.o.certId);
  }

  /** One call. `ok: false` = no trustworthy answer (network, timeout, HTTP error, bad signature, garbage). */
  async post(path: string, fields: AcpFields): Promise<GatewayAnswer> {
    const what = `${path.split('/').pop()} ${fields.txnType ?? ''} ${fields.orderId ?? fields.queryId ?? ''}`.trim();
    let status: number;
    let text: string;
    try {
      // An absolute URL for a service on another host (the file-transfer service).
      const res = await this.o.fetch(/^https?:\/\//.test(path) ? path : this.url(path), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded;charset=UTF-8' },
        body: new URLSearchParams(this.sign(fields)).toString(),
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      status = res.status;
      text = await res.text();
    } catch (err) {
      return { ok: false, reason: `${what}: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (status !== 200) return { ok: false, reason: `${what}: HTTP ${status} ${text.slice(0, 100)}` };
    const data = parseAcpResponse(text);
    if (!data) return { ok: false, reason: `${what}: answer is not a key=value message` };
    const v = verifyAcpMessage(data, this.o.trust, this.o.clock.now());
    if (!v.ok) return { ok: false, reason: `${what}: answer not verified: ${v.detail}` };
    if (data.merId && data.merId !== this.o.merId) return { ok: false, reason: `${what}: answer for merId ${data.merId}` };
    return { ok: true, data };
  }
}

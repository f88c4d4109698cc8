import type { Clock } from '../../shared/clock.ts';
import type { GenericOperation, GenericProfile } from './generic-profile.ts';
import {
  contentTypeOf, decodeBody, encodeBody, fromWire, newNonce, signMessage, toWire, verifyMessage,
  type Logical, type Signer,
} from './generic-wire.ts';

/**
 * One signed call to a generic provider: POST the signed message to gateway + the operation's
 * path; the answer (HTTP 200, same encoding) must be signed by the provider, name our merchant and
 * echo our nonce — so an old answer cannot be replayed for a new question. Anything else is
 * `ok: false` with a reason; the adapter turns that into UNKNOWN.
 */
export type GenericAnswer = { ok: true; data: Logical } | { ok: false; reason: string };

export interface GenericClientOptions {
  profile: GenericProfile;
  merchantId: string;
  signer: Signer;
  baseUrl: string;
  timeoutMs: number;
  clock: Clock;
  fetch: typeof fetch;
}

export class GenericClient {
  private readonly o: GenericClientOptions;

  constructor(options: GenericClientOptions) {
    this.o = { ...options, baseUrl: options.baseUrl.replace(/\/+$/, '') };
  }

  async call(op: GenericOperation, logical: Logical): Promise<GenericAnswer> {
    const { profile, signer } = this.o;
    const nonce = newNonce();
    const what = `${profile.code} ${op} ${logical.refundNo ?? logical.orderNo ?? logical.statementDate ?? ''}`.trim();
    const message = signMessage(profile, signer, toWire(profile, { merchantId: this.o.merchantId, ...logical }), this.o.clock.now(), nonce);
    let status: number;
    let body: Buffer;
    try {
      const res = await this.o.fetch(`${this.o.baseUrl}${profile.paths[op]}`, {
        method: 'POST',
        headers: { 'content-type': contentTypeOf(profile) },
        body: encodeBody(profile, message),
        signal: AbortSignal.timeout(this.o.timeoutMs),
      });
      status = res.status;
      body = Buffer.from(await res.arrayBuffer());
    } catch (err) {
      return { ok: false, reason: `${what}: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (status !== 200) return { ok: false, reason: `${what}: HTTP ${status} ${body.toString('utf8').slice(0, 100)}` };
    const fields = decodeBody(profile, body);
    if (!fields) return { ok: false, reason: `${what}: answer is not a ${profile.encoding} message of strings` };
    const f = profile.fields;
    const verified = verifyMessage(profile, signer, fields);
    if (!verified.ok) return { ok: false, reason: `${what}: answer not verified (${verified.detail}); ${f.code}=${fields[f.code] ?? ''} ${fields[f.message] ?? ''}`.trim() };
    if (fields[f.merchantId] !== this.o.merchantId) return { ok: false, reason: `${what}: answer for ${f.merchantId} ${fields[f.merchantId] ?? '(none)'}` };
    if (fields[f.nonce] !== nonce) return { ok: false, reason: `${what}: answer does not echo our ${f.nonce}` };
    return { ok: true, data: fromWire(profile, fields) };
  }

  /** A statement file: a plain GET of the signed download URL; its digest is checked by the caller. */
  async download(url: string): Promise<{ ok: true; bytes: Buffer } | { ok: false; reason: string }> {
    try {
      const res = await this.o.fetch(url, { signal: AbortSignal.timeout(this.o.timeoutMs * 6) });
      const bytes = Buffer.from(await res.arrayBuffer());
      return res.status === 200 ? { ok: true, bytes } : { ok: false, reason: `statement file: HTTP ${res.status}` };
    } catch (err) {
      return { ok: false, reason: `statement file: ${err instanceof Error ? err.message : String(err)}` };
    }
  }
}

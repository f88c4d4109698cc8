import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyReply } from 'fastify';
import {
  headerValue, newNonce, parseAuthorization, responseMessage, rsaSign, rsaVerify, SIGNATURE_TYPE, unixSeconds,
} from '../../channels/wechatpay/wechatpay-wire.ts';
import { wxError, type WechatpayContext, type WechatpayMerchant, type WxResponse } from './wechatpay-context.ts';

/**
 * The gateway's two signature duties (wechatpay-v3.md §2, §3): verify the merchant's
 * `Authorization` on every request (401 SIGN_ERROR otherwise), and sign every answer to a
 * verified request with "WeChat Pay's" key in `Wechatpay-*` headers.
 */
export type Authenticated = { ok: true; merchant: WechatpayMerchant } | { ok: false; response: WxResponse };

export interface SignedRequest {
  method: string;
  /** Path and query exactly as received (what the merchant signed). */
  rawUrl: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export function authenticate(ctx: WechatpayContext, req: SignedRequest): Authenticated {
  const unauthorized = (message: string): Authenticated =>
    ({ ok: false, response: { ...wxError(401, 'SIGN_ERROR', message), unsigned: true } });
  const auth = parseAuthorization(headerValue(req.headers, 'authorization'));
  if (!auth) return unauthorized('Http头Authorization值格式错误，请参考《微信支付商户REST API签名规则》');
  const merchant = ctx.merchants.get(auth.mchid);
  if (!merchant) return unauthorized(`商户号 ${auth.mchid} 不存在`);
  if (auth.serial_no.toUpperCase() !== merchant.merchantSerial.toUpperCase()) return unauthorized('商户API证书序列号有误');
  // Format only: the sandbox's clock may be moved by tests while the merchant stamps its own.
  if (!/^\d{1,12}$/.test(auth.timestamp)) return unauthorized('Authorization 中的 timestamp 格式错误');
  const message = Buffer.concat([
    Buffer.from(`${req.method}\n${req.rawUrl}\n${auth.timestamp}\n${auth.nonce_str}\n`, 'utf8'),
    req.body,
    Buffer.from('\n', 'utf8'),
  ]);
  if (!rsaVerify(message, auth.signature, merchant.merchantPublicKey)) return unauthorized('签名错误，请检查后再试');
  const wanted = headerValue(req.headers, 'wechatpay-serial');
  if (wanted !== undefined && wanted !== ctx.platformSerial) {
    return { ok: false, response: wxError(400, 'INVALID_REQUEST', `Wechatpay-Serial ${wanted} 不是有效的微信支付公钥ID`) };
  }
  if (!headerValue(req.headers, 'user-agent')) return { ok: false, response: wxError(400, 'INVALID_REQUEST', 'User-Agent 不能为空') };
  return { ok: true, merchant };
}

/** The `Wechatpay-*` headers for a body, signed at `at` (default: now by the sandbox clock). */
export function signatureHeaders(ctx: WechatpayContext, body: string, at: Date = ctx.core.clock.now()): Record<string, string> {
  const timestamp = unixSeconds(at);
  const nonce = newNonce();
  return {
    'Wechatpay-Timestamp': timestamp,
    'Wechatpay-Nonce': nonce,
    'Wechatpay-Signature': rsaSign(responseMessage(timestamp, nonce, Buffer.from(body, 'utf8')), ctx.platformPrivateKey),
    'Wechatpay-Serial': ctx.platformSerial,
    'Wechatpay-Signature-Type': SIGNATURE_TYPE,
  };
}

/** Sends exactly the bytes that were signed. */
export function sendWx(ctx: WechatpayContext, reply: FastifyReply, res: WxResponse): FastifyReply {
  const body = res.body === null ? '' : JSON.stringify(res.body);
  void reply.code(res.status).header('Request-ID', randomUUID());
  if (!res.unsigned) void reply.headers(signatureHeaders(ctx, body));
  if (res.body === null) return reply.send();
  return reply.type('application/json; charset=utf-8').send(body);
}

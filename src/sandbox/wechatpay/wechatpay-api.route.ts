import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { SandboxOrder } from '../order-book.ts';
import { rawQuery } from '../sandbox-html.ts';
import { authenticate, sendWx } from './wechatpay-auth.ts';
import { billFile, tradeBill } from './wechatpay-bill.handler.ts';
import { systemError, wxError, type WechatpayContext, type WechatpayMerchant, type WxResponse } from './wechatpay-context.ts';
import { close, createNative, query, queryById, type Body } from './wechatpay-order.handlers.ts';
import { refund, refundQuery } from './wechatpay-refund.handlers.ts';

/**
 * `{base}/wechatpay/v3/...`: the APIv3 paths exactly as on api.mch.weixin.qq.com, so an adapter's
 * base URL is `{base}/wechatpay`. In a scope of their own every body is kept as raw bytes: the
 * merchant signed those bytes, and nothing may parse them before the signature is checked.
 * Faults: `apiDown` answers before anything else; `chargeButTimeout` makes the first call about
 * the order after the capture hang until the caller gives up.
 */
interface Call { params: Record<string, string>; query: Record<string, string>; body: Body }
type Run = (ctx: WechatpayContext, merchant: WechatpayMerchant, call: Call) => WxResponse | Buffer;

const ROUTES: Array<{ method: 'GET' | 'POST'; url: string; run: Run }> = [
  { method: 'POST', url: '/v3/pay/transactions/native', run: (ctx, m, c) => createNative(ctx, m, c.body) },
  { method: 'GET', url: '/v3/pay/transactions/out-trade-no/:outTradeNo', run: (ctx, m, c) => query(ctx, m, c.params.outTradeNo!, c.query) },
  { method: 'GET', url: '/v3/pay/transactions/id/:transactionId', run: (ctx, m, c) => queryById(ctx, m, c.params.transactionId!, c.query) },
  { method: 'POST', url: '/v3/pay/transactions/out-trade-no/:outTradeNo/close', run: (ctx, m, c) => close(ctx, m, c.params.outTradeNo!, c.body) },
  { method: 'POST', url: '/v3/refund/domestic/refunds', run: (ctx, m, c) => refund(ctx, m, c.body) },
  { method: 'GET', url: '/v3/refund/domestic/refunds/:outRefundNo', run: (ctx, m, c) => refundQuery(ctx, m, c.params.outRefundNo!) },
  { method: 'GET', url: '/v3/bill/tradebill', run: (ctx, m, c) => tradeBill(ctx, m, c.query) },
  { method: 'GET', url: '/v3/billdownload/file', run: (ctx, m, c) => billFile(ctx, m, c.query) },
];

const isObject = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

function parseJson(body: Buffer): Body | null {
  if (body.length === 0) return {};
  try {
    const v: unknown = JSON.parse(body.toString('utf8'));
    return isObject(v) ? v : null;
  } catch {
    return null;
  }
}

/** The order a call is about, by out_trade_no or transaction_id in the path or the body. */
function orderOf(ctx: WechatpayContext, mchid: string | null, params: Record<string, string>, body: Body | null): SandboxOrder | undefined {
  const outTradeNo = params.outTradeNo ?? (typeof body?.out_trade_no === 'string' ? body.out_trade_no : undefined);
  const transactionId = params.transactionId ?? (typeof body?.transaction_id === 'string' ? body.transaction_id : undefined);
  const orders = ctx.core.book.all().filter((o) => o.channel === 'wechatpay' && (mchid === null || o.merchantId === mchid));
  return orders.find((o) => (outTradeNo !== undefined && o.billNo === outTradeNo)
    || (transactionId !== undefined && o.captures.some((c) => c.captureNo === transactionId)));
}

export function registerWechatpayApi(app: FastifyInstance, ctx: WechatpayContext): void {
  const handle = (run: Run) => async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const params = (request.params ?? {}) as Record<string, string>;
    const faults = ctx.core.faults.for(orderOf(ctx, null, params, parseJson(raw))?.billNo);
    if (faults.apiDown === 'hang') await ctx.core.hangs.wait(ctx.apiHangMs, reply.raw);
    if (faults.apiDown) return sendWx(ctx, reply, systemError(true));

    const auth = authenticate(ctx, { method: request.method, rawUrl: request.raw.url ?? '', headers: request.headers, body: raw });
    if (!auth.ok) return sendWx(ctx, reply, auth.response);
    const body = parseJson(raw);
    if (request.method === 'POST' && !String(request.headers['content-type'] ?? '').startsWith('application/json')) {
      return sendWx(ctx, reply, wxError(400, 'INVALID_REQUEST', 'Content-Type 须为 application/json'));
    }
    if (!body) return sendWx(ctx, reply, wxError(400, 'PARAM_ERROR', '请求体不是合法的JSON对象'));

    // Fault chargeButTimeout: the first call about the order after the capture never answers.
    const order = orderOf(ctx, auth.merchant.mchid, params, body);
    if (order && order.pendingApiTimeouts > 0) {
      order.pendingApiTimeouts -= 1;
      await ctx.core.hangs.wait(ctx.apiHangMs, reply.raw);
      return sendWx(ctx, reply, systemError());
    }
    const result = run(ctx, auth.merchant, { params, query: rawQuery(request.raw.url), body });
    if (!Buffer.isBuffer(result)) return sendWx(ctx, reply, result);
    const gzip = result[0] === 0x1f && result[1] === 0x8b;
    return reply.code(200).header('Request-ID', randomUUID())
      .type(gzip ? 'application/octet-stream' : 'text/plain; charset=utf-8').send(result);
  };

  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_req, body, done) => done(null, body));
    for (const r of ROUTES) scope.route({ method: r.method, url: `/wechatpay${r.url}`, handler: handle(r.run) });
  });
}

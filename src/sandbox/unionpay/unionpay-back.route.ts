import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { formatAcpResponse, type AcpFields } from '../../channels/unionpay/unionpay-sign.ts';
import type { SandboxOrder } from '../order-book.ts';
import { authenticate } from './unionpay-auth.ts';
import { billNoOf, findByQueryId, type UnionpayContext, type UnionpayMerchant } from './unionpay-context.ts';
import { fileTransfer } from './unionpay-file.handler.ts';
import { queryTrans, refundTrans } from './unionpay-trade.handlers.ts';

/**
 * The server-to-server gateway: `{base}/unionpay/gateway/api/queryTrans.do`,
 * `.../backTransReq.do` and the file-transfer service `{base}/unionpay/filedownload/`. Form POST in; the answer is a signed raw `key=value&...` string
 * (values not URL-encoded, signPubKeyCert included), HTTP 200 even for business errors.
 * Fault `apiDown` answers 503 (or hangs first); `chargeButTimeout` hangs the next call about
 * the order until the caller gives up.
 */
type Handler = (ctx: UnionpayContext, merchant: UnionpayMerchant, p: AcpFields) => AcpFields;

function send(ctx: UnionpayContext, reply: FastifyReply, fields: AcpFields): FastifyReply {
  return reply.type('text/plain; charset=utf-8').send(formatAcpResponse(ctx.sign(fields)));
}

/** The order a request is about, for the `chargeButTimeout` fault. */
function orderOf(ctx: UnionpayContext, merId: string, p: AcpFields): SandboxOrder | undefined {
  if (p.origQryId) return findByQueryId(ctx, merId, p.origQryId)?.order;
  if (p.queryId) return findByQueryId(ctx, merId, p.queryId)?.order;
  return p.orderId ? ctx.core.book.find('unionpay', merId, p.orderId) : undefined;
}

function handler(ctx: UnionpayContext, handle: Handler) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const p = request.body && typeof request.body === 'object' ? (request.body as AcpFields) : {};
    const faults = ctx.core.faults.for(billNoOf(ctx, p));
    if (faults.apiDown === 'hang') await ctx.core.hangs.wait(ctx.apiHangMs, reply.raw);
    if (faults.apiDown) return reply.code(503).type('text/plain; charset=utf-8').send('Service Unavailable');

    const echo = { txnType: p.txnType ?? '', merId: p.merId ?? '', orderId: p.orderId ?? '', txnTime: p.txnTime ?? '' };
    const auth = authenticate(ctx, p);
    if (!auth.ok) return send(ctx, reply, { ...echo, respCode: auth.respCode, respMsg: auth.respMsg });

    const order = orderOf(ctx, auth.merchant.merId, p);
    if (order && order.pendingApiTimeouts > 0) {
      order.pendingApiTimeouts -= 1;
      await ctx.core.hangs.wait(ctx.apiHangMs, reply.raw);
      return reply.code(504).type('text/plain; charset=utf-8').send('Gateway Timeout');
    }
    return send(ctx, reply, handle(ctx, auth.merchant, p));
  };
}

export function registerUnionpayBackGateway(app: FastifyInstance, ctx: UnionpayContext): void {
  app.post('/unionpay/gateway/api/queryTrans.do', handler(ctx, queryTrans));
  app.post('/unionpay/gateway/api/backTransReq.do', handler(ctx, refundTrans));
  // UnionPay serves files from a host of its own (filedownload.95516.com); here, beside the gateway.
  app.post('/unionpay/filedownload/', handler(ctx, fileTransfer));
}

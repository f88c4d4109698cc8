import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GenericOperation } from '../../channels/generic/generic-profile.ts';
import {
  contentTypeOf, decodeBody, encodeBody, fromWire, fromWireTime, RESULT, signMessage, toWire, verifyMessage,
  type Logical, type WireFields,
} from '../../channels/generic/generic-wire.ts';
import { MINUTE } from '../../shared/clock.ts';
import { findOrder, findRefund, type GenericContext, type GenericSandboxMerchant } from './generic-context.ts';
import { close, create, query, refund, refundQuery, statement } from './generic-trade.handlers.ts';

/**
 * `{base}/{code}{path}` for each operation of the profile, plus the statement file. Bodies are
 * kept raw in a scope of their own: the merchant signed those bytes' fields, nothing may parse
 * them another way first. A business answer is HTTP 200 and signed; a request the provider cannot
 * attribute (bad body, unknown merchant, bad signature) gets an unsigned answer. Faults: `apiDown`
 * answers 503 (or hangs first); `chargeButTimeout` hangs the next call about the order, then 504.
 */
const HANDLERS: Record<GenericOperation, (ctx: GenericContext, m: GenericSandboxMerchant, req: Logical) => Logical> = {
  create, query, close, refund, refundQuery, statement,
};
/** A request whose timestamp is further from the provider's clock than this is refused. */
const CLOCK_SKEW_MS = 10 * MINUTE;

export function registerGenericGateway(app: FastifyInstance, ctx: GenericContext): void {
  const { profile } = ctx;
  const f = profile.fields;
  const send = (reply: FastifyReply, status: number, fields: WireFields): FastifyReply =>
    reply.code(status).type(contentTypeOf(profile)).send(encodeBody(profile, fields));
  const unsigned = (reply: FastifyReply, status: number, code: string, message: string): FastifyReply =>
    send(reply, status, toWire(profile, { code, message }));

  const handle = (op: GenericOperation) => async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const fields = decodeBody(profile, Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0));
    const req = fields ? fromWire(profile, fields) : {};
    const merchant = req.merchantId ? ctx.merchants.get(req.merchantId) : undefined;
    // The bill a call is about, for per-bill faults (a refund: its order).
    const billNo = req.orderNo ?? (merchant && req.refundNo ? findRefund(ctx, merchant.merchantId, req.refundNo)?.order.billNo : undefined);
    const faults = ctx.core.faults.for(billNo);
    if (faults.apiDown === 'hang') await ctx.core.hangs.wait(ctx.apiHangMs, reply.raw);
    if (faults.apiDown) return reply.code(503).type('text/plain; charset=utf-8').send('Service Unavailable');

    if (!fields) return unsigned(reply, 400, RESULT.INVALID_PARAM, `body must be ${profile.encoding} with string values`);
    if (!merchant) return unsigned(reply, 200, RESULT.MERCHANT_INVALID, `商户号不存在 unknown ${f.merchantId}`);
    const verified = verifyMessage(profile, merchant.signer, fields);
    if (!verified.ok) return unsigned(reply, 200, RESULT.SIGN_ERROR, `验签失败 ${verified.detail}`);

    const answer = (logical: Logical): FastifyReply =>
      send(reply, 200, signMessage(profile, merchant.signer, toWire(profile, { ...logical, merchantId: merchant.merchantId }), ctx.core.clock.now(), req.nonce ?? ''));
    const sent = fromWireTime(req.timestamp);
    if (!sent || Math.abs(sent.getTime() - ctx.core.clock.now().getTime()) > CLOCK_SKEW_MS) {
      return answer({ code: RESULT.INVALID_PARAM, message: `${f.timestamp}: missing or more than 10 minutes off` });
    }
    if (!req.nonce || !/^[0-9A-Za-z]{8,64}$/.test(req.nonce)) return answer({ code: RESULT.INVALID_PARAM, message: `${f.nonce}: 8–64 letters or digits` });

    // Fault chargeButTimeout: the first call about the order after the capture never answers.
    const order = findOrder(ctx, merchant.merchantId, billNo);
    if (order && order.pendingApiTimeouts > 0) {
      order.pendingApiTimeouts -= 1;
      await ctx.core.hangs.wait(ctx.apiHangMs, reply.raw);
      return reply.code(504).type('text/plain; charset=utf-8').send('Gateway Timeout');
    }
    return answer(HANDLERS[op](ctx, merchant, req));
  };

  void app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 256 * 1024 }, (_req, body, done) => done(null, body));
    for (const op of Object.keys(HANDLERS) as GenericOperation[]) scope.post(`/${profile.code}${profile.paths[op]}`, handle(op));
  });

  app.get(`/${profile.code}/statement/file/:token`, async (request: FastifyRequest<{ Params: { token: string } }>, reply) => {
    const found = ctx.statements.get(request.params.token);
    if (!found) return reply.code(404).type('text/plain; charset=utf-8').send('对账单不存在或已过期 no such statement file');
    return reply.type('text/csv; charset=utf-8').send(found.file);
  });
}

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PayOutcome, SandboxCore } from './sandbox-core.ts';
import type { SandboxChannel, SandboxOrder } from './order-book.ts';
import { htmlPage, type CashierResult } from './sandbox-html.ts';

/**
 * What one channel's cashier differs in; the flow (find the order by its token, show it, pay /
 * fail / abandon as plain POST forms) is the same for every channel and lives below.
 */
export interface CashierSpec<M> {
  channel: SandboxChannel;
  core: SandboxCore;
  merchantOf(order: SandboxOrder): M | undefined;
  /** QR channels: opening the page is the payer's scan, which makes the trade exist. */
  openOnView: boolean;
  /** Form field naming how the payer pays (Alipay/WeChat: pay_method; UnionPay: the bank). */
  payMethodField: string;
  page(order: SandboxOrder, merchant: M): string | Promise<string>;
  result(order: SandboxOrder, merchant: M, result: CashierResult): string;
  paidDetail(outcome: Extract<PayOutcome, { ok: true }>, order: SandboxOrder): string;
  words: { notFound: string; declined: string; closed: string; stillPayable: string };
}

type TokenRequest = FastifyRequest<{ Params: { token: string }; Body: Record<string, string> | undefined }>;
const HTML = 'text/html; charset=utf-8';

/** `GET /{channel}/cashier/:token` and its three POST forms. Returns `find` for extra pages. */
export function registerCashierRoutes<M>(app: FastifyInstance, spec: CashierSpec<M>) {
  const base = `/${spec.channel}/cashier/:token`;
  const find = (request: TokenRequest, reply: FastifyReply): { order: SandboxOrder; merchant: M } | null => {
    const order = spec.core.book.findByToken(request.params.token);
    const merchant = order && order.channel === spec.channel ? spec.merchantOf(order) : undefined;
    if (order && merchant) {
      spec.core.refresh(order);
      return { order, merchant };
    }
    void reply.code(404).type(HTML).send(htmlPage('没有这笔订单 Not found', `<div class="card error"><h2>${spec.words.notFound}</h2></div>`));
    return null;
  };

  app.get(base, async (request: TokenRequest, reply) => {
    const found = find(request, reply);
    if (!found) return reply;
    if (spec.openOnView) spec.core.open(found.order);
    return reply.type(HTML).send(await spec.page(found.order, found.merchant));
  });

  app.post(`${base}/pay`, async (request: TokenRequest, reply) => {
    const found = find(request, reply);
    if (!found) return reply;
    const { order, merchant } = found;
    const outcome = await spec.core.pay(order, request.body?.[spec.payMethodField]);
    if (!outcome.ok) return reply.type(HTML).send(spec.result(order, merchant, { kind: 'error', title: '无法支付 Cannot pay', detail: outcome.message }));
    if (outcome.cashierError) {
      return reply.type(HTML).send(spec.result(order, merchant, { kind: 'error', title: '支付结果未知 Result unknown', detail: outcome.cashierError }));
    }
    return reply.type(HTML).send(spec.result(order, merchant, {
      kind: 'ok', title: '支付成功 Payment successful', detail: spec.paidDetail(outcome, order), returnUrl: outcome.returnUrl,
    }));
  });

  app.post(`${base}/fail`, async (request: TokenRequest, reply) => {
    const found = find(request, reply);
    if (!found) return reply;
    const outcome = spec.core.fail(found.order);
    const result: CashierResult = outcome.ok
      ? { kind: 'error', title: '支付失败 Payment failed', detail: spec.words.declined, backToCashier: true }
      : { kind: 'info', title: outcome.reason === 'CLOSED' ? spec.words.closed : '该订单已支付 Already paid' };
    return reply.type(HTML).send(spec.result(found.order, found.merchant, result));
  });

  app.post(`${base}/abandon`, async (request: TokenRequest, reply) => {
    const found = find(request, reply);
    if (!found) return reply;
    // Walking away changes nothing: the order waits until it is paid, closed or expires.
    return reply.type(HTML).send(spec.result(found.order, found.merchant, {
      kind: 'info', title: '已放弃支付 You left the payment', detail: spec.words.stillPayable, backToCashier: true,
    }));
  });

  return { find };
}

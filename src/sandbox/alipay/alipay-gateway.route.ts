import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { escapeHtml, htmlPage, rawQuery } from '../sandbox-html.ts';
import {
  cashierUrl, invalidArgument, missingArgument, unavailable,
  type AlipayContext, type AlipayMerchant, type AlipayResponse,
} from './alipay-context.ts';
import { createOrFindOrder, precreate, str, type Biz } from './alipay-create.handler.ts';
import { billDownloadUrlQuery } from './alipay-bill.handler.ts';
import { contentToSign, REQUEST_EXCLUDED, rsa2Verify, signedEnvelope } from './alipay-sign.ts';
import { close, locateTrade, query, refund, refundQuery } from './alipay-trade.handlers.ts';

/**
 * `{base}/alipay/gateway.do`: Alipay's OpenAPI gateway. Parameters come from the query string
 * and the form body merged (the SDK puts common parameters in the URL, biz_content in the body).
 * Server-to-server methods answer `{"<method>_response":{...},"sign":"..."}`; the browser method
 * `alipay.trade.page.pay` answers with a redirect to the cashier or an HTML error page.
 */

type Handler = (ctx: AlipayContext, merchant: AlipayMerchant, biz: Biz, common: Record<string, string>) => AlipayResponse;

const METHODS: Record<string, Handler> = {
  'alipay.trade.precreate': precreate,
  'alipay.trade.query': (ctx, m, biz) => query(ctx, m, biz),
  'alipay.trade.close': (ctx, m, biz) => close(ctx, m, biz),
  'alipay.trade.refund': (ctx, m, biz) => refund(ctx, m, biz),
  'alipay.trade.fastpay.refund.query': (ctx, m, biz) => refundQuery(ctx, m, biz),
  'alipay.data.dataservice.bill.downloadurl.query': (ctx, m, biz) => billDownloadUrlQuery(ctx, m, biz),
};
const PAGE_PAY = 'alipay.trade.page.pay';

type Authenticated = { ok: true; merchant: AlipayMerchant; biz: Biz } | { ok: false; error: AlipayResponse };

function parseBiz(params: Record<string, string>): Biz | null {
  if (params.biz_content === undefined) return {};
  try {
    const v: unknown = JSON.parse(params.biz_content);
    return v && typeof v === 'object' && !Array.isArray(v) ? (v as Biz) : null;
  } catch {
    return null;
  }
}

/** The gateway's common checks, in the order Alipay reports them. */
function authenticate(ctx: AlipayContext, params: Record<string, string>): Authenticated {
  const fail = (error: AlipayResponse): Authenticated => ({ ok: false, error });
  const required: Array<[string, string, string]> = [
    ['app_id', 'isv.missing-app-id', '缺少AppID参数'],
    ['method', 'isv.missing-method', '缺少方法名参数'],
    ['sign_type', 'isv.missing-signature-type', '缺少签名类型参数'],
    ['sign', 'isv.missing-signature', '缺少签名参数'],
    ['timestamp', 'isv.missing-timestamp', '缺少时间戳参数'],
    ['version', 'isv.missing-version', '缺少版本参数'],
  ];
  for (const [key, code, msg] of required) if (!params[key]) return fail(missingArgument(code, msg));
  const merchant = ctx.merchants.get(params.app_id!);
  if (!merchant) return fail(invalidArgument('isv.invalid-app-id', '无效的AppID参数'));
  if (params.sign_type !== 'RSA2') return fail(invalidArgument('isv.invalid-signature-type', '无效的签名类型参数'));
  if (params.charset && params.charset.toLowerCase() !== 'utf-8') return fail(invalidArgument('isv.invalid-charset', '字符集错误'));
  if (params.format && params.format.toUpperCase() !== 'JSON') return fail(invalidArgument('isv.invalid-format', '无效的数据格式'));
  if (params.version !== '1.0') return fail(invalidArgument('isv.invalid-version', '版本号错误'));
  // Format only: the SDK stamps the caller's local wall time, which need not be Beijing time, and
  // tests run on a moved clock.
  if (!/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(params.timestamp!)) {
    return fail(invalidArgument('isv.invalid-timestamp', '非法的时间戳参数'));
  }
  const content = contentToSign(params, REQUEST_EXCLUDED, true);
  if (!rsa2Verify(content, params.sign!, merchant.appPublicKey)) {
    return fail(invalidArgument('isv.invalid-signature',
      `验签出错，建议检查签名字符串或签名私钥与应用公钥是否匹配，网关生成的验签字符串为：${content}`));
  }
  const biz = parseBiz(params);
  if (!biz) return fail(invalidArgument('isv.invalid-parameter', 'biz_content 不是合法的JSON'));
  return { ok: true, merchant, biz };
}

function sendEnvelope(ctx: AlipayContext, reply: FastifyReply, method: string | undefined, response: AlipayResponse): FastifyReply {
  const key = method && /^[\w.]+$/.test(method) ? `${method.replaceAll('.', '_')}_response` : 'error_response';
  return reply.type('application/json; charset=utf-8').send(signedEnvelope(key, response, ctx.alipayPrivateKey));
}

function errorPage(reply: FastifyReply, status: number, e: AlipayResponse): FastifyReply {
  const body = `<div class="card"><h2 class="error">支付请求出错 Payment request error</h2>
<dl><dt>code</dt><dd>${escapeHtml(e.code)} ${escapeHtml(e.msg)}</dd>
<dt>sub_code</dt><dd>${escapeHtml(String(e.sub_code ?? ''))}</dd>
<dt>sub_msg</dt><dd>${escapeHtml(String(e.sub_msg ?? ''))}</dd></dl></div>`;
  return reply.code(status).type('text/html; charset=utf-8').send(htmlPage('支付宝沙箱 — 错误', body));
}

export function registerAlipayGateway(app: FastifyInstance, ctx: AlipayContext): void {
  const handle = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    const body = request.body && typeof request.body === 'object' ? (request.body as Record<string, string>) : {};
    const params = { ...rawQuery(request.raw.url), ...body };
    const method = params.method;
    const biz = parseBiz(params);
    const faults = ctx.core.faults.for(str(biz?.out_trade_no));

    if (faults.apiDown === 'hang') await ctx.core.hangs.wait(ctx.apiHangMs, reply.raw);
    if (faults.apiDown) {
      return method === PAGE_PAY ? errorPage(reply, 503, unavailable()) : sendEnvelope(ctx, reply, method, unavailable());
    }
    const auth = authenticate(ctx, params);

    if (method === PAGE_PAY) {
      if (!auth.ok) return errorPage(reply, 400, auth.error);
      const created = createOrFindOrder(ctx, auth.merchant, auth.biz, params, 'page');
      if (!created.ok) return errorPage(reply, 400, created.error);
      return reply.redirect(cashierUrl(ctx, created.order), 302);
    }
    if (request.method !== 'POST') {
      return sendEnvelope(ctx, reply, method, invalidArgument('isv.invalid-method', `${method ?? ''} 须使用 POST`));
    }
    if (!auth.ok) return sendEnvelope(ctx, reply, method, auth.error);
    const handler = METHODS[method!];
    if (!handler) return sendEnvelope(ctx, reply, method, invalidArgument('isv.invalid-method', '不存在的方法名'));

    // Fault chargeButTimeout: the first call about the order after the capture never answers.
    const order = locateTrade(ctx, auth.merchant, auth.biz)?.order
      ?? ctx.core.book.find('alipay', auth.merchant.appId, str(auth.biz.out_trade_no) ?? '');
    if (order && order.pendingApiTimeouts > 0) {
      order.pendingApiTimeouts -= 1;
      await ctx.core.hangs.wait(ctx.apiHangMs, reply.raw);
      return sendEnvelope(ctx, reply, method, unavailable());
    }
    return sendEnvelope(ctx, reply, method, handler(ctx, auth.merchant, auth.biz, params));
  };
  app.post('/alipay/gateway.do', handle);
  app.get('/alipay/gateway.do', handle);
}

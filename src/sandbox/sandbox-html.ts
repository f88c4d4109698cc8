import type { FastifyInstance } from 'fastify';

/** Small HTML and form helpers shared by the sandbox's cashier pages (all dialects). */

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** A complete, phone-friendly page. `body` must already be escaped HTML. */
export function htmlPage(title: string, body: string, opts: { refreshTo?: string } = {}): string {
  const refresh = opts.refreshTo ? `<meta http-equiv="refresh" content="3;url=${escapeHtml(opts.refreshTo)}">` : '';
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">${refresh}
<title>${escapeHtml(title)}</title>
<style>
body{font-family:-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;background:#f5f5f5;color:#222}
main{max-width:28rem;margin:0 auto;padding:1rem}
.card{background:#fff;border-radius:8px;padding:1rem 1.25rem;margin-bottom:1rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}
.banner{background:#1677ff;color:#fff;padding:.75rem 1rem;font-weight:600}
.amount{font-size:2rem;font-weight:700;margin:.25rem 0}
.muted{color:#666;font-size:.9rem}
dl{display:grid;grid-template-columns:auto 1fr;gap:.25rem .75rem;margin:.5rem 0}dt{color:#666}dd{margin:0;word-break:break-all}
button{width:100%;padding:.8rem;font-size:1rem;border-radius:6px;border:1px solid #ccc;background:#fff;margin:.25rem 0}
button.primary{background:#1677ff;border-color:#1677ff;color:#fff}
label{display:block;padding:.35rem 0}
.qr svg{width:180px;height:180px;display:block;margin:.5rem auto}
.error{color:#c00}.ok{color:#080}
</style></head>
<body><div class="banner">ExamPay 支付沙箱 Payment sandbox — 不会产生真实扣款 No real money</div>
<main>${body}</main></body></html>`;
}

/**
 * Parses `application/x-www-form-urlencoded` bodies into a flat string map (a repeated key keeps
 * its last value), in this plugin's scope only. Replaces a parser the host app may have
 * registered (e.g. @fastify/formbody) so the sandbox sees exactly what was sent.
 */
export function useFormBodies(app: FastifyInstance): void {
  const type = 'application/x-www-form-urlencoded';
  if (app.hasContentTypeParser(type)) app.removeContentTypeParser(type);
  app.addContentTypeParser(type, { parseAs: 'string' }, (_req, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
}

/** The query string of a raw URL as a flat string map, decoded the same way as form bodies. */
export function rawQuery(url: string | undefined): Record<string, string> {
  const i = url?.indexOf('?') ?? -1;
  return i < 0 ? {} : Object.fromEntries(new URLSearchParams(url!.slice(i + 1)));
}

/** What a cashier page says after an action (pay, fail, abandon). */
export interface CashierResult {
  kind: 'ok' | 'error' | 'info';
  title: string;
  detail?: string;
  /** Where the browser goes back to the merchant (sent there after 3 s). */
  returnUrl?: string | null;
  /** Offer to go back to this order's cashier page, with this label. */
  backToCashier?: boolean;
}

/** The result page every channel's cashier shows: the order summary, then the outcome card. */
export function renderCashierResult(summaryHtml: string, token: string, result: CashierResult, retryLabel: string): string {
  const cls = result.kind === 'ok' ? 'ok' : result.kind === 'error' ? 'error' : '';
  const back = result.returnUrl
    ? `<p><a href="${escapeHtml(result.returnUrl)}">返回商户 Back to the merchant</a>（3 秒后自动跳转 redirecting in 3 s）</p>` : '';
  const retry = result.backToCashier ? `<p><a href="../${escapeHtml(token)}">${retryLabel}</a></p>` : '';
  const body = `${summaryHtml}<div class="card ${cls}"><h2>${escapeHtml(result.title)}</h2>
${result.detail ? `<p>${escapeHtml(result.detail)}</p>` : ''}${back}${retry}</div>`;
  return htmlPage(result.title, body, result.returnUrl ? { refreshTo: result.returnUrl } : {});
}

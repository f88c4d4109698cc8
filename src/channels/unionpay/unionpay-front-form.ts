import type { ChannelAnswer } from '../channel.ts';
import { ORDER_ID, type AcpFields } from './unionpay-sign.ts';

/**
 * UnionPay's consume request is not a server call: the payer's browser must POST the signed
 * form to `frontTransReq.do` (the API page says POST; the SDK's `createAutoFormHtml` writes an
 * auto-submitting form). The adapter therefore returns as payUrl a link to ExamPay's own form
 * page, `{formPageUrl}?{signed fields}`, and that page — stateless, served by the HTTP layer with
 * `unionpayFrontFormPage` — re-emits the fields as an auto-submitting POST form to the gateway.
 * Nothing there is secret, and a changed field breaks UnionPay's signature check.
 */

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const HTML = 'text/html; charset=utf-8';

export function frontFormUrl(formPageUrl: string, fields: AcpFields): string {
  return `${formPageUrl}?${new URLSearchParams(fields).toString()}`;
}

/** An auto-submitting POST form (with a button for browsers without script). */
export function renderFrontForm(action: string, fields: AcpFields): string {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('\n');
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>正在跳转银联在线支付 Redirecting to UnionPay</title></head>
<body style="font-family:sans-serif;text-align:center;padding:2rem">
<form id="unionpay_front_form" action="${esc(action)}" method="post">
${inputs}
<p>正在跳转到银联在线支付… Redirecting to UnionPay…</p>
<button type="submit">继续 Continue</button>
</form>
<script>document.getElementById('unionpay_front_form').submit();</script>
</body></html>`;
}

/**
 * What the HTTP layer answers to `GET {formPageUrl}?...`: the auto-submitting page, for a signed
 * consume request of our own merchant only (so the page is no general-purpose relay), else 400.
 */
export function unionpayFrontFormPage(rawUrl: string, expect: { merId: string; frontTransUrl: string }): ChannelAnswer {
  const q = rawUrl.indexOf('?');
  const params = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
  const fields: AcpFields = {};
  for (const [k, v] of params) {
    if (Object.hasOwn(fields, k)) return refused('repeated field');
    fields[k] = v;
  }
  if (fields.merId !== expect.merId) return refused('merId');
  if (fields.txnType !== '01' || !ORDER_ID.test(fields.orderId ?? '')) return refused('not a consume request');
  if (!fields.signature || !fields.certId) return refused('unsigned');
  return { status: 200, contentType: HTML, body: renderFrontForm(expect.frontTransUrl, fields) };
}

function refused(why: string): ChannelAnswer {
  return {
    status: 400,
    contentType: HTML,
    body: `<!doctype html><meta charset="utf-8"><title>支付链接无效</title><p>支付链接无效 This payment link is not valid (${esc(why)}).</p>`,
  };
}

import QRCode from 'qrcode';
import { formatFen } from '../../shared/money.ts';
import { formatShanghai } from '../../shared/time.ts';
import type { SandboxOrder } from '../order-book.ts';
import { escapeHtml as e, htmlPage, renderCashierResult, type CashierResult } from '../sandbox-html.ts';
import { WECHATPAY_PAY_METHODS, type WechatpayMerchant, type WechatpayPayMethod } from './wechatpay-context.ts';

/** The sandbox's WeChat Pay payment page: what a payer sees after scanning the Native code_url. */

const GREEN = '<style>button.primary{background:#07c160;border-color:#07c160}.brand{color:#07c160;font-weight:600}</style>';

function summary(order: SandboxOrder, merchant: WechatpayMerchant): string {
  return `${GREEN}<div class="card">
<div class="muted"><span class="brand">微信支付 WeChat Pay</span> · ${e(merchant.name)}</div>
<div class="amount">${e(formatFen(order.amountFen))}</div>
<dl>
<dt>商品 Item</dt><dd>${e(order.subject)}</dd>
<dt>商户订单号 Bill no.</dt><dd>${e(order.billNo)}</dd>
<dt>收款方 Payee</dt><dd>${e(merchant.name)} (${e(merchant.mchid)})</dd>
<dt>有效期至 Pay before</dt><dd>${e(formatShanghai(order.expiresAt))}（北京时间 Beijing time）</dd>
</dl></div>`;
}

export async function renderCashier(order: SandboxOrder, merchant: WechatpayMerchant, pageUrl: string): Promise<string> {
  const head = summary(order, merchant);
  if (order.state === 'PAID') {
    return htmlPage('已支付 Paid', `${head}<div class="card ok"><h2>该订单已支付 Already paid</h2></div>`);
  }
  if (order.state === 'CLOSED') {
    const why = order.closeReason === 'EXPIRED' ? '已超时 expired' : '商户已关闭 closed by the merchant';
    return htmlPage('订单已关闭 Closed', `${head}<div class="card error"><h2>订单已关闭 Order closed</h2><p>${why}</p></div>`);
  }
  const qr = await QRCode.toString(pageUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  const methods = order.payMethods.map((m, i) => {
    const label = WECHATPAY_PAY_METHODS[m as WechatpayPayMethod];
    return `<label><input type="radio" name="pay_method" value="${e(m)}"${i === 0 ? ' checked' : ''}> ${e(label.zh)} ${e(label.en)}</label>`;
  }).join('\n');
  const token = e(order.token);
  const body = `${head}
<div class="card qr"><div class="muted">微信扫一扫 Scan with WeChat</div>${qr}</div>
<div class="card">
<form method="post" action="${token}/pay">
<div class="muted">付款方式 Pay with</div>
${methods}
<button class="primary" type="submit">支付 Pay ${e(formatFen(order.amountFen))}</button>
</form>
<form method="post" action="${token}/fail"><button type="submit">支付失败 Fail (模拟扣款失败 simulate a declined payment)</button></form>
<form method="post" action="${token}/abandon"><button type="submit">放弃 Abandon</button></form>
</div>`;
  return htmlPage(`微信支付 — ${order.billNo}`, body);
}

export const renderResult = (order: SandboxOrder, merchant: WechatpayMerchant, result: CashierResult): string =>
  renderCashierResult(summary(order, merchant), order.token, result, '返回支付页重试 Back to the payment page');

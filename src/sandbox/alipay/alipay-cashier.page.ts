import QRCode from 'qrcode';
import { formatFen } from '../../shared/money.ts';
import { formatShanghai } from '../../shared/time.ts';
import type { SandboxOrder } from '../order-book.ts';
import { escapeHtml as e, htmlPage, renderCashierResult, type CashierResult } from '../sandbox-html.ts';
import { ALIPAY_PAY_METHODS, type AlipayMerchant, type AlipayPayMethod } from './alipay-context.ts';

/** The sandbox's Alipay cashier (收银台): what a payer sees after scanning or being redirected. */

function summary(order: SandboxOrder, merchant: AlipayMerchant): string {
  return `<div class="card">
<div class="muted">支付宝 Alipay · ${e(merchant.name)}</div>
<div class="amount">${e(formatFen(order.amountFen))}</div>
<dl>
<dt>商品 Item</dt><dd>${e(order.subject)}</dd>
<dt>订单号 Bill no.</dt><dd>${e(order.billNo)}</dd>
<dt>收款方 Payee</dt><dd>${e(merchant.name)} (${e(merchant.sellerId)})</dd>
<dt>有效期至 Pay before</dt><dd>${e(formatShanghai(order.expiresAt))}（北京时间 Beijing time）</dd>
</dl></div>`;
}

export async function renderCashier(order: SandboxOrder, merchant: AlipayMerchant, pageUrl: string): Promise<string> {
  const head = summary(order, merchant);
  if (order.state === 'PAID') {
    return htmlPage('已支付 Paid', `${head}<div class="card ok"><h2>该订单已支付 Already paid</h2></div>`);
  }
  if (order.state === 'CLOSED') {
    const why = order.closeReason === 'EXPIRED' ? '已超时 expired' : '商户已关闭 closed by the merchant';
    return htmlPage('交易关闭 Closed', `${head}<div class="card error"><h2>交易已关闭 Trade closed</h2><p>${why}</p></div>`);
  }
  const qr = await QRCode.toString(pageUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  const methods = order.payMethods.map((m, i) => {
    const label = ALIPAY_PAY_METHODS[m as AlipayPayMethod];
    return `<label><input type="radio" name="pay_method" value="${e(m)}"${i === 0 ? ' checked' : ''}> ${e(label.zh)} ${e(label.en)}</label>`;
  }).join('\n');
  const limited = order.payMethods.length < Object.keys(ALIPAY_PAY_METHODS).length
    ? '<p class="muted">本订单限制了付款方式 This order limits the payment methods.</p>' : '';
  const token = e(order.token);
  const body = `${head}
<div class="card qr"><div class="muted">用手机扫码在手机上继续 Scan to continue on a phone</div>${qr}</div>
<div class="card">
<form method="post" action="${token}/pay">
<div class="muted">付款方式 Pay with</div>
${methods}${limited}
<button class="primary" type="submit">支付 Pay ${e(formatFen(order.amountFen))}</button>
</form>
<form method="post" action="${token}/fail"><button type="submit">支付失败 Fail (模拟扣款失败 simulate a declined payment)</button></form>
<form method="post" action="${token}/abandon"><button type="submit">放弃 Abandon</button></form>
</div>`;
  return htmlPage(`支付宝收银台 — ${order.billNo}`, body);
}

export const renderResult = (order: SandboxOrder, merchant: AlipayMerchant, result: CashierResult): string =>
  renderCashierResult(summary(order, merchant), order.token, result, '返回收银台重试 Back to the cashier');

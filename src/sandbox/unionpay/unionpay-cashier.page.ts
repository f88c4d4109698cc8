import { formatFen } from '../../shared/money.ts';
import { formatShanghai } from '../../shared/time.ts';
import type { SandboxOrder } from '../order-book.ts';
import { escapeHtml as e, htmlPage, renderCashierResult, type CashierResult } from '../sandbox-html.ts';
import { queryIdOf, UNIONPAY_BANKS, type UnionpayBank, type UnionpayMerchant } from './unionpay-context.ts';

/** The sandbox's UnionPay cashier: the bank picker (选择银行) and the result pages. */

function summary(order: SandboxOrder, merchant: UnionpayMerchant): string {
  return `<div class="card">
<div class="muted">银联在线支付 UnionPay online payment · ${e(merchant.name)}</div>
<div class="amount">${e(formatFen(order.amountFen))}</div>
<dl>
<dt>订单号 Order no.</dt><dd>${e(order.billNo)}</dd>
<dt>商户 Merchant</dt><dd>${e(merchant.name)} (${e(merchant.merId)})</dd>
<dt>支付时限 Pay before</dt><dd>${e(formatShanghai(order.expiresAt))}（北京时间 Beijing time）</dd>
</dl></div>`;
}

export function renderBankPicker(order: SandboxOrder, merchant: UnionpayMerchant): string {
  const head = summary(order, merchant);
  if (order.state === 'PAID') return htmlPage('已支付 Paid', `${head}<div class="card ok"><h2>该订单已支付 Already paid</h2></div>`);
  if (order.state === 'CLOSED') {
    return htmlPage('订单已超时 Expired', `${head}<div class="card error"><h2>订单已超时 The order has expired</h2><p>已超过支付时限 payTimeout has passed.</p></div>`);
  }
  const banks = order.payMethods.map((code, i) =>
    `<label><input type="radio" name="bank" value="${e(code)}"${i === 0 ? ' checked' : ''}> ${e(UNIONPAY_BANKS[code as UnionpayBank])} <span class="muted">${e(code)}</span></label>`).join('\n');
  const token = e(order.token);
  return htmlPage(`银联在线支付 — ${order.billNo}`, `${head}
<div class="card">
<form method="post" action="${token}/pay">
<div class="muted">选择银行 Choose your bank（网上银行 online banking）</div>
${banks}
<button class="primary" type="submit">支付 Pay ${e(formatFen(order.amountFen))}</button>
</form>
<form method="post" action="${token}/fail"><button type="submit">支付失败 Fail (模拟银行拒绝 simulate a declined payment)</button></form>
<form method="post" action="${token}/abandon"><button type="submit">放弃 Abandon</button></form>
</div>`);
}

export const renderOutcome = (order: SandboxOrder, merchant: UnionpayMerchant, result: CashierResult): string =>
  renderCashierResult(summary(order, merchant), order.token, result, '返回重新选择银行 Back to the bank list');

export const paidDetail = (order: SandboxOrder): string =>
  order.captures.map((c) => `${UNIONPAY_BANKS[c.payMethod as UnionpayBank] ?? c.payMethod} · 查询流水号 queryId ${queryIdOf(c.captureNo)}`).join('; ');

/** The gateway's answer to a front request it refuses (the browser sees UnionPay's error page). */
export function renderGatewayError(respCode: string, respMsg: string): string {
  return htmlPage('银联在线支付 — 错误 Error', `<div class="card"><h2 class="error">交易请求出错 Payment request error</h2>
<dl><dt>respCode</dt><dd>${e(respCode)}</dd><dt>respMsg</dt><dd>${e(respMsg)}</dd></dl></div>`);
}

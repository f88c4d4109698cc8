import type { FastifyInstance } from 'fastify';
import QRCode from 'qrcode';
import { formatFen } from '../../shared/money.ts';
import { formatShanghai } from '../../shared/time.ts';
import { registerCashierRoutes } from '../cashier.routes.ts';
import type { SandboxOrder } from '../order-book.ts';
import { escapeHtml as e, htmlPage, renderCashierResult, type CashierResult } from '../sandbox-html.ts';
import { cashierUrl, GENERIC_PAY_METHODS, type GenericContext, type GenericPayMethod, type GenericSandboxMerchant } from './generic-context.ts';

/**
 * `GET {base}/{code}/cashier/:token`: the provider's QR cashier. Opening it is the payer's scan.
 * Bank-card-only orders show the wallet balances greyed out with the platform's own words, and
 * the core refuses them if posted anyway (seed 001). A closed order says "订单已关闭，无法支付" and
 * "二维码失效", as seed 001's platform does after its 30 minutes.
 */
const CLOSED_WORDS = '订单已关闭，无法支付（二维码失效） The order is closed and can no longer be paid (the QR code has expired)';
const BANK_CARD_ONLY_NOTE = '不支持“微信零钱、支付宝余额”支付，必须绑定银行卡 Wallet balances are not accepted: pay with a bank card';

function summary(ctx: GenericContext, order: SandboxOrder, merchant: GenericSandboxMerchant): string {
  return `<div class="card">
<div class="muted">${e(ctx.profile.name.zh)} ${e(ctx.profile.name.en)} · ${e(merchant.name)}</div>
<div class="amount">${e(formatFen(order.amountFen))}</div>
<dl>
<dt>缴费项目 Item</dt><dd>${e(order.subject)}</dd>
<dt>订单号 Order no.</dt><dd>${e(order.billNo)}</dd>
<dt>收款单位 Payee</dt><dd>${e(merchant.name)} (${e(merchant.merchantId)})</dd>
<dt>支付时限 Pay before</dt><dd>${e(formatShanghai(order.expiresAt))}（北京时间 Beijing time）</dd>
</dl></div>`;
}

async function page(ctx: GenericContext, order: SandboxOrder, merchant: GenericSandboxMerchant): Promise<string> {
  const head = summary(ctx, order, merchant);
  if (order.state === 'PAID') return htmlPage('已支付 Paid', `${head}<div class="card ok"><h2>该订单已支付 Already paid</h2></div>`);
  if (order.state === 'CLOSED') return htmlPage('订单已关闭 Closed', `${head}<div class="card error"><h2>${e(CLOSED_WORDS)}</h2></div>`);
  const qr = await QRCode.toString(cashierUrl(ctx, order), { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  const offered = new Set(order.payMethods);
  const methods = (Object.keys(GENERIC_PAY_METHODS) as GenericPayMethod[]).map((m) => {
    const label = GENERIC_PAY_METHODS[m];
    const on = offered.has(m);
    return `<label class="${on ? '' : 'muted'}"><input type="radio" name="pay_method" value="${e(m)}"${on ? '' : ' disabled'}${m === order.payMethods[0] ? ' checked' : ''}> ${e(label.zh)} ${e(label.en)}</label>`;
  }).join('\n');
  const note = order.payMethods.every((m) => GENERIC_PAY_METHODS[m as GenericPayMethod]?.bankCard) ? `<p class="muted">${e(BANK_CARD_ONLY_NOTE)}</p>` : '';
  const token = e(order.token);
  return htmlPage(`${ctx.profile.name.zh} — ${order.billNo}`, `${head}
<div class="card qr"><div class="muted">请使用手机扫码支付 Scan to pay</div>${qr}</div>
<div class="card">
<form method="post" action="${token}/pay">
<div class="muted">选择支付渠道 Pay with</div>
${methods}
${note}
<button class="primary" type="submit">确认支付 Pay ${e(formatFen(order.amountFen))}</button>
</form>
<form method="post" action="${token}/fail"><button type="submit">支付失败 Fail (模拟银行卡扣款失败 simulate a declined card)</button></form>
<form method="post" action="${token}/abandon"><button type="submit">放弃 Abandon</button></form>
</div>`);
}

export function registerGenericCashier(app: FastifyInstance, ctx: GenericContext): void {
  registerCashierRoutes(app, {
    channel: ctx.profile.code, core: ctx.core, merchantOf: (order) => ctx.merchants.get(order.merchantId), openOnView: true, payMethodField: 'pay_method',
    page: (order, merchant) => page(ctx, order, merchant),
    result: (order, merchant, result: CashierResult) => renderCashierResult(
      summary(ctx, order, merchant), order.token,
      order.state === 'CLOSED' && result.kind === 'error' ? { ...result, detail: CLOSED_WORDS } : result,
      '返回支付页 Back to the payment page'),
    paidDetail: (outcome) => `交易流水号 Trade no.: ${outcome.captures.map((c) => `${c.captureNo} (${GENERIC_PAY_METHODS[c.payMethod as GenericPayMethod]?.zh ?? c.payMethod})`).join(', ')}`,
    words: {
      notFound: '二维码无效 This code is not valid', declined: '银行卡扣款失败，未扣款 The card was declined; nothing was charged.',
      closed: CLOSED_WORDS, stillPayable: '订单在支付时限内仍可支付 It can still be paid until it expires.',
    },
  });
}

import { createHash, randomBytes } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { TRADE_BILL_ALL_COLUMNS, TRADE_BILL_SUMMARY_COLUMNS } from '../../channels/wechatpay/wechatpay-bill.ts';
import { HOUR } from '../../shared/clock.ts';
import type { Fen } from '../../shared/money.ts';
import { formatShanghai, parseShanghai, shanghaiDateCompact } from '../../shared/time.ts';
import {
  answer, bankTypeOf, merchantOrders, openidOf, wxError,
  type WechatpayContext, type WechatpayMerchant, type WxResponse,
} from './wechatpay-context.ts';

/**
 * `GET /v3/bill/tradebill` and the file behind its `download_url` (statements.md, WeChat). The bill
 * of Beijing day D is ready from 10:00 on D+1 (generated from 09:00; "fetch after 10:00"); before
 * that STATEMENT_CREATING, a day without trades NO_STATEMENT_EXIST. Payments are dated by their
 * success time, refunds by theirs. The sandbox charges a 0.6 % fee, rounded to the fen, given back
 * pro rata on refunds. Every bill type uses the ALL layout here (real SUCCESS/REFUND bills have
 * fewer columns — parsers map by header name).
 */
const FEE_RATE = '0.60%';
const fee = (fen: Fen): Fen => (fen * 6n + 500n) / 1000n;
const DAY_MS = 24 * HOUR;
const BILL_TYPES = ['ALL', 'SUCCESS', 'REFUND'];

function yuan(fen: Fen): string {
  const abs = fen < 0n ? -fen : fen;
  const s = abs.toString().padStart(3, '0');
  return `${fen < 0n ? '-' : ''}${s.slice(0, -2)}.${s.slice(-2)}`;
}

interface Line { at: Date; cells: Record<string, string>; settlement: Fen; refund: Fen; fee: Fen; order: Fen }

function billLines(ctx: WechatpayContext, mchid: string, day: string, type: string): Line[] {
  const lines: Line[] = [];
  const onDay = (d: Date): boolean => shanghaiDateCompact(d) === day.replaceAll('-', '');
  for (const order of merchantOrders(ctx, mchid)) {
    for (const c of order.captures) {
      const common = {
        公众账号ID: order.extra.appid ?? '', 商户号: mchid, 特约商户号: '0', 设备号: '', 微信订单号: c.captureNo,
        商户订单号: order.billNo, 用户标识: openidOf(c.buyerId), 交易类型: 'NATIVE', 付款银行: bankTypeOf(c.payMethod),
        货币种类: 'CNY', 代金券金额: '0.00', 充值券退款金额: '0.00', 商品名称: order.subject.replace(/[\r\n]+/g, ' '),
        商户数据包: order.extra.attach ?? '', 费率: FEE_RATE, 费率备注: '',
      };
      if (type !== 'REFUND' && onDay(c.capturedAt)) {
        const f = fee(c.amountFen);
        lines.push({
          at: c.capturedAt, settlement: c.amountFen, refund: 0n, fee: f, order: c.amountFen,
          cells: {
            ...common, 交易时间: formatShanghai(c.capturedAt), 交易状态: 'SUCCESS', 应结订单金额: yuan(c.amountFen),
            微信退款单号: '0', 商户退款单号: '0', 退款金额: '0.00', 退款类型: '', 退款状态: '', 手续费: yuan(f),
            订单金额: yuan(c.amountFen), 申请退款金额: '0.00',
          },
        });
      }
      for (const r of type === 'SUCCESS' ? [] : c.refunds.filter((x) => onDay(x.refundedAt))) {
        const f = -fee(r.amountFen);
        lines.push({
          at: r.refundedAt, settlement: 0n, refund: r.amountFen, fee: f, order: 0n,
          cells: {
            ...common, 交易时间: formatShanghai(r.refundedAt), 交易状态: 'REFUND', 应结订单金额: '0.00',
            微信退款单号: ctx.refundId(r), 商户退款单号: r.refundNo, 退款金额: yuan(r.amountFen), 退款类型: 'ORIGINAL',
            退款状态: 'SUCCESS', 手续费: yuan(f), 订单金额: '0.00', 申请退款金额: yuan(r.amountFen),
          },
        });
      }
    }
  }
  return lines.sort((a, b) => a.at.getTime() - b.at.getTime());
}

/** Header rows plain; detail and summary values each behind a backtick; CRLF; a leading BOM (reported). */
export function renderTradeBill(lines: Line[]): string {
  const sum = (pick: (l: Line) => Fen): Fen => lines.reduce((s, l) => s + pick(l), 0n);
  const tick = (values: string[]): string => values.map((v) => `\`${v}`).join(',');
  const summary = [
    String(lines.length), yuan(sum((l) => l.settlement)), yuan(sum((l) => l.refund)), '0.00',
    yuan(sum((l) => l.fee)), yuan(sum((l) => l.order)), yuan(sum((l) => l.refund)),
  ];
  return `\uFEFF${[
    TRADE_BILL_ALL_COLUMNS.join(','),
    ...lines.map((l) => tick(TRADE_BILL_ALL_COLUMNS.map((c) => l.cells[c] ?? ''))),
    TRADE_BILL_SUMMARY_COLUMNS.join(','),
    tick(summary),
  ].join('\r\n')}\r\n`;
}

export function tradeBill(ctx: WechatpayContext, merchant: WechatpayMerchant, q: Record<string, string>): WxResponse {
  const queryError = (field: string, issue: string): WxResponse =>
    wxError(400, 'PARAM_ERROR', `参数错误 ${field}: ${issue}`, { field, issue, location: 'query' });
  const date = q.bill_date ?? '';
  const type = q.bill_type ?? 'ALL';
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return queryError('bill_date', '格式须为 yyyy-MM-DD');
  if (!BILL_TYPES.includes(type)) return queryError('bill_type', '须为 ALL、SUCCESS 或 REFUND');
  if (q.tar_type !== undefined && q.tar_type !== 'GZIP') return queryError('tar_type', '仅支持 GZIP');
  let dayStart: Date;
  try {
    dayStart = parseShanghai(`${date} 00:00:00`);
  } catch {
    return queryError('bill_date', '格式须为 yyyy-MM-DD');
  }
  const now = ctx.core.clock.now().getTime();
  if (now < dayStart.getTime() + DAY_MS) return queryError('bill_date', '不能申请当日或未来的账单');
  if (now - dayStart.getTime() > 92 * DAY_MS) return queryError('bill_date', '仅支持三个月内的账单');
  if (now < dayStart.getTime() + DAY_MS + 10 * HOUR) return wxError(400, 'STATEMENT_CREATING', '账单生成中，请稍后再试');
  const lines = billLines(ctx, merchant.mchid, date, type);
  if (lines.length === 0) return wxError(400, 'NO_STATEMENT_EXIST', '该日期无账单');
  const text = Buffer.from(renderTradeBill(lines), 'utf8');
  const token = randomBytes(24).toString('base64url');
  ctx.bills.set(token, { mchid: merchant.mchid, file: q.tar_type === 'GZIP' ? gzipSync(text) : text });
  return answer({
    hash_type: 'SHA1',
    // Over the (decompressed) file, as the official Java sample checks it.
    hash_value: createHash('sha1').update(text).digest('hex'),
    download_url: `${ctx.baseUrl()}/wechatpay/v3/billdownload/file?token=${token}`,
  });
}

/** The file (unsigned, as WeChat Pay sends it), or a signed error. */
export function billFile(ctx: WechatpayContext, merchant: WechatpayMerchant, q: Record<string, string>): Buffer | WxResponse {
  const bill = q.token ? ctx.bills.get(q.token) : undefined;
  if (!bill || bill.mchid !== merchant.mchid) return wxError(404, 'RESOURCE_NOT_EXISTS', '账单文件不存在或下载链接已失效');
  return bill.file;
}

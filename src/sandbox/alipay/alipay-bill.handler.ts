import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { ALIPAY_DETAIL_COLUMNS, ALIPAY_SUMMARY_COLUMNS, DETAIL_TITLE, SUMMARY_TITLE } from '../../channels/alipay/alipay-statement.ts';
import { encodeGbk } from '../../channels/statement-files.ts';
import { addDays, atBeijing, beijingDayOf, isBeijingDay } from '../../shared/beijing-day.ts';
import type { Fen } from '../../shared/money.ts';
import { formatShanghai } from '../../shared/time.ts';
import { writeZip } from '../zip-writer.ts';
import { businessError, maskedBuyerLogon, success, type AlipayContext, type AlipayMerchant, type AlipayResponse } from './alipay-context.ts';
import { str, type Biz } from './alipay-create.handler.ts';

/**
 * `alipay.data.dataservice.bill.downloadurl.query` (bill_type trade) and the file behind its
 * `bill_download_url` (statements.md, Alipay), made from the sandbox's own books. The bill of
 * Beijing day D exists from 09:00 on D+1; before that, and for a day without trades,
 * BILL_NOT_EXIST. The URL works for 30 s. The file: a zip of two GBK CSV files, details and
 * summary, named `<account>_<yyyyMMdd>_业务明细.csv` / `…_业务明细(汇总).csv` in GBK without the
 * zip's UTF-8 flag; the account is the seller id + `0156` (as in published bills).
 */
const URL_LIFETIME_MS = 30_000;
const READY_HOUR = 9;

interface StoredBill { appId: string; zip: Buffer; expiresAt: number }
const stores = new WeakMap<AlipayContext, Map<string, StoredBill>>();
const storeOf = (ctx: AlipayContext): Map<string, StoredBill> => {
  let s = stores.get(ctx);
  if (!s) stores.set(ctx, (s = new Map()));
  return s;
};

const yuan = (fen: Fen): string => {
  const abs = fen < 0n ? -fen : fen;
  const t = abs.toString().padStart(3, '0');
  return `${fen < 0n ? '-' : ''}${t.slice(0, -2)}.${t.slice(-2)}`;
};
/** Identifiers carry a trailing tab in Alipay's files, so spreadsheets keep them as text. */
const text = (v: string): string => `${v}\t`;
/** RFC 4180 quoting for a value with a comma or quote (a subject may have either). */
const csv = (v: string): string => (/[",\r\n]/.test(v) ? `"${v.replaceAll('"', '""')}"` : v);
const cnTime = (d: Date): string => {
  const t = formatShanghai(d);
  return `${t.slice(0, 4)}年${t.slice(5, 7)}月${t.slice(8, 10)}日 ${t.slice(11)}`;
};

interface Row { at: Date; cells: Record<string, string>; amount: Fen; refund: boolean }

function billRows(ctx: AlipayContext, merchant: AlipayMerchant, day: string): Row[] {
  const rows: Row[] = [];
  for (const order of ctx.core.book.all()) {
    if (order.channel !== 'alipay' || order.merchantId !== merchant.appId) continue;
    for (const c of order.captures) {
      const common = {
        支付宝交易号: text(c.captureNo), 商户订单号: text(order.billNo), 商品名称: csv(order.subject.replace(/[\r\n]+/g, ' ')),
        创建时间: formatShanghai(order.openedAt ?? order.createdAt), 门店编号: text(''), 门店名称: text(''), 操作员: text(''),
        终端号: text(''), 对方账户: text(maskedBuyerLogon(c.buyerId)), '支付宝红包（元）': '0.00', '集分宝（元）': '0.00',
        '支付宝优惠（元）': '0.00', '商家优惠（元）': '0.00', '券核销金额（元）': '0.00', 券名称: '', '商家红包消费金额（元）': text('0.00'),
        '卡消费金额（元）': '0.00', '服务费（元）': '0.00', '分润（元）': '0.00', 备注: '',
      };
      if (beijingDayOf(c.capturedAt) === day) {
        rows.push({
          at: c.capturedAt, amount: c.amountFen, refund: false,
          cells: { ...common, 业务类型: text('交易'), 完成时间: formatShanghai(c.capturedAt), '订单金额（元）': yuan(c.amountFen), '商家实收（元）': yuan(c.amountFen), '退款批次号/请求号': text('') },
        });
      }
      for (const r of c.refunds.filter((x) => beijingDayOf(x.refundedAt) === day)) {
        rows.push({
          at: r.refundedAt, amount: -r.amountFen, refund: true,
          cells: { ...common, 业务类型: text('退款'), 完成时间: formatShanghai(r.refundedAt), '订单金额（元）': yuan(-r.amountFen), '商家实收（元）': yuan(-r.amountFen), '退款批次号/请求号': text(r.refundNo) },
        });
      }
    }
  }
  return rows.sort((a, b) => a.at.getTime() - b.at.getTime());
}

export function renderAlipayBill(account: string, day: string, rows: Row[], exportedAt: Date): { detail: string; summary: string } {
  const sum = (xs: Row[]): Fen => xs.reduce((s, r) => s + r.amount, 0n);
  const trades = rows.filter((r) => !r.refund);
  const refunds = rows.filter((r) => r.refund);
  const period = `#起始日期：[${cnTime(atBeijing(day, 0)).replace(/ .*/, '')} 00:00:00]   终止日期：[${cnTime(atBeijing(addDays(day, 1), 0)).replace(/ .*/, '')} 00:00:00]`;
  // The markers as in published bills: 41 dashes before the title, 40 after (36 / 37 on the end lines).
  const dash = '-'.repeat(41);
  const dashAfter = '-'.repeat(40);
  const detail = [
    DETAIL_TITLE, `#账号：[${account}]`, period, `#${dash}业务明细列表${dashAfter}`, ALIPAY_DETAIL_COLUMNS.join(','),
    ...rows.map((r) => ALIPAY_DETAIL_COLUMNS.map((c) => r.cells[c] ?? '').join(',')),
    `#${dash}业务明细列表结束${'-'.repeat(36)}`,
    `#交易合计：${trades.length}笔，商家实收共${yuan(sum(trades))}元，商家优惠共0.00元`,
    `#退款合计：${refunds.length}笔，商家实收退款共${yuan(sum(refunds))}元，商家优惠退款共0.00元`,
    `#导出时间：[${cnTime(exportedAt)}]`,
  ].join('\r\n');
  const total = yuan(sum(rows));
  const summary = [
    SUMMARY_TITLE, `#账号：[${account}]`, period, `#${dash}业务汇总列表${dashAfter}`, ALIPAY_SUMMARY_COLUMNS.join(','),
    ['合计', '', String(trades.length), String(refunds.length), total, total, '0.00', '0.00', '0.00', '0.00', '0.00', total].join(','),
    `#${'-'.repeat(40)}业务汇总列表结束${'-'.repeat(37)}`,
    `#导出时间：[${cnTime(exportedAt)}]`,
  ].join('\r\n');
  return { detail: `${detail}\r\n`, summary: `${summary}\r\n` };
}

export function billDownloadUrlQuery(ctx: AlipayContext, merchant: AlipayMerchant, biz: Biz): AlipayResponse {
  const type = str(biz.bill_type);
  const day = str(biz.bill_date) ?? '';
  if (type !== 'trade') return businessError('isv.invalid-arguments', `参数无效 bill_type ${type ?? '(none)'}: the sandbox has trade bills only`);
  if (!isBeijingDay(day)) return businessError('isv.invalid-arguments', `参数无效 bill_date ${day}: yyyy-MM-dd`);
  const now = ctx.core.clock.now();
  const notExist = (): AlipayResponse => businessError('isp.bill_not_exist', '账单不存在');
  if (now < atBeijing(addDays(day, 1), READY_HOUR)) return notExist();
  const rows = billRows(ctx, merchant, day);
  if (rows.length === 0) return notExist();
  const account = `${merchant.sellerId}0156`;
  const { detail, summary } = renderAlipayBill(account, day, rows, atBeijing(addDays(day, 1), 5, 46));
  const base = `${account}_${day.replaceAll('-', '')}`;
  const zip = writeZip([
    { name: encodeGbk(`${base}_业务明细.csv`), data: encodeGbk(detail), modifiedAt: now },
    { name: encodeGbk(`${base}_业务明细(汇总).csv`), data: encodeGbk(summary), modifiedAt: now },
  ]);
  const token = randomBytes(18).toString('base64url');
  storeOf(ctx).set(token, { appId: merchant.appId, zip, expiresAt: now.getTime() + URL_LIFETIME_MS });
  return success({ bill_download_url: `${ctx.baseUrl()}/alipay/billdownload?fileId=${token}&downloadFileName=${encodeURIComponent(`${base}.csv.zip`)}` });
}

/** The URL behind `bill_download_url`: a plain GET, no signature, gone after 30 s. */
export function registerAlipayBillDownload(app: FastifyInstance, ctx: AlipayContext): void {
  app.get('/alipay/billdownload', async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const bill = q.fileId ? storeOf(ctx).get(q.fileId) : undefined;
    if (!bill || ctx.core.clock.now().getTime() > bill.expiresAt) {
      return reply.code(404).type('text/plain; charset=utf-8').send('下载链接已失效 download link expired');
    }
    return reply.type('application/octet-stream').header('content-disposition', 'attachment').send(bill.zip);
  });
}

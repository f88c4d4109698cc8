import { parseShanghai } from '../../shared/time.ts';
import type { StatementLine } from '../channel.ts';
import { decodeGbk, signedYuanToFen, unzipFiles } from '../statement-files.ts';

/**
 * Alipay's daily trade bill (业务明细, statements.md): a zip holding two GBK CSV files, the
 * details (`…_业务明细.csv`) and the summary (`…_业务明细(汇总).csv`). The details file:
 * `#支付宝业务明细查询`, `#账号：[…]`, `#起始日期：[…]   终止日期：[…]`, a `#---业务明细列表---` marker,
 * the header row, data rows, a `#---业务明细列表结束---` marker and `#交易合计…`, `#退款合计…`,
 * `#导出时间…` lines. Values may carry a trailing tab (so spreadsheets keep long numbers as
 * text): trimmed. Refund rows (业务类型 退款) show negative amounts.
 */
export const ALIPAY_DETAIL_COLUMNS = [
  '支付宝交易号', '商户订单号', '业务类型', '商品名称', '创建时间', '完成时间', '门店编号', '门店名称', '操作员', '终端号',
  '对方账户', '订单金额（元）', '商家实收（元）', '支付宝红包（元）', '集分宝（元）', '支付宝优惠（元）', '商家优惠（元）',
  '券核销金额（元）', '券名称', '商家红包消费金额（元）', '卡消费金额（元）', '退款批次号/请求号', '服务费（元）', '分润（元）', '备注',
] as const;

export const ALIPAY_SUMMARY_COLUMNS = [
  '门店编号', '门店名称', '交易订单总笔数', '退款订单总笔数', '订单金额（元）', '商家实收（元）', '支付宝优惠（元）', '商家优惠（元）',
  '卡消费金额（元）', '服务费（元）', '分润（元）', '实收净额（元）',
] as const;

export const DETAIL_TITLE = '#支付宝业务明细查询';
export const SUMMARY_TITLE = '#支付宝业务汇总查询';

export interface ParsedAlipayBill {
  account: string | null;
  /** Detail rows by column name, trimmed. */
  rows: Array<Record<string, string>>;
  /** The `#…` lines after the list: 交易合计, 退款合计, 导出时间. */
  footer: string[];
}

/**
 * One CSV record. Quoted values (RFC 4180) are honoured; an unquoted 商品名称 containing commas
 * is put back together from the fixed number of columns on either side of it.
 */
function cells(line: string, width: number): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') { cur += '"'; i++; } else if (c === '"') quoted = false; else cur += c;
    } else if (c === '"' && cur.trim() === '') {
      quoted = true;
      cur = '';
    } else if (c === ',') {
      out.push(cur);
      cur = '';
    } else {
      cur += c;
    }
  }
  out.push(cur);
  if (out.length > width) {
    const name = ALIPAY_DETAIL_COLUMNS.indexOf('商品名称');
    const extra = out.length - width;
    out.splice(name, extra + 1, out.slice(name, name + extra + 1).join(','));
  }
  return out.map((v) => v.trim());
}

export function parseAlipayDetail(text: string): ParsedAlipayBill {
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  if (lines[0]?.trim() !== DETAIL_TITLE) throw new Error(`not an Alipay detail bill: ${JSON.stringify(lines[0]?.slice(0, 40))}`);
  const account = /#账号：\[(\d+)\]/.exec(lines[1] ?? '')?.[1] ?? null;
  const start = lines.findIndex((l) => /^#-+业务明细列表-+$/.test(l.trim()));
  const end = lines.findIndex((l) => /^#-+业务明细列表结束-+$/.test(l.trim()));
  if (start < 0 || end < start + 1) throw new Error('Alipay bill without its detail list markers');
  const header = cells(lines[start + 1]!, Number.MAX_SAFE_INTEGER);
  const rows = lines.slice(start + 2, end).filter((l) => l.trim() !== '').map((l) => {
    const values = cells(l, header.length);
    if (values.length !== header.length) throw new Error(`expected ${header.length} values, got ${values.length}: ${l.slice(0, 80)}`);
    return Object.fromEntries(header.map((h, i) => [h, values[i]!]));
  });
  return { account, rows, footer: lines.slice(end + 1).filter((l) => l.startsWith('#')).map((l) => l.trim()) };
}

/** The detail file of a downloaded bill zip, recognised by its first line (names are GBK). */
export function detailFileOf(zip: Uint8Array): string {
  for (const file of unzipFiles(zip)) {
    const text = decodeGbk(file.data);
    if (text.replace(/^\uFEFF/, '').startsWith(DETAIL_TITLE)) return text;
  }
  throw new Error('the bill zip holds no 业务明细 file');
}

/**
 * Detail rows → statement lines. 交易 rows are payments, 退款 rows refunds (their
 * 退款批次号/请求号 is our refund number, `out_request_no`). 订单金额（元） is the amount; 完成时间
 * is when Alipay booked it.
 */
export function alipayStatementLines(bill: ParsedAlipayBill): StatementLine[] {
  return bill.rows.map((row) => {
    const type = row['业务类型'];
    const amount = signedYuanToFen(row['订单金额（元）'] ?? '');
    const at = parseShanghai(row['完成时间'] ?? '');
    const common = { billNo: row['商户订单号'] ?? '', channelTradeNo: row['支付宝交易号'] ?? '', amountFen: amount < 0n ? -amount : amount, at };
    if (type === '交易') return { kind: 'PAYMENT' as const, ...common };
    if (type === '退款') {
      const refundNo = row['退款批次号/请求号'];
      return { kind: 'REFUND' as const, ...common, ...(refundNo ? { refundNo } : {}) };
    }
    throw new Error(`unknown 业务类型 ${JSON.stringify(type)} for ${common.channelTradeNo}`);
  });
}

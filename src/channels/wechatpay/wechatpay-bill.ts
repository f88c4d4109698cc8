import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import type { Fen } from '../../shared/money.ts';
import type { WechatpayClient } from './wechatpay-client.ts';

/**
 * The APIv3 daily trade bill (statements.md, wechatpay-v3.md §7): `GET /v3/bill/tradebill` gives
 * a `download_url` and a SHA1; a signed GET of that URL gives the file (gzip when asked), unsigned.
 * The file: a header row, detail rows, a summary header and one summary row, comma-separated,
 * CRLF; every detail and summary value carries a leading backtick (so spreadsheets keep long
 * numbers as text). Columns differ by bill type and over the years: read them by header name.
 */
export type TradeBillType = 'ALL' | 'SUCCESS' | 'REFUND';

/** The ALL bill's 27 detail columns, in the documented order. */
export const TRADE_BILL_ALL_COLUMNS = [
  '交易时间', '公众账号ID', '商户号', '特约商户号', '设备号', '微信订单号', '商户订单号', '用户标识', '交易类型', '交易状态',
  '付款银行', '货币种类', '应结订单金额', '代金券金额', '微信退款单号', '商户退款单号', '退款金额', '充值券退款金额', '退款类型',
  '退款状态', '商品名称', '商户数据包', '手续费', '费率', '订单金额', '申请退款金额', '费率备注',
] as const;

export const TRADE_BILL_SUMMARY_COLUMNS = [
  '总交易单数', '应结订单总金额', '退款总金额', '充值券退款总金额', '手续费总金额', '订单总金额', '申请退款总金额',
] as const;

export interface ParsedTradeBill {
  columns: string[];
  /** Detail rows by column name, backticks removed. */
  rows: Array<Record<string, string>>;
  summary: Record<string, string>;
}

/** The values of one data line: the line starts with a backtick and values are joined by ",`",
 *  so a comma inside a value (商品名称 may have one) does not split it. */
function values(line: string): string[] {
  return line.startsWith('`') ? line.slice(1).split(',`') : line.split(',');
}

export function parseTradeBill(text: string): ParsedTradeBill {
  // A byte-order mark before the first header has been reported; it is not part of the name.
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim() !== '');
  const header = lines[0];
  if (header === undefined) throw new Error('empty trade bill');
  const columns = header.split(',').map((c) => c.trim());
  const summaryAt = lines.findIndex((l) => l.startsWith(TRADE_BILL_SUMMARY_COLUMNS[0]));
  if (summaryAt < 1 || summaryAt + 1 >= lines.length) throw new Error('trade bill without its summary');
  const record = (names: string[], line: string): Record<string, string> => {
    const cells = values(line);
    if (cells.length !== names.length) throw new Error(`expected ${names.length} values, got ${cells.length}: ${line.slice(0, 80)}`);
    return Object.fromEntries(names.map((n, i) => [n, cells[i]!.trim()]));
  };
  const summaryColumns = lines[summaryAt]!.split(',').map((c) => c.trim());
  return {
    columns,
    rows: lines.slice(1, summaryAt).map((l) => record(columns, l)),
    summary: record(summaryColumns, lines[summaryAt + 1]!),
  };
}

/** "88.80" / "-0.53" yuan → fen, decimal only (refund rows carry negative fees). */
export function billYuanToFen(yuan: string): Fen {
  const m = /^(-)?(\d{1,13})\.(\d{2})$/.exec(yuan);
  if (!m) throw new RangeError(`not a bill amount: ${JSON.stringify(yuan)}`);
  const fen = BigInt(m[2]!) * 100n + BigInt(m[3]!);
  return m[1] ? -fen : fen;
}

export type TradeBillResult =
  | { ok: true; bill: ParsedTradeBill; text: string }
  /** NOT_READY: STATEMENT_CREATING, retry in 30 min; NO_STATEMENT: no trades that day, do not retry. */
  | { ok: false; code: 'NOT_READY' | 'NO_STATEMENT' | 'REJECTED' | 'UNKNOWN'; message: string };

export async function fetchTradeBill(
  client: WechatpayClient, input: { billDate: string; billType?: TradeBillType },
): Promise<TradeBillResult> {
  const query = new URLSearchParams({ bill_date: input.billDate, bill_type: input.billType ?? 'ALL', tar_type: 'GZIP' });
  const a = await client.request('GET', `/v3/bill/tradebill?${query}`);
  if (a.kind === 'unknown') return { ok: false, code: 'UNKNOWN', message: a.reason };
  if (a.kind === 'error') {
    const message = `tradebill: HTTP ${a.status} ${a.code} ${a.message}`;
    if (a.code === 'STATEMENT_CREATING') return { ok: false, code: 'NOT_READY', message };
    if (a.code === 'NO_STATEMENT_EXIST') return { ok: false, code: 'NO_STATEMENT', message };
    return { ok: false, code: a.status >= 500 ? 'UNKNOWN' : 'REJECTED', message };
  }
  const url = a.data.download_url;
  const hash = a.data.hash_value;
  if (typeof url !== 'string' || typeof hash !== 'string' || a.data.hash_type !== 'SHA1') {
    return { ok: false, code: 'UNKNOWN', message: 'tradebill answer without download_url or SHA1 hash' };
  }
  const file = await client.download(url);
  if (!file.ok) return { ok: false, code: 'UNKNOWN', message: file.reason };
  let bytes: Buffer;
  try {
    bytes = gunzipSync(file.body);
  } catch {
    return { ok: false, code: 'UNKNOWN', message: 'bill file is not gzip' };
  }
  // The hash is taken over the decompressed file (as the official Java sample checks it).
  const digest = createHash('sha1').update(bytes).digest('hex');
  if (digest !== hash.toLowerCase()) return { ok: false, code: 'UNKNOWN', message: `bill file SHA1 ${digest} ≠ ${hash}` };
  const text = bytes.toString('utf8');
  try {
    return { ok: true, bill: parseTradeBill(text), text };
  } catch (err) {
    return { ok: false, code: 'UNKNOWN', message: (err as Error).message };
  }
}

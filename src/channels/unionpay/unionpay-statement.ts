import { inflateSync } from 'node:zlib';
import type { StatementLine } from '../channel.ts';
import { decodeGbk, unzipFiles } from '../statement-files.ts';
import { fromTraceTime } from './unionpay-sign.ts';

/**
 * UnionPay's merchant reconciliation file (对账文件, unionpay.md §8, statements.md). The
 * file-transfer answer's `fileContent` is base64 of a zlib-deflated zip (the official SDK inflates
 * with `new Inflater(false)`, i.e. with the zlib header); the zip holds `INN<yyMMdd>88ZM_<merId>`
 * (general transaction detail) and `INN<yyMMdd>88ZME_<merId>` (errors and adjustments).
 *
 * ZM lines are fixed-width by bytes, each field followed by one separator byte, CRLF between
 * lines; the official SDK cuts them on bytes and decodes each field as GBK.
 */
export const ZM_WIDTHS = [
  3, 11, 11, 6, 10, 19, 12, 4, 2, 21, 2, 32, 2, 6, 10, 13, 13, 4, 15, 2, 2, 6, 2, 4, 32, 1, 21, 15, 1, 15, 32, 13, 13, 8, 32, 13,
  13, 12, 2, 1, 32, 98,
] as const;

/** The ZM fields reconciliation reads, by their 1-based position in the layout. */
export const ZM = {
  tradeCode: 1, traceNo: 4, transmitTime: 5, account: 6, txnAmt: 7, queryId: 10, orderId: 12, origTraceNo: 14,
  origTransmitTime: 15, merFee: 16, settleAmt: 17, txnType: 20, txnSubType: 21, bizType: 22, origQryId: 27, merId: 28,
  settleNet: 33, reqReserved: 35,
  /** 32 bytes after 交易介质 that public parsers read as the original order number; unconfirmed. */
  origOrderId: 41,
} as const;

/** One ZM line as its fields (1-based positions → trimmed text). */
export function parseZmLine(line: Buffer): string[] {
  const fields: string[] = [''];
  let at = 0;
  for (const width of ZM_WIDTHS) {
    fields.push(decodeGbk(line.subarray(at, at + width)).trim());
    at += width + 1;
  }
  return fields;
}

export function splitLines(file: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let start = 0;
  for (let i = 0; i <= file.length; i++) {
    if (i === file.length || file[i] === 0x0a) {
      let end = i;
      if (end > start && file[end - 1] === 0x0d) end -= 1;
      if (end > start) out.push(file.subarray(start, end));
      start = i + 1;
    }
  }
  return out;
}

/** `fileContent` → the ZM file of the zip (names here are ASCII), or null when it has none. */
export function zmFileOf(fileContent: string): Buffer | null {
  const files = unzipFiles(inflateSync(Buffer.from(fileContent, 'base64')));
  return files.find((f) => /ZM_/.test(f.name) && !/ZME_/.test(f.name))?.data ?? null;
}

/**
 * ZM lines → statement lines. 交易类型 01 is a consume (payment); 04 (退货) and 31 (消费撤销) give
 * money back — the refund's own orderId is our refund number and 原交易查询流水号 names the consume.
 * 交易金额 is integer fen. 交易传输时间 has no year: it is taken near the settlement day.
 */
export function unionpayStatementLines(zm: Buffer, settleDay: Date): StatementLine[] {
  const lines: StatementLine[] = [];
  // A transmission time can precede the settlement day by the cut-off (and a day of slack).
  const reference = new Date(settleDay.getTime() - 2 * 86_400_000);
  for (const raw of splitLines(zm)) {
    const f = parseZmLine(raw);
    const txnType = f[ZM.txnType];
    const amount = f[ZM.txnAmt] ?? '';
    if (!/^\d{1,12}$/.test(amount)) throw new Error(`ZM 交易金额 is not fen: ${JSON.stringify(amount)}`);
    const at = fromTraceTime(f[ZM.transmitTime], reference);
    if (!at) throw new Error(`ZM 交易传输时间 is not MMDDhhmmss: ${JSON.stringify(f[ZM.transmitTime])}`);
    const amountFen = BigInt(amount);
    if (txnType === '01') {
      lines.push({ kind: 'PAYMENT', billNo: f[ZM.orderId]!, channelTradeNo: f[ZM.queryId]!, amountFen, at });
    } else if (txnType === '04' || txnType === '31') {
      lines.push({ kind: 'REFUND', billNo: f[ZM.origOrderId] ?? '', channelTradeNo: f[ZM.origQryId]!, refundNo: f[ZM.orderId]!, amountFen, at });
    }
    // Other transaction types (pre-authorisation and the like) are not used by ExamPay.
  }
  return lines;
}

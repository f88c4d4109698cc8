import type { Fen } from '../../shared/money.ts';
import { formatShanghai, parseShanghai } from '../../shared/time.ts';
import type { StatementLine } from '../channel.ts';
import type { GenericProfile } from './generic-profile.ts';
import { formatAmount, ORDER_NO, parseAmount } from './generic-wire.ts';

/**
 * The generic channel's daily statement file (docs/generic-channels.md §2.8): UTF-8 without BOM,
 * CRLF line ends, comma-separated, no quoting (no value may hold a comma). One header row, one
 * row per movement of money booked on that Beijing calendar day, one TOTAL row last:
 *
 *   type,order_no,trade_no,refund_no,amount,time,pay_method
 *   PAYMENT,202603150000000000017,2026031522001000000000000001,,100.00,2026-03-15 09:02:00,BANK_CARD_UNIONPAY
 *   REFUND,202603150000000000017,2026031522001000000000000002,202603150000000000017R01,100.00,2026-03-15 09:10:00,
 *   TOTAL,1,1,100.00,100.00,,
 *
 * `amount` is in the profile's unit and always positive; `type` says the direction. A REFUND
 * row names the trade it refunds. TOTAL: payment rows, refund rows, sum of payments, sum of
 * refunds — a truncated file does not add up.
 */
export const STATEMENT_HEADER = 'type,order_no,trade_no,refund_no,amount,time,pay_method';
const COLUMNS = STATEMENT_HEADER.split(',').length;
const SAFE = /^[0-9A-Za-z_.:\- ]*$/;

export interface StatementEntry {
  kind: 'PAYMENT' | 'REFUND';
  orderNo: string;
  tradeNo: string;
  refundNo?: string;
  amountFen: Fen;
  at: Date;
  payMethod?: string;
}

export function renderStatement(profile: GenericProfile, entries: StatementEntry[]): string {
  const sorted = [...entries].sort((a, b) => a.at.getTime() - b.at.getTime());
  const rows = sorted.map((e) => {
    const cells = [e.kind, e.orderNo, e.tradeNo, e.refundNo ?? '', formatAmount(profile.amountUnit, e.amountFen), formatShanghai(e.at), e.payMethod ?? ''];
    if (!cells.every((c) => SAFE.test(c))) throw new Error(`statement value not writable without quoting: ${cells.join('|')}`);
    return cells.join(',');
  });
  const sum = (kind: StatementEntry['kind']): Fen => sorted.filter((e) => e.kind === kind).reduce((s, e) => s + e.amountFen, 0n);
  const count = (kind: StatementEntry['kind']): number => sorted.filter((e) => e.kind === kind).length;
  const amount = (fen: Fen): string => (fen === 0n ? '0' : formatAmount(profile.amountUnit, fen));
  const total = ['TOTAL', String(count('PAYMENT')), String(count('REFUND')), amount(sum('PAYMENT')), amount(sum('REFUND')), '', ''].join(',');
  return `${[STATEMENT_HEADER, ...rows, total].join('\r\n')}\r\n`;
}

export type ParsedStatement = { ok: true; lines: StatementLine[] } | { ok: false; reason: string };

/** Reads a statement for Beijing day `date` (YYYY-MM-DD). Anything off → a reason, never a guess. */
export function parseStatement(profile: GenericProfile, text: string, date: string): ParsedStatement {
  if (!text.endsWith('\r\n')) return { ok: false, reason: 'statement does not end with CRLF (truncated?)' };
  const rows = text.slice(0, -2).split('\r\n');
  if (rows[0] !== STATEMENT_HEADER) return { ok: false, reason: `statement header is ${JSON.stringify(rows[0]?.slice(0, 80))}` };
  const totalRow = rows.at(-1)!.split(',');
  if (rows.length < 2 || totalRow[0] !== 'TOTAL' || totalRow.length !== COLUMNS) return { ok: false, reason: 'statement has no TOTAL row' };
  const lines: StatementLine[] = [];
  for (const [i, row] of rows.slice(1, -1).entries()) {
    const bad = (why: string): ParsedStatement => ({ ok: false, reason: `statement row ${i + 2}: ${why}` });
    const cells = row.split(',');
    if (cells.length !== COLUMNS) return bad(`${cells.length} columns`);
    const [kind, orderNo, tradeNo, refundNo, amountText, time] = cells as [string, string, string, string, string, string];
    if (kind !== 'PAYMENT' && kind !== 'REFUND') return bad(`type ${JSON.stringify(kind)}`);
    if (!ORDER_NO.test(orderNo)) return bad('order_no');
    if (!/^[0-9A-Za-z_-]{1,64}$/.test(tradeNo)) return bad('trade_no');
    if (kind === 'REFUND' ? !ORDER_NO.test(refundNo) : refundNo !== '') return bad('refund_no');
    const amountFen = parseAmount(profile.amountUnit, amountText);
    if (amountFen === null) return bad(`amount ${JSON.stringify(amountText)}`);
    let at: Date;
    try {
      at = parseShanghai(time);
    } catch {
      return bad(`time ${JSON.stringify(time)}`);
    }
    if (Number.isNaN(at.getTime()) || formatShanghai(at).slice(0, 10) !== date) return bad(`time ${time} is not on ${date}`);
    lines.push({ kind, billNo: orderNo, channelTradeNo: tradeNo, ...(kind === 'REFUND' ? { refundNo } : {}), amountFen, at });
  }
  const sum = (kind: StatementLine['kind']): Fen => lines.filter((l) => l.kind === kind).reduce((s, l) => s + l.amountFen, 0n);
  const count = (kind: StatementLine['kind']): string => String(lines.filter((l) => l.kind === kind).length);
  const total = (s: string | undefined): Fen | null => (s === '0' ? 0n : parseAmount(profile.amountUnit, s));
  if (totalRow[1] !== count('PAYMENT') || totalRow[2] !== count('REFUND') || total(totalRow[3]) !== sum('PAYMENT') || total(totalRow[4]) !== sum('REFUND')) {
    return { ok: false, reason: `statement TOTAL row ${totalRow.join(',')} does not match its rows` };
  }
  return { ok: true, lines };
}

import { describe, expect, it } from 'vitest';
import type { StatementLine } from '../../channels/channel.ts';
import { matchStatement, type MatchInput, type OurCapture, type OurOrder, type OurRefund } from './match-statement.ts';

/** The rule of PAY-10, without a database: a statement of 15 March against our books. */
const at = (beijing: string): Date => new Date(`${beijing.replace(' ', 'T')}+08:00`);
const pay = (tradeNo: string, billNo: string, fen: bigint, when: string): StatementLine =>
  ({ kind: 'PAYMENT', billNo, channelTradeNo: tradeNo, amountFen: fen, at: at(when) });
const refundLine = (refundNo: string, tradeNo: string, fen: bigint, when: string, billNo = ''): StatementLine =>
  ({ kind: 'REFUND', billNo, channelTradeNo: tradeNo, refundNo, amountFen: fen, at: at(when) });
let id = 0n;
const capture = (tradeNo: string, outTradeNo: string, fen: bigint, when: string): OurCapture =>
  ({ id: ++id, outTradeNo, channelTradeNo: tradeNo, amountFen: fen, at: at(when) });
const refund = (refundNo: string, tradeNo: string, fen: bigint, state: OurRefund['state'], when: string | null, outTradeNo = 'B1'): OurRefund =>
  ({ id: ++id, refundNo, outTradeNo, channelTradeNo: tradeNo, amountFen: fen, state, at: when ? at(when) : null });
const orders = (...os: Array<[string, string, bigint]>): Map<string, OurOrder> =>
  new Map(os.map(([outTradeNo, channel, amountFen]) => [outTradeNo, { outTradeNo, channel, amountFen }]));

const input = (over: Partial<MatchInput>): MatchInput =>
  ({ channel: 'alipay', day: '2026-03-15', lines: [], captures: [], refunds: [], orders: new Map(), ...over });

describe('matchStatement', () => {
  it('a line that is in our books with its amount matches; nothing else is said', () => {
    const r = matchStatement(input({
      lines: [pay('T1', 'B1', 8000n, '2026-03-15 10:00:00'), refundLine('B1R01', 'T1', 8000n, '2026-03-15 11:00:00', 'B1')],
      captures: [capture('T1', 'B1', 8000n, '2026-03-15 10:00:00')],
      refunds: [refund('B1R01', 'T1', 8000n, 'SUCCEEDED', '2026-03-15 11:00:00')],
    }));
    expect(r.findings).toEqual([]);
    expect(r.matched.map((m) => [m.lineKey, m.kind, m.otherDay])).toEqual([['P:T1', 'PAYMENT', false], ['R:B1R01', 'REFUND', false]]);
    expect(r.totals).toMatchObject({ statementPayments: 1, statementPaymentFen: 8000n, statementRefunds: 1, statementRefundFen: 8000n, ourCaptures: 1, ourRefunds: 1 });
  });

  it('money at the channel we do not have: a capture on our order is handed to settlement; unknown orders, other channels and wrong amounts are not', () => {
    const r = matchStatement(input({
      lines: [
        pay('T2', 'B2', 8000n, '2026-03-15 10:00:00'),
        pay('T3', 'NOT-OURS', 100n, '2026-03-15 10:00:00'),
        pay('T4', 'B4', 6500n, '2026-03-15 10:00:00'),
        pay('T5', 'B5', 8001n, '2026-03-15 10:00:00'),
      ],
      orders: orders(['B2', 'alipay', 8000n], ['B4', 'wechatpay', 6500n], ['B5', 'alipay', 8000n]),
    }));
    expect(r.findings.map((f) => [f.kind, f.reason, f.billNo, f.ourAmountFen, f.theirAmountFen])).toEqual([
      ['MISSING_AT_US', 'CAPTURE_NOT_RECORDED', 'B2', null, 8000n],
      ['MISSING_AT_US', 'ORDER_UNKNOWN', 'NOT-OURS', null, 100n],
      ['MISSING_AT_US', 'ORDER_OF_OTHER_CHANNEL', 'B4', null, 6500n],
      ['AMOUNT_DIFFERS', 'ORDER_AMOUNT', 'B5', 8000n, 8001n],
    ]);
    expect(r.findings[0]!.capture).toEqual({ billNo: 'B2', channelTradeNo: 'T2', amountFen: 8000n, paidAt: at('2026-03-15 10:00:00') });
    expect(r.findings.slice(1).every((f) => f.capture === undefined)).toBe(true);
  });

  it('amounts that differ, for captures and refunds; refunds we never made or still think pending', () => {
    const r = matchStatement(input({
      lines: [
        pay('T1', 'B1', 8000n, '2026-03-15 10:00:00'),
        refundLine('B1R01', 'T1', 4000n, '2026-03-15 12:00:00'),
        refundLine('CONSOLE1', 'T1', 100n, '2026-03-15 13:00:00'),
        refundLine('B1R02', 'T1', 500n, '2026-03-15 14:00:00'),
      ],
      captures: [capture('T1', 'B1', 7000n, '2026-03-15 10:00:00')],
      refunds: [refund('B1R01', 'T1', 3000n, 'SUCCEEDED', '2026-03-15 12:00:00'), refund('B1R02', 'T1', 500n, 'PENDING', null)],
    }));
    expect(r.findings.map((f) => [f.kind, f.reason, f.lineKey, f.billNo, f.ourAmountFen, f.theirAmountFen])).toEqual([
      ['AMOUNT_DIFFERS', 'CAPTURE_AMOUNT', 'P:T1', 'B1', 7000n, 8000n],
      ['AMOUNT_DIFFERS', 'REFUND_AMOUNT', 'R:B1R01', 'B1', 3000n, 4000n],
      // The refund line does not name the bill (UnionPay): it is found through the capture.
      ['MISSING_AT_US', 'REFUND_NOT_RECORDED', 'R:CONSOLE1', 'B1', null, 100n],
      ['MISSING_AT_US', 'REFUND_NOT_SUCCEEDED', 'R:B1R02', 'B1', 500n, 500n],
    ]);
  });

  it('what we booked that day but the channel does not list is MISSING_AT_CHANNEL; pending refunds are not expected yet', () => {
    const r = matchStatement(input({
      captures: [capture('T1', 'B1', 8000n, '2026-03-15 10:00:00')],
      refunds: [refund('B1R01', 'T1', 8000n, 'SUCCEEDED', '2026-03-15 12:00:00'), refund('B1R02', 'T1', 1n, 'PENDING', null)],
    }));
    expect(r.findings.map((f) => [f.kind, f.reason, f.lineKey, f.ourAmountFen])).toEqual([
      ['MISSING_AT_CHANNEL', 'CAPTURE_NOT_ON_STATEMENT', 'P:T1', 8000n],
      ['MISSING_AT_CHANNEL', 'REFUND_NOT_ON_STATEMENT', 'R:B1R01', 8000n],
    ]);
  });

  it('a payment at 23:59:59 is no false mismatch on either day, wherever the channel put it', () => {
    const late = capture('T9', 'B9', 8000n, '2026-03-15 23:59:59');
    const line = pay('T9', 'B9', 8000n, '2026-03-15 23:59:59');
    // Day D: the line matches our record (which D's run does not examine: it is in D+1's window).
    const d = matchStatement(input({ lines: [line], captures: [late] }));
    expect(d.findings).toEqual([]);
    expect(d.totals.ourCaptures).toBe(0);
    // Day D+1 examines it: not on D+1's statement, so D's is asked for, and there it is.
    const next = { day: '2026-03-16', captures: [late] };
    const first = matchStatement(input(next));
    expect(first.needsPreviousDay).toBe(true);
    expect(first.findings).toEqual([]);
    expect(matchStatement(input({ ...next, previousDayLines: [line] }))).toMatchObject({ findings: [], needsPreviousDay: false });
    // A channel whose day closed earlier (UnionPay's clearing day) lists it on D+1: matched there.
    const onNext = matchStatement(input({ ...next, lines: [{ ...line, at: at('2026-03-16 00:00:05') }] }));
    expect(onNext.findings).toEqual([]);
    expect(onNext.matched[0]).toMatchObject({ lineKey: 'P:T9', otherDay: true });
    // On neither day: D+1 reports it, once.
    expect(matchStatement(input({ ...next, previousDayLines: [] })).findings.map((f) => f.reason)).toEqual(['CAPTURE_NOT_ON_STATEMENT']);
  });

  it('each record is examined by exactly one day: the window is [D 00:00 − 1 h, D 24:00 − 1 h)', () => {
    const records = ['2026-03-14 22:59:59', '2026-03-14 23:00:00', '2026-03-15 12:00:00', '2026-03-15 22:59:59', '2026-03-15 23:00:00']
      .map((t, i) => capture(`T${i}`, `B${i}`, 1n, t));
    const examinedBy = (day: string) => matchStatement(input({ day, captures: records, previousDayLines: [] })).findings.map((f) => f.channelTradeNo);
    expect(examinedBy('2026-03-14')).toEqual(['T0']);
    expect(examinedBy('2026-03-15')).toEqual(['T1', 'T2', 'T3']);
    expect(examinedBy('2026-03-16')).toEqual(['T4']);
  });

  it('an unknown capture on an order whose recorded capture the channel does not list is not settled by rule', () => {
    const r = matchStatement(input({
      lines: [pay('REAL', 'B1', 8000n, '2026-03-15 10:00:00')],
      captures: [capture('TAMPERED', 'B1', 8000n, '2026-03-15 10:00:00')],
      orders: orders(['B1', 'alipay', 8000n]),
    }));
    expect(r.findings.map((f) => [f.kind, f.reason, f.capture])).toEqual([
      ['MISSING_AT_US', 'CAPTURE_NOT_RECORDED_PAIRED', undefined],
      ['MISSING_AT_CHANNEL', 'CAPTURE_NOT_ON_STATEMENT', undefined],
    ]);
  });

  it('a movement listed twice counts twice: its amount no longer matches', () => {
    const line = pay('T1', 'B1', 8000n, '2026-03-15 10:00:00');
    const r = matchStatement(input({ lines: [line, line], captures: [capture('T1', 'B1', 8000n, '2026-03-15 10:00:00')] }));
    expect(r.findings.map((f) => [f.reason, f.theirAmountFen])).toEqual([['CAPTURE_AMOUNT', 16000n]]);
  });
});

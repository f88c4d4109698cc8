import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../shared/clock.ts';
import { billYuanToFen, parseTradeBill, TRADE_BILL_ALL_COLUMNS } from './wechatpay-bill.ts';
import { startWechatpayRig, type WechatpayRig } from './wechatpay.test-kit.ts';

/** The daily trade bill: requested, downloaded (signed GET, gzip, SHA1-checked) and parsed. */
let rig: WechatpayRig;
beforeEach(async () => { rig = await startWechatpayRig({ merchantCount: 2 }); });
afterEach(async () => { await rig.close(); });

describe('trade bill download', () => {
  it('the bill of 15 March: ready from 10:00 on the 16th, payments and refunds dated by their own time', async () => {
    // 09:00 Beijing, 15 March: two payments, one of them partly refunded an hour later.
    const a = await rig.create({ subject: '统考报名费, 大学英语B' });
    const b = await rig.create({ amountFen: 5_050n });
    const paidA = await rig.sbx.control.pay(a.billNo, { method: 'debitCard' });
    await rig.sbx.control.pay(b.billNo);
    const txA = paidA.ok ? paidA.captures[0]!.captureNo : '';
    rig.clock.advance(HOUR);
    expect(await rig.adapter.refund({ billNo: a.billNo, refundNo: 'RA1', channelTradeNo: txA, amountFen: 2_500n, reason: '' })).toMatchObject({ status: 'SUCCEEDED' });
    // Another merchant's trade that day is not in this merchant's bill.
    const other = rig.adapterWith(rig.configFor(1));
    await other.createPayment({ billNo: '202603150000000000777', amountFen: 1n, subject: 'x', expiresAt: new Date(rig.clock.now().getTime() + 5 * MINUTE), notifyUrl: rig.receiver.url });
    await rig.sbx.control.pay('202603150000000000777');

    expect(await rig.adapter.downloadTradeBill({ billDate: '2026-03-15' })).toMatchObject({ ok: false, code: 'REJECTED', message: expect.stringContaining('PARAM_ERROR') });
    rig.clock.set('2026-03-16T01:59:59Z'); // 09:59:59 Beijing on the 16th
    expect(await rig.adapter.downloadTradeBill({ billDate: '2026-03-15' })).toMatchObject({ ok: false, code: 'NOT_READY' });
    rig.clock.set('2026-03-16T02:00:00Z');
    expect(await rig.adapter.downloadTradeBill({ billDate: '2026-03-14' })).toMatchObject({ ok: false, code: 'NO_STATEMENT' });

    const r = await rig.adapter.downloadTradeBill({ billDate: '2026-03-15' });
    if (!r.ok) throw new Error(r.message);
    // The raw file: BOM, plain header rows, every value behind a backtick, CRLF.
    const lines = r.text.split('\r\n');
    expect(lines[0]).toBe(`\uFEFF${TRADE_BILL_ALL_COLUMNS.join(',')}`);
    expect(lines[1]).toMatch(/^`2026-03-15 09:00:00,`wxd678efh567hg6787,`1900007291,`0,`,`\d{28},`/);
    expect(lines.at(-3)).toBe('总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额');
    expect(lines.at(-1)).toBe('');

    const { bill } = r;
    expect(bill.columns).toEqual([...TRADE_BILL_ALL_COLUMNS]);
    expect(bill.rows.map((row) => [row.商户订单号, row.交易状态, row.订单金额, row.退款金额, row.商户退款单号, row.手续费])).toEqual([
      [a.billNo, 'SUCCESS', '100.00', '0.00', '0', '0.60'],
      [b.billNo, 'SUCCESS', '50.50', '0.00', '0', '0.30'],
      [a.billNo, 'REFUND', '0.00', '25.00', 'RA1', '-0.15'],
    ]);
    expect(bill.rows[0]).toMatchObject({ 微信订单号: txA, 交易时间: '2026-03-15 09:00:00', 交易类型: 'NATIVE', 付款银行: 'CMB_DEBIT', 商品名称: '统考报名费, 大学英语B' });
    expect(bill.rows[2]).toMatchObject({ 交易时间: '2026-03-15 10:00:00', 退款类型: 'ORIGINAL', 退款状态: 'SUCCESS', 微信退款单号: expect.stringMatching(/^\d{29}$/) });
    expect(bill.summary).toEqual({
      总交易单数: '3', 应结订单总金额: '150.50', 退款总金额: '25.00', 充值券退款总金额: '0.00',
      手续费总金额: '0.75', 订单总金额: '150.50', 申请退款总金额: '25.00',
    });
    const fen = bill.rows.reduce((s, row) => s + billYuanToFen(row.订单金额!) - billYuanToFen(row.退款金额!), 0n);
    expect(fen).toBe(12_550n);

    const refunds = await rig.adapter.downloadTradeBill({ billDate: '2026-03-15', billType: 'REFUND' });
    expect(refunds.ok && refunds.bill.rows.map((row) => row.交易状态)).toEqual(['REFUND']);
    const payments = await rig.adapter.downloadTradeBill({ billDate: '2026-03-15', billType: 'SUCCESS' });
    expect(payments.ok && payments.bill.rows.map((row) => row.交易状态)).toEqual(['SUCCESS', 'SUCCESS']);
  });

  it('older than three months → rejected', async () => {
    expect(await rig.adapter.downloadTradeBill({ billDate: '2025-12-01' })).toMatchObject({ ok: false, code: 'REJECTED' });
  });
});

describe('parseTradeBill on a hand-written file (independent of the sandbox renderer)', () => {
  const header = TRADE_BILL_ALL_COLUMNS.join(',');
  const pay = '`2021-01-28 17:07:11,`wx2421b1c4370ec43b,`10000100,`0,`,`4200000946202101281364812232,`ORDER001,`oUpF8uMuAJO_M2pxb1Q9zNjWeS6o,`NATIVE,`SUCCESS,`OTHERS,`CNY,`0.01,`0.00,`0,`0,`0.00,`0.00,`,`,`测试,含逗号,`,`0.00,`0.60%,`0.01,`0.00,`';
  const summaryHead = '总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额';
  const summary = '`1,`0.01,`0.00,`0.00,`0.00,`0.01,`0.00';

  it('strips backticks, keeps commas inside values, accepts LF or CRLF and a BOM', () => {
    for (const text of [[header, pay, summaryHead, summary].join('\n'), `\uFEFF${[header, pay, summaryHead, summary].join('\r\n')}\r\n`]) {
      const bill = parseTradeBill(text);
      expect(bill.rows).toHaveLength(1);
      expect(bill.rows[0]).toMatchObject({ 交易时间: '2021-01-28 17:07:11', 微信订单号: '4200000946202101281364812232', 商品名称: '测试,含逗号', 订单金额: '0.01' });
      expect(bill.summary.总交易单数).toBe('1');
    }
  });

  it('refuses a file without its summary or with a short row; amounts are decimal, signed', () => {
    expect(() => parseTradeBill([header, pay].join('\n'))).toThrow(/summary/);
    expect(() => parseTradeBill([header, '`1,`2', summaryHead, summary].join('\n'))).toThrow(/expected 27/);
    expect(billYuanToFen('-0.15')).toBe(-15n);
    expect(billYuanToFen('150.50')).toBe(15_050n);
    expect(() => billYuanToFen('1.5')).toThrow();
  });
});

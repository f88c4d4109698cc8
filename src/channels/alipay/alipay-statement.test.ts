import { zipSync } from 'fflate';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HOUR } from '../../shared/clock.ts';
import { encodeGbk, unzipFiles } from '../statement-files.ts';
import { alipayStatementLines, parseAlipayDetail, detailFileOf, ALIPAY_DETAIL_COLUMNS } from './alipay-statement.ts';
import { startAlipayRig, type AlipayRig } from './alipay.test-kit.ts';

/**
 * Alipay's trade bill: alipay.data.dataservice.bill.downloadurl.query → a 30-second URL → a zip
 * of two GBK CSV files. First a file written by hand in the layout statements.md quotes
 * (independent of the sandbox's renderer), then the whole round trip against the sandbox.
 */
describe('parsing a bill written by hand', () => {
  const header = ALIPAY_DETAIL_COLUMNS.join(',');
  const trade = '2026031522001412340000000001\t,202603150900001\t,交易\t,统考报名费, 大学英语B,2026-03-15 08:59:50,2026-03-15 09:00:03,\t,\t,\t,\t,*三(138****0000)\t,80.00,80.00,0.00,0.00,0.00,0.00,0.00,,0.00\t,0.00,\t,0.00,0.00,';
  const refundRow = '2026031522001412340000000001\t,202603150900001\t,退款\t,统考报名费, 大学英语B,2026-03-15 08:59:50,2026-03-15 23:59:59,\t,\t,\t,\t,*三(138****0000)\t,-80.00,-80.00,0.00,0.00,0.00,0.00,0.00,,0.00\t,0.00,202603150900001R01\t,0.00,0.00,';
  const file = [
    '#支付宝业务明细查询', '#账号：[20880000000000010156]', '#起始日期：[2026年03月15日 00:00:00]   终止日期：[2026年03月16日 00:00:00]',
    '#-----------------------------------------业务明细列表----------------------------------------', header, trade, refundRow,
    '#-----------------------------------------业务明细列表结束------------------------------------',
    '#交易合计：1笔，商家实收共80.00元，商家优惠共0.00元', '#退款合计：1笔，商家实收退款共-80.00元，商家优惠退款共0.00元', '#导出时间：[2026年03月16日 05:46:49]',
  ].join('\r\n');

  it('trims the tabs, keeps an unquoted comma inside 商品名称, reads refunds as positive REFUND lines', () => {
    const bill = parseAlipayDetail(file);
    expect(bill.account).toBe('20880000000000010156');
    expect(bill.rows[0]).toMatchObject({ 支付宝交易号: '2026031522001412340000000001', 商品名称: '统考报名费, 大学英语B', '订单金额（元）': '80.00' });
    expect(bill.footer).toEqual(['#交易合计：1笔，商家实收共80.00元，商家优惠共0.00元', '#退款合计：1笔，商家实收退款共-80.00元，商家优惠退款共0.00元', '#导出时间：[2026年03月16日 05:46:49]']);
    expect(alipayStatementLines(bill)).toEqual([
      { kind: 'PAYMENT', billNo: '202603150900001', channelTradeNo: '2026031522001412340000000001', amountFen: 8000n, at: new Date('2026-03-15T01:00:03Z') },
      { kind: 'REFUND', billNo: '202603150900001', channelTradeNo: '2026031522001412340000000001', refundNo: '202603150900001R01', amountFen: 8000n, at: new Date('2026-03-15T15:59:59Z') },
    ]);
  });

  it('finds the detail file in a zip by its content, whatever the names, GBK-decoded; refuses what is not a bill', () => {
    const zip = zipSync({ 'a.csv': encodeGbk('#支付宝业务汇总查询\r\n'), 'b.csv': encodeGbk(file) });
    expect(alipayStatementLines(parseAlipayDetail(detailFileOf(zip)))).toHaveLength(2);
    expect(() => detailFileOf(zipSync({ 'x.csv': encodeGbk('hello') }))).toThrow(/no 业务明细/);
    expect(() => parseAlipayDetail(file.replace('#-----------------------------------------业务明细列表结束------------------------------------', ''))).toThrow(/markers/);
    expect(() => alipayStatementLines(parseAlipayDetail(file.replace('退款\t', '冲正\t')))).toThrow(/业务类型/);
  });
});

describe('downloading from the sandbox', () => {
  let rig: AlipayRig;
  beforeEach(async () => { rig = await startAlipayRig(); });
  afterEach(async () => { await rig.close(); });

  it('day D: not ready before 09:00 on D+1, then the zip of GBK files with payments and refunds by their own time', async () => {
    const a = await rig.create({ subject: '统考报名费, "大学英语B"' });
    const b = await rig.create({ amountFen: 5_050n });
    const paid = await rig.sbx.control.pay(a.billNo);
    await rig.sbx.control.pay(b.billNo);
    const tradeNo = paid.ok ? paid.captures[0]!.captureNo : '';
    rig.clock.advance(HOUR);
    expect(await rig.adapter.refund({ billNo: a.billNo, refundNo: `${a.billNo}R01`, channelTradeNo: tradeNo, amountFen: 2_500n, reason: '' })).toMatchObject({ status: 'SUCCEEDED' });

    expect(await rig.adapter.downloadStatement({ date: '2026-03-15' })).toEqual({ status: 'NOT_READY' });
    rig.clock.set('2026-03-16T00:59:00Z'); // 08:59 Beijing: Alipay says BILL_NOT_EXIST, which is "not yet"
    expect(await rig.adapter.downloadStatement({ date: '2026-03-15' })).toEqual({ status: 'NOT_READY' });
    rig.clock.set('2026-03-16T01:00:00Z');
    expect(await rig.adapter.downloadStatement({ date: '2026-03-14' })).toEqual({ status: 'READY', lines: [] });
    expect(await rig.adapter.downloadStatement({ date: '2026-02-30' })).toMatchObject({ status: 'UNKNOWN' });

    const r = await rig.adapter.downloadStatement({ date: '2026-03-15' });
    expect(r).toEqual({
      status: 'READY',
      lines: [
        { kind: 'PAYMENT', billNo: a.billNo, channelTradeNo: tradeNo, amountFen: 10_000n, at: new Date('2026-03-15T01:00:00Z') },
        { kind: 'PAYMENT', billNo: b.billNo, channelTradeNo: expect.any(String), amountFen: 5_050n, at: new Date('2026-03-15T01:00:00Z') },
        { kind: 'REFUND', billNo: a.billNo, channelTradeNo: tradeNo, refundNo: `${a.billNo}R01`, amountFen: 2_500n, at: new Date('2026-03-15T02:00:00Z') },
      ],
    });
  });

  it('the file itself: GBK names without the UTF-8 flag, the header lines and totals; the URL dies after 30 s', async () => {
    const a = await rig.create();
    await rig.sbx.control.pay(a.billNo);
    rig.clock.set('2026-03-16T02:00:00Z');
    const urls: string[] = [];
    const adapter = rig.adapterWith({});
    const realFetch = globalThis.fetch;
    globalThis.fetch = (async (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
      if (String(input).includes('/billdownload')) urls.push(String(input));
      return realFetch(input, init);
    }) as typeof fetch;
    try {
      expect((await adapter.downloadStatement({ date: '2026-03-15' })).status).toBe('READY');
    } finally {
      globalThis.fetch = realFetch;
    }
    const zip = new Uint8Array(await (await fetch(urls[0]!)).arrayBuffer());
    // Central directory: general-purpose flag bit 11 (UTF-8) clear; names are GBK bytes.
    const dir = Buffer.from(zip).indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    expect(Buffer.from(zip).readUInt16LE(dir + 8) & 0x800).toBe(0);
    const names = unzipFiles(zip).map((f) => Buffer.from(f.name, 'latin1'));
    expect(names.map((n) => n.equals(encodeGbk('20880000000000010156_20260315_业务明细.csv')) || n.equals(encodeGbk('20880000000000010156_20260315_业务明细(汇总).csv'))))
      .toEqual([true, true]);
    const detail = detailFileOf(zip);
    expect(detail.split('\r\n').slice(0, 4)).toEqual([
      '#支付宝业务明细查询', '#账号：[20880000000000010156]', '#起始日期：[2026年03月15日 00:00:00]   终止日期：[2026年03月16日 00:00:00]',
      '#-----------------------------------------业务明细列表----------------------------------------',
    ]);
    expect(detail).toContain('#交易合计：1笔，商家实收共100.00元，商家优惠共0.00元\r\n#退款合计：0笔，商家实收退款共0.00元，商家优惠退款共0.00元');
    rig.clock.advance(31_000);
    expect((await fetch(urls[0]!)).status).toBe(404);
  });
});

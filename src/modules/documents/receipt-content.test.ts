import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { receiptContent, receiptStatusOf, yuanText, type ReceiptFacts } from './receipt-content.ts';

const facts = (over: Partial<ReceiptFacts> = {}): ReceiptFacts => ({
  issuer: '湖南省卫生健康委员会', exam: '医师资格考试', sitting: '2026年', billNo: '202603151234567890123', receiptNo: '202603150000000001',
  payer: { name: '张三', idNumberMasked: '4301**********1234' },
  items: [{ subject: '实践技能考试', kind: 'WRITTEN', amountFen: 12000n, refundedFen: 0n }],
  totalFen: 12000n, refundedFen: 0n, channel: 'wechatpay', channelTradeNo: '4200000000202603150000000001',
  paidAt: new Date('2026-03-15T01:05:09Z'), issuedAt: new Date('2026-03-15T02:00:00Z'), status: 'PAID', verifyUrl: 'https://exampay.example/verify/x',
  ...over,
});

describe('receipt content (DOC-1)', () => {
  it('amounts come from integer fen exactly: ¥120.00 and 120.00元, 1 fen and large sums too', () => {
    const c = receiptContent(facts());
    expect(c.total).toBe('合计 Total：¥120.00（120.00元）');
    expect(c.rows).toEqual([['1', '实践技能考试', '笔试 Written', '120.00']]);
    expect(yuanText(1n)).toBe('0.01元');
    expect(yuanText(123456789012n)).toBe('1234567890.12元');
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 14n }), (fen) => {
      const [yuan, jiaoFen] = yuanText(fen).replace('元', '').split('.');
      return BigInt(yuan!) * 100n + BigInt(jiaoFen!) === fen && jiaoFen!.length === 2;
    }));
  });

  it('shows the paid time in Beijing time, the channel by name, and the masked ID number only', () => {
    const c = receiptContent(facts());
    const values = c.fields.map((f) => f.value);
    expect(values).toContain('2026-03-15 09:05:09（北京时间 Beijing time）');
    expect(values).toContain('微信支付 WeChat Pay');
    expect(values).toContain('4301**********1234');
    expect(c.stamp).toBeNull();
    expect(c.refundNote).toBeNull();
    expect(c.columns.map((col) => col.title)).not.toContain('已退（元） Refunded');
  });

  it('a payer without an ID number (an institution\'s batch bill) has no ID line', () => {
    const c = receiptContent(facts({ payer: { name: '某某学习中心', idNumberMasked: null } }));
    expect(c.fields.map((f) => f.label)).not.toContain('证件号码 ID No.');
    expect(c.fields.map((f) => f.value)).toContain('某某学习中心');
  });

  it('refunds the channel confirmed are stamped and itemised', () => {
    const c = receiptContent(facts({
      items: [{ subject: '笔试', kind: 'WRITTEN', amountFen: 3000n, refundedFen: 0n }, { subject: '口试', kind: 'ORAL', amountFen: 9000n, refundedFen: 9000n }],
      refundedFen: 9000n, status: 'PARTLY_REFUNDED',
    }));
    expect(c.stamp).toBe('部分退费 Partly refunded');
    expect(c.rows).toEqual([['1', '笔试', '笔试 Written', '30.00', '0.00'], ['2', '口试', '口试 Oral', '90.00', '90.00']]);
    expect(c.refundNote).toContain('¥90.00（90.00元）');
    expect(receiptContent(facts({ status: 'REFUNDED', refundedFen: 12000n })).stamp).toBe('已全额退费 Refunded in full');
  });

  it('only paid bill states have a receipt', () => {
    expect(['UNPAID', 'PAYING', 'PAID', 'CLOSED', 'REFUNDED', 'PARTIALLY_REFUNDED'].map((s) => receiptStatusOf(s as never)))
      .toEqual([undefined, undefined, 'PAID', undefined, 'REFUNDED', 'PARTLY_REFUNDED']);
  });
});

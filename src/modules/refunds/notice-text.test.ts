import { describe, expect, it } from 'vitest';
import { composeNotice, type NoticeInput } from './notice-text.ts';

const input = (o: Partial<NoticeInput> = {}): NoticeInput => ({
  kind: 'CANCEL_SITTING', sittingName: '2026年3月统考', note: '疫情防控要求', repaymentNeedsApproval: false,
  lines: [
    { subjectName: '大学英语B', refund: { amountFen: 7000n, channel: 'unionpay', refundNo: '202603150000000000001R01' } },
    { subjectName: '计算机应用基础', refund: null, billClosed: '202603150000000000002' },
  ],
  ...o,
});

describe('what the candidate is told (REF-2)', () => {
  it('REF-2: what happened and why, what comes back through which channel, per subject, and the total — in Chinese and English', () => {
    const n = composeNotice(input());
    expect(n.titleZh).toBe('本次考试已取消（2026年3月统考）');
    expect(n.titleEn).toContain('cancelled');
    expect(n.bodyZh).toContain('疫情防控要求');
    expect(n.bodyZh).toContain('大学英语B：退还 ¥70.00，经银联（银行卡）原路退回（退款单号 202603150000000000001R01）');
    expect(n.bodyZh).toContain('计算机应用基础：未缴费，无需退款；缴费单 202603150000000000002 已关闭');
    expect(n.bodyZh).toContain('共退还 ¥70.00');
    expect(n.bodyZh).toContain('无需申请');
    expect(n.bodyEn).toContain('¥70.00 back through UnionPay (bank card)');
    expect(n.bodyEn).toContain('you need not apply');
  });

  it('REF-2: with nothing paid, it says there is nothing to refund', () => {
    const n = composeNotice(input({ lines: [{ subjectName: '大学语文A', refund: null }] }));
    expect(n.bodyZh).toContain('您没有已缴费用需要退还');
    expect(n.bodyZh).not.toContain('共退还');
  });

  it('REF-3: after a change, what to do next — register again if still eligible, with the authority\'s approval where the exam wants it', () => {
    const free = composeNotice(input({ kind: 'CHANGE_REGISTRATION' }));
    expect(free.bodyZh).toContain('如您仍符合报考条件，可在报名时间内重新报考并缴费；');
    const approval = composeNotice(input({ kind: 'CHANGE_REGISTRATION', repaymentNeedsApproval: true }));
    expect(approval.bodyZh).toContain('并须经考区同意');
    expect(approval.bodyEn).toContain('once the authority has approved it');
    expect(approval.bodyZh).toContain('资格审核未通过的，退费后不能再缴费');
  });

  it('REF-2: a cancelled sitting asks nothing of the candidate; a cancelled subject says it cannot be registered again', () => {
    expect(composeNotice(input()).bodyZh).toContain('您无需做任何事情');
    expect(composeNotice(input({ kind: 'CANCEL_SUBJECT' })).bodyZh).toContain('该科目不能再报考');
  });

  it('REF-1: a granted personal refund names the candidate\'s own reason', () => {
    const n = composeNotice(input({ kind: 'PERSONAL_REFUND', note: '考生因病无法参加考试' }));
    expect(n.titleZh).toContain('退费申请已办理');
    expect(n.bodyZh).toContain('因个人原因');
    expect(n.bodyZh).toContain('考生因病无法参加考试');
  });
});

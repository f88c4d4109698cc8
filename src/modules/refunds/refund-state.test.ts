import { describe, expect, it } from 'vitest';
import type { RefundReason, RefundStateName } from '../../db/schema.ts';
import { canRefundMove, channelLabel, explainRefund, REFUND_REASON_LABELS, REFUND_STATE_LABELS, REFUND_TRANSITIONS } from './refund-state.ts';

const STATES: RefundStateName[] = ['PENDING', 'SUCCEEDED', 'FAILED'];
const REASONS: RefundReason[] = ['DUPLICATE_PAYMENT', 'LATE_PAYMENT', 'AUTHORITY_CHANGE', 'AUTHORITY_CANCEL', 'PERSONAL', 'STAFF'];

describe('refund states (REF-4)', () => {
  it('REF-4: PENDING ends SUCCEEDED or FAILED; only a FAILED one is sent again; SUCCEEDED is final', () => {
    const allowed = STATES.flatMap((f) => STATES.filter((t) => canRefundMove(f, t)).map((t) => `${f}→${t}`));
    expect(allowed.sort()).toEqual(['FAILED→PENDING', 'PENDING→FAILED', 'PENDING→SUCCEEDED']);
    expect(REFUND_TRANSITIONS.SUCCEEDED).toEqual([]);
  });

  it('REF-4: every state and reason has words in Chinese and English', () => {
    for (const s of STATES) expect(REFUND_STATE_LABELS[s].zh.length * REFUND_STATE_LABELS[s].en.length).toBeGreaterThan(0);
    for (const r of REASONS) expect(REFUND_REASON_LABELS[r].zh.length * REFUND_REASON_LABELS[r].en.length).toBeGreaterThan(0);
  });

  it('REF-4: the candidate reads what comes back, through which channel, and whether to do anything', () => {
    const base = { reason: 'AUTHORITY_CANCEL' as const, channel: 'wechatpay', amountFen: 6500n, succeededAt: null, flagged: false };
    const pending = explainRefund({ ...base, state: 'PENDING' });
    expect(pending.zh).toContain('¥65.00');
    expect(pending.zh).toContain('微信支付');
    expect(pending.zh).toContain('无需您操作');
    expect(pending.en).toContain('WeChat Pay');
    const done = explainRefund({ ...base, state: 'SUCCEEDED', succeededAt: new Date('2026-03-15T02:00:00Z') });
    expect(done.zh).toContain('2026-03-15 10:00:00');
    expect(done.zh).toContain('已于');
    const failed = explainRefund({ ...base, state: 'FAILED' });
    expect(failed.zh).toContain('工作人员');
    expect(failed.en).toContain('not lost');
    const stuck = explainRefund({ ...base, state: 'PENDING', flagged: true });
    expect(stuck.zh).toContain('工作人员跟进');
  });

  it('an unknown channel code is shown as itself rather than failing', () => {
    expect(channelLabel('newpay')).toEqual({ zh: 'newpay', en: 'newpay' });
    expect(channelLabel('unionpay').zh).toContain('银行卡');
  });
});

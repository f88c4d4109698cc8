import { describe, expect, it } from 'vitest';
import { explainBill } from './bill-explanation.ts';

const now = new Date('2026-03-15T01:00:00Z');
const bill = (o: Partial<Parameters<typeof explainBill>[0]> = {}) => ({ state: 'PAID' as const, expires_at: now, flagged_at: null, closed_cause: null, ...o });

describe('bills explained with their refunds (REF-2, REF-4)', () => {
  it('REF-2: a bill closed because the authority cancelled or changed a registration says so, and what to do', () => {
    const e = explainBill(bill({ state: 'CLOSED', closed_cause: 'AUTHORITY_CANCELLED' }), now);
    expect(e.zh).toContain('考试机构取消或变更');
    expect(e.zh).toContain('重新确认');
    expect(e.en).toContain('authority');
  });

  it('REF-4: fees going back per item are told apart from an extra payment, with their amounts by state', () => {
    const e = explainBill(bill({ state: 'PARTIALLY_REFUNDED' }), now, [
      { state: 'SUCCEEDED', reason: 'AUTHORITY_CANCEL', amount_fen: 8000n },
      { state: 'PENDING', reason: 'PERSONAL', amount_fen: 3000n },
    ]);
    expect(e.zh).toContain('部分款项已原路退回');
    expect(e.zh).toContain('¥30.00 科目费用正在原路退回');
    expect(e.zh).toContain('¥80.00 科目费用已原路退回');
    expect(e.zh).not.toContain('多扣');
  });

  it('REF-4: both kinds at once, and a failed item refund is handed to staff', () => {
    const e = explainBill(bill(), now, [
      { state: 'PENDING', reason: 'DUPLICATE_PAYMENT', amount_fen: 14500n },
      { state: 'FAILED', reason: 'AUTHORITY_CHANGE', amount_fen: 6500n },
    ]);
    expect(e.zh).toContain('多扣的款项正在原路退回');
    expect(e.zh).toContain('¥65.00 科目费用未能自动退回，已转交工作人员处理');
  });

  it('PAY-8: a refund without a reason is an extra payment, as before', () => {
    expect(explainBill(bill(), now, [{ state: 'SUCCEEDED' }]).zh).toContain('多扣的款项已原路退回');
  });
});

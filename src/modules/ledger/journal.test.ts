import { describe, expect, it } from 'vitest';
import { isBalanced, postingsFor } from './journal.ts';

describe('ledger postings (PAY-11)', () => {
  const m = { channel: 'alipay', sittingId: 7n, amountFen: 8000n };
  it.each(['CAPTURE_SETTLED', 'CAPTURE_UNWANTED', 'REFUND_DECIDED', 'REFUND_SUCCEEDED'] as const)('%s is balanced', (kind) => {
    expect(isBalanced(postingsFor(kind, m))).toBe(true);
  });
  it('a paid bill: the channel holds the money, the sitting earned it', () => {
    expect(postingsFor('CAPTURE_SETTLED', m)).toEqual([{ account: 'clearing:alipay', amountFen: 8000n }, { account: 'fees:7', amountFen: -8000n }]);
  });
  it('a duplicate capture and its refund leave nothing behind', () => {
    const all = [...postingsFor('CAPTURE_UNWANTED', m), ...postingsFor('REFUND_SUCCEEDED', m)];
    const by = new Map<string, bigint>();
    for (const p of all) by.set(p.account, (by.get(p.account) ?? 0n) + p.amountFen);
    expect([...by.values()]).toEqual([0n, 0n]);
  });
  it('REF-4/PAY-11: a refund of money that paid a bill comes out of the sitting\'s fees when decided, out of the channel when made', () => {
    expect(postingsFor('REFUND_DECIDED', m)).toEqual([{ account: 'fees:7', amountFen: 8000n }, { account: 'refundable:alipay', amountFen: -8000n }]);
    const all = [...postingsFor('CAPTURE_SETTLED', m), ...postingsFor('REFUND_DECIDED', { ...m, amountFen: 3000n }), ...postingsFor('REFUND_SUCCEEDED', { ...m, amountFen: 3000n })];
    const by = new Map<string, bigint>();
    for (const p of all) by.set(p.account, (by.get(p.account) ?? 0n) + p.amountFen);
    // 80.00 paid, 30.00 of it given back: the channel holds 50.00, the sitting earned 50.00, nothing owed.
    expect(Object.fromEntries(by)).toEqual({ 'clearing:alipay': 5000n, 'fees:7': -5000n, 'refundable:alipay': 0n });
  });

  it('refuses unbalanced or empty entries', () => {
    expect(isBalanced([{ account: 'clearing:alipay', amountFen: 1n }])).toBe(false);
    expect(isBalanced([{ account: 'clearing:alipay', amountFen: 2n }, { account: 'fees:1', amountFen: -1n }])).toBe(false);
    expect(isBalanced([{ account: 'clearing:alipay', amountFen: 0n }, { account: 'fees:1', amountFen: 0n }])).toBe(false);
  });
});

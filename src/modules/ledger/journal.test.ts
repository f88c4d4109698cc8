import { describe, expect, it } from 'vitest';
import { isBalanced, postingsFor } from './journal.ts';

describe('ledger postings (PAY-11)', () => {
  const m = { channel: 'alipay', sittingId: 7n, amountFen: 8000n };
  it.each(['CAPTURE_SETTLED', 'CAPTURE_UNWANTED', 'REFUND_SUCCEEDED'] as const)('%s is balanced', (kind) => {
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
  it('a refund of money that paid a bill comes out of the sitting\'s fees', () => {
    expect(postingsFor('REFUND_SUCCEEDED', { ...m, refundOfSettled: true })).toEqual([{ account: 'fees:7', amountFen: 8000n }, { account: 'clearing:alipay', amountFen: -8000n }]);
  });

  it('refuses unbalanced or empty entries', () => {
    expect(isBalanced([{ account: 'clearing:alipay', amountFen: 1n }])).toBe(false);
    expect(isBalanced([{ account: 'clearing:alipay', amountFen: 2n }, { account: 'fees:1', amountFen: -1n }])).toBe(false);
    expect(isBalanced([{ account: 'clearing:alipay', amountFen: 0n }, { account: 'fees:1', amountFen: 0n }])).toBe(false);
  });
});

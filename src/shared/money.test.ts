import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fenToYuan, yuanToFen } from './money.ts';

describe('money: fen ↔ yuan strings', () => {
  it('converts exactly, both ways, for any amount', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10_000_000_000n }), (fen) => {
      expect(yuanToFen(fenToYuan(fen))).toBe(fen);
    }));
  });
  it('formats with two decimals', () => {
    expect(fenToYuan(8880n)).toBe('88.80');
    expect(fenToYuan(1n)).toBe('0.01');
    expect(fenToYuan(0n)).toBe('0.00');
  });
  it('refuses anything that is not a two-decimal yuan amount', () => {
    for (const bad of ['88.8', '88', '-1.00', '1e2', '088.00', '88.800', ' 88.80', '0x10.00', '']) {
      expect(() => yuanToFen(bad)).toThrow(RangeError);
    }
  });
});

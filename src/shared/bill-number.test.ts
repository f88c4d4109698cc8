import { describe, expect, it } from 'vitest';
import { isValidBillNo, newBillNo } from './bill-number.ts';

describe('bill numbers', () => {
  const at = new Date('2026-03-14T16:30:00Z'); // 2026-03-15 00:30 in Beijing

  it('start with the Beijing date and are 21 digits with a valid check digit', () => {
    const n = newBillNo(at);
    expect(n).toMatch(/^20260315\d{13}$/);
    expect(isValidBillNo(n)).toBe(true);
  });

  it('reject any single mistyped digit and any adjacent swap of different digits', () => {
    const n = newBillNo(at);
    for (let i = 0; i < n.length; i++) {
      const d = Number(n[i]);
      const typo = n.slice(0, i) + String((d + 1 + Math.floor(Math.random() * 9)) % 10) + n.slice(i + 1);
      if (typo !== n) expect(isValidBillNo(typo)).toBe(false);
    }
    for (let i = 0; i < n.length - 1; i++) {
      const a = n[i]!, b = n[i + 1]!;
      // Luhn misses only the 0↔9 swap.
      if (a === b || (a + b === '09') || (a + b === '90')) continue;
      expect(isValidBillNo(n.slice(0, i) + b + a + n.slice(i + 2))).toBe(false);
    }
  });

  it('are unguessable: 10,000 numbers on one day are all different', () => {
    const seen = new Set(Array.from({ length: 10_000 }, () => newBillNo(at)));
    expect(seen.size).toBe(10_000);
  });

  it('reject wrong shapes', () => {
    for (const bad of ['', '2026031512345678901', 'abcdefghijklmnopqrstu', `${newBillNo(at)}0`, ' 202603151234567890123']) {
      expect(isValidBillNo(bad)).toBe(false);
    }
  });
});

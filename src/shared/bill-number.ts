import { randomInt } from 'node:crypto';
import { shanghaiDateCompact } from './time.ts';

/**
 * Bill numbers (订单号, PAY-1): `YYYYMMDD` (Beijing date) + 12 random digits + 1 Luhn check
 * digit — 21 digits, accepted by every channel (Alipay ≤64, WeChat Pay 6–32, UnionPay 8–40).
 * 10^12 random values per day from the CSPRNG make guessing a valid number useless: even a
 * million bills a day leaves one hit per million guesses, and look-ups are rate-limited.
 * The check digit catches a mistyped digit or an adjacent swap before any database query.
 */
export function newBillNo(now: Date): string {
  let body = shanghaiDateCompact(now);
  for (let i = 0; i < 12; i++) body += String(randomInt(10));
  return body + luhnDigit(body);
}

export function isValidBillNo(s: string): boolean {
  return /^\d{21}$/.test(s) && luhnDigit(s.slice(0, -1)) === s.slice(-1);
}

function luhnDigit(digits: string): string {
  let sum = 0;
  for (let i = digits.length - 1, double = true; i >= 0; i--, double = !double) {
    let d = digits.charCodeAt(i) - 48;
    if (double) { d *= 2; if (d > 9) d -= 9; }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

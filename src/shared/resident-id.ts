/**
 * 居民身份证号码 (GB 11643-1999): 17 digits + an ISO 7064 MOD 11-2 check character (0–9 or X).
 * Issue "Accounts and security" adds birth-date and region checks on top.
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export function residentIdCheckChar(first17: string): string {
  if (!/^\d{17}$/.test(first17)) throw new RangeError('need 17 digits');
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i]!;
  return CHECK[sum % 11]!;
}

export function isValidResidentIdChecksum(id: string): boolean {
  return /^\d{17}[\dX]$/.test(id) && residentIdCheckChar(id.slice(0, 17)) === id[17];
}

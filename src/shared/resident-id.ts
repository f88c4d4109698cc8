/**
 * 居民身份证号码 (GB 11643-1999): 6-digit region code (GB/T 2260), 8-digit birth date, 3-digit
 * sequence (odd = male), and an ISO 7064 MOD 11-2 check character (0–9 or X). The 港澳台居民居住证
 * (residence permits for Hong Kong, Macao and Taiwan residents, issued since 2018-09-01) use the
 * same layout with the region codes 810000, 820000 and 830000.
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

/** Province-level codes of GB/T 2260 (71 = 台湾省); 81/82/83 only as 810000/820000/830000. */
const PROVINCES = new Set(['11', '12', '13', '14', '15', '21', '22', '23', '31', '32', '33', '34', '35', '36', '37',
  '41', '42', '43', '44', '45', '46', '50', '51', '52', '53', '54', '61', '62', '63', '64', '65', '71', '81', '82', '83']);
const RESIDENCE_PERMIT_REGIONS = new Set(['810000', '820000', '830000']);

/** Nobody alive is older; a birth date before this many years ago is a typing error. */
export const MAX_AGE_YEARS = 120;

export type ResidentIdProblem =
  | { problem: 'FORMAT' }
  | { problem: 'FIFTEEN_DIGITS' }
  | { problem: 'REGION' }
  | { problem: 'BIRTH_DATE'; reason: 'NOT_A_DATE' | 'IN_FUTURE' | 'TOO_OLD' }
  | { problem: 'CHECK_DIGIT' };

export type ResidentIdCheck =
  | { valid: true; kind: 'RESIDENT_ID' | 'HMT_RESIDENCE_PERMIT'; birthDate: string; number: string }
  | ({ valid: false } & ResidentIdProblem);

/**
 * Checks an 18-character number completely: shape, region, a real birth date that is not after
 * `today` (a Beijing calendar date, yyyy-mm-dd) and not more than MAX_AGE_YEARS before it, and
 * the check character. The birth date is checked before the check character so that a wrong
 * date is named as such even when the check character happens to fit.
 *
 * 15-digit first-generation numbers are refused with their own problem: first-generation cards
 * stopped being valid on 2013-01-01 (公安部), every holder has had an 18-digit number since, and
 * an account keyed on the 15-digit form would be a second account for the same person.
 */
export function checkResidentId(number: string, today: string): ResidentIdCheck {
  if (/^\d{15}$/.test(number)) return { valid: false, problem: 'FIFTEEN_DIGITS' };
  if (!/^\d{17}[\dX]$/.test(number)) return { valid: false, problem: 'FORMAT' };
  const region = number.slice(0, 6);
  if (!PROVINCES.has(region.slice(0, 2)) || (/^8[123]/.test(region) && !RESIDENCE_PERMIT_REGIONS.has(region))) return { valid: false, problem: 'REGION' };
  const birth = number.slice(6, 14);
  const birthDate = `${birth.slice(0, 4)}-${birth.slice(4, 6)}-${birth.slice(6, 8)}`;
  if (!isCalendarDate(birthDate)) return { valid: false, problem: 'BIRTH_DATE', reason: 'NOT_A_DATE' };
  if (birthDate > today) return { valid: false, problem: 'BIRTH_DATE', reason: 'IN_FUTURE' };
  const oldest = `${String(Number(today.slice(0, 4)) - MAX_AGE_YEARS).padStart(4, '0')}${today.slice(4)}`;
  if (birthDate < oldest) return { valid: false, problem: 'BIRTH_DATE', reason: 'TOO_OLD' };
  if (residentIdCheckChar(number.slice(0, 17)) !== number[17]) return { valid: false, problem: 'CHECK_DIGIT' };
  return { valid: true, kind: RESIDENCE_PERMIT_REGIONS.has(region) ? 'HMT_RESIDENCE_PERMIT' : 'RESIDENT_ID', birthDate, number };
}

function isCalendarDate(iso: string): boolean {
  const d = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === iso;
}

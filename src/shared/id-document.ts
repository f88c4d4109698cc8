import { fail, ok, type Result } from './errors.ts';
import { checkResidentId, type ResidentIdProblem } from './resident-id.ts';
import { formatShanghai } from './time.ts';

/**
 * The identity documents an ID-document account can be keyed on (ACC-1), and the one check of
 * their numbers used wherever a number comes in: sign-in, rosters, seeds, any API.
 * Formats and the reasons for them: docs/accounts.md.
 */
export const ID_TYPES = ['RESIDENT_ID', 'PASSPORT', 'HK_MACAO_PERMIT', 'TAIWAN_PERMIT', 'HMT_RESIDENCE_PERMIT'] as const;
export type IdType = (typeof ID_TYPES)[number];

export const ID_TYPE_NAMES: Record<IdType, { zh: string; en: string }> = {
  RESIDENT_ID: { zh: '居民身份证', en: 'Resident identity card' },
  PASSPORT: { zh: '护照', en: 'Passport' },
  HK_MACAO_PERMIT: { zh: '港澳居民来往内地通行证', en: 'Mainland travel permit for Hong Kong and Macao residents' },
  TAIWAN_PERMIT: { zh: '台湾居民来往大陆通行证', en: 'Mainland travel permit for Taiwan residents' },
  HMT_RESIDENCE_PERMIT: { zh: '港澳台居民居住证', en: 'Residence permit for Hong Kong, Macao and Taiwan residents' },
};

const FORMATS: Record<Exclude<IdType, 'RESIDENT_ID' | 'HMT_RESIDENCE_PERMIT'>, { re: RegExp; zh: string; en: string }> = {
  // ICAO 9303 document numbers: letters and digits; most countries use 6–9, a few longer.
  PASSPORT: { re: /^(?=.*\d)[A-Z0-9]{5,17}$/, zh: '5–17位字母和数字（至少含一位数字）', en: '5–17 letters and digits, at least one digit' },
  // 回乡证: the card since 2013 is H/M + 8 digits; the older booklet added 2 digits (times renewed).
  HK_MACAO_PERMIT: { re: /^[HM]\d{8}(\d{2})?$/, zh: 'H或M加8位数字（旧版为H或M加10位数字）', en: 'H or M followed by 8 digits (older booklets: 10 digits)' },
  // 台胞证: the card since 2015 is 8 digits; older booklets were 10 digits, sometimes with a letter in brackets.
  TAIWAN_PERMIT: { re: /^(\d{8}|\d{10}(\([A-Z]\))?)$/, zh: '8位数字（旧版为10位数字，可带括号字母）', en: '8 digits (older booklets: 10 digits, possibly with a letter in brackets)' },
};

/**
 * What people type, made comparable: full-width forms (１２３、（Ｂ）) to ASCII, spaces and
 * hyphens removed, letters upper-case. Stored numbers are always in this form.
 */
export function normaliseIdNumber(raw: string): string {
  return raw.normalize('NFKC').replace(/[\s\u00a0-]+/g, '').toUpperCase();
}

export interface IdDocument {
  idType: IdType;
  /** Normalised. */
  number: string;
}

/** The Beijing calendar date of `now` (yyyy-mm-dd): birth dates are compared with it. */
export function shanghaiToday(now: Date): string {
  return formatShanghai(now).slice(0, 10);
}

/** A roster row or an API field that says which document it is: checked against that document's format. */
export function validateIdNumber(idType: IdType, raw: string, now: Date): Result<IdDocument> {
  const number = normaliseIdNumber(raw);
  if (idType === 'RESIDENT_ID' || idType === 'HMT_RESIDENCE_PERMIT') {
    const check = checkResidentId(number, shanghaiToday(now));
    if (!check.valid) return residentIdFailure(idType, check);
    if (check.kind !== idType) {
      // A 居住证 number is not a 身份证 number and vice versa: the region code tells them apart.
      return fail('ID_NUMBER_WRONG_TYPE', { idType, expectedZh: ID_TYPE_NAMES[idType].zh, expectedEn: ID_TYPE_NAMES[idType].en });
    }
    return ok({ idType, number });
  }
  const format = FORMATS[idType];
  if (!format.re.test(number)) return fail('ID_NUMBER_FORMAT', { idType, formatZh: format.zh, formatEn: format.en });
  return ok({ idType, number });
}

/**
 * Sign-in and look-ups where the person types a number without saying which document it is:
 * anything that looks like a 身份证 / 居住证 number (15–18 digits, or 17 digits and X) must be a
 * valid one, named precisely when it is not; anything else must fit one of the other formats.
 * The type returned is the best reading; the account is found by the number alone.
 */
export function recogniseIdNumber(raw: string, now: Date): Result<IdDocument> {
  const number = normaliseIdNumber(raw);
  if (/^\d{15,17}$|^\d{17}X$|^\d{18}$/.test(number)) {
    const check = checkResidentId(number, shanghaiToday(now));
    if (!check.valid) return residentIdFailure('RESIDENT_ID', check);
    return ok({ idType: check.kind, number });
  }
  for (const idType of ['HK_MACAO_PERMIT', 'TAIWAN_PERMIT', 'PASSPORT'] as const) {
    if (FORMATS[idType].re.test(number)) return ok({ idType, number });
  }
  return fail('ID_NUMBER_FORMAT', {
    idType: 'ANY',
    formatZh: '居民身份证或港澳台居民居住证为18位（最后一位可为X）；护照、港澳或台湾居民来往通行证按证件上的号码填写',
    formatEn: '18 characters for a resident ID card or residence permit (the last may be X); a passport or travel permit as printed on it',
  });
}

function residentIdFailure(idType: IdType, p: ResidentIdProblem): Result<never> {
  switch (p.problem) {
    case 'FIFTEEN_DIGITS': return fail('ID_NUMBER_15_DIGITS', { idType });
    case 'FORMAT': return fail('ID_NUMBER_FORMAT', { idType, formatZh: '18位：17位数字加1位校验码（0–9或X）', formatEn: '18 characters: 17 digits and a check character (0–9 or X)' });
    case 'REGION': return fail('ID_NUMBER_REGION', { idType });
    case 'BIRTH_DATE': return fail('ID_NUMBER_BIRTH_DATE', { idType, reason: p.reason });
    case 'CHECK_DIGIT': return fail('ID_NUMBER_CHECK_DIGIT', { idType });
  }
}

/** For pages, API answers that do not need the number, and logs: the first 3 and last 4 characters. */
export function maskIdNumber(id: string): string {
  return id.length <= 7 ? '*'.repeat(id.length) : `${id.slice(0, 3)}${'*'.repeat(id.length - 7)}${id.slice(-4)}`;
}

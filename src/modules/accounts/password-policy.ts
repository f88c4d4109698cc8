import fs from 'node:fs';
import type { Exam } from '../../db/schema.ts';

/**
 * Password policy per exam (ACC-3), as pure rules. The exam sets length, required character
 * classes and the special characters it allows (seed 001: 8–16 with letters and digits; seed 002:
 * at least 8 with a letter, a digit and one of !@#$%^&*_-). Always, whatever the exam: not the
 * initial password, not the current one, nothing of the ID number, not a common password.
 * Every broken rule is its own problem code, so the page can say which.
 */
export const CHARACTER_CLASSES = ['LETTER', 'LOWER', 'UPPER', 'DIGIT', 'SPECIAL'] as const;
export type CharacterClass = (typeof CHARACTER_CLASSES)[number];

export interface PasswordPolicy {
  minLength: number;
  /** null: no maximum of the exam's own; SYSTEM_MAX_LENGTH still applies. */
  maxLength: number | null;
  requiredClasses: CharacterClass[];
  /** The only non-alphanumeric characters allowed. */
  specialCharacters: string;
}

/** Longer passwords only cost hashing time; nobody types more. */
export const SYSTEM_MAX_LENGTH = 64;
export const STANDARD_SPECIALS = '!@#$%^&*_-';

/** Seed 001's rule, the platform's default where a manual says nothing. */
export const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { minLength: 8, maxLength: 16, requiredClasses: ['LETTER', 'DIGIT'], specialCharacters: STANDARD_SPECIALS };

export const PASSWORD_PROBLEMS = [
  'TOO_SHORT', 'TOO_LONG', 'NEEDS_LETTER', 'NEEDS_LOWER', 'NEEDS_UPPER', 'NEEDS_DIGIT', 'NEEDS_SPECIAL', 'ILLEGAL_CHARACTER',
  'SAME_AS_INITIAL', 'SAME_AS_CURRENT', 'CONTAINS_ID_NUMBER', 'CONTAINS_ID_LAST6', 'COMMON_PASSWORD',
] as const;
export type PasswordProblem = (typeof PASSWORD_PROBLEMS)[number];

export interface PasswordContext {
  /** The exam's initial password for this account (ACC-2), when it has one. */
  initial?: string;
  /** The account's ID number, normalised. */
  idNumber?: string;
  /** The password being replaced, when the person typed it. */
  current?: string;
}

export function policyOfExam(exam: Pick<Exam, 'password_min_length' | 'password_max_length' | 'password_required_classes' | 'password_special_characters'>): PasswordPolicy {
  return {
    minLength: exam.password_min_length,
    maxLength: exam.password_max_length,
    requiredClasses: exam.password_required_classes.filter((c): c is CharacterClass => (CHARACTER_CLASSES as readonly string[]).includes(c)),
    specialCharacters: exam.password_special_characters,
  };
}

const CLASS_TEST: Record<CharacterClass, (ch: string, policy: PasswordPolicy) => boolean> = {
  LETTER: (ch) => /[A-Za-z]/.test(ch),
  LOWER: (ch) => /[a-z]/.test(ch),
  UPPER: (ch) => /[A-Z]/.test(ch),
  DIGIT: (ch) => /\d/.test(ch),
  SPECIAL: (ch, p) => p.specialCharacters.includes(ch),
};
const NEEDS: Record<CharacterClass, PasswordProblem> = { LETTER: 'NEEDS_LETTER', LOWER: 'NEEDS_LOWER', UPPER: 'NEEDS_UPPER', DIGIT: 'NEEDS_DIGIT', SPECIAL: 'NEEDS_SPECIAL' };

export function passwordProblems(password: string, ctx: PasswordContext, policy: PasswordPolicy = DEFAULT_PASSWORD_POLICY): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  const chars = [...password];
  if (chars.length < policy.minLength) problems.push('TOO_SHORT');
  if (chars.length > Math.min(policy.maxLength ?? SYSTEM_MAX_LENGTH, SYSTEM_MAX_LENGTH)) problems.push('TOO_LONG');
  for (const cls of CHARACTER_CLASSES) {
    if (policy.requiredClasses.includes(cls) && !chars.some((ch) => CLASS_TEST[cls](ch, policy))) problems.push(NEEDS[cls]);
  }
  if (chars.some((ch) => !/[A-Za-z\d]/.test(ch) && !policy.specialCharacters.includes(ch))) problems.push('ILLEGAL_CHARACTER');
  const lower = password.toLowerCase();
  // Case does not make an initial password new: "31002x" is still the last six of …31002X.
  if (ctx.initial !== undefined && lower === ctx.initial.toLowerCase()) problems.push('SAME_AS_INITIAL');
  if (ctx.current !== undefined && password === ctx.current) problems.push('SAME_AS_CURRENT');
  if (ctx.idNumber && containsIdRun(lower, ctx.idNumber.toLowerCase())) problems.push('CONTAINS_ID_NUMBER');
  if (ctx.idNumber && ctx.idNumber.length >= 6 && lower.includes(ctx.idNumber.slice(-6).toLowerCase())) problems.push('CONTAINS_ID_LAST6');
  if (isCommonPassword(password)) problems.push('COMMON_PASSWORD');
  return problems;
}

// Eight characters in a row of the ID number: the whole number, and its birth date (seed 000's advice).
const ID_RUN = 8;
function containsIdRun(password: string, id: string): boolean {
  if (id.length < ID_RUN) return password.includes(id);
  for (let i = 0; i + ID_RUN <= id.length; i++) if (password.includes(id.slice(i, i + ID_RUN))) return true;
  return false;
}

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set(fs.readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8').split('\n').filter(Boolean));
  return common;
}

/**
 * In the list (common-passwords.txt) ignoring case, ignoring special characters stuck on either
 * end ("Password1!" is "password1"), and read back from the usual swaps (p@$$w0rd).
 */
export function isCommonPassword(password: string): boolean {
  const list = commonPasswords();
  const lower = password.toLowerCase();
  const trimmed = lower.replace(/^[^a-z\d]+|[^a-z\d]+$/g, '');
  const unswapped = trimmed.replace(/@/g, 'a').replace(/\$/g, 's').replace(/0/g, 'o');
  return list.has(lower) || list.has(trimmed) || list.has(unswapped);
}

export interface PolicyRule {
  /** The problem codes this rule answers for (the length rule answers for TOO_SHORT and TOO_LONG). */
  codes: PasswordProblem[];
  zh: string;
  en: string;
}

const CLASS_NAMES: Record<CharacterClass, { zh: string; en: string }> = {
  LETTER: { zh: '字母', en: 'a letter' },
  LOWER: { zh: '小写字母', en: 'a lower-case letter' },
  UPPER: { zh: '大写字母', en: 'an upper-case letter' },
  DIGIT: { zh: '数字', en: 'a digit' },
  SPECIAL: { zh: '特殊字符', en: 'a special character' },
};

/**
 * The policy in words, one rule per problem code: what the page lists before anyone types and
 * marks when the server names a problem, and what the API documents.
 */
export function describePolicy(policy: PasswordPolicy): { rules: PolicyRule[]; summaryZh: string; summaryEn: string } {
  const max = Math.min(policy.maxLength ?? SYSTEM_MAX_LENGTH, SYSTEM_MAX_LENGTH);
  const rules: PolicyRule[] = [policy.maxLength === null
    ? { codes: ['TOO_SHORT', 'TOO_LONG'], zh: `长度不少于 ${policy.minLength} 位（最多 ${max} 位）`, en: `at least ${policy.minLength} characters (at most ${max})` }
    : { codes: ['TOO_SHORT', 'TOO_LONG'], zh: `长度为 ${policy.minLength}–${max} 位`, en: `${policy.minLength}–${max} characters long` }];
  for (const cls of CHARACTER_CLASSES) {
    if (!policy.requiredClasses.includes(cls)) continue;
    rules.push(cls === 'SPECIAL'
      ? { codes: ['NEEDS_SPECIAL'], zh: `至少包含一个特殊字符（${policy.specialCharacters}）`, en: `at least one special character (${policy.specialCharacters})` }
      : { codes: [NEEDS[cls]], zh: `至少包含一个${CLASS_NAMES[cls].zh}`, en: `at least ${CLASS_NAMES[cls].en}` });
  }
  rules.push(
    policy.specialCharacters
      ? { codes: ['ILLEGAL_CHARACTER'], zh: `只能使用字母、数字和 ${policy.specialCharacters}，区分大小写`, en: `only letters, digits and ${policy.specialCharacters}; case-sensitive` }
      : { codes: ['ILLEGAL_CHARACTER'], zh: '只能使用字母和数字，区分大小写', en: 'only letters and digits; case-sensitive' },
    { codes: ['SAME_AS_INITIAL'], zh: '不能是初始密码', en: 'not the initial password' },
    { codes: ['SAME_AS_CURRENT'], zh: '不能与当前密码相同', en: 'not the current password' },
    { codes: ['CONTAINS_ID_NUMBER'], zh: '不能包含证件号码或其中连续8位（如出生日期）', en: 'not containing the ID number or 8 characters of it in a row (such as the birth date)' },
    { codes: ['CONTAINS_ID_LAST6'], zh: '不能包含证件号码后6位', en: 'not containing the last 6 characters of the ID number' },
    { codes: ['COMMON_PASSWORD'], zh: '不能是常见密码（如 123456、woaini1314、a123456、password1）', en: 'not a common password (such as 123456, woaini1314, a123456, password1)' },
  );
  return { rules, summaryZh: `${rules.map((r) => r.zh).join('；')}。`, summaryEn: `${rules.map((r) => r.en).join('; ')}.` };
}

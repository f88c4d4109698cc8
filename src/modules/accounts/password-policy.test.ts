import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { COMMON_PASSWORDS_FILE, generateCommonPasswords } from './common-passwords.generate.ts';
import { DEFAULT_PASSWORD_POLICY, describePolicy, isCommonPassword, PASSWORD_PROBLEMS, passwordProblems, type PasswordPolicy } from './password-policy.ts';

const SEED_001: PasswordPolicy = DEFAULT_PASSWORD_POLICY; // 8–16, letters and digits
const SEED_002: PasswordPolicy = { minLength: 8, maxLength: null, requiredClasses: ['LETTER', 'DIGIT', 'SPECIAL'], specialCharacters: '!@#$%^&*_-' };
const ID = '11010519900307123X';
const none = {};

describe('exam rules (ACC-3)', () => {
  it('length: seed 001 is 8–16; seed 002 has no maximum of its own but 64 still applies', () => {
    expect(passwordProblems('Kp7wq2m', none, SEED_001)).toEqual(['TOO_SHORT']);
    expect(passwordProblems('Kp7wq2mz', none, SEED_001)).toEqual([]);
    expect(passwordProblems('Kp7wq2mzKp7wq2mz', none, SEED_001)).toEqual([]);
    expect(passwordProblems('Kp7wq2mzKp7wq2mzK', none, SEED_001)).toEqual(['TOO_LONG']);
    expect(passwordProblems('Kp7wq2m!'.repeat(5), none, SEED_002)).toEqual([]);
    expect(passwordProblems('Kp7wq2m!'.repeat(8) + 'x', none, SEED_002)).toEqual(['TOO_LONG']);
  });

  it('required classes, each its own code; letters are case-sensitive but any case counts as a letter', () => {
    expect(passwordProblems('29384756', none, SEED_001)).toEqual(['NEEDS_LETTER']);
    expect(passwordProblems('kpwqzmtr', none, SEED_001)).toEqual(['NEEDS_DIGIT']);
    expect(passwordProblems('KPWQ7ZMT', none, SEED_001)).toEqual([]);
    expect(passwordProblems('kp7wq2mz', none, SEED_002)).toEqual(['NEEDS_SPECIAL']);
    expect(passwordProblems('kp7wq2m_', none, SEED_002)).toEqual([]);
    const upperLower: PasswordPolicy = { ...SEED_001, requiredClasses: ['LOWER', 'UPPER', 'DIGIT'] };
    expect(passwordProblems('kp7wq2mz', none, upperLower)).toEqual(['NEEDS_UPPER']);
    expect(passwordProblems('KP7WQ2MZ', none, upperLower)).toEqual(['NEEDS_LOWER']);
    expect(passwordProblems('Kp7wq2mz', none, upperLower)).toEqual([]);
  });

  it('only letters, digits and the exam\'s special set', () => {
    for (const ch of '!@#$%^&*_-') expect(passwordProblems(`Kp7wq2m${ch}`, none, SEED_002)).toEqual([]);
    for (const bad of ['Kp7wq2m+', 'Kp7w q2m!', 'Kp7wq2m!。', 'Kp7wq2m!密', 'Kp7wq2m!\t']) expect(passwordProblems(bad, none, SEED_002)).toContain('ILLEGAL_CHARACTER');
    expect(passwordProblems('Kp7wq2m!', none, { ...SEED_001, specialCharacters: '' })).toEqual(['ILLEGAL_CHARACTER']);
  });
});

describe('rules for every exam', () => {
  it('not the initial password, whatever its case', () => {
    const fixed = { initial: 'Ks2026ab' };
    expect(passwordProblems('Ks2026ab', fixed)).toEqual(['SAME_AS_INITIAL']);
    expect(passwordProblems('KS2026AB', fixed)).toEqual(['SAME_AS_INITIAL']);
    expect(passwordProblems('Ks2026abc', fixed)).toEqual([]);
  });

  it('not the current password', () => {
    expect(passwordProblems('Kp7wq2mz', { current: 'Kp7wq2mz' })).toEqual(['SAME_AS_CURRENT']);
    expect(passwordProblems('Kp7wq2mZ', { current: 'Kp7wq2mz' })).toEqual([]);
  });

  it('nothing of the ID number: not the number, not containing it, not 8 of its characters in a row (the birth date), not its last 6', () => {
    const ctx = { idNumber: ID, initial: ID.slice(-6) };
    expect(passwordProblems(ID, ctx, SEED_002)).toEqual(expect.arrayContaining(['CONTAINS_ID_NUMBER', 'CONTAINS_ID_LAST6']));
    expect(passwordProblems(`a${ID.toLowerCase()}!`, ctx, SEED_002)).toEqual(['CONTAINS_ID_NUMBER', 'CONTAINS_ID_LAST6']);
    expect(passwordProblems('Me19900307', ctx)).toEqual(['CONTAINS_ID_NUMBER']);
    expect(passwordProblems('Me1990030', ctx)).toEqual([]);
    expect(passwordProblems('Kpw07123x', ctx)).toEqual(['CONTAINS_ID_LAST6']); // …07123X, lower-case x too
    expect(passwordProblems('Kpw07124x', ctx)).toEqual([]);
    // Short numbers (a passport) are refused whole.
    expect(passwordProblems('aE1234567', { idNumber: 'E1234567' })).toEqual(['CONTAINS_ID_NUMBER', 'CONTAINS_ID_LAST6']);
  });

  it('not a common password, including the Chinese favourites, ignoring case, special characters at the ends and the usual swaps', () => {
    for (const p of ['123456', '888888', 'woaini1314', 'qq123456', 'a123456', 'password1', '5201314', '1qaz2wsx', 'zhang123', 'abc12345', 'wang1990']) {
      expect(isCommonPassword(p), p).toBe(true);
    }
    for (const p of ['WoAiNi1314', 'Password1!', '@a123456', 'P@ssw0rd1', 'Qq123456_']) expect(isCommonPassword(p), p).toBe(true);
    expect(passwordProblems('Woaini1314', none)).toEqual(['COMMON_PASSWORD']);
    expect(passwordProblems('Password1!', none, SEED_002)).toEqual(['COMMON_PASSWORD']);
    for (const p of ['Kp7wq2mz', 'Hx4!tRq9', 'sheng7ri_kuai']) expect(isCommonPassword(p), p).toBe(false);
  });

  it('reports every broken rule at once', () => {
    expect(passwordProblems('123456', { initial: '123456' }, SEED_002)).toEqual(['TOO_SHORT', 'NEEDS_LETTER', 'NEEDS_SPECIAL', 'SAME_AS_INITIAL', 'COMMON_PASSWORD']);
  });
});

describe('the policy in words', () => {
  it('has a rule for every problem code, in Chinese and English, from the policy\'s own numbers', () => {
    for (const policy of [SEED_001, SEED_002, { ...SEED_001, requiredClasses: ['LOWER', 'UPPER', 'DIGIT', 'SPECIAL'] } satisfies PasswordPolicy]) {
      const { rules } = describePolicy(policy);
      const covered = new Set(rules.flatMap((r) => r.codes));
      for (const code of PASSWORD_PROBLEMS) {
        const needed = !code.startsWith('NEEDS_') || policy.requiredClasses.includes(code.slice(6) as never);
        expect(covered.has(code), `${code} for ${JSON.stringify(policy)}`).toBe(needed);
      }
      for (const r of rules) expect(r.zh).toMatch(/[\u4e00-\u9fff]/);
    }
    expect(describePolicy(SEED_001).summaryZh).toContain('长度为 8–16 位');
    expect(describePolicy(SEED_002).summaryZh).toContain('长度不少于 8 位');
    expect(describePolicy(SEED_002).summaryEn).toContain('at least one special character (!@#$%^&*_-)');
  });
});

describe('the common-password list (common-passwords.txt)', () => {
  it('is exactly what its generator makes (so the file and the documented recipe cannot drift)', () => {
    expect(fs.readFileSync(COMMON_PASSWORDS_FILE, 'utf8')).toBe(`${generateCommonPasswords().join('\n')}\n`);
  });

  it('is lower-case, sorted, unique, and a useful size', () => {
    const list = generateCommonPasswords();
    expect(list.length).toBeGreaterThan(10_000);
    expect(new Set(list).size).toBe(list.length);
    expect(list.every((p) => p === p.toLowerCase() && p.length > 0 && !/\s/.test(p))).toBe(true);
  });
});

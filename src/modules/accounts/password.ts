import { hash, verify } from '@node-rs/argon2';
import type { Exam } from '../../db/schema.ts';

// OWASP's argon2id baseline (m=19 MiB, t=2, p=1).
const OPTIONS = { algorithm: 2 /* Algorithm.Argon2id; a const enum the compiler may not inline here */, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return hash(password, OPTIONS);
}

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/**
 * A hash of nothing anyone knows, verified when the account does not exist, so a wrong ID
 * number costs the same time as a wrong password and answers the same (ACC-5's spirit).
 */
let dummyHash: Promise<string> | undefined;
export function dummyPasswordHash(): Promise<string> {
  dummyHash ??= hashPassword(`no-such-account-${Math.random()}`);
  return dummyHash;
}

/**
 * The password_hash of an imported roster account (ADM-2) that still has its initial password:
 * the password is the exam's rule applied to the account (ACC-2), checked at sign-in against the
 * rule instead of an argon2id hash — 100,000 hashes would take over an hour. Not a PHC string,
 * so verifyPassword() refuses it everywhere else; the forced first change replaces it.
 */
export const INITIAL_PASSWORD_BY_RULE = 'initial-password-by-exam-rule';

/** ACC-2: the password a roster account starts with. */
export function initialPassword(exam: Pick<Exam, 'initial_password_rule' | 'initial_password_fixed'>, idNumber: string): string {
  if (exam.initial_password_rule === 'FIXED') {
    if (!exam.initial_password_fixed) throw new Error('exam has FIXED initial password rule but no password');
    return exam.initial_password_fixed;
  }
  return idNumber.slice(-6);
}

// The rules themselves live in password-policy.ts (per exam, ACC-3); kept importable from here.
export { passwordProblems, type PasswordProblem } from './password-policy.ts';

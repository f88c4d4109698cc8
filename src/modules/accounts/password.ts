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

/** ACC-2: the password a roster account starts with. */
export function initialPassword(exam: Pick<Exam, 'initial_password_rule' | 'initial_password_fixed'>, idNumber: string): string {
  if (exam.initial_password_rule === 'FIXED') {
    if (!exam.initial_password_fixed) throw new Error('exam has FIXED initial password rule but no password');
    return exam.initial_password_fixed;
  }
  return idNumber.slice(-6);
}

export type PasswordProblem = 'LENGTH' | 'NEEDS_LETTER' | 'NEEDS_DIGIT' | 'SAME_AS_INITIAL' | 'CONTAINS_ID_NUMBER' | 'ILLEGAL_CHARACTER';

/**
 * The minimal policy of seed 001 (8–16, letters and digits, case-sensitive), plus: not the
 * initial password, and no run of 8 characters from the ID number (which also covers the birth
 * date, seed 000's advice). Issue "Accounts and security" makes it per exam.
 */
export function passwordProblems(password: string, ctx: { initial: string; idNumber: string }): PasswordProblem[] {
  const problems: PasswordProblem[] = [];
  if (password.length < 8 || password.length > 16) problems.push('LENGTH');
  if (!/[A-Za-z]/.test(password)) problems.push('NEEDS_LETTER');
  if (!/\d/.test(password)) problems.push('NEEDS_DIGIT');
  if (!/^[A-Za-z\d!@#$%^&*_-]*$/.test(password)) problems.push('ILLEGAL_CHARACTER');
  if (password === ctx.initial) problems.push('SAME_AS_INITIAL');
  if (containsIdRun(password, ctx.idNumber)) problems.push('CONTAINS_ID_NUMBER');
  return problems;
}

const ID_RUN = 8;

function containsIdRun(password: string, idNumber: string): boolean {
  const p = password.toUpperCase();
  const id = idNumber.toUpperCase();
  if (id.length < ID_RUN) return p.includes(id) && id.length > 0;
  for (let i = 0; i + ID_RUN <= id.length; i++) if (p.includes(id.slice(i, i + ID_RUN))) return true;
  return false;
}

import type { Exam } from '../../db/schema.ts';
import { initialPassword, passwordProblems, type PasswordProblem } from './password.ts';

/**
 * The policy check (ACC-3) for passwords chosen outside the forced change: at 通行证 sign-up and
 * at a reset by e-mail link. It asks password.ts, the one home of the policy, so per-exam
 * policies apply here as they do at the forced change.
 */
export function newPasswordProblems(exam: Pick<Exam, 'initial_password_rule' | 'initial_password_fixed'>, idNumber: string, password: string): PasswordProblem[] {
  return passwordProblems(password, { initial: initialPassword(exam, idNumber), idNumber });
}

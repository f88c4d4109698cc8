import type { Exam } from '../../db/schema.ts';
import { initialPassword } from './password.ts';
import { passwordProblems, policyOfExam, type PasswordProblem } from './password-policy.ts';

type ExamPolicyFacts = Pick<Exam, 'initial_password_rule' | 'initial_password_fixed' | 'password_min_length' | 'password_max_length' | 'password_required_classes' | 'password_special_characters'>;

/**
 * The policy check (ACC-3) for passwords chosen outside the forced change: at 通行证 sign-up and
 * at a reset by e-mail link — the exam's own policy, as at the forced change.
 */
export function newPasswordProblems(exam: ExamPolicyFacts, idNumber: string, password: string): PasswordProblem[] {
  return passwordProblems(password, { initial: initialPassword(exam, idNumber), idNumber }, policyOfExam(exam));
}

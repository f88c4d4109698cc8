import { fail, ok, type Result } from '../../shared/errors.ts';
import type { Candidate } from '../../db/schema.ts';
import type { AppContext } from '../context.ts';
import { candidateIdNumber, findCandidateByIdNumber } from './candidate-identity.ts';
import { dummyPasswordHash, hashPassword, initialPassword, passwordProblems, verifyPassword } from './password.ts';

/**
 * Sign-in by ID number + password (ACC-2). A missing account and a wrong password give the
 * same answer after the same work. Issue "Accounts and security" adds captcha and lockout.
 */
export async function signIn(
  ctx: Pick<AppContext, 'db' | 'personalData'>,
  input: { authorityCode: string; idNumber: string; password: string },
): Promise<Result<Candidate>> {
  const candidate = await findCandidateByIdNumber(ctx, { authorityCode: input.authorityCode, idNumber: input.idNumber });
  const good = await verifyPassword(candidate?.password_hash ?? (await dummyPasswordHash()), input.password);
  if (!candidate || !good) return fail('BAD_CREDENTIALS');
  return ok(candidate);
}

/** The forced first change and any later change (ACC-2, ACC-3). */
export async function changePassword(
  ctx: Pick<AppContext, 'db' | 'personalData'>,
  input: { candidate: Candidate; currentPassword: string; newPassword: string },
): Promise<Result<true>> {
  if (!(await verifyPassword(input.candidate.password_hash, input.currentPassword))) return fail('BAD_CREDENTIALS');
  const exam = await ctx.db.selectFrom('exam').selectAll().where('id', '=', input.candidate.exam_id).executeTakeFirstOrThrow();
  const idNumber = candidateIdNumber(ctx.personalData, input.candidate);
  const problems = passwordProblems(input.newPassword, { initial: initialPassword(exam, idNumber), idNumber });
  if (input.newPassword === input.currentPassword && !problems.includes('SAME_AS_INITIAL')) problems.push('SAME_AS_INITIAL');
  if (problems.length) return fail('PASSWORD_POLICY', { problems });
  await ctx.db.updateTable('candidate').set({ password_hash: await hashPassword(input.newPassword), must_change_password: false })
    .where('id', '=', input.candidate.id).execute();
  return ok(true);
}

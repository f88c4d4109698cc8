import { fail, ok, type Result } from '../../shared/errors.ts';
import type { Candidate } from '../../db/schema.ts';
import type { AppContext } from '../context.ts';
import { dummyPasswordHash, hashPassword, initialPassword, passwordProblems, verifyPassword } from './password.ts';

/**
 * Sign-in by ID number + password (ACC-2). A missing account and a wrong password give the
 * same answer after the same work. Issue "Accounts and security" adds captcha and lockout.
 */
export async function signIn(
  ctx: Pick<AppContext, 'db'>,
  input: { authorityCode: string; idNumber: string; password: string },
): Promise<Result<Candidate>> {
  const candidate = await ctx.db.selectFrom('candidate as c').innerJoin('authority as a', 'a.id', 'c.authority_id')
    .selectAll('c').where('a.code', '=', input.authorityCode).where('c.id_number', '=', input.idNumber.toUpperCase())
    // A 通行证 signs in with its e-mail address (email-sign-in.ts), not its ID number.
    .where('c.login', '=', 'ID_DOCUMENT').executeTakeFirst();
  const good = await verifyPassword(candidate?.password_hash ?? (await dummyPasswordHash()), input.password);
  if (!candidate || !good) return fail('BAD_CREDENTIALS');
  return ok(candidate);
}

/** The forced first change and any later change (ACC-2, ACC-3). */
export async function changePassword(
  ctx: Pick<AppContext, 'db'>,
  input: { candidate: Candidate; currentPassword: string; newPassword: string },
): Promise<Result<true>> {
  if (!(await verifyPassword(input.candidate.password_hash, input.currentPassword))) return fail('BAD_CREDENTIALS');
  const exam = await ctx.db.selectFrom('exam').selectAll().where('id', '=', input.candidate.exam_id).executeTakeFirstOrThrow();
  const problems = passwordProblems(input.newPassword, {
    initial: initialPassword(exam, input.candidate.id_number),
    idNumber: input.candidate.id_number,
  });
  if (input.newPassword === input.currentPassword && !problems.includes('SAME_AS_INITIAL')) problems.push('SAME_AS_INITIAL');
  if (problems.length) return fail('PASSWORD_POLICY', { problems });
  await ctx.db.updateTable('candidate').set({ password_hash: await hashPassword(input.newPassword), must_change_password: false })
    .where('id', '=', input.candidate.id).execute();
  return ok(true);
}

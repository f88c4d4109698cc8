import type { Candidate } from '../../db/schema.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import type { AppContext } from '../context.ts';
import { normaliseEmail } from './email-address.ts';
import { dummyPasswordHash, verifyPassword } from './password.ts';

/**
 * 通行证 sign-in by e-mail + password (ACC-1). As with the ID number, a missing account and a
 * wrong password give the same answer after the same work. An unverified account signs in; it
 * is registering subjects that waits for the verification (registerSubject says so).
 */
export async function signInByEmail(
  ctx: Pick<AppContext, 'db'>,
  input: { authorityCode: string; email: string; password: string },
): Promise<Result<Candidate>> {
  const candidate = await ctx.db.selectFrom('candidate as c').innerJoin('authority as a', 'a.id', 'c.authority_id')
    .selectAll('c').where('a.code', '=', input.authorityCode).where('c.login', '=', 'EMAIL').where('c.email', '=', normaliseEmail(input.email))
    .executeTakeFirst();
  const good = await verifyPassword(candidate?.password_hash ?? (await dummyPasswordHash()), input.password);
  if (!candidate || !good) return fail('BAD_EMAIL_CREDENTIALS');
  return ok(candidate);
}

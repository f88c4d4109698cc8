import type { Candidate } from '../../db/schema.ts';
import type { Result } from '../../shared/errors.ts';
import type { AppContext } from '../context.ts';
import { normaliseEmail } from './email-address.ts';
import { throttledSignIn } from './sign-in.ts';
import { addressKey, throttleKey } from './sign-in-throttle.repo.ts';

/**
 * 通行证 sign-in by e-mail + password (ACC-1), under the same throttle and lockout as the ID
 * number (ACC-7): counted per address typed, whether or not an account has it. An unverified
 * account signs in; it is registering subjects that waits for the verification.
 */
export async function signInByEmail(
  ctx: Pick<AppContext, 'db' | 'clock' | 'log' | 'personalData'>,
  input: { authorityCode: string; email: string; password: string; address: string },
): Promise<Result<Candidate>> {
  const now = ctx.clock.now();
  const email = normaliseEmail(input.email);
  return throttledSignIn(ctx, {
    keys: { account: throttleKey(ctx.personalData, 'ACCOUNT', `${input.authorityCode}:email:${email}`), address: addressKey(ctx.personalData, input.address) },
    where: { at: now, address: input.address, authorityCode: input.authorityCode },
    now, password: input.password, badCredentials: 'BAD_EMAIL_CREDENTIALS',
    find: () => ctx.db.selectFrom('candidate as c').innerJoin('authority as a', 'a.id', 'c.authority_id')
      .selectAll('c').where('a.code', '=', input.authorityCode).where('c.login', '=', 'EMAIL').where('c.email', '=', email)
      .executeTakeFirst(),
  });
}

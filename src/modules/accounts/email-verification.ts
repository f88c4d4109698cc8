import type { Candidate } from '../../db/schema.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import type { AppContext } from '../context.ts';
import { verifyEmailMail } from './account-mail.ts';
import { issueLinkByMail, useLink } from './account-tokens.ts';
import { isPlausibleEmail, normaliseEmail } from './email-address.ts';
import { mailSite } from './mail-site.ts';
import { verifyPassword } from './password.ts';

type Ctx = Pick<AppContext, 'db' | 'clock' | 'publicBaseUrl'>;

/**
 * The mailed verification link (ACC-1): confirms exactly the address it was sent to. For a
 * 通行证 that is its login (which never changes under it); for an ID-document account it makes
 * the address its contact e-mail on file, where reset links will go (ACC-5).
 */
export async function confirmEmail(ctx: Ctx, input: { token: string }): Promise<Result<{ email: string }>> {
  return ctx.db.transaction().execute(async (trx): Promise<Result<{ email: string }>> => {
    const now = ctx.clock.now();
    const link = await useLink(trx, { token: input.token, purpose: 'VERIFY_EMAIL', now });
    if (!link.ok) return link;
    const c = await trx.selectFrom('candidate').select(['id', 'login', 'email']).where('id', '=', link.value.candidateId).forUpdate().executeTakeFirstOrThrow();
    // A 通行证 taken over by a later sign-up: the first address's link confirms nothing.
    if (c.login === 'EMAIL' && c.email !== link.value.email) throw new LinkNoLongerApplies();
    await trx.updateTable('candidate').set({ email: link.value.email, email_verified_at: now }).where('id', '=', c.id).execute();
    return ok({ email: link.value.email });
  }).catch((err: unknown) => {
    if (err instanceof LinkNoLongerApplies) return fail('VERIFY_LINK_INVALID');
    throw err;
  });
}

class LinkNoLongerApplies extends Error {}

/** Sends the verification link (again): the 通行证's own address, or a new contact address. */
async function sendVerification(ctx: Ctx, candidate: Candidate, email: string, forLogin: boolean): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    const site = await mailSite(trx, candidate.authority_id, ctx.publicBaseUrl);
    await issueLinkByMail(trx, {
      candidateId: candidate.id, purpose: 'VERIFY_EMAIL', email, now,
      compose: (link) => verifyEmailMail(site, { name: candidate.name, email, ...link, forLogin }),
    });
  });
}

/** A 通行证 whose link expired or got lost asks for a new one; the old ones stop working. */
export async function resendVerification(ctx: Ctx, input: { candidate: Candidate }): Promise<Result<{ email: string }>> {
  const c = input.candidate;
  if (c.email_verified_at) return fail('EMAIL_ALREADY_VERIFIED');
  if (c.login !== 'EMAIL' || !c.email) return fail('NO_EMAIL_TO_VERIFY');
  await sendVerification(ctx, c, c.email, true);
  return ok({ email: c.email });
}

/**
 * ACC-5 needs an e-mail on file: an ID-document account sets a contact address, proven by the
 * mailed link before it counts. The current password is asked, so a borrowed session cannot
 * redirect the account's reset links to another mailbox.
 */
export async function setContactEmail(ctx: Ctx, input: { candidate: Candidate; email: string; currentPassword: string }): Promise<Result<{ email: string }>> {
  const c = input.candidate;
  if (c.login === 'EMAIL') return fail('EMAIL_IS_LOGIN');
  const email = normaliseEmail(input.email);
  if (!isPlausibleEmail(email)) return fail('EMAIL_INVALID');
  if (!(await verifyPassword(c.password_hash, input.currentPassword))) return fail('BAD_CREDENTIALS');
  await sendVerification(ctx, c, email, false);
  return ok({ email });
}

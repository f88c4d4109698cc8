import { fail, ok, type Result } from '../../shared/errors.ts';
import type { AppContext } from '../context.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { requestAccountMail } from './account-mail-requests.ts';
import { passwordChangedMail } from './account-mail.ts';
import { checkLink, revokeLinks, useLink } from './account-tokens.ts';
import { candidateIdNumber, findCandidateByIdNumber } from './candidate-identity.ts';
import { emailOnFile, findAuthority, findEmailAccount } from './candidate-lookup.ts';
import { normaliseEmail } from './email-address.ts';
import { mailSite } from './mail-site.ts';
import { newPasswordProblems } from './new-password.ts';
import { hashPassword } from './password.ts';
import { HOUR } from '../../shared/clock.ts';
import { accountEvent } from './account-events.ts';

type Ctx = Pick<AppContext, 'db' | 'clock' | 'publicBaseUrl' | 'personalData'>;

/**
 * 忘记密码 (ACC-5, seed 003): ID number or 通行证 e-mail → a reset link to the e-mail on file.
 *
 * The caller learns nothing: the answer is the same whether the account exists, has an e-mail,
 * or not, and so is the work — the same two lookups and the same one INSERT of a request row
 * (naming the account, or nobody). The compose-account-mail job makes the link and the message
 * later; the send-mail job delivers it. Neither a token, a template nor SMTP is on this path.
 */
export async function requestPasswordReset(ctx: Ctx, input: { authorityCode: string; identifier: string }): Promise<void> {
  const authority = await findAuthority(ctx.db, input.authorityCode);
  const identifier = input.identifier.trim();
  const candidate = !authority ? undefined : identifier.includes('@')
    ? await findEmailAccount(ctx.db, { authorityId: authority.id, email: normaliseEmail(identifier) })
    : await findCandidateByIdNumber(ctx, { authorityId: authority.id, idNumber: identifier });
  await requestAccountMail(ctx.db, { kind: 'RESET_PASSWORD', candidateId: candidate && emailOnFile(candidate) ? candidate.id : null, now: ctx.clock.now() });
}

/**
 * The reset form: a new password under the exam's policy (ACC-3). A refused password leaves the
 * link usable; a successful reset uses it, revokes every other reset link, ends every session of
 * the account, and tells the mailbox. The forced first change (ACC-2) is done by it too: the new
 * password passed the same checks, the initial one among them. For a 通行证 the link also
 * proves the login address, which counts as verifying it.
 */
export async function completePasswordReset(ctx: Ctx & Pick<AppContext, 'log'>, input: { token: string; newPassword: string; address: string }): Promise<Result<true>> {
  const checked = await checkLink(ctx.db, { token: input.token, purpose: 'RESET_PASSWORD', now: ctx.clock.now() });
  if (!checked.ok) return checked;
  const candidate = await ctx.db.selectFrom('candidate').selectAll().where('id', '=', checked.value.candidateId).executeTakeFirstOrThrow();
  const exam = await ctx.db.selectFrom('exam').selectAll().where('id', '=', candidate.exam_id).executeTakeFirstOrThrow();
  const problems = newPasswordProblems(exam, candidateIdNumber(ctx.personalData, candidate), input.newPassword);
  if (problems.length) return fail('PASSWORD_POLICY', { problems });
  const passwordHash = await hashPassword(input.newPassword);
  return ctx.db.transaction().execute(async (trx): Promise<Result<true>> => {
    const now = ctx.clock.now();
    const link = await useLink(trx, { token: input.token, purpose: 'RESET_PASSWORD', now });
    if (!link.ok) return link;
    const c = await trx.selectFrom('candidate').select(['id', 'login', 'email', 'email_verified_at', 'name', 'authority_id']).where('id', '=', link.value.candidateId).forUpdate().executeTakeFirstOrThrow();
    const provesLogin = c.login === 'EMAIL' && c.email === link.value.email && !c.email_verified_at;
    await trx.updateTable('candidate').set({ password_hash: passwordHash, must_change_password: false, ...(provesLogin ? { email_verified_at: now } : {}) })
      .where('id', '=', c.id).execute();
    await revokeLinks(trx, c.id, 'RESET_PASSWORD', now);
    const ended = await trx.deleteFrom('candidate_session').where('candidate_id', '=', c.id).executeTakeFirst();
    // A reset is a password change: in the audit log, committed with it (OPS-6).
    await accountEvent({ log: ctx.log, db: trx }, { at: now, address: input.address, authorityId: c.authority_id },
      { kind: 'PASSWORD_CHANGED', candidateId: c.id, forced: false, otherSessionsEnded: Number(ended.numDeletedRows) });
    const m = passwordChangedMail(await mailSite(trx, c.authority_id, ctx.publicBaseUrl), { name: c.name, at: now });
    await enqueueMail(trx, { ...m, to: link.value.email, expiresAt: new Date(now.getTime() + 24 * HOUR) }, now);
    return ok(true);
  });
}

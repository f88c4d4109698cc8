import type { AppContext } from '../context.ts';
import { requestAccountMail } from './account-mail-requests.ts';
import { emailOnFile, findAuthority, findCandidateByIdNumber } from './candidate-lookup.ts';
import { maskEmail, sameName } from './email-address.ts';

/**
 * 找回已报名账号 (ACC-6, seed 002): name + ID number → the account's e-mail gets a reminder of how
 * it signs in, and the page shows that address masked (z***@qq.com).
 *
 * The masked address is shown only when the name AND the ID number match an account that has an
 * e-mail on file. Every other case — no such ID number, another name, no e-mail — gets the one
 * generic answer, after the same work (the same lookups, one request row; the
 * compose-account-mail job writes the reminder). So an ID number alone tells
 * nothing; only someone who already holds the pair that 快速打印准考证 and the roster treat as
 * identifying learns a masked address, and the mailbox is told each time.
 */
export async function recoverAccount(ctx: Pick<AppContext, 'db' | 'clock'>, input: { authorityCode: string; name: string; idNumber: string }): Promise<{ maskedEmail: string | null }> {
  const authority = await findAuthority(ctx.db, input.authorityCode);
  const candidate = authority ? await findCandidateByIdNumber(ctx.db, { authorityId: authority.id, idNumber: input.idNumber }) : undefined;
  const to = candidate && sameName(candidate.name, input.name) ? emailOnFile(candidate) : undefined;
  await requestAccountMail(ctx.db, { kind: 'ACCOUNT_REMINDER', candidateId: to ? candidate!.id : null, now: ctx.clock.now() });
  return { maskedEmail: to ? maskEmail(to) : null };
}

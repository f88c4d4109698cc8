import { HOUR } from '../../shared/clock.ts';
import type { AppContext } from '../context.ts';
import { enqueueMail, recordSuppressedMail } from '../mail/outbox.ts';
import { maskIdNumber } from './id-number-mask.ts';
import { accountReminderMail } from './account-mail.ts';
import { emailOnFile, findAuthority, findCandidateByIdNumber } from './candidate-lookup.ts';
import { maskEmail, sameName } from './email-address.ts';
import { mailSite } from './mail-site.ts';

/**
 * 找回已报名账号 (ACC-6, seed 002): name + ID number → the account's e-mail gets a reminder of how
 * it signs in, and the page shows that address masked (z***@qq.com).
 *
 * The masked address is shown only when the name AND the ID number match an account that has an
 * e-mail on file. Every other case — no such ID number, another name, no e-mail — gets the one
 * generic answer, after the same work (one lookup, one outbox row). So an ID number alone tells
 * nothing; only someone who already holds the pair that 快速打印准考证 and the roster treat as
 * identifying learns a masked address, and the mailbox is told each time.
 */
export async function recoverAccount(ctx: Pick<AppContext, 'db' | 'clock' | 'publicBaseUrl'>, input: { authorityCode: string; name: string; idNumber: string }): Promise<{ maskedEmail: string | null }> {
  const authority = await findAuthority(ctx.db, input.authorityCode);
  const candidate = authority ? await findCandidateByIdNumber(ctx.db, { authorityId: authority.id, idNumber: input.idNumber }) : undefined;
  const to = candidate && sameName(candidate.name, input.name) ? emailOnFile(candidate) : undefined;
  return ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    if (!candidate || !to) {
      await recordSuppressedMail(trx, 'ACCOUNT_REMINDER', now);
      return { maskedEmail: null };
    }
    const login = candidate.login === 'EMAIL'
      ? { kind: 'EMAIL' as const, email: to }
      : { kind: 'ID_DOCUMENT' as const, idNumberMasked: maskIdNumber(candidate.id_number) };
    const m = accountReminderMail(await mailSite(trx, candidate.authority_id, ctx.publicBaseUrl), { name: candidate.name, login });
    await enqueueMail(trx, { ...m, to, expiresAt: new Date(now.getTime() + 24 * HOUR) }, now);
    return { maskedEmail: maskEmail(to) };
  });
}

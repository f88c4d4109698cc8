import type { DbOrTrx } from '../../db/database.ts';
import type { AccountMailRequestTable } from '../../db/schema.ts';
import { HOUR } from '../../shared/clock.ts';
import type { AppContext } from '../context.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { accountReminderMail, resetPasswordMail } from './account-mail.ts';
import { issueLinkByMail } from './account-tokens.ts';
import { emailOnFile } from './candidate-lookup.ts';
import { maskIdNumber } from './id-number-mask.ts';
import { mailSite } from './mail-site.ts';

type Kind = AccountMailRequestTable['kind'];

/**
 * What an anonymous 忘记密码 or 找回已报名账号 request writes: one row, naming the account or
 * nobody. The statement is the same either way, which is the point (ACC-5: the work must not
 * depend on whether the account exists).
 */
export async function requestAccountMail(db: DbOrTrx, input: { kind: Kind; candidateId: bigint | null; now: Date }): Promise<void> {
  await db.insertInto('account_mail_request').values({ kind: input.kind, candidate_id: input.candidateId, created_at: input.now }).execute();
}

/**
 * Turns requests into mail, oldest first: a reset link (revoking the account's earlier ones) or
 * a reminder, written to the outbox in the transaction that marks the request done. Rows are
 * claimed with SKIP LOCKED, so several processes share the work; a request for nobody is just
 * marked done. The address is read again here: an address removed since then gets nothing.
 */
export async function composeAccountMail(ctx: Pick<AppContext, 'db' | 'clock' | 'publicBaseUrl'>, limit = 50): Promise<{ composed: number; nobody: number }> {
  return ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    const due = await trx.selectFrom('account_mail_request').selectAll().where('processed_at', 'is', null)
      .orderBy('id').limit(limit).forUpdate().skipLocked().execute();
    const out = { composed: 0, nobody: 0 };
    for (const r of due) {
      const c = r.candidate_id === null ? undefined : await trx.selectFrom('candidate').selectAll().where('id', '=', r.candidate_id).executeTakeFirst();
      const to = c && emailOnFile(c);
      if (!c || !to) {
        out.nobody++;
        continue;
      }
      const site = await mailSite(trx, c.authority_id, ctx.publicBaseUrl);
      if (r.kind === 'RESET_PASSWORD') {
        await issueLinkByMail(trx, { candidateId: c.id, purpose: 'RESET_PASSWORD', email: to, now, compose: (link) => resetPasswordMail(site, { name: c.name, ...link }) });
      } else {
        const login = c.login === 'EMAIL' ? { kind: 'EMAIL' as const, email: to } : { kind: 'ID_DOCUMENT' as const, idNumberMasked: maskIdNumber(c.id_number) };
        await enqueueMail(trx, { ...accountReminderMail(site, { name: c.name, login }), to, expiresAt: new Date(now.getTime() + 24 * HOUR) }, now);
      }
      out.composed++;
    }
    if (due.length) await trx.updateTable('account_mail_request').set({ processed_at: now }).where('id', 'in', due.map((r) => r.id)).execute();
    return out;
  });
}

/** Housekeeping: done requests are kept 30 days (how many came, and when), then deleted. */
export async function purgeAccountMailRequests(db: DbOrTrx, now: Date): Promise<number> {
  const r = await db.deleteFrom('account_mail_request').where('processed_at', '<', new Date(now.getTime() - 30 * 24 * HOUR)).executeTakeFirst();
  return Number(r.numDeletedRows);
}

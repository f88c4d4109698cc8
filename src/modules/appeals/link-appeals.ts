import type { Trx } from '../../db/database.ts';
import type { Appeal, IdType } from '../../db/schema.ts';
import { HOUR } from '../../shared/clock.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import { validateIdNumber } from '../../shared/id-document.ts';
import { issueLinkByMail, revokeLinks } from '../accounts/account-tokens.ts';
import { findCandidateByIdNumber } from '../accounts/candidate-identity.ts';
import { findAuthority, findEmailAccount } from '../accounts/candidate-lookup.ts';
import { isPlausibleEmail, normaliseEmail, sameName } from '../accounts/email-address.ts';
import { mailSite } from '../accounts/mail-site.ts';
import { recordAudit } from '../audit/audit-log.ts';
import type { AppContext } from '../context.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { AUDIT_ACTIONS_APPEALS } from './appeal-audit.ts';
import { linkAppealAcceptedMail, linkAppealNotFiledMail, linkAppealReceivedMail, linkAppealRejectedMail } from './appeal-mail.ts';
import { STATEMENT_MAX } from './candidate-appeals.ts';

type Ctx = Pick<AppContext, 'db' | 'clock' | 'publicBaseUrl' | 'personalData'>;

/**
 * A record (the candidate row: 学籍 + account) whose password an accepted 关联申诉 has taken
 * away. Not a PHC string, so verifyPassword() refuses it everywhere: nobody signs in with a
 * password until the appellant sets one through the mailed link.
 */
export const RELEASED_BY_APPEAL = 'released-by-link-appeal';

/** For tests and logs only: the caller's answer is the same in every case. */
export type LinkAppealOutcome = 'FILED' | 'NOT_FILED';

export interface LinkAppealInput {
  authorityCode: string;
  name: string;
  idType: IdType;
  idNumber: string;
  email: string;
  statement: string;
  ip: string | null;
}

/**
 * 关联申诉 (seed 000: 关联基本信息时提示已被关联 → 提交关联申诉 → 网院/学习中心处理 → 可以重新注册).
 * In ExamPay a person is one candidate row per authority; "already tied to another account" means
 * someone else holds that row — a 通行证 opened with their ID number, or an ID-document account
 * whose password someone else changed. The filer cannot sign in to it, so the appeal is filed
 * without signing in: name, ID document, the address the answer should go to, a statement.
 *
 * Like 通行证 sign-up, whether a record matched is told only to the mailbox: the answer is the
 * same in every case, so the form cannot be used to test ID numbers. Input errors (address, ID
 * number's form, statement) are answered directly; they say nothing about anyone.
 */
export async function fileLinkAppeal(ctx: Ctx, input: LinkAppealInput): Promise<Result<{ outcome: LinkAppealOutcome }>> {
  const email = normaliseEmail(input.email);
  if (!isPlausibleEmail(email)) return fail('EMAIL_INVALID');
  const statement = input.statement.trim();
  if (!statement || statement.length > STATEMENT_MAX) return fail('VALIDATION_FAILED', { field: 'statement', maxLength: STATEMENT_MAX });
  const document = validateIdNumber(input.idType, input.idNumber, ctx.clock.now());
  if (!document.ok) return document;
  const authority = await findAuthority(ctx.db, input.authorityCode);
  if (!authority) return fail('NOT_FOUND');

  const attempt = () => ctx.db.transaction().execute(async (trx): Promise<LinkAppealOutcome> => {
    const now = ctx.clock.now();
    const site = await mailSite(trx, authority.id, ctx.publicBaseUrl);
    const row = await findCandidateByIdNumber({ db: trx, personalData: ctx.personalData }, { authorityId: authority.id, idNumber: document.value.number, forUpdate: true });
    const matches = row !== undefined && row.id_type === input.idType && sameName(row.name, input.name);
    const pending = matches && await trx.selectFrom('appeal').select('id').where('candidate_id', '=', row.id).where('kind', '=', 'LINK').where('state', '=', 'PENDING').executeTakeFirst();
    const expiresAt = new Date(now.getTime() + 24 * HOUR);
    if (!matches || pending) {
      await enqueueMail(trx, { ...linkAppealNotFiledMail(site), to: email, expiresAt }, now);
      return 'NOT_FILED';
    }
    const appeal = await trx.insertInto('appeal').values({
      authority_id: authority.id, candidate_id: row.id, kind: 'LINK', institution_id: row.institution_id, contact_email: email, statement, created_at: now,
    }).returning('id').executeTakeFirstOrThrow();
    await recordAudit(trx, {
      at: now, actor: { type: 'CANDIDATE', id: null, authorityId: authority.id }, action: AUDIT_ACTIONS_APPEALS.FILE, object: { type: 'appeal', id: appeal.id },
      summary: { kind: 'LINK', candidateId: row.id, institutionId: row.institution_id }, ip: input.ip,
    });
    await enqueueMail(trx, { ...linkAppealReceivedMail(site, { appealNo: String(appeal.id) }), to: email, expiresAt }, now);
    return 'FILED';
  });
  try {
    return ok({ outcome: await attempt() });
  } catch (err) {
    // Two filings for one record raced past the check: the unique index let one in; the other
    // runs again and now sees it pending.
    if ((err as { code?: string }).code !== '23505') throw err;
    return ok({ outcome: await attempt() });
  }
}

/**
 * An accepted 关联申诉 takes the record back from whoever held it, for the appellant only:
 * - the holder's password stops working (RELEASED_BY_APPEAL) and every session ends; live
 *   verification and reset links are revoked (a reset link in the holder's mailbox included);
 * - the record's address becomes the appeal's: a 通行证's login (unverified until the link is
 *   used), or an ID-document account's contact address — counted as verified, because the
 *   institution accepted the appeal that gave it and 忘记密码 must reach the appellant later;
 * - a single-use reset link goes to that address (30 minutes; 忘记密码 issues another).
 * Registrations, bills and standing stay on the record: they are the person's, not the holder's.
 * Runs in the decision's transaction, so the release and the ACCEPTED state commit together.
 */
export async function releaseRecordForAppeal(trx: Trx, ctx: Pick<AppContext, 'publicBaseUrl'>, appeal: Appeal, now: Date): Promise<Result<{ login: string; sessionsEnded: number }>> {
  const row = await trx.selectFrom('candidate').select(['id', 'authority_id', 'login', 'email_claimed_at']).where('id', '=', appeal.candidate_id).forUpdate().executeTakeFirstOrThrow();
  const email = appeal.contact_email!;
  if (row.login === 'EMAIL') {
    const other = await findEmailAccount(trx, { authorityId: row.authority_id, email });
    if (other && other.id !== row.id) return fail('APPEAL_EMAIL_IN_USE');
  }
  await trx.updateTable('candidate').set({
    password_hash: RELEASED_BY_APPEAL, must_change_password: false, email,
    ...(row.login === 'EMAIL' ? { email_verified_at: null, email_claimed_at: now } : { email_verified_at: now }),
  }).where('id', '=', row.id).execute();
  const ended = await trx.deleteFrom('candidate_session').where('candidate_id', '=', row.id).executeTakeFirst();
  await revokeLinks(trx, row.id, 'VERIFY_EMAIL', now);
  const site = await mailSite(trx, row.authority_id, ctx.publicBaseUrl);
  await issueLinkByMail(trx, {
    candidateId: row.id, purpose: 'RESET_PASSWORD', email, now,
    compose: (link) => linkAppealAcceptedMail(site, { appealNo: String(appeal.id), ...link }),
  });
  return ok({ login: row.login, sessionsEnded: Number(ended.numDeletedRows) });
}

/** A rejected 关联申诉: the filer hears the reason at the address they gave. */
export async function mailLinkAppealRejection(trx: Trx, ctx: Pick<AppContext, 'publicBaseUrl'>, appeal: Appeal, reason: string, now: Date): Promise<void> {
  const site = await mailSite(trx, appeal.authority_id, ctx.publicBaseUrl);
  await enqueueMail(trx, { ...linkAppealRejectedMail(site, { appealNo: String(appeal.id), reason }), to: appeal.contact_email!, expiresAt: new Date(now.getTime() + 7 * 24 * HOUR) }, now);
}

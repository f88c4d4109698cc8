import type { Candidate, Exam, IdType } from '../../db/schema.ts';
import { HOUR } from '../../shared/clock.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import { validateIdNumber } from '../../shared/id-document.ts';
import type { AppContext } from '../context.ts';
import { enqueueMail } from '../mail/outbox.ts';
import { accountExistsMail, signUpRefusedMail, verifyEmailMail } from './account-mail.ts';
import { issueLinkByMail, LINK_LIFETIME_MS, revokeLinks } from './account-tokens.ts';
import { findAuthority, findCandidateByIdNumber, findEmailAccount } from './candidate-lookup.ts';
import { isPlausibleEmail, normaliseEmail, sameName } from './email-address.ts';
import { mailSite } from './mail-site.ts';
import { newPasswordProblems } from './new-password.ts';
import { hashPassword } from './password.ts';

type Ctx = Pick<AppContext, 'db' | 'clock' | 'publicBaseUrl'>;

export interface SignUpInput {
  authorityCode: string;
  /** Which EMAIL exam's rules the account follows; by default the authority's first one. */
  examCode?: string;
  email: string;
  password: string;
  name: string;
  idType: IdType;
  idNumber: string;
}

/** What happened, for tests and logs only: the caller's answer is the same in every case. */
export type SignUpOutcome = 'CREATED' | 'CLAIMED' | 'EMAIL_TAKEN' | 'REFUSED';

/** An unverified 通行证 holds its ID document only as long as its verification link lives. */
export const UNVERIFIED_CLAIM_MS = LINK_LIFETIME_MS.VERIFY_EMAIL;

/**
 * 通行证 sign-up (ACC-1, seed 002): e-mail + password + name + ID document → an account that
 * can sign in at once and register subjects once its address is verified by the mailed link.
 *
 * Input errors (address, ID number, password policy) are answered directly: they say nothing
 * about anyone else. Whether the address or the ID document already has an account is told
 * only to the mailbox, never in the answer, so sign-up cannot be used to test addresses or ID
 * numbers. Every accepted request writes one mail in the same transaction as its change.
 *
 * A person is one candidate row per authority (UNIQUE authority + ID number). When the ID number
 * is already on the authority's roster (CET's 学籍), the 通行证 takes that row — if the name and
 * ID type agree, the row's exam uses e-mail accounts, and the row was never taken into use (its
 * initial password unchanged) or was taken by a 通行证 that never verified its address in time.
 */
export async function signUpEmailAccount(ctx: Ctx, input: SignUpInput): Promise<Result<{ email: string; outcome: SignUpOutcome }>> {
  const email = normaliseEmail(input.email);
  if (!isPlausibleEmail(email)) return fail('EMAIL_INVALID');
  const authority = await findAuthority(ctx.db, input.authorityCode);
  const exam = authority && await ctx.db.selectFrom('exam').selectAll()
    .where('authority_id', '=', authority.id).where('account_style', '=', 'EMAIL')
    .$if(input.examCode !== undefined, (q) => q.where('code', '=', input.examCode!))
    .orderBy('id').limit(1).executeTakeFirst();
  if (!authority || !exam) return fail('EMAIL_ACCOUNTS_NOT_OFFERED');
  const document = validateIdNumber(input.idType, input.idNumber, ctx.clock.now());
  if (!document.ok) return document;
  const idNumber = document.value.number;
  const problems = newPasswordProblems(exam, idNumber, input.password);
  if (problems.length) return fail('PASSWORD_POLICY', { problems });
  const name = input.name.trim();
  const passwordHash = await hashPassword(input.password);

  const attempt = () => ctx.db.transaction().execute(async (trx) => {
    const now = ctx.clock.now();
    const site = await mailSite(trx, authority.id, ctx.publicBaseUrl);
    if (await findEmailAccount(trx, { authorityId: authority.id, email })) {
      const m = accountExistsMail(site, { email });
      await enqueueMail(trx, { ...m, to: email, expiresAt: new Date(now.getTime() + 24 * HOUR) }, now);
      return 'EMAIL_TAKEN' as const;
    }
    const row = await findCandidateByIdNumber(trx, { authorityId: authority.id, idNumber, forUpdate: true });
    let candidateId: bigint;
    let outcome: SignUpOutcome;
    if (!row) {
      const created = await trx.insertInto('candidate').values({
        authority_id: authority.id, exam_id: exam.id, id_type: input.idType, id_number: idNumber, name,
        password_hash: passwordHash, must_change_password: false, login: 'EMAIL', email, email_claimed_at: now,
      }).returning('id').executeTakeFirstOrThrow();
      candidateId = created.id;
      outcome = 'CREATED';
    } else {
      const rowExam = await trx.selectFrom('exam').select('account_style').where('id', '=', row.exam_id).executeTakeFirstOrThrow();
      if (!mayClaim(row, rowExam, { name, idType: input.idType }, now)) {
        const m = signUpRefusedMail(site, { email });
        await enqueueMail(trx, { ...m, to: email, expiresAt: new Date(now.getTime() + 24 * HOUR) }, now);
        return 'REFUSED' as const;
      }
      await trx.updateTable('candidate').set({
        login: 'EMAIL', email, email_verified_at: null, email_claimed_at: now, password_hash: passwordHash, must_change_password: false,
      }).where('id', '=', row.id).execute();
      // Whoever was signed in to the row before is signed out, and a reset link sent to a lapsed
      // claimer's address stops working.
      await trx.deleteFrom('candidate_session').where('candidate_id', '=', row.id).execute();
      await revokeLinks(trx, row.id, 'RESET_PASSWORD', now);
      candidateId = row.id;
      outcome = 'CLAIMED';
    }
    await issueLinkByMail(trx, {
      candidateId, purpose: 'VERIFY_EMAIL', email, now,
      compose: (link) => verifyEmailMail(site, { name: row?.name ?? name, email, ...link, forLogin: true }),
    });
    return outcome;
  });

  try {
    return ok({ email, outcome: await attempt() });
  } catch (err) {
    // Two sign-ups raced for one address or one ID number: the loser runs again and now sees
    // the winner's row, so it takes the EMAIL_TAKEN or REFUSED path.
    if ((err as { code?: string }).code !== '23505') throw err;
    return ok({ email, outcome: await attempt() });
  }
}

/** Pure: may a 通行证 sign-up take this existing candidate row? (See signUpEmailAccount.) */
export function mayClaim(
  row: Pick<Candidate, 'login' | 'name' | 'id_type' | 'must_change_password' | 'email_verified_at' | 'email_claimed_at'>,
  rowExam: Pick<Exam, 'account_style'>,
  person: { name: string; idType: IdType },
  now: Date,
): boolean {
  if (rowExam.account_style !== 'EMAIL' || row.id_type !== person.idType || !sameName(row.name, person.name)) return false;
  if (row.login === 'ID_DOCUMENT') return row.must_change_password;
  return row.email_verified_at === null && row.email_claimed_at !== null && now.getTime() - row.email_claimed_at.getTime() >= UNVERIFIED_CLAIM_MS;
}

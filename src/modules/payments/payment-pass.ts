import type { DbOrTrx } from '../../db/database.ts';
import type { Candidate } from '../../db/schema.ts';
import { hashBearerToken, newBearerToken } from '../../shared/bearer-token.ts';
import { MINUTE } from '../../shared/clock.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import { normaliseIdNumber } from '../../shared/personal-data.ts';
import { addressKey, admitSignIn, lockoutFailure, recordFailedAttempt, recordSignInSuccess, throttleKey } from '../accounts/sign-in-throttle.repo.ts';
import type { AppContext } from '../context.ts';
import { findCandidateByIdNumber, type IdentityContext } from '../accounts/candidate-identity.ts';

/**
 * PAY-6, pay without signing in (seed 003: 考生姓名＋有效身份证件号码（或缴费码）). The person
 * proves they know the candidate's name and ID number, or name and the bill's number (the
 * 缴费码 on the bill page and in notices), and answers an arithmetic captcha. They get a pass:
 * a cookie good for 30 minutes — one bill timeout — that reaches the bill routes marked for it
 * (see the open bills, accept the agreement, pay, ask the status) for that one candidate, and
 * nothing else: no new bills (a stranger knowing name and ID number must not tie up someone's
 * subjects, or their seats, in a bill), no registrations, no profile, no password. Only exams
 * that say so offer it (exam.pay_without_sign_in).
 */
export const PAYMENT_PASS_LIFETIME_MS = 30 * MINUTE;


/** Names compare as a person types them: width forms and spaces do not count. */
export function sameName(a: string, b: string): boolean {
  const norm = (s: string) => s.normalize('NFKC').replace(/\s+/g, '');
  return norm(a) === norm(b) && norm(a).length > 0;
}

export type PayerProof = { authorityCode: string; name: string } & ({ idNumber: string } | { billNo: string });

/**
 * The look-up behind the pass, throttled like a sign-in (ACC-7): failures count per number or
 * code typed (its own counter, so a successful look-up never resets a password-guessing count)
 * and per address; while locked the answer is the lockout, right name or not.
 */
export async function lookUpPayer(ctx: IdentityContext & Pick<AppContext, 'clock'>, proof: PayerProof, address: string): Promise<Result<Candidate>> {
  const now = ctx.clock.now();
  const typed = 'idNumber' in proof ? `id:${normaliseIdNumber(proof.idNumber)}` : `code:${proof.billNo}`;
  const keys = { account: throttleKey(ctx.personalData, 'ACCOUNT', `${proof.authorityCode}:payer:${typed}`), address: addressKey(ctx.personalData, address) };
  const gate = await admitSignIn(ctx.db, keys, now);
  if (gate.outcome !== 'ADMITTED') return { ok: false, error: lockoutFailure(gate, now) };
  const payer = await findPayer(ctx, proof);
  if (payer) {
    await recordSignInSuccess(ctx.db, keys.account, now);
    return ok(payer);
  }
  const failed = await recordFailedAttempt(ctx.db, keys, gate, now);
  return failed.lockout ? { ok: false, error: failed.lockout } : fail('PAYER_NOT_FOUND');
}

/**
 * The candidate this proof names, or undefined. Name and the second fact must both match, and
 * the candidate's exam must offer paying without signing in.
 */
export async function findPayer(ctx: IdentityContext, proof: PayerProof): Promise<Candidate | undefined> {
  const found = 'idNumber' in proof
    ? await findCandidateByIdNumber(ctx, { authorityCode: proof.authorityCode, idNumber: proof.idNumber })
    : await ctx.db.selectFrom('candidate as c').innerJoin('authority as a', 'a.id', 'c.authority_id').selectAll('c').where('a.code', '=', proof.authorityCode)
      .where((eb) => eb.exists(eb.selectFrom('bill as b').select('b.id').whereRef('b.candidate_id', '=', 'c.id').where('b.bill_no', '=', proof.billNo))).executeTakeFirst();
  if (!found || !sameName(found.name, proof.name)) return undefined;
  const exam = await ctx.db.selectFrom('exam').select('pay_without_sign_in').where('id', '=', found.exam_id).executeTakeFirstOrThrow();
  return exam.pay_without_sign_in ? found : undefined;
}

export async function createPaymentPass(db: DbOrTrx, candidateId: bigint, now: Date): Promise<{ token: string; expiresAt: Date }> {
  const token = newBearerToken();
  const expiresAt = new Date(now.getTime() + PAYMENT_PASS_LIFETIME_MS);
  await db.insertInto('payment_pass').values({ id_hash: hashBearerToken(token), candidate_id: candidateId, created_at: now, expires_at: expiresAt }).execute();
  return { token, expiresAt };
}

export async function resolvePaymentPass(db: DbOrTrx, token: string, now: Date): Promise<Candidate | undefined> {
  return db.selectFrom('payment_pass as p').innerJoin('candidate as c', 'c.id', 'p.candidate_id').selectAll('c')
    .where('p.id_hash', '=', hashBearerToken(token)).where('p.expires_at', '>', now).executeTakeFirst();
}

export async function endPaymentPass(db: DbOrTrx, token: string): Promise<void> {
  await db.deleteFrom('payment_pass').where('id_hash', '=', hashBearerToken(token)).execute();
}

/** "张三" → "张*", "欧阳娜娜" → "欧***": enough for the payer to recognise, not to harvest. */
export function maskName(name: string): string {
  const chars = [...name];
  return chars.length <= 1 ? '*' : chars[0] + '*'.repeat(chars.length - 1);
}

import { timingSafeEqual } from 'node:crypto';
import { fail, ok, type Result } from '../../shared/errors.ts';
import { maskIdNumber, recogniseIdNumber } from '../../shared/id-document.ts';
import type { Candidate } from '../../db/schema.ts';
import type { AppContext } from '../context.ts';
import { accountEvent, type AccountEventContext } from './account-events.ts';
import { candidateIdNumber, findCandidateByIdNumber } from './candidate-identity.ts';
import { dummyPasswordHash, hashPassword, INITIAL_PASSWORD_BY_RULE, initialPassword, verifyPassword } from './password.ts';
import { describePolicy, passwordProblems, policyOfExam } from './password-policy.ts';
import { endOtherSessions } from './sessions.ts';
import { accountKey, addressKey, admitSignIn, lockoutFailure, recordFailedAttempt, recordSignInSuccess } from './sign-in-throttle.repo.ts';

type Ctx = Pick<AppContext, 'db' | 'clock' | 'log' | 'personalData'>;


/**
 * Sign-in by ID number + password (ACC-2, ACC-7). The number is checked first (a wrong check
 * digit or birth date is named, whoever's it would be). Then the throttle: while the account or
 * the address is locked, the answer is the lockout, whether the password is right or not.
 * A missing account and a wrong password do the same work — the same counters, a lookup, one
 * argon2id verification — and give the same answer.
 */
export async function signIn(ctx: Ctx, input: { authorityCode: string; idNumber: string; password: string; address: string }): Promise<Result<Candidate>> {
  const now = ctx.clock.now();
  const id = recogniseIdNumber(input.idNumber, now);
  if (!id.ok) return id;
  const where: AccountEventContext = { at: now, address: input.address, authorityCode: input.authorityCode, idNumberMasked: maskIdNumber(id.value.number) };
  const keys = { account: accountKey(ctx.personalData, input.authorityCode, id.value.number), address: addressKey(ctx.personalData, input.address) };

  return throttledSignIn(ctx, {
    keys, where, now, password: input.password, badCredentials: 'BAD_CREDENTIALS',
    find: async () => {
      const found = await findCandidateByIdNumber(ctx, { authorityCode: input.authorityCode, idNumber: id.value.number });
      // A 通行证 signs in with its e-mail address (email-sign-in.ts), not its ID number.
      return found?.login === 'ID_DOCUMENT' ? found : undefined;
    },
  });
}

/**
 * The part of every candidate sign-in after the identifier is known (ID number or 通行证
 * e-mail): the throttle first — while the account or the address is locked the answer is the
 * lockout, right password or not — then one lookup and one argon2id verification whether or not
 * the account exists, then the counters.
 */
export async function throttledSignIn(ctx: Ctx, input: {
  keys: { account: Buffer; address: Buffer };
  where: AccountEventContext;
  now: Date;
  password: string;
  find: () => Promise<Candidate | undefined>;
  badCredentials: 'BAD_CREDENTIALS' | 'BAD_EMAIL_CREDENTIALS';
}): Promise<Result<Candidate>> {
  const { keys, where, now } = input;
  const gate = await admitSignIn(ctx.db, keys, now);
  if (gate.outcome !== 'ADMITTED') {
    const scope = gate.outcome === 'ACCOUNT_LOCKED' ? 'ACCOUNT' : 'ADDRESS';
    await accountEvent(ctx, where, { kind: 'SIGN_IN_REFUSED_LOCKED', scope, lockedUntil: gate.lockedUntil });
    return { ok: false, error: lockoutFailure(gate, now) };
  }
  const candidate = await input.find();
  const good = await candidatePasswordMatches(ctx, candidate, input.password);
  if (candidate && good) {
    await recordSignInSuccess(ctx.db, keys.account, now);
    await accountEvent(ctx, where, { kind: 'SIGN_IN_SUCCEEDED', candidateId: candidate.id });
    return ok(candidate);
  }
  const failed = await recordFailedAttempt(ctx.db, keys, gate, now);
  await accountEvent(ctx, where, { kind: 'SIGN_IN_FAILED', candidateId: candidate?.id ?? null, lockedNow: failed.lockedNow });
  return failed.lockout ? { ok: false, error: failed.lockout } : fail(input.badCredentials, { attemptsLeft: gate.attemptsLeft });
}

/**
 * One argon2id verification whatever the account (timing, ACC-5's spirit); an imported account
 * still on its initial password (INITIAL_PASSWORD_BY_RULE) is checked against the exam's rule.
 */
async function candidatePasswordMatches(ctx: Ctx, candidate: Candidate | undefined, password: string): Promise<boolean> {
  if (candidate?.password_hash !== INITIAL_PASSWORD_BY_RULE) return verifyPassword(candidate?.password_hash ?? (await dummyPasswordHash()), password);
  await verifyPassword(await dummyPasswordHash(), password);
  const exam = await ctx.db.selectFrom('exam').select(['initial_password_rule', 'initial_password_fixed']).where('id', '=', candidate.exam_id).executeTakeFirstOrThrow();
  const expected = Buffer.from(initialPassword(exam, candidateIdNumber(ctx.personalData, candidate)));
  const given = Buffer.from(password);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

/**
 * The forced first change and any later change (ACC-2, ACC-3), under the exam's policy. A
 * change ends the account's other sessions: whoever knew the old password is signed out.
 */
export async function changePassword(
  ctx: Ctx,
  input: { candidate: Candidate; currentPassword: string; newPassword: string; sessionToken: string; address: string },
): Promise<Result<true>> {
  const now = ctx.clock.now();
  const where: AccountEventContext = { at: now, address: input.address, authorityId: input.candidate.authority_id };
  const candidateId = input.candidate.id;
  if (!(await candidatePasswordMatches(ctx, input.candidate, input.currentPassword))) {
    await accountEvent(ctx, where, { kind: 'PASSWORD_CHANGE_REFUSED', candidateId, reason: 'BAD_CURRENT_PASSWORD' });
    return fail('BAD_CREDENTIALS');
  }
  const exam = await ctx.db.selectFrom('exam').selectAll().where('id', '=', input.candidate.exam_id).executeTakeFirstOrThrow();
  const policy = policyOfExam(exam);
  const idNumber = candidateIdNumber(ctx.personalData, input.candidate);
  const problems = passwordProblems(input.newPassword, {
    initial: initialPassword(exam, idNumber), idNumber, current: input.currentPassword,
  }, policy);
  if (problems.length) {
    await accountEvent(ctx, where, { kind: 'PASSWORD_CHANGE_REFUSED', candidateId, reason: 'POLICY', problems });
    const { rules } = describePolicy(policy);
    return fail('PASSWORD_POLICY', {
      problems,
      messages: problems.map((code) => {
        const rule = rules.find((r) => r.codes.includes(code))!;
        return { code, messageZh: rule.zh, messageEn: rule.en };
      }),
    });
  }
  const passwordHash = await hashPassword(input.newPassword);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('candidate').set({ password_hash: passwordHash, must_change_password: false }).where('id', '=', candidateId).execute();
    const ended = await endOtherSessions(trx, candidateId, input.sessionToken);
    // The change and its audit record commit together (ADM-4).
    await accountEvent({ log: ctx.log, db: trx }, where, { kind: 'PASSWORD_CHANGED', candidateId, forced: input.candidate.must_change_password, otherSessionsEnded: ended });
  });
  return ok(true);
}

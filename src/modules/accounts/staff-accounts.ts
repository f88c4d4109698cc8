import { randomInt } from 'node:crypto';
import type { DbOrTrx } from '../../db/database.ts';
import type { StaffAccount, StaffRole } from '../../db/schema.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';
import { AUDIT_ACTIONS, recordAudit } from '../audit/audit-log.ts';
import type { AppContext } from '../context.ts';
import { surfaceOf, type StaffSurface } from './authorization.ts';
import { dummyPasswordHash, hashPassword, passwordProblems, verifyPassword } from './password.ts';
import { DEFAULT_PASSWORD_POLICY, describePolicy } from './password-policy.ts';
import type { SessionPolicy } from './sessions.ts';
import { addressKey, admitSignIn, lockoutFailure, recordFailedAttempt, recordSignInSuccess, throttleKey } from './sign-in-throttle.repo.ts';
import { createStaffSession, destroyStaffSession, endStaffSessions } from './staff-sessions.ts';
import type { PersonalDataKeys } from '../../shared/personal-data.ts';

/** Login names are lower case: `zhang.wei`, `finance01`. */
export const normaliseLoginName = (s: string) => s.trim().toLowerCase();

/** A staff account's sign-in counter (ACC-7): its own key space, never a candidate's. */
const staffAccountKey = (keys: PersonalDataKeys, authorityCode: string, loginName: string) => throttleKey(keys, 'ACCOUNT', `staff:${authorityCode}:${normaliseLoginName(loginName)}`);

/**
 * Staff sign-in (ADM-5). The route has checked the captcha (ACC-4); every other check is here, in
 * order. The throttle (ACC-7) comes first, before any password is looked at: while the login name
 * or the address is locked the answer is the lockout, whether the password is right or not. A
 * missing account, a wrong password and a disabled account answer the same after the same work
 * and count the same; every attempt, success or failure, is in the audit log.
 */
export async function staffSignIn(
  ctx: Pick<AppContext, 'db' | 'clock' | 'personalData'>,
  input: { authorityCode: string; loginName: string; password: string; surface: StaffSurface; ip: string | null; previousToken?: string | undefined; session: SessionPolicy },
): Promise<Result<{ account: StaffAccount; token: string }>> {
  const now = ctx.clock.now();
  const keys = { account: staffAccountKey(ctx.personalData, input.authorityCode, input.loginName), address: addressKey(ctx.personalData, input.ip ?? '') };
  const authority = await ctx.db.selectFrom('authority').select('id').where('code', '=', input.authorityCode).executeTakeFirst();
  const gate = await admitSignIn(ctx.db, keys, now);
  if (gate.outcome !== 'ADMITTED') {
    const scope = gate.outcome === 'ACCOUNT_LOCKED' ? 'ACCOUNT' : 'ADDRESS';
    await recordAudit(ctx.db, {
      at: now, actor: { type: 'STAFF', id: null, authorityId: authority?.id ?? null },
      action: AUDIT_ACTIONS.STAFF_SIGN_IN, outcome: 'FAILURE', summary: { reason: 'LOCKED', scope, lockedUntil: gate.lockedUntil, surface: input.surface }, ip: input.ip,
    });
    return { ok: false, error: lockoutFailure(gate, now) };
  }
  const account = authority && await ctx.db.selectFrom('staff_account').selectAll()
    .where('authority_id', '=', authority.id).where('login_name', '=', normaliseLoginName(input.loginName)).executeTakeFirst();
  const good = await verifyPassword(account?.password_hash ?? (await dummyPasswordHash()), input.password);
  const refuse = async (reason: 'NO_SUCH_ACCOUNT' | 'BAD_PASSWORD' | 'DISABLED') => {
    const { lockedNow, lockout } = await recordFailedAttempt(ctx.db, keys, gate, now);
    await recordAudit(ctx.db, {
      at: now, actor: { type: 'STAFF', id: account?.id ?? null, role: account?.role ?? null, authorityId: authority?.id ?? null },
      action: AUDIT_ACTIONS.STAFF_SIGN_IN, outcome: 'FAILURE', summary: { reason, surface: input.surface, lockedNow }, ip: input.ip,
    });
    return lockout ? { ok: false as const, error: lockout } : fail('STAFF_BAD_CREDENTIALS', { attemptsLeft: gate.attemptsLeft });
  };
  if (!account) return refuse('NO_SUCH_ACCOUNT');
  if (!good) return refuse('BAD_PASSWORD');
  if (account.disabled_at) return refuse('DISABLED');
  // The password was right: the counter starts over, whatever follows.
  await recordSignInSuccess(ctx.db, keys.account, now);
  // Right password, wrong API: say which one to use (the password was right, nothing leaks).
  if (surfaceOf(account.role) !== input.surface) {
    await recordAudit(ctx.db, {
      at: now, actor: auditActor(account), action: AUDIT_ACTIONS.STAFF_SIGN_IN, outcome: 'FAILURE', summary: { reason: 'WRONG_CONSOLE', surface: input.surface }, ip: input.ip,
    });
    return fail('STAFF_WRONG_CONSOLE', { console: surfaceOf(account.role) });
  }

  const token = await ctx.db.transaction().execute(async (trx) => {
    // A sign-in in the same browser replaces the old session; the id is always new (no fixation).
    if (input.previousToken) await destroyStaffSession(trx, input.previousToken);
    const t = await createStaffSession(trx, account.id, now, input.session);
    await recordAudit(trx, {
      at: now, actor: { type: 'STAFF', id: account.id, role: account.role, authorityId: account.authority_id },
      action: AUDIT_ACTIONS.STAFF_SIGN_IN, summary: { surface: input.surface, mustChangePassword: account.must_change_password }, ip: input.ip,
    });
    return t;
  });
  return ok({ account, token });
}

export async function staffSignOut(ctx: Pick<AppContext, 'db' | 'clock'>, input: { account: StaffAccount; token: string; ip: string | null }): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    await destroyStaffSession(trx, input.token);
    await recordAudit(trx, { at: ctx.clock.now(), actor: auditActor(input.account), action: AUDIT_ACTIONS.STAFF_SIGN_OUT, ip: input.ip });
  });
}

/**
 * The forced first change and any later one, under the candidates' password rules (ACC-3),
 * with the login name in place of the ID number. Other sessions of the account end.
 */
export async function changeStaffPassword(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: { account: StaffAccount; currentPassword: string; newPassword: string; token: string; ip: string | null },
): Promise<Result<true>> {
  const now = ctx.clock.now();
  const actor = auditActor(input.account);
  const refuse = async (reason: string) => recordAudit(ctx.db, { at: now, actor, action: AUDIT_ACTIONS.STAFF_PASSWORD_CHANGE, outcome: 'FAILURE', summary: { reason }, ip: input.ip });
  if (!(await verifyPassword(input.account.password_hash, input.currentPassword))) {
    await refuse('BAD_CURRENT_PASSWORD');
    return fail('STAFF_BAD_CREDENTIALS');
  }
  // The current password is the initial one until the first change, so "not the same" covers it.
  const problems = passwordProblems(input.newPassword, { initial: input.currentPassword, idNumber: input.account.login_name });
  if (problems.length) {
    await refuse('PASSWORD_POLICY');
    // The same answer as a candidate's refused change: each broken rule in both languages.
    const { rules } = describePolicy(DEFAULT_PASSWORD_POLICY);
    return fail('PASSWORD_POLICY', {
      problems, messages: problems.map((code) => { const rule = rules.find((r) => r.codes.includes(code))!; return { code, messageZh: rule.zh, messageEn: rule.en }; }),
    });
  }
  const hash = await hashPassword(input.newPassword);
  await ctx.db.transaction().execute(async (trx) => {
    await trx.updateTable('staff_account').set({ password_hash: hash, must_change_password: false }).where('id', '=', input.account.id).execute();
    await endStaffSessions(trx, input.account.id, input.token);
    await recordAudit(trx, { at: now, actor, action: AUDIT_ACTIONS.STAFF_PASSWORD_CHANGE, summary: { forced: input.account.must_change_password }, ip: input.ip });
  });
  return ok(true);
}

export function auditActor(a: Pick<StaffAccount, 'id' | 'role' | 'authority_id'>) {
  return { type: 'STAFF' as const, id: a.id, role: a.role, authorityId: a.authority_id };
}

// No 0/O, 1/l/I: an initial password is read off a screen or a letter.
const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789';

/** A random initial password that meets the policy (letters and digits, 12 characters). */
export function generateInitialPassword(): string {
  for (;;) {
    const p = Array.from({ length: 12 }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    if (/[A-Za-z]/.test(p) && /\d/.test(p)) return p;
  }
}

export interface NewStaff {
  authorityId: bigint;
  institutionId: bigint | null;
  loginName: string;
  displayName: string;
  role: StaffRole;
  initialPassword: string;
}

/** Inserts a staff account that must change its initial password at first sign-in. */
export async function insertStaffAccount(db: DbOrTrx, s: NewStaff, now: Date): Promise<Result<StaffAccount>> {
  if ((s.role === 'INSTITUTION_STAFF') !== (s.institutionId !== null)) {
    return fail('VALIDATION_FAILED', { field: 'institutionId', reason: 'institution staff need an institution; other roles have none' });
  }
  const loginName = normaliseLoginName(s.loginName);
  const taken = await db.selectFrom('staff_account').select('id').where('authority_id', '=', s.authorityId).where('login_name', '=', loginName).executeTakeFirst();
  if (taken) return fail('STAFF_LOGIN_TAKEN', { loginName });
  const row = await db.insertInto('staff_account').values({
    authority_id: s.authorityId, institution_id: s.institutionId, login_name: loginName, display_name: s.displayName, role: s.role,
    password_hash: await hashPassword(s.initialPassword), created_at: now,
  }).returningAll().executeTakeFirstOrThrow();
  return ok(row);
}

/** An authority admin creates a staff account (staff.manage); the initial password is shown once. */
export async function createStaffAccount(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: { by: StaffAccount; loginName: string; displayName: string; role: StaffRole; institutionId: bigint | null; ip: string | null },
): Promise<Result<{ account: StaffAccount; initialPassword: string }>> {
  const initialPassword = generateInitialPassword();
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const created = await insertStaffAccount(trx, { authorityId: input.by.authority_id, institutionId: input.institutionId, loginName: input.loginName, displayName: input.displayName, role: input.role, initialPassword }, now);
    if (!created.ok) return created;
    await recordAudit(trx, {
      at: now, actor: auditActor(input.by), action: AUDIT_ACTIONS.STAFF_CREATE, object: { type: 'staff', id: created.value.id },
      summary: { after: { role: created.value.role, institutionId: created.value.institution_id, loginName: created.value.login_name } }, ip: input.ip,
    });
    return ok({ account: created.value, initialPassword });
  });
}

/** Disables a staff account (staff.manage) and ends its sessions; one cannot disable oneself. */
export async function disableStaffAccount(
  ctx: Pick<AppContext, 'db' | 'clock'>,
  input: { by: StaffAccount; staffId: bigint; ip: string | null },
): Promise<Result<StaffAccount>> {
  if (input.staffId === input.by.id) return fail('STAFF_CANNOT_DISABLE_SELF');
  const now = ctx.clock.now();
  return ctx.db.transaction().execute(async (trx) => {
    const target = await trx.selectFrom('staff_account').selectAll().where('id', '=', input.staffId).where('authority_id', '=', input.by.authority_id).forUpdate().executeTakeFirst();
    if (!target) return fail('STAFF_NOT_FOUND');
    if (target.disabled_at) return ok(target);
    const after = await trx.updateTable('staff_account').set({ disabled_at: now }).where('id', '=', target.id).returningAll().executeTakeFirstOrThrow();
    await endStaffSessions(trx, target.id);
    await recordAudit(trx, {
      at: now, actor: auditActor(input.by), action: AUDIT_ACTIONS.STAFF_DISABLE, object: { type: 'staff', id: target.id },
      summary: { before: { disabled: false }, after: { disabled: true } }, ip: input.ip,
    });
    return ok(after);
  });
}

/** The staff accounts of an authority (staff.read). */
export async function listStaffAccounts(db: DbOrTrx, authorityId: bigint): Promise<StaffAccount[]> {
  return db.selectFrom('staff_account').selectAll().where('authority_id', '=', authorityId).orderBy('id').execute();
}

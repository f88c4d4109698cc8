import { createHmac } from 'node:crypto';
import type { Db, DbOrTrx } from '../../db/database.ts';
import type { Selectable } from 'kysely';
import type { SignInThrottleTable } from '../../db/schema.ts';
import { HOUR } from '../../shared/clock.ts';
import type { PersonalDataKeys } from '../../shared/personal-data.ts';
import type { Failure } from '../../shared/errors.ts';
import { formatShanghai } from '../../shared/time.ts';
import { ADDRESS_RULE, addFailure, admitAccountAttempt, afterSuccess, FRESH, isLocked, secondsUntil, type ThrottleState } from './sign-in-throttle.ts';

/**
 * The sign-in counters in PostgreSQL (sign_in_throttle, migration 017). The server keeps no state,
 * so every process, and every retry on another process, counts against the same rows.
 */
export type ThrottleKind = 'ACCOUNT' | 'ADDRESS';

/**
 * The one place a counter's key is made. An account's key is made from the ID number (or e-mail,
 * or bill number) as typed, so a missing account counts exactly like an existing one. Keyed with
 * the personal-data hash key (OPS-6): an unkeyed hash of an ID number can be reversed by trying
 * every plausible number, so a copy of this table must not be enough to do that.
 */
export function throttleKey(keys: PersonalDataKeys, kind: ThrottleKind, value: string): Buffer {
  return createHmac('sha256', keys.hash).update(`throttle\0${kind.toLowerCase()}:${value}`).digest();
}

export const accountKey = (keys: PersonalDataKeys, authorityCode: string, idNumber: string) => throttleKey(keys, 'ACCOUNT', `${authorityCode}:${idNumber}`);
export const addressKey = (keys: PersonalDataKeys, ip: string) => throttleKey(keys, 'ADDRESS', ip);

type Row = Pick<Selectable<SignInThrottleTable>, 'failures' | 'window_started_at' | 'locked_until' | 'lockouts' | 'last_locked_at'>;
const toState = (r: Row | undefined): ThrottleState => (r
  ? { failures: r.failures, windowStartedAt: r.window_started_at, lockedUntil: r.locked_until, lockouts: r.lockouts, lastLockedAt: r.last_locked_at }
  : FRESH);
const toRow = (s: ThrottleState, now: Date) => ({
  failures: s.failures, window_started_at: s.windowStartedAt, locked_until: s.lockedUntil, lockouts: s.lockouts, last_locked_at: s.lastLockedAt, updated_at: now,
});

async function lockRow(trx: DbOrTrx, key: Buffer, kind: ThrottleKind, now: Date): Promise<ThrottleState> {
  await trx.insertInto('sign_in_throttle').values({ key, kind, updated_at: now }).onConflict((oc) => oc.column('key').doNothing()).execute();
  return toState(await trx.selectFrom('sign_in_throttle').select(['failures', 'window_started_at', 'locked_until', 'lockouts', 'last_locked_at'])
    .where('key', '=', key).forUpdate().executeTakeFirst());
}

export type SignInGate =
  | { outcome: 'ADDRESS_LOCKED'; lockedUntil: Date }
  | { outcome: 'ACCOUNT_LOCKED'; lockedUntil: Date }
  | { outcome: 'ADMITTED'; lockedNow: boolean; lockedUntil: Date | null; attemptsLeft: number };

/**
 * Before a password is checked: refused while the address or the account is locked; otherwise
 * the attempt is counted against the account under its row lock (see admitAccountAttempt).
 * The address row is only read here — locking it would queue every sign-in of a campus behind
 * one row at the rush; its failures are counted afterwards (`recordAddressFailure`).
 */
export async function admitSignIn(db: Db, keys: { account: Buffer; address: Buffer }, now: Date): Promise<SignInGate> {
  const address = toState(await db.selectFrom('sign_in_throttle').select(['failures', 'window_started_at', 'locked_until', 'lockouts', 'last_locked_at'])
    .where('key', '=', keys.address).executeTakeFirst());
  if (isLocked(address, now)) return { outcome: 'ADDRESS_LOCKED', lockedUntil: address.lockedUntil };
  return db.transaction().execute(async (trx) => {
    const admission = admitAccountAttempt(await lockRow(trx, keys.account, 'ACCOUNT', now), now);
    if (!admission.admitted) return { outcome: 'ACCOUNT_LOCKED', lockedUntil: admission.lockedUntil } as const;
    await trx.updateTable('sign_in_throttle').set(toRow(admission.state, now)).where('key', '=', keys.account).execute();
    return { outcome: 'ADMITTED', lockedNow: admission.lockedNow, lockedUntil: admission.state.lockedUntil, attemptsLeft: admission.attemptsLeft } as const;
  });
}

/** The right password: the account's counter starts over (ACC-7). */
export async function recordSignInSuccess(db: DbOrTrx, account: Buffer, now: Date): Promise<void> {
  await db.updateTable('sign_in_throttle').set(toRow(afterSuccess(), now)).where('key', '=', account).execute();
}

/** A failure from this address, counted across accounts; returns the address's lock if this one set it. */
export async function recordAddressFailure(db: Db, address: Buffer, now: Date): Promise<Date | null> {
  return db.transaction().execute(async (trx) => {
    const next = addFailure(await lockRow(trx, address, 'ADDRESS', now), now, ADDRESS_RULE);
    await trx.updateTable('sign_in_throttle').set(toRow(next.state, now)).where('key', '=', address).execute();
    return next.lockedNow ? next.state.lockedUntil : null;
  });
}

/** When a locked account or address may try again: what the answer and Retry-After say. */
export function lockDetails(lockedUntil: Date, now: Date) {
  return { lockedUntil: lockedUntil.toISOString(), lockedUntilShanghai: formatShanghai(lockedUntil), retryAfterSeconds: secondsUntil(lockedUntil, now) };
}

/** The answer while the account or the address is locked, whatever was typed. */
export function lockoutFailure(gate: Exclude<SignInGate, { outcome: 'ADMITTED' }>, now: Date): Failure {
  return { code: gate.outcome === 'ACCOUNT_LOCKED' ? 'ACCOUNT_LOCKED' : 'SIGN_IN_THROTTLED', details: lockDetails(gate.lockedUntil, now) };
}

/**
 * After a failed attempt that was admitted: counts it against the address, and says what it
 * locked now. The failure that reaches a limit already answers with the lock and how long it lasts.
 */
export async function recordFailedAttempt(db: Db, keys: { address: Buffer }, gate: Extract<SignInGate, { outcome: 'ADMITTED' }>, now: Date): Promise<{ lockedNow: 'ACCOUNT' | 'ADDRESS' | null; lockout: Failure | null }> {
  const addressLock = await recordAddressFailure(db, keys.address, now);
  if (gate.lockedNow && gate.lockedUntil) return { lockedNow: 'ACCOUNT', lockout: { code: 'ACCOUNT_LOCKED', details: lockDetails(gate.lockedUntil, now) } };
  if (addressLock) return { lockedNow: 'ADDRESS', lockout: { code: 'SIGN_IN_THROTTLED', details: lockDetails(addressLock, now) } };
  return { lockedNow: null, lockout: null };
}

/** Housekeeping: counters idle for a day and not locked tell nothing any more. */
export async function purgeSignInThrottle(db: DbOrTrx, now: Date): Promise<number> {
  const r = await db.deleteFrom('sign_in_throttle')
    .where('updated_at', '<', new Date(now.getTime() - 24 * HOUR))
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

/**
 * Whether an address is locked now, without counting anything: for public look-ups that only
 * count their failures against the address (receipt verification, docs/documents.md).
 */
export async function addressLockedUntil(db: DbOrTrx, address: Buffer, now: Date): Promise<Date | null> {
  const state = toState(await db.selectFrom('sign_in_throttle').select(['failures', 'window_started_at', 'locked_until', 'lockouts', 'last_locked_at'])
    .where('key', '=', address).executeTakeFirst());
  return isLocked(state, now) ? state.lockedUntil : null;
}

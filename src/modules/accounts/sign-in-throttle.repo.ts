import { createHash } from 'node:crypto';
import type { Db, DbOrTrx } from '../../db/database.ts';
import type { Selectable } from 'kysely';
import type { SignInThrottleTable } from '../../db/schema.ts';
import { HOUR } from '../../shared/clock.ts';
import { ADDRESS_RULE, addFailure, admitAccountAttempt, afterSuccess, FRESH, isLocked, type ThrottleState } from './sign-in-throttle.ts';

/**
 * The sign-in counters in PostgreSQL (sign_in_throttle, migration 017). The server keeps no state,
 * so every process, and every retry on another process, counts against the same rows.
 */
export type ThrottleKind = 'ACCOUNT' | 'ADDRESS';

/**
 * The one place a counter's key is made. An account's key is made from the ID number as typed,
 * so a missing account counts exactly like an existing one. A plain sha256 keeps ID numbers out
 * of the table; issue "personal data" may swap this for its keyed hash.
 */
export function throttleKey(kind: ThrottleKind, value: string): Buffer {
  return createHash('sha256').update(`${kind.toLowerCase()}:${value}`).digest();
}

export const accountKey = (authorityCode: string, idNumber: string) => throttleKey('ACCOUNT', `${authorityCode}:${idNumber}`);
export const addressKey = (ip: string) => throttleKey('ADDRESS', ip);

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

/** Housekeeping: counters idle for a day and not locked tell nothing any more. */
export async function purgeSignInThrottle(db: DbOrTrx, now: Date): Promise<number> {
  const r = await db.deleteFrom('sign_in_throttle')
    .where('updated_at', '<', new Date(now.getTime() - 24 * HOUR))
    .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

import { HOUR, MINUTE } from '../../shared/clock.ts';

/**
 * Throttling and lockout of sign-in (ACC-7) as pure rules over one counter's state; the
 * repository keeps the state in PostgreSQL so every server process sees the same counters.
 *
 * Per account (authority + the ID number as typed, whether or not such an account exists):
 * 5 failures within 15 minutes lock it for 15 minutes; each further lockout within a day lasts
 * twice as long (30, 60 … at most 24 h). Per client address, across accounts (credential
 * stuffing): 100 failures within 15 minutes lock the address for 15 minutes, growing the same
 * way. The address limit is high on purpose: a campus or an internet café signs hundreds of
 * candidates in from one address at the rush, and each attempt already costs a captcha.
 */
export interface ThrottleRule {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
  maxLockMs: number;
  /** A lockout this long ago no longer makes the next one longer. */
  forgetLockoutsAfterMs: number;
}

export const ACCOUNT_RULE: ThrottleRule = { maxFailures: 5, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE, maxLockMs: 24 * HOUR, forgetLockoutsAfterMs: 24 * HOUR };
export const ADDRESS_RULE: ThrottleRule = { maxFailures: 100, windowMs: 15 * MINUTE, lockMs: 15 * MINUTE, maxLockMs: 24 * HOUR, forgetLockoutsAfterMs: 24 * HOUR };

export interface ThrottleState {
  failures: number;
  windowStartedAt: Date | null;
  lockedUntil: Date | null;
  lockouts: number;
  lastLockedAt: Date | null;
}

export const FRESH: ThrottleState = { failures: 0, windowStartedAt: null, lockedUntil: null, lockouts: 0, lastLockedAt: null };

export function isLocked(state: ThrottleState, now: Date): state is ThrottleState & { lockedUntil: Date } {
  return state.lockedUntil !== null && state.lockedUntil > now;
}

export function lockDurationMs(rule: ThrottleRule, lockoutsBefore: number): number {
  return Math.min(rule.lockMs * 2 ** Math.min(lockoutsBefore, 30), rule.maxLockMs);
}

/** Old windows and old lockouts forgotten; nothing else changes. */
function current(state: ThrottleState, now: Date, rule: ThrottleRule): ThrottleState {
  let s = state;
  if (s.windowStartedAt === null || now.getTime() - s.windowStartedAt.getTime() >= rule.windowMs) s = { ...s, failures: 0, windowStartedAt: null };
  if (s.lastLockedAt !== null && now.getTime() - s.lastLockedAt.getTime() >= rule.forgetLockoutsAfterMs) s = { ...s, lockouts: 0, lastLockedAt: null };
  return s;
}

/**
 * One more failure. The one that reaches the limit locks, and the window starts again after
 * the lockout: the person gets a fresh set of attempts, and the next lockout is longer.
 */
export function addFailure(state: ThrottleState, now: Date, rule: ThrottleRule): { state: ThrottleState; lockedNow: boolean } {
  const s = current(state, now, rule);
  const failures = s.failures + 1;
  if (failures < rule.maxFailures) return { state: { ...s, failures, windowStartedAt: s.windowStartedAt ?? now }, lockedNow: false };
  return {
    state: { failures: 0, windowStartedAt: null, lockedUntil: new Date(now.getTime() + lockDurationMs(rule, s.lockouts)), lockouts: s.lockouts + 1, lastLockedAt: now },
    lockedNow: true,
  };
}

export type Admission =
  | { admitted: false; lockedUntil: Date; state: ThrottleState }
  | { admitted: true; state: ThrottleState; lockedNow: boolean; attemptsLeft: number };

/**
 * An attempt on an account, counted as a failure before its password is checked: under a row
 * lock, so twenty simultaneous attempts cannot all pass the check before any is counted. A
 * success afterwards resets the account (`afterSuccess`). The attempt that reaches the limit
 * still has its password checked (`lockedNow` tells the caller the lock is its own).
 */
export function admitAccountAttempt(state: ThrottleState, now: Date, rule: ThrottleRule = ACCOUNT_RULE): Admission {
  if (isLocked(state, now)) return { admitted: false, lockedUntil: state.lockedUntil, state };
  const charged = addFailure(state, now, rule);
  return { admitted: true, state: charged.state, lockedNow: charged.lockedNow, attemptsLeft: charged.lockedNow ? 0 : rule.maxFailures - charged.state.failures };
}

/** A correct password: the account's failures and lockout history are forgotten. */
export function afterSuccess(): ThrottleState {
  return FRESH;
}

export function secondsUntil(until: Date, now: Date): number {
  return Math.max(1, Math.ceil((until.getTime() - now.getTime()) / 1000));
}

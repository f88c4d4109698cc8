import { describe, expect, it } from 'vitest';
import { HOUR, MINUTE } from '../../shared/clock.ts';
import { ACCOUNT_RULE, ADDRESS_RULE, addFailure, admitAccountAttempt, afterSuccess, FRESH, isLocked, lockDurationMs, type ThrottleState } from './sign-in-throttle.ts';

const T0 = new Date('2026-03-15T01:00:00Z');
const at = (ms: number) => new Date(T0.getTime() + ms);

/** n attempts on an account, one per second from `start`; returns the state and each admission. */
function attempts(state: ThrottleState, n: number, start: number) {
  const seen = [];
  let s = state;
  for (let i = 0; i < n; i++) {
    const a = admitAccountAttempt(s, at(start + i * 1000));
    seen.push(a);
    s = a.state;
  }
  return { state: s, seen };
}

describe('account lockout (ACC-7)', () => {
  it('the 5th failure within 15 minutes locks for 15 minutes; attempts before it say how many are left', () => {
    const { state, seen } = attempts(FRESH, 6, 0);
    expect(seen.slice(0, 5).map((a) => a.admitted && a.attemptsLeft)).toEqual([4, 3, 2, 1, 0]);
    expect(seen[4]).toMatchObject({ admitted: true, lockedNow: true });
    expect(seen[4]!.state.lockedUntil).toEqual(at(4000 + 15 * MINUTE));
    expect(seen[5]).toMatchObject({ admitted: false, lockedUntil: at(4000 + 15 * MINUTE) });
    expect(isLocked(state, at(4000 + 15 * MINUTE - 1))).toBe(true);
    expect(isLocked(state, at(4000 + 15 * MINUTE))).toBe(false);
  });

  it('failures spread over more than 15 minutes do not lock: the window starts again', () => {
    let s = FRESH;
    for (let i = 0; i < 4; i++) s = admitAccountAttempt(s, at(i * MINUTE)).state;
    const late = admitAccountAttempt(s, at(15 * MINUTE));
    expect(late).toMatchObject({ admitted: true, lockedNow: false, attemptsLeft: 4 });
  });

  it('a refused attempt during a lockout changes nothing (it does not extend the lock)', () => {
    const locked = attempts(FRESH, 5, 0).state;
    const refused = admitAccountAttempt(locked, at(10 * MINUTE));
    expect(refused).toEqual({ admitted: false, lockedUntil: locked.lockedUntil, state: locked });
  });

  it('each lockout in a row lasts twice as long, up to a day; a day later the history is forgotten', () => {
    expect([0, 1, 2, 3, 6, 7, 50].map((n) => lockDurationMs(ACCOUNT_RULE, n) / MINUTE)).toEqual([15, 30, 60, 120, 960, 1440, 1440]);
    let s = FRESH;
    let t = 0;
    const durations: number[] = [];
    for (let round = 0; round < 3; round++) {
      const r = attempts(s, 5, t);
      s = r.state;
      durations.push((s.lockedUntil!.getTime() - at(t + 4000).getTime()) / MINUTE);
      t = s.lockedUntil!.getTime() - T0.getTime();
    }
    expect(durations).toEqual([15, 30, 60]);
    // A day after the last lockout, the next one is short again.
    const later = attempts(s, 5, s.lastLockedAt!.getTime() - T0.getTime() + 24 * HOUR).state;
    expect(later.lockouts).toBe(1);
    expect(later.lockedUntil!.getTime() - later.lastLockedAt!.getTime()).toBe(15 * MINUTE);
  });

  it('a success forgets failures and lockouts', () => {
    const { state } = attempts(FRESH, 4, 0);
    expect(state.failures).toBe(4);
    expect(afterSuccess()).toEqual(FRESH);
    expect(admitAccountAttempt(afterSuccess(), at(5000))).toMatchObject({ attemptsLeft: 4 });
  });
});

describe('address throttling (credential stuffing)', () => {
  it('100 failures from one address within 15 minutes lock it for 15 minutes', () => {
    let s = FRESH;
    for (let i = 0; i < 99; i++) {
      const r = addFailure(s, at(i * 1000), ADDRESS_RULE);
      expect(r.lockedNow).toBe(false);
      s = r.state;
    }
    const hundredth = addFailure(s, at(99_000), ADDRESS_RULE);
    expect(hundredth.lockedNow).toBe(true);
    expect(hundredth.state.lockedUntil).toEqual(at(99_000 + 15 * MINUTE));
  });
});

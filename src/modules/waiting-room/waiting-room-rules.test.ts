import { describe, expect, it } from 'vitest';
import { arrivalWithoutPass, estimatedWaitSeconds, nextAdmitRate, positionOf, retryAfterSeconds, ticketsToAdmit } from './waiting-room-rules.ts';

const empty = { admittedThrough: 10n, issuedThrough: 10n, admitRatePerSecond: 0 };
const queued = { admittedThrough: 10n, issuedThrough: 25n, admitRatePerSecond: 5 };

describe('waiting-room rules', () => {
  it('lets a newcomer in only with room here, nobody waiting here and nobody queued anywhere', () => {
    expect(arrivalWithoutPass({ inFlight: 3, limit: 4, localWaiters: 0 }, empty)).toBe('ENTER');
    expect(arrivalWithoutPass({ inFlight: 4, limit: 4, localWaiters: 0 }, empty)).toBe('QUEUE');
    expect(arrivalWithoutPass({ inFlight: 0, limit: 4, localWaiters: 1 }, empty)).toBe('QUEUE');
    // Free slots here, but others queue (at this process or another): behind them.
    expect(arrivalWithoutPass({ inFlight: 0, limit: 4, localWaiters: 0 }, queued)).toBe('QUEUE');
  });

  it('admits as many tickets as there are free slots, never past the last ticket', () => {
    expect(ticketsToAdmit({ inFlight: 1, limit: 4, localWaiters: 0 }, queued)).toBe(3);
    expect(ticketsToAdmit({ inFlight: 1, limit: 4, localWaiters: 2 }, queued)).toBe(1);
    expect(ticketsToAdmit({ inFlight: 5, limit: 4, localWaiters: 0 }, queued)).toBe(0);
    expect(ticketsToAdmit({ inFlight: 0, limit: 100, localWaiters: 0 }, queued)).toBe(15);
    expect(ticketsToAdmit({ inFlight: 0, limit: 100, localWaiters: 0 }, empty)).toBe(0);
  });

  it('counts places from the line and estimates the wait from the rate it moved at', () => {
    expect(positionOf(11n, queued)).toBe(1);
    expect(positionOf(25n, queued)).toBe(15);
    expect(positionOf(3n, queued)).toBe(0);
    expect(estimatedWaitSeconds(15, queued, 100)).toBe(3);
    expect(estimatedWaitSeconds(15, empty, 10)).toBe(2); // not moved yet: the fallback rate
    expect(estimatedWaitSeconds(0, queued, 10)).toBe(0);
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(600)).toBe(5);
  });

  it('smooths the admit rate', () => {
    expect(nextAdmitRate(0, 10, 1)).toBe(10);
    expect(nextAdmitRate(10, 0, 1)).toBe(7);
    expect(nextAdmitRate(10, 5, 0)).toBe(10);
  });
});

/**
 * The one source of "now". Everything that compares against time (bill expiry, job backoff,
 * sessions, sandbox notify retries) takes a Clock, so tests move time instead of sleeping.
 */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock tests can move. Starts at `start` and only moves when told. */
export class ManualClock implements Clock {
  private t: number;
  constructor(start: Date | string = '2026-03-15T01:00:00Z') {
    this.t = new Date(start).getTime();
  }
  now(): Date {
    return new Date(this.t);
  }
  advance(ms: number): Date {
    this.t += ms;
    return this.now();
  }
  set(to: Date | string): void {
    this.t = new Date(to).getTime();
  }
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;

import { formatShanghai } from './time.ts';

/**
 * Beijing calendar days as `YYYY-MM-DD` text: the day a channel's statement covers, the day
 * reconciliation runs for. China keeps no daylight saving, so a day is always 24 h from 00:00 +08:00.
 */
export const DAY_MS = 86_400_000;

export function isBeijingDay(day: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return false;
  const start = new Date(`${day}T00:00:00+08:00`);
  return !Number.isNaN(start.getTime()) && beijingDayOf(start) === day;
}

/** 00:00 Beijing time of the day. */
export function beijingDayStart(day: string): Date {
  if (!isBeijingDay(day)) throw new RangeError(`not a calendar day: ${JSON.stringify(day)}`);
  return new Date(`${day}T00:00:00+08:00`);
}

/** The Beijing calendar day an instant falls on. */
export function beijingDayOf(at: Date): string {
  return formatShanghai(at).slice(0, 10);
}

export function addDays(day: string, n: number): string {
  return beijingDayOf(new Date(beijingDayStart(day).getTime() + n * DAY_MS));
}

/** An instant on a Beijing day, e.g. `atBeijing('2026-03-16', 9, 30)` = 09:30 that day. */
export function atBeijing(day: string, hours: number, minutes = 0): Date {
  return new Date(beijingDayStart(day).getTime() + (hours * 60 + minutes) * 60_000);
}

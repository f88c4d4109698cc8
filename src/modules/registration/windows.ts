import type { WindowKind } from '../../db/schema.ts';
import { formatShanghai } from '../../shared/time.ts';

/** A sitting's dated window (REG-1). Open at `opensAt`, closed from `closesAt` on: [opensAt, closesAt). */
export interface SittingWindow {
  kind: WindowKind;
  siteId: bigint | null;
  opensAt: Date;
  closesAt: Date;
}

/** `window` is null when the sitting sets no window of that kind: the action is not time-limited. */
export type WindowCheck =
  | { ok: true; window: SittingWindow | null }
  | { ok: false; code: 'WINDOW_CLOSED'; windows: { kind: WindowKind; opensAt: string; closesAt: string }[] };

const isOpenAt = (w: SittingWindow, at: Date) => at >= w.opensAt && at < w.closesAt;

/** Shown to the candidate in Beijing time, so the refusal says when the action is possible. */
const describe = (ws: SittingWindow[]) => ws
  .slice().sort((a, b) => a.opensAt.getTime() - b.opensAt.getTime())
  .map((w) => ({ kind: w.kind, opensAt: formatShanghai(w.opensAt), closesAt: formatShanghai(w.closesAt) }));

/** REG-1/REG-2: registering (enrolment, subjects, edits) only inside a registration window. */
export function checkRegistrationWindow(windows: SittingWindow[], at: Date): WindowCheck {
  return firstOpen(windows.filter((w) => w.kind === 'REGISTRATION'), at);
}

/**
 * Paying: inside any payment window (there may be several slots, seed 001), or — after
 * registration closed — inside the management window of the candidate's site (seed 002).
 * A sitting with no payment window at all pays while registration is open.
 */
export function checkPaymentWindow(windows: SittingWindow[], at: Date, siteId: bigint | null): WindowCheck {
  const payment = windows.filter((w) => w.kind === 'PAYMENT');
  const site = windows.filter((w) => w.kind === 'SITE_MANAGEMENT' && siteId !== null && w.siteId === siteId);
  const candidates = payment.length > 0 ? [...payment, ...site] : [...windows.filter((w) => w.kind === 'REGISTRATION'), ...site];
  return firstOpen(candidates, at);
}

/**
 * Paying for several registrations: each one's own site decides (management windows differ).
 * A refusal says which entry of `siteIds` was refused.
 */
export function checkPaymentWindows(
  windows: SittingWindow[], at: Date, siteIds: readonly (bigint | null)[],
): { ok: true } | (Extract<WindowCheck, { ok: false }> & { index: number }) {
  for (const [index, siteId] of siteIds.entries()) {
    const check = checkPaymentWindow(windows, at, siteId);
    if (!check.ok) return { ...check, index };
  }
  return { ok: true };
}

/** DOC-2: admission tickets only inside the print window. */
export function checkPrintWindow(windows: SittingWindow[], at: Date): WindowCheck {
  return firstOpen(windows.filter((w) => w.kind === 'PRINT'), at);
}

function firstOpen(windows: SittingWindow[], at: Date): WindowCheck {
  if (windows.length === 0) return { ok: true, window: null };
  const open = windows.find((w) => isOpenAt(w, at));
  return open ? { ok: true, window: open } : { ok: false, code: 'WINDOW_CLOSED', windows: describe(windows) };
}

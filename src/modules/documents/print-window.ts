import type { Failure } from '../../shared/errors.ts';
import { checkPrintWindow, type SittingWindow } from '../registration/windows.ts';

/**
 * DOC-2: admission tickets are printed only inside the sitting's PRINT window. A sitting with no
 * PRINT window prints no tickets here at all (the authority hands them out some other way; seeds
 * 001, 003 and 004 show none) — unlike registration, where "no window" means "not time-limited".
 */
export type PrintVerdict = { ok: true; window: SittingWindow } | { ok: false; error: Failure };

export function printVerdict(windows: SittingWindow[], at: Date): PrintVerdict {
  if (!windows.some((w) => w.kind === 'PRINT')) return { ok: false, error: { code: 'ADMISSION_TICKETS_NOT_OFFERED' } };
  const check = checkPrintWindow(windows, at);
  if (!check.ok) return { ok: false, error: { code: 'WINDOW_CLOSED', details: { windows: check.windows } } };
  return { ok: true, window: check.window! };
}

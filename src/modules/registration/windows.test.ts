import { describe, expect, it } from 'vitest';
import { checkPaymentWindow, checkPaymentWindows, checkPrintWindow, checkRegistrationWindow, type SittingWindow } from './windows.ts';

const bj = (s: string) => new Date(`${s}+08:00`);
const sec = (d: Date, n: number) => new Date(d.getTime() + n * 1000);
const W = (kind: SittingWindow['kind'], opens: string, closes: string, siteId: bigint | null = null): SittingWindow => ({ kind, siteId, opensAt: bj(opens), closesAt: bj(closes) });

// Seed 001: two fixed payment slots; seed 002: a campus management window after registration.
const windows = [
  W('REGISTRATION', '2026-03-01T09:00:00', '2026-03-10T17:00:00'),
  W('PAYMENT', '2026-03-15T09:00:00', '2026-03-15T20:00:00'),
  W('PAYMENT', '2026-03-16T09:00:00', '2026-03-16T15:00:00'),
  W('SITE_MANAGEMENT', '2026-03-11T09:00:00', '2026-03-12T17:00:00', 7n),
  W('PRINT', '2026-04-01T09:00:00', '2026-04-11T09:00:00'),
];

describe('windows, at their edges, in Asia/Shanghai (REG-1)', () => {
  const edges: [string, (at: Date) => { ok: boolean }, Date, Date][] = [
    ['registration', (at) => checkRegistrationWindow(windows, at), bj('2026-03-01T09:00:00'), bj('2026-03-10T17:00:00')],
    ['payment slot 1', (at) => checkPaymentWindow(windows, at, null), bj('2026-03-15T09:00:00'), bj('2026-03-15T20:00:00')],
    ['payment slot 2', (at) => checkPaymentWindow(windows, at, null), bj('2026-03-16T09:00:00'), bj('2026-03-16T15:00:00')],
    ['site 7 management', (at) => checkPaymentWindow(windows, at, 7n), bj('2026-03-11T09:00:00'), bj('2026-03-12T17:00:00')],
    ['print', (at) => checkPrintWindow(windows, at), bj('2026-04-01T09:00:00'), bj('2026-04-11T09:00:00')],
  ];
  for (const [name, check, opens, closes] of edges) {
    it(`${name}: closed 1 s before opening, open at opening, open 1 s before closing, closed at and after closing`, () => {
      expect(check(sec(opens, -1)).ok).toBe(false);
      expect(check(opens).ok).toBe(true);
      expect(check(sec(opens, 1)).ok).toBe(true);
      expect(check(sec(closes, -1)).ok).toBe(true);
      expect(check(closes).ok).toBe(false);
      expect(check(sec(closes, 1)).ok).toBe(false);
    });
  }

  it('a refusal shows the windows in Beijing time', () => {
    const r = checkPaymentWindow(windows, bj('2026-03-15T20:00:00'), null);
    expect(r).toEqual({ ok: false, code: 'WINDOW_CLOSED', windows: [
      { kind: 'PAYMENT', opensAt: '2026-03-15 09:00:00', closesAt: '2026-03-15 20:00:00' },
      { kind: 'PAYMENT', opensAt: '2026-03-16 09:00:00', closesAt: '2026-03-16 15:00:00' },
    ] });
  });

  it("another site's management window does not open payment", () => {
    expect(checkPaymentWindow(windows, bj('2026-03-11T10:00:00'), 8n).ok).toBe(false);
    expect(checkPaymentWindow(windows, bj('2026-03-11T10:00:00'), null).ok).toBe(false);
  });

  it('a sitting that sets no window of a kind does not limit that action', () => {
    expect(checkRegistrationWindow([], bj('2030-01-01T00:00:00'))).toEqual({ ok: true, window: null });
    expect(checkPaymentWindow([], bj('2030-01-01T00:00:00'), null).ok).toBe(true);
    expect(checkPrintWindow([W('REGISTRATION', '2026-03-01T09:00:00', '2026-03-10T17:00:00')], bj('2026-03-05T00:00:00')).ok).toBe(true);
  });

  it('several registrations: the first whose site is closed is named', () => {
    const at = bj('2026-03-11T10:00:00');
    expect(checkPaymentWindows(windows, at, [7n, 7n])).toEqual({ ok: true });
    expect(checkPaymentWindows(windows, at, [7n, 8n])).toMatchObject({ ok: false, code: 'WINDOW_CLOSED', index: 1 });
  });

  it('with no payment window, payment follows registration', () => {
    const regOnly = [W('REGISTRATION', '2026-03-01T09:00:00', '2026-03-10T17:00:00')];
    expect(checkPaymentWindow(regOnly, bj('2026-03-05T12:00:00'), null).ok).toBe(true);
    expect(checkPaymentWindow(regOnly, bj('2026-03-10T17:00:00'), null).ok).toBe(false);
  });
});

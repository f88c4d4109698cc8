/**
 * How long the poll job waits before asking the channel again about a PAYING bill (PAY-4):
 * quickly at first, when most payments finish, then less often; the last value repeats.
 */
export const QUERY_BACKOFF_MS = [15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000] as const;

export function nextQueryDelay(attempts: number): number {
  return QUERY_BACKOFF_MS[Math.min(attempts, QUERY_BACKOFF_MS.length - 1)]!;
}

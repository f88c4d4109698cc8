import pg from 'pg';

/**
 * What the database's sessions were doing during a run, sampled from pg_stat_activity every
 * 100 ms: "CPU" (active, no wait), or the wait event (Lock:transactionid, IO:WalSync,
 * LWLock:MultiXact…). The share of samples per activity is the database side of the profile.
 */
export function sampleWaits(url: string): { stop(): Promise<Record<string, number>> } {
  const c = new pg.Client({ connectionString: url });
  const counts = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    await c.connect();
    c.on('error', () => undefined);
    while (running) {
      const rows = (await c.query<{ w: string }>(`SELECT coalesce(wait_event_type || ':' || wait_event, 'CPU') AS w FROM pg_stat_activity
        WHERE datname = current_database() AND pid <> pg_backend_pid() AND state IN ('active', 'idle in transaction') AND backend_type = 'client backend'`)).rows;
      samples++;
      for (const r of rows) counts.set(r.w, (counts.get(r.w) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 100));
    }
    await c.end();
  })().catch(() => undefined); // the sampler must never fail a run: a lost sample is only a lost sample
  return {
    async stop() {
      running = false;
      await loop;
      // Average number of sessions in each state (e.g. 3.2 sessions waiting on a row lock).
      return Object.fromEntries([...counts].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([k, v]) => [k, Math.round((v / Math.max(1, samples)) * 10) / 10]));
    },
  };
}

import { sql } from 'kysely';
import { HangRegistry } from '../../src/sandbox/faults.ts';
import { startDatabaseHost } from './database.ts';
import { runSteps } from './runner.ts';
import { generateSteps } from './steps.ts';
import { startSimWorld } from './world.ts';

/** Where a run's time goes: per step kind per 1,000 steps, and the cost of each invariant query at the end. */
const seed = Number(process.argv[2] ?? 1);
const n = Number(process.argv[3] ?? 10000);
// Real-time waits in this process's HTTP calls (adapters, the payer, notifications): count and time by outcome.
const fetchStats: Record<string, { n: number; ms: number }> = {};
const realFetch = globalThis.fetch;
globalThis.fetch = async (...args: Parameters<typeof fetch>) => {
  const t0 = performance.now();
  let key = 'ok';
  try {
    return await realFetch(...args);
  } catch (err) {
    key = err instanceof Error ? err.name : 'error';
    throw err;
  } finally {
    const s = (fetchStats[key] ??= { n: 0, ms: 0 });
    s.n++;
    s.ms += performance.now() - t0;
  }
};
// Requests the sandbox held open until the caller's timeout (API down: hang; charged but timed out).
const hangs = { n: 0, ms: 0 };
const realWait = HangRegistry.prototype.wait;
HangRegistry.prototype.wait = async function (this: HangRegistry, ...args: Parameters<HangRegistry['wait']>) {
  const t0 = performance.now();
  try {
    return await realWait.apply(this, args);
  } finally {
    hangs.n++;
    hangs.ms += performance.now() - t0;
  }
};
const host = await startDatabaseHost();
process.on('exit', () => void host.stop());
const steps = generateSteps(seed, n);
const w = await startSimWorld(host, { spareChild: steps.some((s) => s.k === 'kill') });
const started = Date.now();
let last: Record<string, number> = {};
let lastCheck = 0;
let lastT = started;
const o = await runSteps(w, steps, {
  liveness: process.env.LIVENESS === '1',
  onProgress: (i, t) => {
    if ((i + 1) % 1000) return;
    const d = Object.entries(t.msByKind).map(([k, v]) => [k, v - (last[k] ?? 0)] as const).filter(([, v]) => v > 300).sort((a, b) => b[1] - a[1]);
    console.log(`${i + 1}: ${Date.now() - lastT} ms, check ${t.checkMs - lastCheck}; ${d.map(([k, v]) => `${k} ${v}`).join(', ')}`);
    console.log('  hangs', hangs.n, Math.round(hangs.ms), 'ms;', 'fetch', JSON.stringify(Object.fromEntries(Object.entries(fetchStats).map(([k, v]) => [k, `${v.n}/${Math.round(v.ms)}ms`]))));
    last = { ...t.msByKind }; lastCheck = t.checkMs; lastT = Date.now();
  },
});
console.log(JSON.stringify(o.ok ? o.stats : o));
for (const [name, q] of Object.entries({
  paidTwice: sql`SELECT bill_id FROM bill_transition WHERE to_state = 'PAID' GROUP BY bill_id HAVING count(*) > 1`,
  seats: sql`SELECT p.id FROM seat_pool p LEFT JOIN seat s ON s.pool_id = p.id GROUP BY p.id`,
  unexplained: sql`SELECT b.bill_no FROM bill b LEFT JOIN LATERAL (SELECT to_state FROM bill_transition WHERE bill_id = b.id ORDER BY id DESC LIMIT 1) t ON true WHERE b.state IS DISTINCT FROM coalesce(t.to_state, 'UNPAID')`,
  counts: sql`SELECT (SELECT count(*) FROM bill) b, (SELECT count(*) FROM bill_transition) bt, (SELECT count(*) FROM journal_entry) je, (SELECT count(*) FROM ledger_posting) jl, (SELECT count(*) FROM registration) r, (SELECT count(*) FROM seat) s, (SELECT count(*) FROM payment_attempt) pa`,
})) {
  const t0 = performance.now();
  for (let i = 0; i < 20; i++) await q.execute(w.t.db);
  console.log(name, ((performance.now() - t0) / 20).toFixed(2), 'ms', name === 'counts' ? JSON.stringify((await q.execute(w.t.db)).rows, (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)) : '');
}
const { InvariantChecker } = await import('./invariants.ts');
const checker = new InvariantChecker(w);
let t0 = performance.now();
for (let i = 0; i < 20; i++) await checker.full('');
console.log('full check', ((performance.now() - t0) / 20).toFixed(2), 'ms');
t0 = performance.now();
for (let i = 0; i < 20; i++) await checker.check();
console.log('scoped check', ((performance.now() - t0) / 20).toFixed(2), 'ms', checker.lastMode);
await w.close();
await host.stop();
process.exit(0);

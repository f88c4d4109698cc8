import { sampleCpu, sampleRss, type CpuShare } from '../lib/app-process.ts';
import type { BenchContext } from '../lib/context.ts';
import { notificationsOverHttp, type HttpRun } from '../lib/http-load.ts';
import { benchBillNo, preparePayingBills, sandboxAlipay, signedAlipayNotification } from '../lib/paying-bills.ts';
import { runPgbench, type PgbenchResult } from '../lib/pgbench.ts';
import { auditSeats, resetBenchWorld } from '../lib/seed.ts';

export interface SettleResult {
  http: (HttpRun & { rssMiB: number; paid: number; oversold: number; cpu: CpuShare })[];
  sweep: (PgbenchResult | { clients: number; error: string })[];
  best: PgbenchResult;
  at256: PgbenchResult | { clients: number; error: string };
}

/**
 * Settlement of signed Alipay notifications: bills prepared PAYING, one notification each
 * (RSA2-signed with the sandbox's channel key before the clock starts), POSTed to
 * /notify/alipay; against pgbench running the same settle transaction (bench/sql/settle.sql).
 */
export async function settlePhase(ctx: BenchContext, connections: number[]): Promise<SettleResult> {
  const alipay = sandboxAlipay(ctx.dataDir);
  const count = Math.min(ctx.world.candidates.length, ctx.opts.quick ? 1500 : 8000);
  const http: SettleResult['http'] = [];
  const now = new Date();
  const bodies = Array.from({ length: count }, (_, i) => signedAlipayNotification(alipay, benchBillNo(i), `2026${String(i).padStart(24, '0')}`, i, now));
  for (const c of [0, ...connections]) {
    await resetBenchWorld(ctx.db.url, ctx.world);
    await preparePayingBills(ctx.db.url, ctx.world, 0, count);
    const rss = sampleRss(ctx.app.pid);
    const cpuMeter = sampleCpu(ctx.app.pid, ctx.db.postmasterPid);
    // c = 0: a warm-up of the notify path at 32 connections, not counted.
    const run = await notificationsOverHttp({ baseUrl: ctx.app.baseUrl, bodies, connections: c || 32, seconds: c ? ctx.opts.phaseSeconds : 2 });
    const cpu = cpuMeter.stop();
    if (c === 0) { rss.stop(); continue; }
    const rssMiB = rss.stop();
    const audit = await auditSeats(ctx.db.url);
    // Settled = answered `success` while the clock ran (requests still in flight at the end commit too: the audit counts them).
    const settled = run;
    http.push({ ...settled, rssMiB, cpu, paid: audit.sold, oversold: audit.oversold + audit.paidWithoutSoldSeat });
    ctx.log(`settle HTTP c=${c}: ${settled.perSecond.toFixed(0)}/s p50 ${run.latencyMs.p50} ms p99 ${run.latencyMs.p99} ms (${run.completed} settled, seats sold ${audit.sold}) cpu app ${cpu.app.toFixed(2)} pg ${cpu.postgres.toFixed(2)} ${JSON.stringify(run.statuses)}`);
  }
  const sweep: SettleResult['sweep'] = [];
  for (const clients of ctx.opts.sweepClients) sweep.push(await pgbenchSettle(ctx, clients, count));
  const ok = sweep.filter((r): r is PgbenchResult => !('error' in r));
  if (ok.length === 0) throw new Error(`pgbench settle failed at every client count: ${JSON.stringify(sweep)}`);
  const best = ok.reduce((a, b) => (b.tps > a.tps ? b : a));
  const at256 = await pgbenchSettle(ctx, 256, count);
  return { http, sweep, best, at256 };
}

async function pgbenchSettle(ctx: BenchContext, clients: number, count: number): Promise<PgbenchResult | { clients: number; error: string }> {
  await resetBenchWorld(ctx.db.url, ctx.world);
  // pgbench's bills are numbered '8' + the index, so its script can name them without a look-up.
  const bills = await preparePayingBills(ctx.db.url, ctx.world, 0, count, (i) => `8${String(i).padStart(20, '0')}`);
  const cpuMeter = sampleCpu(ctx.app.pid, ctx.db.postmasterPid);
  try {
    const r = await runPgbench({
      url: ctx.db.url, script: 'settle.sql', clients, seconds: clients >= 64 ? Math.max(3, ctx.opts.sweepSeconds) : ctx.opts.sweepSeconds,
      vars: { k: 0, offset: 0, stride: Math.floor(count / clients), bill_base: bills.billBase, attempt_base: bills.attemptBase, registration_base: bills.registrationBase, sitting: ctx.world.sittingId },
    });
    if (r.transactions >= count - clients) throw new Error(`pgbench used up all ${count} prepared bills; the run was cut short`);
    const cpu = cpuMeter.stop();
    ctx.log(`settle pgbench c=${clients}: ${r.tps.toFixed(0)} tps, avg ${r.latencyAvgMs} ms, cpu pg ${cpu.postgres.toFixed(2)} client ${r.cpuClient?.toFixed(2)}`);
    return { ...r, cpuPostgres: cpu.postgres };
  } catch (err) {
    cpuMeter.stop();
    ctx.log(`settle pgbench c=${clients} failed: ${(err as Error).message.slice(0, 500)}`);
    return { clients, error: (err as Error).message.split('\n')[0]!.slice(0, 200) };
  }
}

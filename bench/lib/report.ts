import fs from 'node:fs';
import path from 'node:path';
import type { HoldBillMode } from '../phases/hold-bill.phase.ts';
import type { CaptureToPaid, JourneyRun, RaceRun } from '../phases/payment.phase.ts';
import type { SettleResult } from '../phases/settle.phase.ts';
import type { WaitingRoomResult, WorkersResult } from '../phases/scale.phase.ts';
import type { BenchOptions } from './context.ts';
import type { CpuShare } from './app-process.ts';
import type { MachineFacts } from './machine.ts';
import type { PgbenchResult } from './pgbench.ts';
import type { BenchDatabase } from './postgres.ts';

export interface BenchResults {
  idleRssMiB: number;
  /** CPU cores used with no load (jobs polling, PostgreSQL background), subtracted from CPU per unit. */
  idleCpu?: CpuShare;
  spread?: HoldBillMode;
  hot?: HoldBillMode;
  settle?: SettleResult;
  journeys?: JourneyRun[];
  race?: RaceRun;
  lost?: CaptureToPaid;
  waitingRoom?: WaitingRoomResult;
  workers?: WorkersResult;
}

/** Vendure 3.7, one process, guest checkouts per second at best on this kind of machine (issue 9). */
const VENDURE_PER_SECOND = 8.6;

const f0 = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : '–');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '–');
const ratio = (n: number, ceiling: number) => (Number.isFinite(n) && ceiling > 0 ? `${(n / ceiling).toFixed(2)}×` : '–');
const mark = (ok: boolean) => (ok ? 'met' : '**missed**');
const waitText = (w: Record<string, number> | undefined) => (w ? Object.entries(w).map(([k, v]) => `${k} ${v}`).join(', ') : '–');
const isOk = (r: PgbenchResult | { error: string }): r is PgbenchResult => !('error' in r);

function sweepLine(sweep: (PgbenchResult | { clients: number; error: string })[]): string {
  return sweep.map((r) => (isOk(r) ? `${r.clients}: ${f0(r.tps)}` : `${r.clients}: failed (${r.error})`)).join(' · ');
}

/**
 * CPU milliseconds per unit of work, from /proc: unlike throughput, this barely moves when the
 * machine is shared, and it predicts the ratio on a quiet machine (both sides CPU-bound on the
 * same cores): pgbench's (PostgreSQL + client) cost over ExamPay's (app + PostgreSQL).
 */
let idle: CpuShare | undefined;

function cpuPerUnit(rows: { label: string; perSecond: number; app: number; postgres: number }[], ceiling: PgbenchResult): string[] {
  if (!ceiling.cpuPostgres) return [];
  const idleApp = idle?.app ?? 0, idlePg = idle?.postgres ?? 0;
  const base = ((Math.max(0, ceiling.cpuPostgres - idlePg) + (ceiling.cpuClient ?? 0)) / ceiling.tps) * 1000;
  return [
    `CPU per unit (ms, all cores together, the idle cost of ${idleApp.toFixed(3)} app + ${idlePg.toFixed(3)} PostgreSQL cores taken off): pgbench at ${ceiling.clients} clients ${((Math.max(0, ceiling.cpuPostgres - idlePg) / ceiling.tps) * 1000).toFixed(1)} PostgreSQL + ${(((ceiling.cpuClient ?? 0) / ceiling.tps) * 1000).toFixed(1)} pgbench client = ${base.toFixed(1)}.`,
    '',
    '| load | app ms | PostgreSQL ms | total ms | ratio predicted for a quiet machine (pgbench total / this total) |',
    '|---|---:|---:|---:|---:|',
    ...rows.filter((r) => r.perSecond > 0).map((r) => {
      const app = (Math.max(0, r.app - idleApp) / r.perSecond) * 1000, pgMs = (Math.max(0, r.postgres - idlePg) / r.perSecond) * 1000;
      return `| ${r.label} | ${app.toFixed(1)} | ${pgMs.toFixed(1)} | ${(app + pgMs).toFixed(1)} | ${(base / (app + pgMs)).toFixed(2)}× |`;
    }),
    '',
  ];
}

function holdBillSection(m: HoldBillMode): string[] {
  const ceiling = m.best.tps;
  const lines = [
    `### Seat hold + bill, ${m.mode === 'hot' ? 'one hot slot (every hold on the same pool)' : 'slots spread over the sitting (100 pools, each hold on a random one)'}`,
    '',
    `pgbench, same SQL (\`bench/sql/hold-bill.sql\`), transactions/s by client count: ${sweepLine(m.sweep)}.`,
    `**Ceiling: ${f0(ceiling)}/s at ${m.best.clients} clients.**`,
    '',
    '| load | per second | × ceiling | p50 ms | p99 ms | non-2xx | errors | oversold | app RSS peak MiB | CPU cores app / PostgreSQL | database sessions by activity (average count) |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
    ...m.http.map((r) => `| HTTP, ${r.connections} connections | ${f0(r.perSecond)} | ${ratio(r.perSecond, ceiling)} | ${r.latencyMs.p50} | ${r.latencyMs.p99} | ${r.non2xx} | ${r.errors} | ${r.audit.oversold + r.audit.orphans + r.audit.rowMismatch} | ${f0(r.rssMiB)} | ${r.cpu.app.toFixed(2)} / ${r.cpu.postgres.toFixed(2)} | ${waitText(r.waits)} |`),
    isOk(m.at256)
      ? `| pgbench, 256 clients | ${f0(m.at256.tps)} | ${ratio(m.at256.tps, ceiling)} | (avg ${f1(m.at256.latencyAvgMs)}) | | | | 0 | | – / ${m.at256.cpuPostgres?.toFixed(2) ?? '–'} | ${waitText(m.at256.waits)} |`
      : `| pgbench, 256 clients | failed: ${m.at256.error} | | | | | | | | | |`,
    `| pgbench, ${m.best.clients} clients (the ceiling) | ${f0(m.best.tps)} | 1.00× | (avg ${f1(m.best.latencyAvgMs)}) | | | | 0 | | – / ${m.best.cpuPostgres?.toFixed(2) ?? '–'} | ${waitText(m.best.waits)} |`,
    '',
    'Per second = candidates whose hold **and** bill both answered 201; latency is per HTTP request. A hold that finds the slot full answers 409 and counts as non-2xx.',
    '',
    ...cpuPerUnit(m.http.map((h) => ({ label: `HTTP, ${h.connections} connections`, perSecond: h.perSecond, app: h.cpu.app, postgres: h.cpu.postgres })), m.best),
  ];
  return lines;
}

export function writeReport(file: string, r: { opts: BenchOptions; command: string; before: MachineFacts; after: MachineFacts; db: BenchDatabase; pgbench: string; seconds: number; results: BenchResults; poolSize: number }): void {
  const { results: x } = r;
  idle = x.idleCpu;
  const out: string[] = [
    '# ExamPay benchmarks',
    '',
    `Generated by \`${r.command}\` on ${new Date().toISOString()} (${f0(r.seconds)} s). Every figure is measured in this one run on the same`,
    'PostgreSQL and given as a ratio against that database\'s own ceiling for the same SQL (pgbench at its best client count).',
    'Regenerate with `npm run bench` (needs `pgbench`: `apt-get install postgresql-client`); `npm run bench -- --quick` is a short smoke run',
    'whose figures are not meant for comparison.',
    '',
    '## Machine',
    '',
    `- ${r.before.cores} × ${r.before.cpus}, ${r.before.memoryGiB} GiB, ${r.before.os}, Node ${r.before.node}`,
    `- PostgreSQL ${r.db.serverVersion} (${r.db.origin}); ${Object.entries(r.db.settings).map(([k, v]) => `${k}=${v}`).join(', ')}`,
    `- ${r.pgbench}; autocannon ${'9'} as a library in the bench process`,
    `- ExamPay: \`src/main.ts\` in its own process (sandbox mode, sandbox mounted in-process, jobs on), DATABASE_POOL_SIZE=${r.poolSize}, LOG_LEVEL=warn`,
    `- Load average at start ${r.before.loadAverage.join(' / ')}, at end ${r.after.loadAverage.join(' / ')}.`,
    `- Other busy processes at start: ${r.before.otherBusy.join(', ') || 'none'}; at end: ${r.after.otherBusy.join(', ') || 'none'}.`,
    '  A load average above the core count, or other processes listed here, means the machine was shared while this ran:',
    '  absolute figures are then low and noisy; the ratios, measured side by side in the same minutes, still hold.',
    '',
    '## Results',
    '',
  ];
  const targets: string[] = [];
  for (const m of [x.spread, x.hot]) {
    if (!m) continue;
    out.push(...holdBillSection(m));
    const at256 = m.http.find((h) => h.connections === 256);
    const worst = Math.min(...m.http.map((h) => h.perSecond / m.best.tps));
    targets.push(`| hold + bill ${m.mode}: HTTP ≥ 0.5× ceiling at every connection count | ${worst.toFixed(2)}× (lowest) | ${mark(worst >= 0.5)} |`);
    if (at256) targets.push(`| hold + bill ${m.mode}: p99 < 100 ms at 256 connections | ${at256.latencyMs.p99} ms | ${mark(at256.latencyMs.p99 < 100)} |`);
    const oversold = m.http.reduce((s, h) => s + h.audit.oversold + h.audit.orphans + h.audit.rowMismatch, 0);
    targets.push(`| hold + bill ${m.mode}: zero oversold seats | ${oversold} | ${mark(oversold === 0)} |`);
  }
  if (x.settle) {
    const s = x.settle;
    out.push('### Settlement of signed channel notifications', '',
      `Alipay TRADE_SUCCESS notifications, RSA2-signed with the sandbox's channel key, each for its own 缴费中 bill, POSTed to \`/notify/alipay\`. pgbench runs the settle transaction (\`bench/sql/settle.sql\`): ${sweepLine(s.sweep)}. **Ceiling: ${f0(s.best.tps)}/s at ${s.best.clients} clients.**`, '',
      '| load | settled per second | × ceiling | p50 ms | p99 ms | non-2xx | seats sold = bills settled | app RSS peak MiB |', '|---|---:|---:|---:|---:|---:|---:|---:|',
      ...s.http.map((h) => `| HTTP, ${h.connections} connections | ${f0(h.perSecond)} | ${ratio(h.perSecond, s.best.tps)} | ${h.latencyMs.p50} | ${h.latencyMs.p99} | ${h.non2xx} | ${h.paid} (problems: ${h.oversold}) | ${f0(h.rssMiB)} |`),
      isOk(s.at256) ? `| pgbench, 256 clients | ${f0(s.at256.tps)} | ${ratio(s.at256.tps, s.best.tps)} | (avg ${f1(s.at256.latencyAvgMs)}) | | | | |` : `| pgbench, 256 clients | failed: ${s.at256.error} | | | | | | |`, '',
      ...cpuPerUnit(s.http.map((h) => ({ label: `HTTP, ${h.connections} connections`, perSecond: h.perSecond, app: h.cpu.app, postgres: h.cpu.postgres })), s.best));
    const worst = Math.min(...s.http.map((h) => h.perSecond / s.best.tps));
    targets.push(`| settlement: HTTP ≥ 0.5× ceiling | ${worst.toFixed(2)}× (lowest) | ${mark(worst >= 0.5)} |`);
  }
  if (x.journeys?.length) {
    const holdCeiling = x.spread?.best.tps;
    const settleCeiling = x.settle?.best.tps;
    // A journey commits a hold+bill and a settlement: the database's ceiling for both in sequence.
    const journeyCeiling = holdCeiling && settleCeiling ? 1 / (1 / holdCeiling + 1 / settleCeiling) : NaN;
    out.push('### The whole candidate journey', '',
      'Captcha → sign in (ID number + password, argon2id, through `POST /api/v1/session` with CAPTCHA_TEST_MODE) → hold a seat → bill → agreement → pay with Alipay → the sandbox cashier (open, pay) → the candidate polls the bill (every 250 ms) until PAID, which the notification makes it. Spread slots.',
      `Ceiling for comparison: the hold+bill and settle transactions in sequence, ${f0(journeyCeiling)}/s (1 / (1/${f0(holdCeiling ?? NaN)} + 1/${f0(settleCeiling ?? NaN)})).`, '',
      '| concurrent candidates | PAID journeys per second | × Vendure 8.6/s | × ceiling | journey p50 ms | p99 ms | capture→PAID p50 / p99 ms | failures | oversold | app RSS peak MiB |',
      '|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|',
      ...x.journeys.map((j) => `| ${j.concurrency} | ${f1(j.perSecond)} | ${(j.perSecond / VENDURE_PER_SECOND).toFixed(1)}× | ${ratio(j.perSecond, journeyCeiling)} | ${f0(j.p50Ms)} | ${f0(j.p99Ms)} | ${f0(j.captureToPaid.p50Ms)} / ${f0(j.captureToPaid.p99Ms)} | ${JSON.stringify(j.failures) === '{}' ? 'none' : JSON.stringify(j.failures)} | ${j.audit.oversold + j.audit.orphans + j.audit.paidWithoutSoldSeat} | ${f0(j.rssMiB)} |`), '');
    const best = Math.max(...x.journeys.map((j) => j.perSecond));
    targets.push(`| journey ≥ 25 × Vendure (≥ ${(25 * VENDURE_PER_SECOND).toFixed(0)}/s) | ${f1(best)}/s = ${(best / VENDURE_PER_SECOND).toFixed(1)}× | ${mark(best >= 25 * VENDURE_PER_SECOND)} |`);
    const flowing = x.journeys.flatMap((j) => [j.captureToPaid]);
    const p99 = Math.max(...flowing.map((c) => c.p99Ms));
    targets.push(`| capture→PAID p99 < 2 s with notifications | ${f0(p99)} ms (worst journey run) | ${mark(p99 < 2000)} |`);
  }
  if (x.race) {
    const rc = x.race;
    out.push('### The oversell race', '',
      `${rc.candidates} candidates run the whole journey at ${rc.concurrency} at a time for one slot with ${rc.seats} seats (Vendure sold 200 of 50 in stock in the same race): **${rc.paid} PAID**, ${rc.seatUnavailable} told 该考点该时间的座位已满 (SEAT_UNAVAILABLE), other outcomes ${JSON.stringify(rc.other)}; seats held + sold beyond capacity: ${rc.audit.oversold}; sold ${rc.audit.sold}.`, '');
    targets.push(`| race: nothing oversold (${rc.seats} seats) | ${rc.paid} paid, ${rc.audit.oversold} over | ${mark(rc.audit.oversold === 0 && rc.paid <= rc.seats)} |`);
  }
  if (x.lost) {
    const l = x.lost;
    out.push('### Capture → PAID with every notification lost', '',
      `A pass-through gate at PUBLIC_BASE_URL drops every \`/notify/*\` call, so the money is found only by the poll job (first query 15 s after 缴费中, then 30 s, 1 min, … ; runs every 5 s, 50 bills a run). ${l.bills} candidates paid at the cashier: ${l.paid} reached PAID; capture→PAID p50 ${f0(l.p50Ms)} ms, p99 ${f0(l.p99Ms)} ms, max ${f0(l.maxMs)} ms; moved by ${JSON.stringify(l.byActor)}.`, '');
    targets.push(`| capture→PAID p99 < 60 s without notifications | ${f0(l.p99Ms)} ms (${l.paid}/${l.bills} PAID) | ${mark(l.p99Ms < 60_000 && l.paid === l.bills)} |`);
  }
  if (x.waitingRoom) {
    const wr = x.waitingRoom;
    const row = (label: string, o: typeof wr.withRoom) => `| ${label} | ${o.admittedRequests} | ${f1(o.admittedRequests / o.seconds)} | ${f0(o.admittedP50Ms)} | ${f0(o.admittedP99Ms)} | ${o.queuedAnswers} | ${o.busyAnswers} | ${o.errorPages} | ${f0(o.longestWaitMs)} |`;
    out.push('### The waiting room at 10× its capacity', '',
      `${wr.clients} candidates, each signed in with their own session, all at once for ${wr.withRoom.seconds} s on a guarded route (\`GET /api/v1/sittings/:id/registration-options\`), behaving as the page does (queued → poll at Retry-After → enter with the pass). First against the app with no room, then with \`WAITING_ROOM_LIMIT=${wr.limit}\` (offered load = ${wr.clients / wr.limit}× its capacity).`, '',
      '| app | answered (admitted) | per second | p50 ms | p99 ms | queue answers | busy answers | error pages | longest wait ms |', '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      row('no waiting room', wr.withoutRoom), row(`waiting room, limit ${wr.limit}`, wr.withRoom), '');
    targets.push(`| waiting room at 10× capacity: admitted p99 < 100 ms | ${f0(wr.withRoom.admittedP99Ms)} ms (without the room: ${f0(wr.withoutRoom.admittedP99Ms)} ms) | ${mark(wr.withRoom.admittedP99Ms < 100)} |`);
    targets.push(`| waiting room at 10× capacity: nobody gets an error page | ${wr.withRoom.errorPages} | ${mark(wr.withRoom.errorPages === 0)} |`);
  }
  if (x.workers) {
    const w = x.workers;
    const one = x.spread?.http.find((h) => h.connections === 128);
    const oneJourney = x.journeys?.find((j) => j.concurrency === 32);
    out.push('### One process and two (`WORKERS=2`)', '',
      'The same runs with `WORKERS=2` (node:cluster, the processes share nothing but PostgreSQL); the one-process figures are from the tables above, same run.', '',
      '| run | 1 process | 2 workers | ratio | oversold (2 workers) |', '|---|---:|---:|---:|---:|',
      `| hold + bill spread, 128 connections, per second (p99 ms) | ${one ? `${f0(one.perSecond)} (${one.latencyMs.p99})` : '–'} | ${f0(w.hold.perSecond)} (${w.hold.latencyMs.p99}) | ${one ? `${(w.hold.perSecond / one.perSecond).toFixed(2)}×` : '–'} | ${w.hold.audit.oversold} |`,
      `| candidate journey, 32 at a time, PAID per second (p99 ms) | ${oneJourney ? `${f1(oneJourney.perSecond)} (${f0(oneJourney.p99Ms)})` : '–'} | ${f1(w.journey.perSecond)} (${f0(w.journey.p99Ms)}) | ${oneJourney ? `${(w.journey.perSecond / oneJourney.perSecond).toFixed(2)}×` : '–'} | ${w.journey.audit.oversold} |`,
      '', `Peak RSS per process with two workers (primary, then each worker): ${w.rssMiB.map((m) => `${f0(m)} MiB`).join(', ')}. On 2 cores PostgreSQL and the workers share the same two cores, so a second worker adds little; it is there for hosts with more cores (docs/scaling.md).`, '');
    targets.push(`| WORKERS=2: nothing oversold | ${w.hold.audit.oversold + w.journey.audit.oversold} | ${mark(w.hold.audit.oversold + w.journey.audit.oversold === 0)} |`);
  }
  out.push('### Memory', '', `ExamPay server process RSS: ${f0(x.idleRssMiB)} MiB idle after start; the peak under each load is in the tables above (sampled every 250 ms from /proc).`, '');
  out.push('## Targets', '', '| target | measured | |', '|---|---:|---|', ...targets, '');
  const analysis = path.resolve(import.meta.dirname, '../ANALYSIS.md');
  if (fs.existsSync(analysis)) out.push(fs.readFileSync(analysis, 'utf8'));
  fs.writeFileSync(file, out.join('\n'));
}

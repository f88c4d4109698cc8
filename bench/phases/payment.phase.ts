import pg from 'pg';
import { sampleRss } from '../lib/app-process.ts';
import { percentile, type BenchContext } from '../lib/context.ts';
import { candidateJourney, journeysAtConcurrency, type JourneyOutcome } from '../lib/journey.ts';
import { auditSeats, resetBenchWorld, type SeatAudit } from '../lib/seed.ts';

export interface CaptureToPaid {
  notifications: 'flowing' | 'lost';
  bills: number;
  paid: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Who moved the bills to PAID (transition actors), e.g. notify:alipay or job:poll-paying-bills. */
  byActor: Record<string, number>;
}

export interface JourneyRun {
  concurrency: number;
  wallSeconds: number;
  paid: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
  failures: Record<string, number>;
  audit: SeatAudit;
  rssMiB: number;
  captureToPaid: CaptureToPaid;
}

export interface RaceRun {
  candidates: number;
  seats: number;
  concurrency: number;
  paid: number;
  seatUnavailable: number;
  other: Record<string, number>;
  audit: SeatAudit;
}

/** Capture (the cashier said 支付成功) → the bill's PAID transition, read from bill_transition. */
async function captureToPaid(url: string, outcomes: JourneyOutcome[], notifications: 'flowing' | 'lost'): Promise<CaptureToPaid> {
  const issued = outcomes.filter((o) => o.billNo && o.capturedAt);
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const rows = (await c.query<{ bill_no: string; at: Date; actor: string }>(`SELECT b.bill_no, t.at, t.actor FROM bill b JOIN bill_transition t ON t.bill_id = b.id AND t.to_state = 'PAID' WHERE b.bill_no = ANY($1)`,
      [issued.map((o) => o.billNo)])).rows;
    const byBill = new Map(rows.map((r) => [r.bill_no, r]));
    const delays: number[] = [];
    const byActor: Record<string, number> = {};
    for (const o of issued) {
      const t = byBill.get(o.billNo!);
      if (!t) continue;
      delays.push(Math.max(0, t.at.getTime() - o.capturedAt!));
      byActor[t.actor] = (byActor[t.actor] ?? 0) + 1;
    }
    return { notifications, bills: issued.length, paid: delays.length, p50Ms: percentile(delays, 50), p99Ms: percentile(delays, 99), maxMs: Math.max(...delays), byActor };
  } finally {
    await c.end();
  }
}

const tally = (outcomes: JourneyOutcome[], skip: string[]) => {
  const out: Record<string, number> = {};
  for (const o of outcomes) if (!skip.includes(o.result)) out[o.result] = (out[o.result] ?? 0) + 1;
  return out;
};

/** The whole candidate journey, `concurrency` candidates at a time, on slots spread over the sitting. */
export async function journeyRun(ctx: BenchContext, concurrency: number): Promise<JourneyRun> {
  await resetBenchWorld(ctx.db.url, ctx.world);
  const { world } = ctx;
  const rss = sampleRss(ctx.app.pid);
  const { outcomes, wallSeconds } = await journeysAtConcurrency({
    concurrency, seconds: ctx.opts.phaseSeconds, firstCandidate: 0, lastCandidate: world.candidates.length,
    run: (n) => candidateJourney({ baseUrl: ctx.app.baseUrl, world, candidate: n, subjectId: world.subjectId, slot: world.spread[n % world.spread.length]!, cashierAsGiven: ctx.cashierAsGiven ?? false }),
  });
  const rssMiB = rss.stop();
  const paid = outcomes.filter((o) => o.result === 'PAID');
  const ms = paid.map((o) => o.ms);
  const run: JourneyRun = {
    concurrency, wallSeconds, paid: paid.length, perSecond: paid.length / wallSeconds, p50Ms: percentile(ms, 50), p99Ms: percentile(ms, 99),
    failures: tally(outcomes, ['PAID']), audit: await auditSeats(ctx.db.url), rssMiB, captureToPaid: await captureToPaid(ctx.db.url, outcomes, 'flowing'),
  };
  ctx.log(`journey c=${concurrency}: ${run.perSecond.toFixed(1)} PAID/s (${run.paid} in ${wallSeconds.toFixed(1)} s) p50 ${run.p50Ms} ms p99 ${run.p99Ms} ms capture→PAID p50 ${run.captureToPaid.p50Ms} p99 ${run.captureToPaid.p99Ms} failures ${JSON.stringify(run.failures)} oversold ${run.audit.oversold}`);
  return run;
}

/**
 * Capture → PAID with every notification lost (the gate in front of the app drops /notify/*):
 * candidates pay, and only the poll job (first query 15 s after 缴费中, then on its backoff)
 * can find the money.
 */
export async function notificationsLostRun(ctx: BenchContext, bills: number): Promise<CaptureToPaid> {
  await resetBenchWorld(ctx.db.url, ctx.world);
  const { world } = ctx;
  ctx.app.gate.lost = true;
  try {
    const { outcomes } = await journeysAtConcurrency({
      concurrency: 8, seconds: 120, total: bills, firstCandidate: 0, lastCandidate: world.candidates.length,
      run: (n) => candidateJourney({ baseUrl: ctx.app.baseUrl, world, candidate: n, subjectId: world.subjectId, slot: world.spread[n % world.spread.length]!, stopAfterPay: true }),
    });
    const issued = outcomes.filter((o) => o.result === 'ISSUED').map((o) => o.billNo!);
    const c = new pg.Client({ connectionString: ctx.db.url });
    await c.connect();
    const deadline = Date.now() + 180_000;
    for (;;) {
      const left = Number((await c.query<{ n: string }>(`SELECT count(*) AS n FROM bill WHERE bill_no = ANY($1) AND state <> 'PAID'`, [issued])).rows[0]!.n);
      if (left === 0 || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    await c.end();
    const result = await captureToPaid(ctx.db.url, outcomes, 'lost');
    ctx.log(`capture→PAID, notifications lost: ${result.paid}/${result.bills} PAID, p50 ${result.p50Ms} ms p99 ${result.p99Ms} ms, dropped ${ctx.app.gate.dropped} notifications, by ${JSON.stringify(result.byActor)}`);
    return result;
  } finally {
    ctx.app.gate.lost = false;
  }
}

/** The oversell race: many candidates' whole journeys on one slot with few seats. */
export async function raceRun(ctx: BenchContext, candidates: number, concurrency: number): Promise<RaceRun> {
  await resetBenchWorld(ctx.db.url, ctx.world);
  const { world } = ctx;
  const { outcomes } = await journeysAtConcurrency({
    concurrency, seconds: 300, total: candidates, firstCandidate: 0, lastCandidate: world.candidates.length,
    run: (n) => candidateJourney({ baseUrl: ctx.app.baseUrl, world, candidate: n, subjectId: world.race.subjectId, slot: world.race }),
  });
  const race: RaceRun = {
    candidates, seats: world.raceSeats, concurrency,
    paid: outcomes.filter((o) => o.result === 'PAID').length, seatUnavailable: outcomes.filter((o) => o.result === 'SEAT_UNAVAILABLE').length,
    other: tally(outcomes, ['PAID', 'SEAT_UNAVAILABLE']), audit: await auditSeats(ctx.db.url),
  };
  ctx.log(`race: ${candidates} candidates for ${world.raceSeats} seats at ${concurrency}: ${race.paid} PAID, ${race.seatUnavailable} told the slot is full, other ${JSON.stringify(race.other)}, oversold ${race.audit.oversold}`);
  return race;
}

import fs from 'node:fs';
import { rssMiB, type AppProcess } from '../lib/app-process.ts';
import type { BenchContext } from '../lib/context.ts';
import { auditSeats, resetBenchWorld, type SeatAudit } from '../lib/seed.ts';
import { holdAndBillOverHttp, type HttpRun } from '../lib/http-load.ts';
import { offeredLoad, type OfferedLoadResult } from '../waiting-room/offered-load.ts';
import { journeyRun, type JourneyRun } from './payment.phase.ts';

/** The waiting room at `multiple` × its limit in offered load, and the same load with no room. */
export interface WaitingRoomResult {
  limit: number;
  clients: number;
  withRoom: OfferedLoadResult;
  withoutRoom: OfferedLoadResult;
}

/** `WORKERS=2` against the one-process figures of the same run. */
export interface WorkersResult {
  hold: HttpRun & { audit: SeatAudit };
  journey: JourneyRun;
  /** Peak RSS of each process (primary first, then each worker), MiB. */
  rssMiB: number[];
}

function childPids(pid: number): number[] {
  return fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((p) => {
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid;
    } catch {
      return false;
    }
  });
}

/** Peak RSS of a process and each of its children, sampled every 250 ms. */
function sampleTreeRss(pid: number): { stop(): number[] } {
  const peaks = new Map<number, number>();
  const sample = () => { for (const p of [pid, ...childPids(pid)]) peaks.set(p, Math.max(peaks.get(p) ?? 0, rssMiB(p) ?? 0)); };
  sample();
  const timer = setInterval(sample, 250);
  return { stop: () => { clearInterval(timer); sample(); return [...peaks.values()]; } };
}

const GUARDED = (ctx: BenchContext) => ({ method: 'GET' as const, url: `/api/v1/sittings/${ctx.world.sittingId}/registration-options` });

/**
 * Issue 9 item 3's benchmark: `clients` candidates, each with its own session, all at once, on a
 * guarded route — first against the app with no waiting room (what the opening minute does to
 * it), then against an app whose room admits `limit` at a time (10× its capacity offered). The
 * clients behave as the page does: queued → poll at Retry-After → enter with the pass.
 */
export async function waitingRoomPhase(ctx: BenchContext, start: (env: Record<string, string>) => Promise<AppProcess>, limit: number, multiple: number, stopAppWithoutRoom: () => Promise<void>): Promise<WaitingRoomResult> {
  const clients = limit * multiple;
  const seconds = ctx.opts.quick ? 4 : 15;
  const sessions = ctx.world.candidates.slice(0, clients).map((c) => c.cookie);
  const request = () => GUARDED(ctx);
  const withoutRoom = await offeredLoad({ baseUrl: ctx.app.baseUrl, sessions, request, durationMs: seconds * 1000 });
  ctx.log(`waiting room off, ${clients} clients: p50 ${withoutRoom.admittedP50Ms} ms p99 ${withoutRoom.admittedP99Ms} ms, ${withoutRoom.admittedRequests} answered, error pages ${withoutRoom.errorPages}`);
  // One app at a time: the app without a room stops before the one with it starts.
  await stopAppWithoutRoom();
  const app = await start({ WAITING_ROOM_LIMIT: String(limit) });
  try {
    const withRoom = await offeredLoad({ baseUrl: app.baseUrl, sessions, request, durationMs: seconds * 1000 });
    ctx.log(`waiting room limit ${limit}, ${clients} clients: admitted p50 ${withRoom.admittedP50Ms} ms p99 ${withRoom.admittedP99Ms} ms, ${withRoom.admittedRequests} admitted, queued answers ${withRoom.queuedAnswers}, busy ${withRoom.busyAnswers}, error pages ${withRoom.errorPages}, longest wait ${withRoom.longestWaitMs} ms`);
    return { limit, clients, withRoom, withoutRoom };
  } finally {
    await app.stop();
  }
}

/** The same hold+bill (spread, 128 connections) and journey (32 candidates) runs with `WORKERS=2`. */
export async function workersPhase(ctx: BenchContext, start: (env: Record<string, string>) => Promise<AppProcess>): Promise<WorkersResult> {
  const app = await start({ WORKERS: '2' });
  try {
    const two: BenchContext = { ...ctx, app, cashierAsGiven: true };
    const rss = sampleTreeRss(app.pid);
    await resetBenchWorld(ctx.db.url, ctx.world);
    const run = await holdAndBillOverHttp({ baseUrl: app.baseUrl, world: ctx.world, hot: false, connections: 128, seconds: ctx.opts.phaseSeconds, firstCandidate: 0, lastCandidate: ctx.world.candidates.length });
    const hold = { ...run, audit: await auditSeats(ctx.db.url) };
    ctx.log(`WORKERS=2 hold+bill spread c=128: ${run.perSecond.toFixed(0)}/s p50 ${run.latencyMs.p50} ms p99 ${run.latencyMs.p99} ms non2xx ${run.non2xx} oversold ${hold.audit.oversold}`);
    const journey = await journeyRun(two, 32);
    return { hold, journey, rssMiB: rss.stop() };
  } finally {
    await app.stop();
  }
}

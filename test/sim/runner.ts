import { sql } from 'kysely';
import { JOBS } from '../../src/jobs/schedule.ts';
import { HOUR, MINUTE } from '../../src/shared/clock.ts';
import { checkFinal, InvariantChecker } from './invariants.ts';
import { INJECTED, StepRunner } from './step-runner.ts';
import type { Step } from './steps.ts';
import type { SimWorld } from './world.ts';

export interface RunStats {
  steps: number;
  byKind: Record<string, number>;
  dbFaultsFired: number;
  /** Child server processes killed by SIGKILL (and started again). */
  kills: number;
  stepErrors: number;
  livenessRounds: number;
  bills: Record<string, number>;
  captures: Record<string, number>;
  capturesByChannel: Record<string, number>;
  refunds: number;
  ms: number;
  /** Of which checking the invariants. */
  checkMs: number;
  /** Checks made in full (the first, every `fullEvery`-th, the last, and any after a deleted or moved row). */
  fullChecks: number;
  /** Wall time spent in the steps themselves, per step kind (checks excluded). */
  msByKind: Record<string, number>;
  /** Child server: time from spawn to ready, summed over every start; and how long steps waited for it. */
  childStartMs: number;
  childWaitMs: number;
}

export type RunOutcome =
  | { ok: true; stats: RunStats }
  /** `at`: index of the failing step, or `steps.length` for the liveness phase. */
  | { ok: false; at: number; phase: 'step' | 'liveness'; violations: string[]; stats: RunStats };

/** Clears every fault, then lets time pass and the jobs run until nothing moves; returns the rounds run. */
async function liveness(w: SimWorld, runner: StepRunner): Promise<number> {
  runner.clearFaults();
  await w.child.ready(w.clock.now().getTime());
  // A kill still armed in the child is taken back: no faults from here on.
  await w.child.arm(0, 'cancel');
  // A day and a half in steps: bills time out and close, polls and refunds run, the channels'
  // retries are delivered, and each day's statement is reconciled (it finds the captures no one
  // reported: a second charge whose notifications were all lost).
  const plan = [...Array(8).fill(5 * MINUTE), ...Array(6).fill(30 * MINUTE), ...Array(12).fill(4 * HOUR)] as number[];
  let round = 0;
  for (const ms of plan) {
    round++;
    w.clock.advance(ms);
    await w.child.syncClock(w.clock.now().getTime());
    await w.sandbox.deliverDueNotifications();
    for (const job of JOBS) await job.execute(w.ctx);
    if (round > 16 && (await quiet(w))) break;
  }
  return round;
}

/** Nothing left to do: no open bill, no refund owed, every capture at the channel recorded. */
async function quiet(w: SimWorld): Promise<boolean> {
  const r = await sql<{ n: string }>`
    SELECT (SELECT count(*) FROM bill WHERE state IN ('UNPAID', 'PAYING')) + (SELECT count(*) FROM refund WHERE state <> 'SUCCEEDED') AS n`.execute(w.t.db);
  if (r.rows[0]!.n !== '0') return false;
  const recorded = await w.t.db.selectFrom('channel_payment').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  const captured = w.sandbox.ledger().merchants.reduce((n, m) => n + m.captures.length, 0);
  return Number(recorded.n) === captured;
}

export interface RunOptions {
  liveness?: boolean;
  /** After each step: its index, and the time spent so far per step kind and in the checks. */
  onProgress?: (i: number, t: { msByKind: Record<string, number>; checkMs: number }) => void;
  /** Every how many steps the check after a step is the full one (1: always; default 100). */
  fullEvery?: number;
}

export async function runSteps(w: SimWorld, steps: Step[], opts: RunOptions = {}): Promise<RunOutcome> {
  const started = Date.now();
  const runner = new StepRunner(w);
  const byKind: Record<string, number> = {};
  const msByKind: Record<string, number> = {};
  const stats = async (livenessRounds = 0): Promise<RunStats> => {
    const bills = await w.t.db.selectFrom('bill').select(['state', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('state').execute();
    const captures = await w.t.db.selectFrom('channel_payment').select(['outcome', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('outcome').execute();
    const channels = await w.t.db.selectFrom('channel_payment').select(['channel', (eb) => eb.fn.countAll<string>().as('n')]).groupBy('channel').execute();
    const refunds = await w.t.db.selectFrom('refund').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    return {
      steps: steps.length, byKind, dbFaultsFired: w.dbFaults.fired, kills: w.child.deaths, stepErrors: runner.stepErrors, livenessRounds,
      bills: Object.fromEntries(bills.map((b) => [b.state, Number(b.n)])), captures: Object.fromEntries(captures.map((c) => [c.outcome, Number(c.n)])),
      capturesByChannel: Object.fromEntries(channels.map((c) => [c.channel, Number(c.n)])),
      refunds: Number(refunds.n), ms: Date.now() - started, checkMs, fullChecks: checker.fullChecks, msByKind,
      childStartMs: w.child.startMs, childWaitMs: w.child.waitMs,
    };
  };
  const checker = new InvariantChecker(w, opts.fullEvery === undefined ? {} : { fullEvery: opts.fullEvery });
  let checkMs = 0;
  // An error nobody listened for would end a real server process: here it fails the run.
  const crashes: string[] = [];
  const onCrash = (err: unknown) => crashes.push(`the process would have crashed: ${err instanceof Error ? err.message : String(err)}`);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  try {
    return await runAll();
  } finally {
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  }

  async function runAll(): Promise<RunOutcome> {
    for (let i = 0; i < steps.length; i++) {
      const s = steps[i]!;
      byKind[s.k] = (byKind[s.k] ?? 0) + 1;
      const faultsBefore = w.dbFaults.fired + w.child.deaths;
      const deathsBefore = w.child.deaths;
      const killArmed = w.child.killArmed || s.k === 'kill';
      const t0 = Date.now();
      try {
        await runner.step(s);
      } catch (err) {
        const message = err instanceof Error ? `${err.message}` : String(err);
        const injected = w.dbFaults.fired + w.child.deaths > faultsBefore;
        if (!injected || !INJECTED.test(message)) {
          return { ok: false, at: i, phase: 'step', violations: [`step threw without an injected fault: ${message}`], stats: await stats() };
        }
        runner.stepErrors++;
      } finally {
        msByKind[s.k] = (msByKind[s.k] ?? 0) + Date.now() - t0;
      }
      if (w.child.deaths > deathsBefore && !killArmed) {
        return { ok: false, at: i, phase: 'step', violations: ['the child server process died without being killed (a crash)'], stats: await stats() };
      }
      {
        const t0 = Date.now();
        const violations = await checker.check({ last: i === steps.length - 1 }).finally(() => { checkMs += Date.now() - t0; })
          .catch((err: unknown) => [`the invariants could not be checked: ${err instanceof Error ? err.message : String(err)}`]);
        if (crashes.length) return { ok: false, at: i, phase: 'step', violations: crashes, stats: await stats() };
        if (violations.length) return { ok: false, at: i, phase: 'step', violations, stats: await stats() };
      }
      opts.onProgress?.(i, { msByKind, checkMs });
    }
    if (opts.liveness === false) return { ok: true, stats: await stats() };
    const rounds = await liveness(w, runner);
    const violations = await checkFinal(w);
    if (violations.length || crashes.length) return { ok: false, at: steps.length, phase: 'liveness', violations: [...crashes, ...violations], stats: await stats(rounds) };
    return { ok: true, stats: await stats(rounds) };
  }
}

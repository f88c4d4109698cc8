import type { Logger } from 'pino';
import type { DatabaseHost } from './database.ts';
import { runSteps, type RunOptions, type RunOutcome } from './runner.ts';
import { describeStep, type Step } from './steps.ts';
import { startSimWorld } from './world.ts';

/** One run of a step list in a fresh world (its own database, sandbox and child server). */
export async function simulate(host: DatabaseHost, steps: Step[], opts: RunOptions & { log?: Logger } = {}): Promise<RunOutcome> {
  const w = await startSimWorld(host, { ...(opts.log ? { log: opts.log } : {}), spareChild: steps.some((s) => s.k === 'kill') });
  try {
    return await runSteps(w, steps, opts);
  } finally {
    await w.close();
  }
}

/** Two failures are "the same" for shrinking when their first violation says the same thing (numbers aside). */
export function failureKey(o: RunOutcome): string | null {
  if (o.ok) return null;
  return `${o.phase}:${(o.violations[0] ?? '').replace(/\d+/g, '#')}`;
}

/**
 * The shortest step list (1-minimal: no single step can go) that still fails the same way:
 * first cut after the failing step, then drop chunks of halving size (ddmin), each candidate
 * replayed in a fresh world. `budget` caps the replays.
 */
export async function shrink(
  host: DatabaseHost, steps: Step[], first: RunOutcome,
  opts: { budget?: number; minutes?: number; log?: (msg: string) => void } = {},
): Promise<{ steps: Step[]; outcome: RunOutcome; replays: number }> {
  const deadline = Date.now() + (opts.minutes ?? 30) * 60_000;
  const key = failureKey(first);
  if (!key || first.ok) throw new Error('shrink needs a failing run');
  let best = first.phase === 'step' ? steps.slice(0, first.at + 1) : steps;
  let bestOutcome = first;
  let replays = 0;
  const budget = opts.budget ?? 400;
  const fails = async (candidate: Step[]): Promise<RunOutcome | null> => {
    replays++;
    const o = await simulate(host, candidate);
    return failureKey(o) === key ? o : null;
  };
  let chunk = Math.max(1, Math.floor(best.length / 2));
  const more = () => replays < budget && Date.now() < deadline;
  while (chunk >= 1 && more()) {
    let removed = false;
    for (let start = 0; start < best.length && more(); ) {
      const candidate = [...best.slice(0, start), ...best.slice(start + chunk)];
      const o = candidate.length ? await fails(candidate) : null;
      if (o && !o.ok) {
        best = o.phase === 'step' ? candidate.slice(0, o.at + 1) : candidate;
        bestOutcome = o;
        removed = true;
        opts.log?.(`  shrunk to ${best.length} steps (${replays} replays)`);
      } else {
        start += chunk;
      }
    }
    if (!removed) chunk = Math.floor(chunk / 2);
    else chunk = Math.min(chunk, Math.max(1, Math.floor(best.length / 2)));
  }
  return { steps: best, outcome: bestOutcome, replays };
}

export function formatFailure(seed: number | null, steps: Step[], o: RunOutcome): string {
  if (o.ok) return 'ok';
  return [
    `SIMULATION FAILED${seed === null ? '' : ` — seed ${seed}`} (${o.phase === 'liveness' ? 'in the liveness phase' : `at step ${o.at + 1}`}):`,
    ...o.violations.slice(0, 20).map((v) => `  - ${v}`),
    `steps (${steps.length}):`,
    ...steps.map((s, i) => `  ${String(i + 1).padStart(4)} ${describeStep(s)}`),
  ].join('\n');
}

import { describe, expect, inject, it } from 'vitest';
import { vitestHost } from './sim/database.ts';
import { REGRESSION_SEEDS } from './sim/regressions.ts';
import { freshSeed } from './sim/rng.ts';
import { formatFailure, shrink, simulate } from './sim/simulate.ts';
import { generateSteps } from './sim/steps.ts';

/**
 * The fault simulation in CI (issue 9 item 4, OPS-3; docs/simulation.md): a fresh seed each run
 * (SIM_SEED to repeat one), at least 10,000 steps (SIM_STEPS), every invariant after every step
 * (scoped to what the step changed, in full every 100 steps and at the end: invariants.ts and
 * test/sim/invariants.test.ts), then the liveness phase. A failure prints the seed and the shrunk step list. Every bug it found
 * stays as a regression seed below.
 */
const STEPS = Number(process.env.SIM_STEPS ?? 10_000);
const SEED = process.env.SIM_SEED !== undefined ? Number(process.env.SIM_SEED) : freshSeed();

describe('fault simulation (real PostgreSQL, sandbox channels, a child server killed mid-settlement)', () => {
  it(`${STEPS} seeded steps keep every invariant, and the liveness phase ends with everything settled`, async () => {
    const host = vitestHost(inject('pgAdminUrl'));
    console.log(`fault simulation: seed ${SEED}, ${STEPS} steps (repeat: SIM_SEED=${SEED} npx vitest run test/simulation.test.ts, or npm run sim -- --steps ${STEPS} --seed ${SEED})`);
    const steps = generateSteps(SEED, STEPS);
    const started = Date.now();
    const outcome = await simulate(host, steps, {
      onProgress: (i) => { if ((i + 1) % 2500 === 0) console.log(`fault simulation: seed ${SEED}: ${i + 1} steps, ${Math.round((Date.now() - started) / 1000)} s`); },
    });
    console.log(`fault simulation: seed ${SEED}: ${JSON.stringify(outcome.stats)}`);
    if (!outcome.ok) {
      console.error(formatFailure(SEED, [], outcome).split('\nsteps')[0]);
      const shrunk = await shrink(host, steps, outcome, { budget: 60, minutes: 10, log: (m) => console.error(m) });
      const report = formatFailure(SEED, shrunk.steps, shrunk.outcome);
      console.error(report);
      expect.fail(report);
    }
    expect(outcome.stats.steps).toBeGreaterThanOrEqual(STEPS);
  }, 45 * 60_000);

  for (const r of REGRESSION_SEEDS) {
    it(`regression seed ${r.seed}: ${r.name}`, async () => {
      const outcome = await simulate(vitestHost(inject('pgAdminUrl')), r.steps);
      expect(outcome.ok, formatFailure(r.seed, r.steps, outcome)).toBe(true);
    }, 5 * 60_000);
  }
});

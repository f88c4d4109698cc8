import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { startDatabaseHost } from './database.ts';
import { freshSeed } from './rng.ts';
import { formatFailure, shrink, simulate } from './simulate.ts';
import { generateSteps, type Step } from './steps.ts';
import type { RunOutcome } from './runner.ts';

/**
 * `npm run sim -- --steps N --seed S`: the fault simulation (issue 9 item 4, OPS-3) as a soak
 * run. `--replay FILE` runs a saved step list (what a failure writes) instead of a seed's.
 * `--no-shrink` reports a failure without shrinking it.
 */
const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '2000' },
    seed: { type: 'string' },
    replay: { type: 'string' },
    'kill-every': { type: 'string', default: '400' },
    'no-shrink': { type: 'boolean', default: false },
    'shrink-minutes': { type: 'string', default: '30' },
    out: { type: 'string', default: 'sim-failures' },
  },
});

async function main(): Promise<number> {
  const seed = values.seed !== undefined ? Number(values.seed) : freshSeed();
  const steps: Step[] = values.replay
    ? (JSON.parse(fs.readFileSync(values.replay, 'utf8')) as { steps: Step[] }).steps
    : generateSteps(seed, Number(values.steps), { killEvery: Number(values['kill-every']) });
  console.log(values.replay ? `replaying ${steps.length} steps from ${values.replay}` : `simulation: seed ${seed}, ${steps.length} steps (repeat with: npm run sim -- --steps ${steps.length} --seed ${seed})`);
  const host = await startDatabaseHost();
  try {
    const started = Date.now();
    const outcome = await simulate(host, steps, {
      onProgress: (i) => { if ((i + 1) % 500 === 0) console.log(`  ${i + 1} steps, ${((Date.now() - started) / 1000).toFixed(0)} s`); },
    });
    console.log(`stats: ${JSON.stringify(outcome.stats)}`);
    if (outcome.ok) {
      console.log(`simulation passed: ${values.replay ? values.replay : `seed ${seed}`}, ${steps.length} steps and the liveness phase, every invariant held`);
      return 0;
    }
    console.log(formatFailure(values.replay ? null : seed, [], outcome).split('\nsteps')[0]);
    let shown: { steps: Step[]; outcome: RunOutcome } = { steps, outcome };
    if (!values['no-shrink']) {
      console.log('shrinking…');
      shown = await shrink(host, steps, outcome, { minutes: Number(values['shrink-minutes']), log: (m) => console.log(m) });
    }
    fs.mkdirSync(values.out, { recursive: true });
    const file = path.join(values.out, `seed-${seed}.json`);
    fs.writeFileSync(file, JSON.stringify({ seed, violations: shown.outcome.ok ? [] : shown.outcome.violations, steps: shown.steps }, null, 1));
    console.log(formatFailure(values.replay ? null : seed, shown.steps, shown.outcome));
    console.log(`\nsaved to ${file}; replay with: npm run sim -- --replay ${file}`);
    return 1;
  } finally {
    await host.stop();
  }
}

main().then((code) => process.exit(code), (err: unknown) => {
  console.error(err);
  process.exit(2);
});

import type { Step } from './steps.ts';

/**
 * Every bug the simulation found, as the shrunk step list that showed it; test/simulation.test.ts
 * replays each one on every run. Add the list a failing run prints (or saves under
 * sim-failures/) here with what it found and where it was fixed.
 */
export interface RegressionSeed {
  name: string;
  /** What failed, and the fix. */
  found: string;
  seed: number;
  steps: Step[];
}

export const REGRESSION_SEEDS: RegressionSeed[] = [
  {
    name: 'terminated backend inside a transaction',
    found: 'The backend of a connection in a transaction was terminated (seed 2, step 66 of 2000: a database fault in chooseSlot\'s BEGIN). pg emitted \'error\' on the checked-out client, which had no listener: the server process crashed. Fixed in src/db/database.ts (the pool listens on connections in use); test/db-connection-loss.test.ts.',
    seed: 2,
    steps: [{ k: 'dbFault', n: 1, kind: 'terminate', then: { k: 'chooseSlot', c: 15, pool: 2 } }],
  },
];

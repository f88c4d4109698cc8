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
  {
    name: 'UnionPay refund retried a day after its unanswered first send',
    found: 'Seed 201 (4,000 steps) ended its liveness phase with UnionPay refunds FAILED and duplicates unrefunded: the adapter resent a refund with the txnTime of its first send, which UnionPay never received (API down); a day later UnionPay refuses that txnTime (respCode 10) and the refund failed for good, money owed. Written here as the shortest list that shows it. Fixed in src/channels/unionpay/unionpay.adapter.ts (an old first send is queried; never received → sent with the current txnTime); src/channels/unionpay/unionpay-refund.test.ts.',
    seed: 201,
    steps: [
      { k: 'register', c: 0, subject: 2, pool: 0 },
      { k: 'confirm', c: 0, one: false },
      { k: 'pay', b: -1, ch: 'unionpay' },
      { k: 'capture', b: -1, o: 0, f: {} },
      { k: 'deliver', reverse: false },
      { k: 'api', b: -1, down: 'error' },
      { k: 'authorityCancel', r: 0 },
      { k: 'job', job: 'execute-refunds' },
      { k: 'advance', min: 1500 },
    ],
  },
];

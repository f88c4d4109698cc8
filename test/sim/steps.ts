import { Rng } from './rng.ts';

/**
 * One step of the simulation, as plain data: printable, storable as a regression seed, and
 * replayable without the generator. Entities are named by small numbers taken modulo what
 * exists when the step runs (candidate `c`, the `b`-th bill made so far), so any sub-list of a
 * step list is still a valid step list — which is what lets the shrinker drop steps freely.
 */
export const SIM_CHANNELS = ['alipay', 'wechatpay', 'unionpay', 'publicpay', 'payease'] as const;
export type SimChannel = (typeof SIM_CHANNELS)[number];

/** The jobs the simulation runs by themselves (the others have nothing to do with money or seats). */
export const SIM_JOBS = ['poll-paying-bills', 'close-expired-bills', 'execute-refunds', 'release-stale-seat-holds', 'expire-unpaid-registrations', 'reconcile-statements'] as const;
export type SimJob = (typeof SIM_JOBS)[number];

/** How the channel misbehaves around one payment (the sandbox's faults, src/sandbox/faults.ts). */
export interface CaptureFaults {
  noNotify?: boolean;
  duplicateNotify?: boolean;
  lateNotifyMin?: number;
  chargeTwice?: boolean;
  chargeButTimeout?: boolean;
  captureAfterClose?: boolean;
  notifyBeforeReturn?: boolean;
}

/** Work done by the simulation's own process (the in-process app context). */
export type ParentStep =
  | { k: 'register'; c: number; subject: number; pool: number }
  | { k: 'chooseSlot'; c: number; pool: number }
  | { k: 'confirm'; c: number; one: boolean }
  | { k: 'pay'; b: number; ch: SimChannel }
  | { k: 'refresh'; b: number }
  | { k: 'cancel'; b: number }
  /** The authority cancels the r-th active registration (REF-2): its bill closed or its item refunded, its seat freed. */
  | { k: 'authorityCancel'; r: number }
  | { k: 'job'; job: SimJob };

/** Work done by the child server process (a real process on the same database). */
export type ChildWork = { k: 'deliver'; reverse: boolean } | { k: 'childJob'; job: SimJob };

export type Step =
  | ParentStep
  | ChildWork
  /** The payer pays the bill's `o`-th open order at the channel, with these faults. */
  | { k: 'capture'; b: number; o: number; f: CaptureFaults }
  | { k: 'fail'; b: number }
  /** The channel's API for this bill's orders answers errors, hangs (query timeouts) or works again. */
  | { k: 'api'; b: number; down: false | 'error' | 'hang' }
  | { k: 'advance'; min: number }
  /** A database error in the `n`-th statement of `then`: the backend cancels it (as a statement_timeout does) or is terminated. */
  | { k: 'dbFault'; n: number; kind: 'cancel' | 'terminate'; then: ParentStep }
  /** The child server is killed with SIGKILL at its `n`-th statement of `then` (before it is sent, or right after), then restarted. */
  | { k: 'kill'; n: number; after: boolean; then: ChildWork }
  /** A database error in the child server's `n`-th statement of `then` (a notification answered 500, a job's run cut short). */
  | { k: 'childFault'; n: number; kind: 'cancel' | 'terminate'; then: ChildWork }
  /** Two processes at once: the child's work and the simulation's own, racing on the same rows. */
  | { k: 'race'; a: ChildWork; b: ParentStep };

export interface SimShape {
  candidates: number;
  subjects: number;
  pools: number;
}

export const DEFAULT_SHAPE: SimShape = { candidates: 60, subjects: 3, pools: 4 };

function parentStep(r: Rng, shape: SimShape): ParentStep {
  const kind = r.weighted({ register: 6, chooseSlot: 1, confirm: 5, pay: 7, refresh: 3, cancel: 1, authorityCancel: 1, job: 5 });
  switch (kind) {
    case 'register': return { k: 'register', c: r.int(shape.candidates), subject: r.int(shape.subjects), pool: r.int(shape.pools) };
    case 'chooseSlot': return { k: 'chooseSlot', c: r.int(shape.candidates), pool: r.int(shape.pools) };
    case 'confirm': return { k: 'confirm', c: r.int(shape.candidates), one: r.chance(0.3) };
    case 'pay': return { k: 'pay', b: r.int(1000), ch: r.pick(SIM_CHANNELS) };
    case 'refresh': return { k: 'refresh', b: r.int(1000) };
    case 'cancel': return { k: 'cancel', b: r.int(1000) };
    case 'authorityCancel': return { k: 'authorityCancel', r: r.int(1000) };
    case 'job': return { k: 'job', job: r.pick(SIM_JOBS) };
  }
}

/** The jobs that settle, close and refund: where a killed process hurts. */
const CHILD_JOBS = ['poll-paying-bills', 'close-expired-bills', 'execute-refunds'] as const;

function childWork(r: Rng): ChildWork {
  return r.chance(0.6) ? { k: 'deliver', reverse: r.chance(0.3) } : { k: 'childJob', job: r.pick(CHILD_JOBS) };
}

function captureFaults(r: Rng): CaptureFaults {
  const f: CaptureFaults = {};
  if (r.chance(0.25)) f.noNotify = true;
  if (r.chance(0.2)) f.duplicateNotify = true;
  if (r.chance(0.15)) f.lateNotifyMin = r.pick([2, 5, 20, 45]);
  if (r.chance(0.1)) f.chargeTwice = true;
  if (r.chance(0.05)) f.chargeButTimeout = true;
  if (r.chance(0.1)) f.captureAfterClose = true;
  if (r.chance(0.2)) f.notifyBeforeReturn = true;
  return f;
}

/**
 * The step list a seed names. `killEvery` is the mean distance between killed server
 * processes (each costs a restart of about a second).
 */
export function generateSteps(seed: number, count: number, opts: { shape?: SimShape; killEvery?: number } = {}): Step[] {
  const r = new Rng(seed);
  const shape = opts.shape ?? DEFAULT_SHAPE;
  const killP = 1 / (opts.killEvery ?? 400);
  const steps: Step[] = [];
  // Bill references are drawn near the newest bills (where the action is) but may reach back.
  const bill = () => (r.chance(0.7) ? -1 - r.int(6) : r.int(1000));
  for (let i = 0; i < count; i++) {
    if (r.chance(killP)) {
      steps.push({ k: 'kill', n: 1 + r.int(14), after: r.chance(0.5), then: childWork(r) });
      continue;
    }
    const kind = r.weighted({ parent: 40, capture: 14, fail: 2, api: 3, deliver: 12, childJob: 4, advance: 10, dbFault: 3, childFault: 2, race: 4 });
    switch (kind) {
      case 'parent': {
        const s = parentStep(r, shape);
        steps.push('b' in s ? { ...s, b: bill() } : s);
        break;
      }
      case 'capture': steps.push({ k: 'capture', b: bill(), o: r.int(3), f: captureFaults(r) }); break;
      case 'fail': steps.push({ k: 'fail', b: bill() }); break;
      case 'api': steps.push({ k: 'api', b: bill(), down: r.weighted({ off: 3, error: 2, hang: 1 }) === 'off' ? false : r.chance(0.7) ? 'error' : 'hang' }); break;
      case 'deliver': steps.push({ k: 'deliver', reverse: r.chance(0.3) }); break;
      case 'childJob': steps.push({ k: 'childJob', job: r.pick(CHILD_JOBS) }); break;
      case 'advance': steps.push({ k: 'advance', min: r.weighted({ small: 8, mid: 3, big: 1 }) === 'small' ? 1 + r.int(5) : r.chance(0.8) ? 10 + r.int(30) : 60 + r.int(24 * 60) }); break;
      case 'childFault': steps.push({ k: 'childFault', n: 1 + r.int(12), kind: r.chance(0.6) ? 'cancel' : 'terminate', then: childWork(r) }); break;
      case 'race': {
        const s = parentStep(r, shape);
        steps.push({ k: 'race', a: childWork(r), b: 'b' in s ? { ...s, b: bill() } : s });
        break;
      }
      case 'dbFault': {
        const s = parentStep(r, shape);
        steps.push({ k: 'dbFault', n: 1 + r.int(10), kind: r.chance(0.6) ? 'cancel' : 'terminate', then: 'b' in s ? { ...s, b: bill() } : s });
        break;
      }
    }
  }
  return steps;
}

/** A bill reference: negative counts back from the newest bill, others are taken modulo the count. */
export function resolveIndex(ref: number, length: number): number | undefined {
  if (length === 0) return undefined;
  return ref < 0 ? Math.max(0, length + ref) : ref % length;
}

export function describeStep(s: Step): string {
  return JSON.stringify(s);
}

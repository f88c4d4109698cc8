import type { AppProcess } from './app-process.ts';
import type { BenchDatabase } from './postgres.ts';
import type { BenchWorld } from './seed.ts';

export interface BenchOptions {
  quick: boolean;
  /** Seconds of each measured HTTP run, and of each pgbench run of the client sweep. */
  phaseSeconds: number;
  sweepSeconds: number;
  connections: number[];
  sweepClients: number[];
  journeyConcurrency: number[];
  poolSize: number;
  candidates: number;
  phases: Set<string>;
}

export interface BenchContext {
  opts: BenchOptions;
  db: BenchDatabase;
  world: BenchWorld;
  app: AppProcess;
  dataDir: string;
  /** The app runs WORKERS > 1: its sandbox cashier is on the primary's port, not the app's. */
  cashierAsGiven?: boolean;
  log(message: string): void;
}

export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

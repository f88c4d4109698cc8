import type { AppContext } from '../modules/context.ts';

/** One scheduled job (STYLE 8). `execute` is a plain function tests call after moving the clock. */
export interface ScheduledJob {
  id: string;
  description: string;
  /** How soon after one run finishes the next one starts. */
  everySeconds: number;
  execute(ctx: AppContext): Promise<Record<string, number>>;
}

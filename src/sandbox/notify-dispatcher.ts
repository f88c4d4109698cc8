import type { Clock } from '../shared/clock.ts';
import type { SandboxChannel } from './order-book.ts';

/**
 * Sends the channel's asynchronous notifications to merchants and retries them on the channel's
 * schedule. Channel-neutral: a dialect says what to send (`render`), what counts as accepted and
 * how long to wait after each refusal. All due times come from the injected clock; nothing is
 * sent until `deliverDue()` runs (tests call it after moving the clock, `start()` runs it every
 * second for real use).
 */
export interface NotificationSpec {
  channel: SandboxChannel;
  merchantId: string;
  billNo: string;
  /** What it reports, for people reading test output, e.g. `TRADE_SUCCESS`. */
  label: string;
  url: string;
  /** The request for one attempt; a dialect may re-sign with a fresh timestamp each time. */
  render(now: Date): { body: string; contentType: string };
  /** Did the merchant's answer stop the retries? */
  accepted(status: number, body: string): boolean;
  /** Waits after each refused attempt; when they run out, the channel gives up. */
  retryDelaysMs: readonly number[];
}

export interface DeliveryAttempt {
  at: Date;
  status: number | null;
  responseBody: string;
  error: string | null;
  accepted: boolean;
  requestBody: string;
}

export interface NotificationJob {
  id: number;
  spec: NotificationSpec;
  dueAt: Date;
  state: 'PENDING' | 'DELIVERED' | 'GAVE_UP';
  attempts: DeliveryAttempt[];
}

export interface NotificationView {
  id: number;
  channel: SandboxChannel;
  merchantId: string;
  billNo: string;
  label: string;
  url: string;
  dueAt: Date;
  state: NotificationJob['state'];
  attempts: DeliveryAttempt[];
}

export interface DispatcherLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export class NotifyDispatcher {
  private readonly jobs: NotificationJob[] = [];
  private readonly inFlight = new Set<number>();
  private seq = 0;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private readonly clock: Clock;
  private readonly fetchFn: typeof fetch;
  private readonly timeoutMs: number;
  private readonly logger: DispatcherLogger | undefined;

  constructor(opts: { clock: Clock; fetch?: typeof fetch; timeoutMs?: number; logger?: DispatcherLogger }) {
    this.clock = opts.clock;
    this.fetchFn = opts.fetch ?? fetch;
    this.timeoutMs = opts.timeoutMs ?? 5_000;
    this.logger = opts.logger;
  }

  enqueue(spec: NotificationSpec, opts: { delayMs?: number; copies?: number } = {}): NotificationJob[] {
    const dueAt = new Date(this.clock.now().getTime() + (opts.delayMs ?? 0));
    const created: NotificationJob[] = [];
    for (let i = 0; i < (opts.copies ?? 1); i++) {
      const job: NotificationJob = { id: ++this.seq, spec, dueAt, state: 'PENDING', attempts: [] };
      this.jobs.push(job);
      created.push(job);
    }
    return created;
  }

  /**
   * Makes one attempt for every pending notification whose time has come (optionally only those
   * matching `filter`), in due order — or, with `reverse`, newest first: a channel's deliveries
   * overtaking each other on the network (fault simulation). Returns how many requests were sent.
   */
  async deliverDue(filter?: (job: NotificationJob) => boolean, opts: { reverse?: boolean } = {}): Promise<number> {
    const now = this.clock.now();
    const due = this.jobs
      .filter((j) => j.state === 'PENDING' && !this.inFlight.has(j.id) && j.dueAt <= now && (!filter || filter(j)))
      .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime() || a.id - b.id);
    if (opts.reverse) due.reverse();
    for (const job of due) await this.attempt(job);
    return due.length;
  }

  view(filter?: (job: NotificationJob) => boolean): NotificationView[] {
    return this.jobs.filter((j) => !filter || filter(j)).map((j) => structuredClone({
      id: j.id, channel: j.spec.channel, merchantId: j.spec.merchantId, billNo: j.spec.billNo,
      label: j.spec.label, url: j.spec.url, dueAt: j.dueAt, state: j.state, attempts: j.attempts,
    }));
  }

  /** Runs `tick` (which should call `deliverDue`) every `intervalMs` of real time, never overlapping. */
  start(tick: () => Promise<number>, intervalMs = 1_000): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = tick()
        .catch((err: unknown) => { this.logger?.warn({ err }, 'sandbox notify run failed'); return 0; })
        .finally(() => { this.running = null; });
    }, intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private async attempt(job: NotificationJob): Promise<void> {
    this.inFlight.add(job.id);
    const at = this.clock.now();
    const { body, contentType } = job.spec.render(at);
    let status: number | null = null;
    let responseBody = '';
    let error: string | null = null;
    try {
      const res = await this.fetchFn(job.spec.url, {
        method: 'POST',
        headers: { 'content-type': contentType },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      status = res.status;
      responseBody = await res.text();
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    } finally {
      this.inFlight.delete(job.id);
    }
    const accepted = status !== null && job.spec.accepted(status, responseBody);
    job.attempts.push({ at, status, responseBody, error, accepted, requestBody: body });
    const refusals = job.attempts.length;
    if (accepted) {
      job.state = 'DELIVERED';
    } else if (refusals > job.spec.retryDelaysMs.length) {
      job.state = 'GAVE_UP';
    } else {
      // The wait counts from this attempt, as the channel's schedule does ("4m, 10m, ...").
      job.dueAt = new Date(at.getTime() + job.spec.retryDelaysMs[refusals - 1]!);
    }
    this.logger?.info(
      { notification: job.id, billNo: job.spec.billNo, label: job.spec.label, status, error, accepted, state: job.state },
      'sandbox notification sent',
    );
  }
}

/**
 * The waiting room's decisions as pure functions (OPS-1, docs/waiting-room.md). No I/O: the
 * process's counters and the cached queue state come in, a decision goes out.
 */

/** What this process knows of the shared queue (refreshed from PostgreSQL once per tick). */
export interface QueueView {
  /** Tickets numbered up to here may enter. */
  admittedThrough: bigint;
  /** The highest ticket number handed out so far (by any process). */
  issuedThrough: bigint;
  /** Tickets let in per second lately (0 while nothing has moved). */
  admitRatePerSecond: number;
}

export interface ProcessLoad {
  /** Guarded requests this process is working on now. */
  inFlight: number;
  /** Guarded requests this process may work on at once (its share of WAITING_ROOM_LIMIT). */
  limit: number;
  /** Admitted candidates waiting here, in memory, for a free slot. */
  localWaiters: number;
}

/**
 * A guarded request without a valid pass enters only when there is room here, nobody admitted is
 * waiting here, and nobody is queued anywhere; otherwise it takes a ticket — arriving while
 * others queue is arriving behind them, whatever this process's load.
 */
export function arrivalWithoutPass(load: ProcessLoad, queue: QueueView): 'ENTER' | 'QUEUE' {
  const queued = queue.issuedThrough > queue.admittedThrough;
  return !queued && load.localWaiters === 0 && load.inFlight < load.limit ? 'ENTER' : 'QUEUE';
}

/** How many tickets this process lets in on a tick: its free slots, never past the last ticket. */
export function ticketsToAdmit(load: ProcessLoad, queue: QueueView): number {
  const waiting = queue.issuedThrough - queue.admittedThrough;
  if (waiting <= 0n) return 0;
  const free = Math.max(0, load.limit - load.inFlight - load.localWaiters);
  return Number(waiting < BigInt(free) ? waiting : BigInt(free));
}

/** Place in the queue: 1 = next in. 0 = its turn has come. */
export function positionOf(seq: bigint, queue: QueueView): number {
  const ahead = seq - queue.admittedThrough;
  return ahead <= 0n ? 0 : Number(ahead);
}

/**
 * Seconds until a place comes up, from the rate the queue has moved at; before it has moved,
 * from what all processes can let in per tick at most.
 */
export function estimatedWaitSeconds(position: number, queue: QueueView, fallbackPerSecond: number): number {
  if (position <= 0) return 0;
  const rate = queue.admitRatePerSecond > 0 ? queue.admitRatePerSecond : Math.max(fallbackPerSecond, 0.1);
  return Math.max(1, Math.ceil(position / rate));
}

/** When the page should ask again: soon when close, at most every 5 s when far back. */
export function retryAfterSeconds(estimatedWait: number): number {
  return Math.min(5, Math.max(1, Math.round(estimatedWait / 3)));
}

/** The smoothed admit rate after the queue moved `moved` places in `seconds`. */
export function nextAdmitRate(previous: number, moved: number, seconds: number): number {
  if (seconds <= 0) return previous;
  const observed = moved / seconds;
  return previous === 0 ? observed : previous * 0.7 + observed * 0.3;
}

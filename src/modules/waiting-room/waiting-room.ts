import type { Logger } from 'pino';
import type { Db } from '../../db/database.ts';
import type { Clock } from '../../shared/clock.ts';
import { admitMore, purgeAdmissions, readQueue, redeemTicket, roomSigningKey, takeTicketNumber } from './waiting-room.repo.ts';
import { arrivalWithoutPass, estimatedWaitSeconds, nextAdmitRate, positionOf, retryAfterSeconds, ticketsToAdmit, type QueueView } from './waiting-room-rules.ts';
import { bindingOf, readToken, signToken } from './waiting-room-token.ts';

export interface WaitingRoomSettings {
  /** Guarded requests this process works on at once: its share of WAITING_ROOM_LIMIT. */
  limit: number;
  /** Server processes sharing the queue on this host (for the first wait estimate). */
  processes: number;
  /** How often this process reads the queue and lets tickets in. */
  tickMs: number;
  /** How long a pass admits once its ticket's turn came. */
  passMinutes: number;
  /** How long a ticket keeps its place. */
  ticketHours: number;
  /** How long an admitted request waits here for a free slot before it is told to retry. */
  passWaitMs: number;
  /** WAITING_ROOM_KEY; unset → the key kept in the database (the same for every process). */
  key?: Buffer;
}

export interface QueuedAnswer {
  ticket: string;
  position: number;
  estimatedWaitSeconds: number;
  retryAfterSeconds: number;
}

export type Arrival =
  | { kind: 'ENTER'; release: () => void; newPass?: { pass: string; expiresAt: Date } }
  | ({ kind: 'QUEUED' } & QueuedAnswer)
  | { kind: 'BUSY'; retryAfterSeconds: number };

export type PollAnswer =
  | ({ kind: 'WAITING' } & Omit<QueuedAnswer, 'ticket'>)
  | { kind: 'ADMITTED'; pass: string; expiresAt: Date }
  | { kind: 'INVALID' | 'USED' | 'EXPIRED' };

/**
 * The waiting room of one server process (OPS-1, docs/waiting-room.md). Guarded requests are
 * counted here, in memory: up to `limit` run at once; beyond that — or whenever anyone is
 * queued — a candidate gets a signed ticket numbered from one PostgreSQL sequence, so arrival
 * order holds across every process. Each tick, every process reads the queue's single row and
 * lets in as many tickets as it has free slots; a ticket whose turn came is exchanged once for a
 * pass, which any process honours. Polling reads only this process's copy of the queue.
 */
export class WaitingRoom {
  private readonly db: Db;
  private readonly clock: Clock;
  private readonly log: Logger;
  readonly settings: WaitingRoomSettings;
  private key: Buffer | undefined;
  private inFlight = 0;
  private peakInFlight = 0;
  private readonly waiters: ((release: () => void) => void)[] = [];
  private view: QueueView = { admittedThrough: 0n, issuedThrough: 0n, admitRatePerSecond: 0 };
  private lastRead: { at: number; admittedThrough: bigint } | undefined;
  private lastPurge = 0;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;

  constructor(deps: { db: Db; clock: Clock; log: Logger }, settings: WaitingRoomSettings) {
    this.db = deps.db;
    this.clock = deps.clock;
    this.log = deps.log;
    this.settings = settings;
  }

  async start(): Promise<void> {
    this.key = this.settings.key ?? (await roomSigningKey(this.db));
    await this.tick();
    this.timer = setInterval(() => void this.tick(), this.settings.tickMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.ticking;
  }

  private signingKey(): Buffer {
    if (!this.key) throw new Error('waiting room used before start()');
    return this.key;
  }

  /**
   * A guarded request arrives. `cookie` is the session (or payment-pass) cookie it is bound to;
   * `pass` and `ticket` what the browser holds. Only a queued arrival without a ticket touches
   * the database (nextval), and an admitted ticket's one exchange for a pass.
   */
  async arrive(cookie: string, held: { pass?: string | undefined; ticket?: string | undefined }): Promise<Arrival> {
    const key = this.signingKey();
    const binding = bindingOf(key, cookie);
    const nowSec = this.nowSeconds();
    const pass = held.pass ? readToken(key, held.pass, 'PASS') : undefined;
    if (pass && pass.binding === binding && pass.at > nowSec) return this.enterAdmitted();
    if (held.ticket) {
      // The page may simply retry its request with the ticket it holds: it keeps its place.
      const polled = await this.poll(cookie, held.ticket);
      if (polled.kind === 'ADMITTED') {
        const entered = await this.enterAdmitted();
        return entered.kind === 'ENTER' ? { ...entered, newPass: { pass: polled.pass, expiresAt: polled.expiresAt } } : entered;
      }
      if (polled.kind === 'WAITING') return { ...polled, kind: 'QUEUED', ticket: held.ticket };
    }
    if (arrivalWithoutPass(this.load(), this.view) === 'ENTER') return { kind: 'ENTER', release: this.occupy() };
    const seq = await takeTicketNumber(this.db);
    if (seq > this.view.issuedThrough) this.view = { ...this.view, issuedThrough: seq };
    const ticket = signToken(key, { kind: 'TICKET', seq, at: nowSec, binding });
    return { kind: 'QUEUED', ticket, ...this.waitFor(seq) };
  }

  /** The page asks whether its turn has come; the first time it has, the ticket becomes a pass. */
  async poll(cookie: string, ticketText: string): Promise<PollAnswer> {
    const key = this.signingKey();
    const ticket = readToken(key, ticketText, 'TICKET');
    if (!ticket || ticket.binding !== bindingOf(key, cookie)) return { kind: 'INVALID' };
    const nowSec = this.nowSeconds();
    if (ticket.at + this.settings.ticketHours * 3600 < nowSec) return { kind: 'EXPIRED' };
    if (ticket.seq > this.view.admittedThrough) return { kind: 'WAITING', ...this.waitFor(ticket.seq) };
    const outcome = await redeemTicket(this.db, ticket.seq, this.clock.now());
    if (outcome === 'USED') return { kind: 'USED' };
    if (outcome === 'NOT_YET') return { kind: 'WAITING', ...this.waitFor(ticket.seq) };
    const expiresAt = nowSec + this.settings.passMinutes * 60;
    return { kind: 'ADMITTED', pass: signToken(key, { kind: 'PASS', seq: ticket.seq, at: expiresAt, binding: ticket.binding }), expiresAt: new Date(expiresAt * 1000) };
  }

  /** The room as the page's banner and the benchmark see it (this process's view). */
  status(): { active: boolean; waiting: number; estimatedWaitSeconds: number; inFlight: number; peakInFlight: number; limit: number; admittedThrough: bigint; issuedThrough: bigint } {
    const waiting = Math.max(0, Number(this.view.issuedThrough - this.view.admittedThrough));
    return {
      active: waiting > 0 || this.inFlight >= this.settings.limit, waiting,
      estimatedWaitSeconds: estimatedWaitSeconds(waiting, this.view, this.fallbackRate()),
      inFlight: this.inFlight, peakInFlight: this.peakInFlight, limit: this.settings.limit,
      admittedThrough: this.view.admittedThrough, issuedThrough: this.view.issuedThrough,
    };
  }

  /** Reads the shared queue and lets in as many tickets as this process has free slots. */
  tick(): Promise<void> {
    this.ticking ??= this.doTick().finally(() => { this.ticking = undefined; });
    return this.ticking;
  }

  private async doTick(): Promise<void> {
    try {
      const q = await readQueue(this.db);
      const now = performance.now();
      let rate = this.view.admitRatePerSecond;
      // The rate counts every process's admissions; it is measured only while people wait, so
      // an idle room keeps the last rush's figure rather than a meaningless zero.
      if (this.lastRead && q.issuedThrough > this.lastRead.admittedThrough) {
        rate = nextAdmitRate(rate, Number(q.admittedThrough - this.lastRead.admittedThrough), (now - this.lastRead.at) / 1000);
      }
      this.lastRead = { at: now, admittedThrough: q.admittedThrough };
      // Never move this process's view backwards: its own ticket numbers may be newer than the read.
      this.view = {
        admittedThrough: q.admittedThrough > this.view.admittedThrough ? q.admittedThrough : this.view.admittedThrough,
        issuedThrough: q.issuedThrough > this.view.issuedThrough ? q.issuedThrough : this.view.issuedThrough,
        admitRatePerSecond: rate,
      };
      const n = ticketsToAdmit(this.load(), this.view);
      if (n > 0) {
        const through = await admitMore(this.db, n, this.clock.now());
        if (through > this.view.admittedThrough) this.view = { ...this.view, admittedThrough: through };
      }
      if (Date.now() - this.lastPurge > 3_600_000) {
        this.lastPurge = Date.now();
        await purgeAdmissions(this.db, new Date(this.clock.now().getTime() - (this.settings.ticketHours + 1) * 3_600_000));
      }
    } catch (err) {
      // The room keeps its last view; requests already admitted carry on.
      this.log.warn({ err }, 'waiting room could not read the queue');
    }
  }

  private load() {
    return { inFlight: this.inFlight, limit: this.settings.limit, localWaiters: this.waiters.length };
  }

  private occupy(): () => void {
    this.inFlight += 1;
    if (this.inFlight > this.peakInFlight) this.peakInFlight = this.inFlight;
    return this.releaser();
  }

  /** Releasing hands the slot straight to the admitted candidate who has waited here longest. */
  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) next(this.releaser());
      else this.inFlight -= 1;
    };
  }

  /** An admitted candidate: a free slot now, or the first one freed within passWaitMs. */
  private async enterAdmitted(): Promise<Arrival> {
    if (this.inFlight < this.settings.limit && this.waiters.length === 0) return { kind: 'ENTER', release: this.occupy() };
    const release = await new Promise<(() => void) | undefined>((resolve) => {
      const grant = (r: () => void) => {
        clearTimeout(timer);
        resolve(r);
      };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(grant);
        if (i >= 0) this.waiters.splice(i, 1);
        resolve(undefined);
      }, this.settings.passWaitMs);
      this.waiters.push(grant);
    });
    return release ? { kind: 'ENTER', release } : { kind: 'BUSY', retryAfterSeconds: 1 };
  }

  private waitFor(seq: bigint): Omit<QueuedAnswer, 'ticket'> {
    const position = positionOf(seq, this.view);
    const estimatedWait = estimatedWaitSeconds(position, this.view, this.fallbackRate());
    return { position, estimatedWaitSeconds: estimatedWait, retryAfterSeconds: retryAfterSeconds(estimatedWait) };
  }

  /** Before the queue has moved: every process's slots, taken to free up about once a second. */
  private fallbackRate(): number {
    return this.settings.limit * this.settings.processes;
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now().getTime() / 1000);
  }
}

import { sql } from 'kysely';
import type pg from 'pg';
import { ledgerBalances } from '../../src/modules/ledger/balances.ts';
import type { SandboxLedger } from '../../src/sandbox/order-book.ts';
import { queryIdOf } from '../../src/sandbox/unionpay/unionpay-context.ts';
import type { SimWorld } from './world.ts';

/** The channel's trade number of a sandbox capture, as its protocol reports it (UnionPay: a 21-character queryId). */
const tradeNoOf = (channel: string, captureNo: string): string => (channel === 'unionpay' ? queryIdOf(captureNo) : captureNo);

const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);
const FINAL = ['PAID', 'CLOSED', 'REFUNDED', 'PARTIALLY_REFUNDED'];

interface CaptureRow { id: bigint; bill_id: bigint; channel: string; channel_trade_no: string; amount_fen: bigint; outcome: string }
interface RefundRow { id: bigint; refund_no: string; bill_id: bigint; channel: string; channel_payment_id: bigint; amount_fen: bigint; state: string; bill_item_id: bigint | null }
interface Ledger { accounts: Map<string, bigint>; unbalancedEntries: bigint[]; total: bigint }

/**
 * What must hold after every step, whatever has or has not been reported yet (issue 9 item 4):
 * - each bill PAID at most once, by exactly one settled capture;
 * - no paid bill without a capture of its amount that the channel really holds;
 * - per channel: captured (recorded) = paid + refunded + refunds in flight, and what we recorded
 *   or refunded is what the channel did;
 * - the ledger balances and says the same as the tables (test/support/books.ts, as SQL);
 * - seats sold + held ≤ capacity, one seat per registration.
 * Returns the violations, empty when all hold. This is the full check, over every row: the
 * reference that `InvariantChecker`'s scoped check after each step is equivalent to.
 */
export async function checkInvariants(w: SimWorld): Promise<string[]> {
  const db = w.t.db;
  const out: string[] = [];
  const [paidTwice, paidWithoutCapture, settledNotPaid, seats, captures, refunds, ledger, regsDisagree] = await Promise.all([
    sql<{ bill_id: string; why: string }>`
      SELECT bill_id::text, 'PAID transitions' AS why FROM bill_transition WHERE to_state = 'PAID' GROUP BY bill_id HAVING count(*) > 1
      UNION ALL
      SELECT bill_id::text, 'settled captures' FROM channel_payment WHERE outcome = 'SETTLED' GROUP BY bill_id HAVING count(*) > 1`.execute(db),
    sql<{ bill_no: string; state: string }>`
      SELECT b.bill_no, b.state FROM bill b
       WHERE b.state IN ('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED')
         AND NOT EXISTS (SELECT 1 FROM channel_payment p WHERE p.bill_id = b.id AND p.outcome = 'SETTLED'
                          AND p.amount_fen = b.amount_fen AND p.channel = b.channel AND p.channel_trade_no = b.channel_trade_no)`.execute(db),
    sql<{ bill_no: string; state: string }>`
      SELECT b.bill_no, b.state FROM channel_payment p JOIN bill b ON b.id = p.bill_id
       WHERE p.outcome = 'SETTLED' AND (b.state NOT IN ('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED') OR p.amount_fen <> b.amount_fen)`.execute(db),
    sql.raw<SeatViolation>(SEAT_VIOLATIONS).execute(db),
    db.selectFrom('channel_payment').select(['id', 'bill_id', 'channel', 'channel_trade_no', 'amount_fen', 'outcome']).execute(),
    db.selectFrom('refund').select(['id', 'refund_no', 'bill_id', 'channel', 'channel_payment_id', 'amount_fen', 'state', 'bill_item_id']).execute(),
    ledgerBalances(db),
    // A paid bill's registrations are paid; an unpaid (open or closed) bill's are not paid by it.
    sql<{ bill_no: string }>`
      SELECT DISTINCT b.bill_no FROM bill b JOIN bill_item i ON i.bill_id = b.id JOIN registration r ON r.id = i.registration_id
       WHERE b.state = 'PAID' AND r.paid_at IS NULL`.execute(db),
  ]);
  for (const r of paidTwice.rows) out.push(`bill ${r.bill_id} paid more than once (${r.why})`);
  for (const r of paidWithoutCapture.rows) out.push(`bill ${r.bill_no} is ${r.state} without a settled capture of its amount`);
  for (const r of settledNotPaid.rows) out.push(`a settled capture of bill ${r.bill_no} did not pay it exactly (bill ${r.state})`);
  for (const r of seats.rows) out.push(seatMessage(r));
  for (const r of regsDisagree.rows) out.push(`bill ${r.bill_no} is PAID but a registration on it is not`);
  // Every state explained (PAY-3): a bill is in the state its last recorded transition put it in.
  const unexplained = await sql<{ bill_no: string; state: string; last: string | null }>`
      SELECT b.bill_no, b.state, t.to_state AS last FROM bill b
        LEFT JOIN LATERAL (SELECT to_state FROM bill_transition WHERE bill_id = b.id ORDER BY id DESC LIMIT 1) t ON true
       WHERE b.state IS DISTINCT FROM coalesce(t.to_state, 'UNPAID')`.execute(db);
  for (const r of unexplained.rows) out.push(`bill ${r.bill_no} is ${r.state} but its last transition says ${r.last ?? 'nothing'}`);
  out.push(...moneyViolations(captures, refunds, ledger, w.sandbox.ledger()));
  return out;
}

/**
 * Seats, over every pool (a few dozen seat rows whatever the run's length, so always in full):
 * per pool, held + sold ≤ capacity and exactly `capacity` seat rows; one seat per registration;
 * a seat is taken only by a registration still active.
 */
const SEAT_VIOLATIONS = `
  SELECT 'pool' AS k, p.id::text AS a, p.capacity::text AS b, count(s.id) FILTER (WHERE s.state IN ('HELD', 'SOLD'))::text AS c, count(s.id)::text AS d
    FROM seat_pool p LEFT JOIN seat s ON s.pool_id = p.id GROUP BY p.id
  HAVING count(s.id) FILTER (WHERE s.state IN ('HELD', 'SOLD')) > p.capacity OR count(s.id) <> p.capacity
  UNION ALL
  SELECT 'twice', registration_id::text, NULL, NULL, NULL FROM seat WHERE registration_id IS NOT NULL GROUP BY registration_id HAVING count(*) > 1
  UNION ALL
  SELECT 'ended', s.registration_id::text, s.state, NULL, NULL FROM seat s JOIN registration r ON r.id = s.registration_id
   WHERE s.state IN ('HELD', 'SOLD') AND r.status <> 'ACTIVE'`;
interface SeatViolation { k: string; a: string; b: string | null; c: string | null; d: string | null }
function seatMessage(r: SeatViolation): string {
  if (r.k === 'pool') return `seat pool ${r.a}: ${r.c} held or sold, ${r.d} seats, capacity ${r.b}`;
  if (r.k === 'twice') return `registration ${r.a} holds more than one seat`;
  return `registration ${r.a} ended but its seat is ${r.b}`;
}

/**
 * The money, per channel and in the ledger, against the channel's own books (the sandbox's,
 * in memory): the same arithmetic whether the rows come from a full read or from the scoped
 * check's exact copy of the tables.
 */
function moneyViolations(captures: CaptureRow[], refunds: RefundRow[], ledger: Ledger, sandbox: SandboxLedger): string[] {
  const out: string[] = [];
  // The ledger: entries balance; the accounts say what the tables say.
  if (ledger.unbalancedEntries.length) out.push(`unbalanced journal entries ${ledger.unbalancedEntries.join(',')}`);
  if (ledger.total !== 0n) out.push(`the books sum to ${ledger.total}, not 0`);
  const channels = new Set([...captures.map((c) => c.channel), ...sandbox.merchants.map((m) => m.channel)]);
  let keptAll = 0n;
  for (const ch of channels) {
    const ours = captures.filter((c) => c.channel === ch);
    const theirs = refunds.filter((r) => r.channel === ch);
    const recorded = sum(ours.map((c) => c.amount_fen));
    const succeeded = sum(theirs.filter((r) => r.state === 'SUCCEEDED').map((r) => r.amount_fen));
    const inFlight = sum(theirs.filter((r) => r.state !== 'SUCCEEDED').map((r) => r.amount_fen));
    const kept = sum(ours.filter((c) => c.outcome === 'SETTLED').map((c) => c.amount_fen)) - sum(theirs.filter((r) => r.bill_item_id !== null).map((r) => r.amount_fen));
    keptAll += kept;
    if (recorded !== kept + succeeded + inFlight) out.push(`${ch}: captured ${recorded} ≠ paid ${kept} + refunded ${succeeded} + in flight ${inFlight}`);
    const clearing = ledger.accounts.get(`clearing:${ch}`) ?? 0n;
    if (clearing !== recorded - succeeded) out.push(`${ch}: ledger clearing ${clearing} ≠ captured ${recorded} − refunded ${succeeded}`);
    const owed = -(ledger.accounts.get(`refundable:${ch}`) ?? 0n);
    if (owed !== inFlight) out.push(`${ch}: ledger refundable ${owed} ≠ refunds in flight ${inFlight}`);

    // What we recorded, the channel did: every capture exists there with its amount; every
    // refund the channel made is one of ours; every refund we call succeeded, the channel made.
    const atChannel = sandbox.merchants.filter((m) => m.channel === ch);
    const theirCaptures = new Map(atChannel.flatMap((m) => m.captures).map((c) => [tradeNoOf(ch, c.captureNo), c.amountFen]));
    for (const c of ours) {
      const amount = theirCaptures.get(c.channel_trade_no);
      if (amount === undefined) out.push(`${ch}: recorded capture ${c.channel_trade_no} does not exist at the channel`);
      else if (amount !== c.amount_fen) out.push(`${ch}: capture ${c.channel_trade_no} is ${amount} at the channel, ${c.amount_fen} in our books`);
    }
    const theirRefunds = atChannel.flatMap((m) => m.refunds);
    const ourRefunds = new Map(theirs.map((r) => [r.refund_no, r]));
    for (const r of theirRefunds) {
      const mine = ourRefunds.get(r.refundNo);
      if (!mine) out.push(`${ch}: the channel refunded ${r.refundNo} (${r.amountFen}) that is not ours`);
      else if (mine.amount_fen !== r.amountFen || mine.state === 'FAILED') out.push(`${ch}: refund ${r.refundNo} is ${r.amountFen} at the channel, ours ${mine.amount_fen} ${mine.state}`);
    }
    const refundedThere = new Set(theirRefunds.map((r) => r.refundNo));
    for (const r of theirs.filter((x) => x.state === 'SUCCEEDED')) {
      if (!refundedThere.has(r.refund_no)) out.push(`${ch}: refund ${r.refund_no} SUCCEEDED in our books, unknown at the channel`);
    }
  }
  const fees = sum([...ledger.accounts].filter(([a]) => a.startsWith('fees:')).map(([, v]) => v));
  if (-fees !== keptAll) out.push(`ledger fees ${-fees} ≠ money kept for paid bills ${keptAll}`);
  // Money we must give back is written down the moment it is known: in full, for every unwanted capture.
  const back = new Map<bigint, bigint>();
  for (const r of refunds) if (r.state !== 'FAILED') back.set(r.channel_payment_id, (back.get(r.channel_payment_id) ?? 0n) + r.amount_fen);
  for (const c of captures.filter((x) => x.outcome !== 'SETTLED')) {
    const given = back.get(c.id) ?? 0n;
    if (given !== c.amount_fen) out.push(`${c.outcome} capture ${c.channel_trade_no} (${c.amount_fen}) has refunds of ${given}`);
  }
  return out;
}

/** A row that changed since the last check, as the scoped check's statement returns it (every value as text). */
interface Row { k: string; a: string | null; b: string | null; c: string | null; d: string | null; e: string | null; f: string | null; g: string | null; h: string | null }

/**
 * One statement, one snapshot: what changed since the watermark (rows whose xmin — the
 * transaction that wrote this version — is at or after it), the bills it concerns, the bill
 * invariants for those bills only, the seats (always all of them), the balance of the journal
 * entries that gained postings, the tables' row counts, and the next watermark: the oldest
 * transaction still running in this snapshot, before which everything is settled and seen.
 */
const SCOPED = `
WITH w AS (SELECT $1::text::xid AS x),
nb AS (SELECT b.id FROM bill b, w WHERE age(b.xmin) <= age(w.x)),
nt AS (SELECT t.id, t.bill_id FROM bill_transition t, w WHERE age(t.xmin) <= age(w.x)),
np AS (SELECT p.* FROM channel_payment p, w WHERE age(p.xmin) <= age(w.x)),
nr AS (SELECT r.* FROM refund r, w WHERE age(r.xmin) <= age(w.x)),
ni AS (SELECT i.id, i.bill_id, i.registration_id FROM bill_item i, w WHERE age(i.xmin) <= age(w.x)),
ng AS (SELECT g.id FROM registration g, w WHERE age(g.xmin) <= age(w.x)),
nl AS (SELECT l.* FROM ledger_posting l, w WHERE age(l.xmin) <= age(w.x)),
tb AS (
  SELECT id FROM nb UNION SELECT bill_id FROM nt UNION SELECT bill_id FROM np UNION SELECT bill_id FROM nr
  UNION SELECT p.bill_id FROM nr JOIN channel_payment p ON p.id = nr.channel_payment_id
  UNION SELECT bill_id FROM ni UNION SELECT i.bill_id FROM bill_item i JOIN ng ON ng.id = i.registration_id)
SELECT 'wm' AS k, (pg_snapshot_xmin(pg_current_snapshot())::text::numeric % 4294967296)::text AS a, NULL AS b, NULL AS c, NULL AS d, NULL AS e, NULL AS f, NULL AS g, NULL AS h
UNION ALL SELECT 'count', (SELECT count(*) FROM bill)::text, (SELECT count(*) FROM bill_transition)::text, (SELECT count(*) FROM channel_payment)::text,
  (SELECT count(*) FROM refund)::text, (SELECT count(*) FROM bill_item)::text, (SELECT count(*) FROM registration)::text, (SELECT count(*) FROM ledger_posting)::text, NULL
UNION ALL SELECT 'nb', id::text, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM nb
UNION ALL SELECT 'nt', id::text, bill_id::text, NULL, NULL, NULL, NULL, NULL, NULL FROM nt
UNION ALL SELECT 'np', id::text, bill_id::text, channel, channel_trade_no, amount_fen::text, outcome, NULL, NULL FROM np
UNION ALL SELECT 'nr', id::text, bill_id::text, channel, channel_payment_id::text, amount_fen::text, state, refund_no, bill_item_id::text FROM nr
UNION ALL SELECT 'ni', id::text, bill_id::text, registration_id::text, NULL, NULL, NULL, NULL, NULL FROM ni
UNION ALL SELECT 'ng', id::text, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM ng
UNION ALL SELECT 'nl', id::text, entry_id::text, account, amount_fen::text, NULL, NULL, NULL, NULL FROM nl
UNION ALL (SELECT 'unbalanced', entry_id::text, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM ledger_posting
            WHERE entry_id IN (SELECT entry_id FROM nl) GROUP BY entry_id HAVING sum(amount_fen) <> 0)
UNION ALL (SELECT 'paidTwice', bill_id::text, 'PAID transitions', NULL, NULL, NULL, NULL, NULL, NULL FROM bill_transition
            WHERE to_state = 'PAID' AND bill_id IN (SELECT id FROM tb) GROUP BY bill_id HAVING count(*) > 1)
UNION ALL (SELECT 'paidTwice', bill_id::text, 'settled captures', NULL, NULL, NULL, NULL, NULL, NULL FROM channel_payment
            WHERE outcome = 'SETTLED' AND bill_id IN (SELECT id FROM tb) GROUP BY bill_id HAVING count(*) > 1)
UNION ALL SELECT 'noCapture', b.bill_no, b.state, NULL, NULL, NULL, NULL, NULL, NULL FROM bill b
  WHERE b.id IN (SELECT id FROM tb) AND b.state IN ('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED')
    AND NOT EXISTS (SELECT 1 FROM channel_payment p WHERE p.bill_id = b.id AND p.outcome = 'SETTLED'
                     AND p.amount_fen = b.amount_fen AND p.channel = b.channel AND p.channel_trade_no = b.channel_trade_no)
UNION ALL SELECT 'settledNotPaid', b.bill_no, b.state, NULL, NULL, NULL, NULL, NULL, NULL FROM channel_payment p JOIN bill b ON b.id = p.bill_id
  WHERE p.bill_id IN (SELECT id FROM tb) AND p.outcome = 'SETTLED' AND (b.state NOT IN ('PAID', 'PARTIALLY_REFUNDED', 'REFUNDED') OR p.amount_fen <> b.amount_fen)
UNION ALL (SELECT DISTINCT 'regsUnpaid', b.bill_no, NULL, NULL, NULL, NULL, NULL, NULL, NULL FROM bill b JOIN bill_item i ON i.bill_id = b.id JOIN registration r ON r.id = i.registration_id
  WHERE b.id IN (SELECT id FROM tb) AND b.state = 'PAID' AND r.paid_at IS NULL)
UNION ALL SELECT 'unexplained', b.bill_no, b.state, t.to_state, NULL, NULL, NULL, NULL, NULL FROM bill b
  LEFT JOIN LATERAL (SELECT to_state FROM bill_transition WHERE bill_id = b.id ORDER BY id DESC LIMIT 1) t ON true
  WHERE b.id IN (SELECT id FROM tb) AND b.state IS DISTINCT FROM coalesce(t.to_state, 'UNPAID')
UNION ALL SELECT 'seat', k, a, b, c, d, NULL, NULL, NULL FROM (${SEAT_VIOLATIONS}) s`;

const TABLES = ['bill', 'bill_transition', 'channel_payment', 'refund', 'bill_item', 'registration', 'ledger_posting'] as const;
type Table = (typeof TABLES)[number];
interface Posting { entry: bigint; account: string; amount: bigint }

/**
 * The invariants after every step, at a cost that does not grow with the run (docs/simulation.md,
 * "Checking after every step"). Each step's check reads only what changed since the previous
 * check (PostgreSQL's xmin against a snapshot watermark) and checks every bill that change
 * concerns; the money invariants are computed from an exact copy of the capture, refund and
 * ledger tables kept by applying those changes; the seats are checked in full. A deleted row or
 * a row that moved to another bill or entry (row counts, or a changed link, tell) makes that
 * step's check the full one; so do the first check, every `fullEvery`-th and the last.
 */
export class InvariantChecker {
  private wm: string | null = null;
  private checks = 0;
  /** How the last check was made (tests assert that a violation was caught by the scoped one). */
  lastMode: 'full' | 'scoped' = 'full';
  /** Why the last full check was made instead of a scoped one (a deletion, a moved row), if it was. */
  lastFullReason = '';
  fullChecks = 0;
  private readonly ids: Record<'bill' | 'registration', Set<string>> = { bill: new Set(), registration: new Set() };
  private readonly transitions = new Map<string, string>();
  private readonly items = new Map<string, string>();
  private readonly captures = new Map<string, CaptureRow>();
  private readonly refunds = new Map<string, RefundRow>();
  private readonly postings = new Map<string, Posting>();
  private readonly w: SimWorld;
  private readonly fullEvery: number;

  constructor(w: SimWorld, opts: { fullEvery?: number } = {}) {
    this.w = w;
    this.fullEvery = opts.fullEvery ?? 100;
  }

  /** The check after a step; `last`: the run's last step (always checked in full). */
  async check(opts: { last?: boolean } = {}): Promise<string[]> {
    this.checks++;
    if (this.wm === null || opts.last || this.checks % this.fullEvery === 0) return this.full('');
    return this.scoped();
  }

  async full(reason: string): Promise<string[]> {
    this.lastMode = 'full';
    this.lastFullReason = reason;
    this.fullChecks++;
    const pool = this.w.t.pool;
    // Taken before the reads: whatever they miss was written at or after it.
    const wm = (await pool.query<{ wm: string }>(`SELECT (pg_snapshot_xmin(pg_current_snapshot())::text::numeric % 4294967296)::text AS wm`)).rows[0]!.wm;
    const [out, tables] = await Promise.all([checkInvariants(this.w), this.load()]);
    this.wm = wm;
    void tables;
    return out;
  }

  /** The copy of the tables, read in full. */
  private async load(): Promise<void> {
    const db = this.w.t.db;
    const [bills, regs, transitions, items, captures, refunds, postings] = await Promise.all([
      db.selectFrom('bill').select('id').execute(),
      db.selectFrom('registration').select('id').execute(),
      db.selectFrom('bill_transition').select(['id', 'bill_id']).execute(),
      db.selectFrom('bill_item').select(['id', 'bill_id', 'registration_id']).execute(),
      db.selectFrom('channel_payment').select(['id', 'bill_id', 'channel', 'channel_trade_no', 'amount_fen', 'outcome']).execute(),
      db.selectFrom('refund').select(['id', 'refund_no', 'bill_id', 'channel', 'channel_payment_id', 'amount_fen', 'state', 'bill_item_id']).execute(),
      db.selectFrom('ledger_posting').select(['id', 'entry_id', 'account', 'amount_fen']).execute(),
    ]);
    this.ids.bill = new Set(bills.map((r) => String(r.id)));
    this.ids.registration = new Set(regs.map((r) => String(r.id)));
    this.transitions.clear();
    for (const r of transitions) this.transitions.set(String(r.id), String(r.bill_id));
    this.items.clear();
    for (const r of items) this.items.set(String(r.id), `${r.bill_id}/${r.registration_id}`);
    this.captures.clear();
    for (const r of captures) this.captures.set(String(r.id), r);
    this.refunds.clear();
    for (const r of refunds) this.refunds.set(String(r.id), r);
    this.postings.clear();
    for (const r of postings) this.postings.set(String(r.id), { entry: r.entry_id, account: r.account, amount: r.amount_fen });
  }

  private async scoped(): Promise<string[]> {
    const { rows } = await (this.w.t.pool as pg.Pool).query<Row>({ name: 'sim-invariants-scoped', text: SCOPED, values: [this.wm] });
    const out: string[] = [];
    let moved = '';
    let counts: Row | undefined;
    let wm = '';
    const big = (v: string | null) => BigInt(v!);
    for (const r of rows) {
      switch (r.k) {
        case 'wm': wm = r.a!; break;
        case 'count': counts = r; break;
        case 'nb': this.ids.bill.add(r.a!); break;
        case 'ng': this.ids.registration.add(r.a!); break;
        case 'nt': {
          const was = this.transitions.get(r.a!);
          if (was !== undefined && was !== r.b) moved ||= `transition ${r.a} moved from bill ${was} to ${r.b}`;
          this.transitions.set(r.a!, r.b!);
          break;
        }
        case 'ni': {
          const now = `${r.b}/${r.c}`;
          const was = this.items.get(r.a!);
          if (was !== undefined && was !== now) moved ||= `bill item ${r.a} moved from ${was} to ${now}`;
          this.items.set(r.a!, now);
          break;
        }
        case 'np': {
          const was = this.captures.get(r.a!);
          if (was && String(was.bill_id) !== r.b) moved ||= `capture ${r.a} moved from bill ${was.bill_id} to ${r.b}`;
          this.captures.set(r.a!, { id: big(r.a), bill_id: big(r.b), channel: r.c!, channel_trade_no: r.d!, amount_fen: big(r.e), outcome: r.f! });
          break;
        }
        case 'nr': {
          const was = this.refunds.get(r.a!);
          if (was && (String(was.bill_id) !== r.b || String(was.channel_payment_id) !== r.d)) moved ||= `refund ${r.a} moved to bill ${r.b}, capture ${r.d}`;
          this.refunds.set(r.a!, {
            id: big(r.a), bill_id: big(r.b), channel: r.c!, channel_payment_id: big(r.d), amount_fen: big(r.e), state: r.f!, refund_no: r.g!, bill_item_id: r.h === null ? null : big(r.h),
          });
          break;
        }
        case 'nl': {
          const was = this.postings.get(r.a!);
          if (was && String(was.entry) !== r.b) moved ||= `posting ${r.a} moved from entry ${was.entry} to ${r.b}`;
          this.postings.set(r.a!, { entry: big(r.b), account: r.c!, amount: big(r.d) });
          break;
        }
        case 'unbalanced': break;
        case 'paidTwice': out.push(`bill ${r.a} paid more than once (${r.b})`); break;
        case 'noCapture': out.push(`bill ${r.a} is ${r.b} without a settled capture of its amount`); break;
        case 'settledNotPaid': out.push(`a settled capture of bill ${r.a} did not pay it exactly (bill ${r.b})`); break;
        case 'regsUnpaid': out.push(`bill ${r.a} is PAID but a registration on it is not`); break;
        case 'unexplained': out.push(`bill ${r.a} is ${r.b} but its last transition says ${r.c ?? 'nothing'}`); break;
        case 'seat': out.push(seatMessage({ k: r.a!, a: r.b!, b: r.c, c: r.d, d: r.e })); break;
        default: throw new Error(`unknown row ${r.k}`);
      }
    }
    // A row deleted, or moved to another bill or entry, is what xmin cannot show: check everything.
    const sizes: Record<Table, number> = {
      bill: this.ids.bill.size, bill_transition: this.transitions.size, channel_payment: this.captures.size, refund: this.refunds.size,
      bill_item: this.items.size, registration: this.ids.registration.size, ledger_posting: this.postings.size,
    };
    const have = [counts!.a, counts!.b, counts!.c, counts!.d, counts!.e, counts!.f, counts!.g].map(Number);
    const gone = TABLES.find((t, i) => have[i] !== sizes[t]);
    if (gone) return this.full(`${gone}: ${have[TABLES.indexOf(gone)]} rows, ${sizes[gone]} known (a row deleted)`);
    if (moved) return this.full(moved);
    this.lastMode = 'scoped';
    this.wm = wm;
    const accounts = new Map<string, bigint>();
    for (const p of this.postings.values()) accounts.set(p.account, (accounts.get(p.account) ?? 0n) + p.amount);
    const ledger: Ledger = {
      accounts, total: sum([...accounts.values()]),
      unbalancedEntries: rows.filter((r) => r.k === 'unbalanced').map((r) => big(r.a)),
    };
    out.push(...moneyViolations([...this.captures.values()], [...this.refunds.values()], ledger, this.w.sandbox.ledger()));
    return out;
  }
}

/**
 * After the liveness phase: every bill final, every capture the channel took is in our books
 * (reconciliation finds the ones nobody reported), every unwanted one refunded at the channel,
 * nothing owed back, and the channel keeps exactly the money of paid bills.
 */
export async function checkFinal(w: SimWorld): Promise<string[]> {
  const db = w.t.db;
  const out = await checkInvariants(w);
  const open = await db.selectFrom('bill').select(['bill_no', 'state']).where('state', 'not in', FINAL as never[]).execute();
  for (const b of open) out.push(`bill ${b.bill_no} still ${b.state} after the liveness phase`);
  const refunds = await db.selectFrom('refund').select(['refund_no', 'state', 'channel', 'reason', 'attempts', 'last_error']).where('state', '<>', 'SUCCEEDED').execute();
  for (const r of refunds) out.push(`refund ${r.refund_no} (${r.channel}, ${r.reason}) still ${r.state} after the liveness phase, ${r.attempts} sends: ${r.last_error ?? ''}`);
  const captures = await db.selectFrom('channel_payment').select(['channel', 'channel_trade_no']).execute();
  const recorded = new Set(captures.map((c) => `${c.channel}/${c.channel_trade_no}`));
  for (const m of w.sandbox.ledger().merchants) {
    for (const c of m.captures) if (!recorded.has(`${m.channel}/${tradeNoOf(m.channel, c.captureNo)}`)) out.push(`${m.channel}: capture ${c.captureNo} of ${c.billNo} (${c.amountFen}) never recorded`);
  }
  return out;
}

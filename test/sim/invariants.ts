import { sql } from 'kysely';
import { ledgerBalances } from '../../src/modules/ledger/balances.ts';
import { queryIdOf } from '../../src/sandbox/unionpay/unionpay-context.ts';
import type { SimWorld } from './world.ts';

/** The channel's trade number of a sandbox capture, as its protocol reports it (UnionPay: a 21-character queryId). */
const tradeNoOf = (channel: string, captureNo: string): string => (channel === 'unionpay' ? queryIdOf(captureNo) : captureNo);

const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);
const FINAL = ['PAID', 'CLOSED', 'REFUNDED', 'PARTIALLY_REFUNDED'];

/**
 * What must hold after every step, whatever has or has not been reported yet (issue 9 item 4):
 * - each bill PAID at most once, by exactly one settled capture;
 * - no paid bill without a capture of its amount that the channel really holds;
 * - per channel: captured (recorded) = paid + refunded + refunds in flight, and what we recorded
 *   or refunded is what the channel did;
 * - the ledger balances and says the same as the tables (test/support/books.ts, as SQL);
 * - seats sold + held ≤ capacity, one seat per registration.
 * Returns the violations, empty when all hold.
 */
export async function checkInvariants(w: SimWorld): Promise<string[]> {
  const db = w.t.db;
  const out: string[] = [];
  const [paidTwice, paidWithoutCapture, settledNotPaid, seats, seatTwice, captures, refunds, ledger, regsDisagree] = await Promise.all([
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
    sql<{ pool_id: string; capacity: number; taken: string; total: string }>`
      SELECT p.id::text AS pool_id, p.capacity, count(s.id) FILTER (WHERE s.state IN ('HELD', 'SOLD')) AS taken, count(s.id) AS total
        FROM seat_pool p LEFT JOIN seat s ON s.pool_id = p.id GROUP BY p.id
      HAVING count(s.id) FILTER (WHERE s.state IN ('HELD', 'SOLD')) > p.capacity OR count(s.id) <> p.capacity`.execute(db),
    sql<{ registration_id: string }>`SELECT registration_id::text FROM seat WHERE registration_id IS NOT NULL GROUP BY registration_id HAVING count(*) > 1`.execute(db),
    db.selectFrom('channel_payment').select(['id', 'bill_id', 'channel', 'channel_trade_no', 'amount_fen', 'outcome']).execute(),
    db.selectFrom('refund').select(['refund_no', 'channel', 'channel_payment_id', 'amount_fen', 'state', 'bill_item_id']).execute(),
    ledgerBalances(db),
    // A paid bill's registrations are paid; an unpaid (open or closed) bill's are not paid by it.
    sql<{ bill_no: string }>`
      SELECT DISTINCT b.bill_no FROM bill b JOIN bill_item i ON i.bill_id = b.id JOIN registration r ON r.id = i.registration_id
       WHERE b.state = 'PAID' AND r.paid_at IS NULL`.execute(db),
  ]);
  for (const r of paidTwice.rows) out.push(`bill ${r.bill_id} paid more than once (${r.why})`);
  for (const r of paidWithoutCapture.rows) out.push(`bill ${r.bill_no} is ${r.state} without a settled capture of its amount`);
  for (const r of settledNotPaid.rows) out.push(`a settled capture of bill ${r.bill_no} did not pay it exactly (bill ${r.state})`);
  for (const r of seats.rows) out.push(`seat pool ${r.pool_id}: ${r.taken} held or sold, ${r.total} seats, capacity ${r.capacity}`);
  for (const r of seatTwice.rows) out.push(`registration ${r.registration_id} holds more than one seat`);
  for (const r of regsDisagree.rows) out.push(`bill ${r.bill_no} is PAID but a registration on it is not`);
  // Every state explained (PAY-3): a bill is in the state its last recorded transition put it in;
  // a seat is taken only by a registration still active.
  const [unexplained, seatOfEnded] = await Promise.all([
    sql<{ bill_no: string; state: string; last: string | null }>`
      SELECT b.bill_no, b.state, t.to_state AS last FROM bill b
        LEFT JOIN LATERAL (SELECT to_state FROM bill_transition WHERE bill_id = b.id ORDER BY id DESC LIMIT 1) t ON true
       WHERE b.state IS DISTINCT FROM coalesce(t.to_state, 'UNPAID')`.execute(db),
    sql<{ registration_id: string; state: string }>`
      SELECT s.registration_id::text, s.state FROM seat s JOIN registration r ON r.id = s.registration_id
       WHERE s.state IN ('HELD', 'SOLD') AND r.status <> 'ACTIVE'`.execute(db),
  ]);
  for (const r of unexplained.rows) out.push(`bill ${r.bill_no} is ${r.state} but its last transition says ${r.last ?? 'nothing'}`);
  for (const r of seatOfEnded.rows) out.push(`registration ${r.registration_id} ended but its seat is ${r.state}`);

  // The ledger: entries balance; the accounts say what the tables say.
  if (ledger.unbalancedEntries.length) out.push(`unbalanced journal entries ${ledger.unbalancedEntries.join(',')}`);
  if (ledger.total !== 0n) out.push(`the books sum to ${ledger.total}, not 0`);
  const sandbox = w.sandbox.ledger();
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
  for (const c of captures.filter((x) => x.outcome !== 'SETTLED')) {
    const back = sum(refunds.filter((r) => r.channel_payment_id === c.id && r.state !== 'FAILED').map((r) => r.amount_fen));
    if (back !== c.amount_fen) out.push(`${c.outcome} capture ${c.channel_trade_no} (${c.amount_fen}) has refunds of ${back}`);
  }
  return out;
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

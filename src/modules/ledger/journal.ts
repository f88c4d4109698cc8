import type { Trx } from '../../db/database.ts';
import type { JournalKind } from '../../db/schema.ts';

/** Ledger accounts (PAY-11). Debits are positive, credits negative; an entry sums to zero. */
export const account = {
  /** Money the channel holds for us. */
  clearing: (channel: string) => `clearing:${channel}`,
  /** Fees a sitting has earned. */
  fees: (sittingId: bigint) => `fees:${sittingId}`,
  /** Money taken that is not ours, owed back to the payer until the refund goes through. */
  refundable: (channel: string) => `refundable:${channel}`,
};

export interface Posting {
  account: string;
  amountFen: bigint;
}

/**
 * The postings of each kind of movement: the whole of the bookkeeping, as data.
 *
 * Money we must give back is always owed first (refundable) and then given back (clearing): a
 * duplicate or late capture is owed from the moment it is recorded (CAPTURE_UNWANTED); money that
 * paid a bill becomes owed when a refund of it is decided (REFUND_DECIDED: the sitting's fees
 * shrink at once, REF-2/REF-4). REFUND_SUCCEEDED then pays what is owed out of the channel.
 */
export function postingsFor(kind: JournalKind, m: { channel: string; sittingId: bigint; amountFen: bigint }): Posting[] {
  switch (kind) {
    case 'CAPTURE_SETTLED':
      return [{ account: account.clearing(m.channel), amountFen: m.amountFen }, { account: account.fees(m.sittingId), amountFen: -m.amountFen }];
    case 'CAPTURE_UNWANTED':
      return [{ account: account.clearing(m.channel), amountFen: m.amountFen }, { account: account.refundable(m.channel), amountFen: -m.amountFen }];
    case 'REFUND_DECIDED':
      return [{ account: account.fees(m.sittingId), amountFen: m.amountFen }, { account: account.refundable(m.channel), amountFen: -m.amountFen }];
    case 'REFUND_SUCCEEDED':
      return [{ account: account.refundable(m.channel), amountFen: m.amountFen }, { account: account.clearing(m.channel), amountFen: -m.amountFen }];
  }
}

export function isBalanced(postings: readonly Posting[]): boolean {
  return postings.length >= 2 && postings.every((p) => p.amountFen !== 0n) && postings.reduce((s, p) => s + p.amountFen, 0n) === 0n;
}

/**
 * Books one movement in the caller's transaction — the same one that changes the bill or the
 * refund, so money and books cannot disagree. A deferred trigger re-checks the balance at commit.
 */
export async function postEntry(trx: Trx, e: {
  kind: JournalKind; at: Date; channel: string; sittingId: bigint; billId: bigint; amountFen: bigint;
  channelPaymentId?: bigint; refundId?: bigint;
}): Promise<void> {
  const postings = postingsFor(e.kind, e);
  if (!isBalanced(postings)) throw new Error(`unbalanced ${e.kind} entry`);
  const entry = await trx.insertInto('journal_entry').values({
    kind: e.kind, at: e.at, channel: e.channel, sitting_id: e.sittingId, bill_id: e.billId,
    channel_payment_id: e.channelPaymentId ?? null, refund_id: e.refundId ?? null,
  }).returning('id').executeTakeFirstOrThrow();
  await trx.insertInto('ledger_posting').values(postings.map((p) => ({ entry_id: entry.id, account: p.account, amount_fen: p.amountFen }))).execute();
}

import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ledgerBalances } from '../src/modules/ledger/balances.ts';
import { expectBooksBalance } from './support/books.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';

let w: PaymentWorld;
beforeAll(async () => {
  w = await startPaymentWorld();
});
afterAll(async () => w.close());
// Whatever a test did, the books agree with the channel afterwards.
afterEach(async () => expectBooksBalance(w));

describe('the ledger (PAY-11)', () => {
  it('a paid bill, a double charge and its refund: every entry balances, per channel and per sitting', async () => {
    const { bill } = await w.payingBill();
    w.sandbox.setFaults(bill.bill_no, { chargeTwice: true });
    await w.sandbox.pay(bill.bill_no);
    await w.sandbox.deliverDueNotifications();
    await w.runJobs();
    const { accounts, unbalancedEntries, total } = await ledgerBalances(w.db);
    expect(unbalancedEntries).toEqual([]);
    expect(total).toBe(0n);
    expect(accounts.get('clearing:alipay')).toBe(bill.amount_fen); // two captured, one given back
    expect(accounts.get(`fees:${bill.sitting_id}`)).toBe(-bill.amount_fen);
    expect(accounts.get('refundable:alipay') ?? 0n).toBe(0n);
    const kinds = await w.db.selectFrom('journal_entry').select('kind').where('bill_id', '=', bill.id).orderBy('id').execute();
    expect(kinds.map((k) => k.kind)).toEqual(['CAPTURE_SETTLED', 'CAPTURE_UNWANTED', 'REFUND_SUCCEEDED']);
  });

  it('the database refuses an unbalanced entry at commit, and refuses to rewrite history', async () => {
    const entry = await w.db.selectFrom('journal_entry').selectAll().executeTakeFirstOrThrow();
    // One more posting on a balanced entry unbalances it: refused when the transaction commits.
    await expect(w.db.insertInto('ledger_posting').values({ entry_id: entry.id, account: 'clearing:alipay', amount_fen: 100n }).execute()).rejects.toThrow(/not balanced/);
    // An entry must name what it books.
    await expect(w.db.insertInto('journal_entry').values({ kind: 'CAPTURE_SETTLED', at: new Date(), channel: 'alipay', sitting_id: entry.sitting_id, bill_id: entry.bill_id }).execute())
      .rejects.toThrow(/check constraint/);
    await expect(sql`UPDATE ledger_posting SET amount_fen = amount_fen * 2`.execute(w.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM journal_entry`.execute(w.db)).rejects.toThrow(/append-only/);
  });
});

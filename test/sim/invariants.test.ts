import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { vitestHost } from './database.ts';
import { InvariantChecker } from './invariants.ts';
import { StepRunner } from './step-runner.ts';
import type { Step } from './steps.ts';
import { startSimWorld, type SimWorld } from './world.ts';

/**
 * The scoped check after each step (docs/simulation.md) catches every kind of violation at the
 * step it happens, as the full check does: each case below breaks one invariant behind the
 * application's back (as a bug would), asserts the very next check — a scoped one, unless the
 * change is one only the full check can see — reports it, and puts the row back.
 */
describe('the invariant check after each step catches a violation at the step it happens', () => {
  let w: SimWorld;
  let checker: InvariantChecker;
  /** A connection that can write what the application's triggers refuse (session_replication_role). */
  let bypass: pg.Client;
  let paid: { id: bigint; bill_no: string };
  let open: { id: bigint; bill_no: string };
  let duplicateId: bigint;

  const q = async <R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: unknown[] = []) => (await bypass.query<R>(text, values)).rows;

  beforeAll(async () => {
    w = await startSimWorld(vitestHost(inject('pgAdminUrl')));
    const runner = new StepRunner(w);
    // A bill paid by Alipay that charged twice (the duplicate refunded), seats held and sold,
    // and an open bill.
    const steps: Step[] = [
      { k: 'register', c: 0, subject: 0, pool: 0 },
      { k: 'confirm', c: 0, one: false },
      { k: 'pay', b: -1, ch: 'alipay' },
      { k: 'capture', b: -1, o: 0, f: { chargeTwice: true } },
      { k: 'deliver', reverse: false },
      { k: 'job', job: 'execute-refunds' },
      { k: 'register', c: 1, subject: 0, pool: 0 },
      { k: 'confirm', c: 1, one: false },
      { k: 'register', c: 2, subject: 2, pool: 0 },
    ];
    for (const s of steps) await runner.step(s);
    bypass = new pg.Client({ connectionString: w.t.url });
    await bypass.connect();
    await bypass.query('SET session_replication_role = replica');
    // The database's own guard against a second settled capture, gone (as if a migration had
    // lost it): what stands against the bug is then the check alone.
    await bypass.query('DROP INDEX channel_payment_one_settled');
    paid = (await q<{ id: bigint; bill_no: string }>(`SELECT id, bill_no FROM bill WHERE state = 'PAID'`))[0]!;
    open = (await q<{ id: bigint; bill_no: string }>(`SELECT id, bill_no FROM bill WHERE state = 'UNPAID'`))[0]!;
    expect(paid).toBeDefined();
    expect(open).toBeDefined();
    const duplicates = await q<{ id: bigint }>(`SELECT id FROM channel_payment WHERE outcome = 'DUPLICATE'`);
    expect(duplicates).toHaveLength(1);
    duplicateId = duplicates[0]!.id;
    expect(await q(`SELECT 1 FROM refund WHERE state = 'SUCCEEDED'`)).toHaveLength(1);
    checker = new InvariantChecker(w, { fullEvery: 1_000_000 });
    expect(await checker.check()).toEqual([]);
    expect(checker.lastMode).toBe('full');
  }, 120_000);

  afterAll(async () => {
    await bypass?.end();
    await w?.close();
  });

  /** Breaks, checks (expecting `mode`), restores, checks clean again. */
  async function caught(break_: string, restore: string, expected: RegExp, mode: 'scoped' | 'full' = 'scoped'): Promise<string[]> {
    expect(await checker.check(), 'clean before').toEqual([]);
    await q(break_);
    const violations = await checker.check();
    expect(checker.lastMode, checker.lastFullReason).toBe(mode);
    expect(violations.join('\n')).toMatch(expected);
    await q(restore);
    expect(await checker.check(), 'clean after restoring').toEqual([]);
    return violations;
  }

  it('a clean step is checked by the scoped check, with nothing to report', async () => {
    expect(await checker.check()).toEqual([]);
    expect(checker.lastMode).toBe('scoped');
  });

  it('each bill PAID at most once: a second PAID transition', async () => {
    await caught(
      `INSERT INTO bill_transition (bill_id, from_state, to_state, cause, actor, at) VALUES (${paid.id}, 'PAYING', 'PAID', 'BUG', 'test', now())`,
      `DELETE FROM bill_transition WHERE cause = 'BUG'`,
      new RegExp(`bill ${paid.id} paid more than once \\(PAID transitions\\)`),
    );
  });

  it('each bill PAID at most once: a second settled capture', async () => {
    await caught(
      `UPDATE channel_payment SET outcome = 'SETTLED' WHERE id = ${duplicateId}`,
      `UPDATE channel_payment SET outcome = 'DUPLICATE' WHERE id = ${duplicateId}`,
      new RegExp(`bill ${paid.id} paid more than once \\(settled captures\\)`),
    );
  });

  it('no PAID bill without a captured payment', async () => {
    await caught(
      `CREATE TEMP TABLE saved AS SELECT * FROM bill WHERE id = ${open.id};
       UPDATE bill SET state = 'PAID', paid_at = now(), channel = 'alipay', channel_trade_no = 'NO-SUCH-CAPTURE' WHERE id = ${open.id}`,
      `UPDATE bill b SET state = s.state, paid_at = s.paid_at, channel = s.channel, channel_trade_no = s.channel_trade_no FROM saved s WHERE b.id = s.id;
       DROP TABLE saved`,
      new RegExp(`bill ${open.bill_no} is PAID without a settled capture of its amount`),
    );
    await caught(
      `UPDATE channel_payment SET amount_fen = amount_fen - 1 WHERE bill_id = ${paid.id} AND outcome = 'SETTLED'`,
      `UPDATE channel_payment SET amount_fen = amount_fen + 1 WHERE bill_id = ${paid.id} AND outcome = 'SETTLED'`,
      new RegExp(`bill ${paid.bill_no} is PAID without a settled capture of its amount`),
    );
  });

  it("a paid bill's registrations are paid", async () => {
    await caught(
      `UPDATE registration SET paid_at = NULL WHERE id IN (SELECT registration_id FROM bill_item WHERE bill_id = ${paid.id})`,
      `UPDATE registration SET paid_at = (SELECT paid_at FROM bill WHERE id = ${paid.id}) WHERE id IN (SELECT registration_id FROM bill_item WHERE bill_id = ${paid.id})`,
      new RegExp(`bill ${paid.bill_no} is PAID but a registration on it is not`),
    );
  });

  it('captured = paid + refunded + refunds in flight, per channel', async () => {
    await caught(
      `UPDATE refund SET amount_fen = amount_fen + 100`,
      `UPDATE refund SET amount_fen = amount_fen - 100`,
      /alipay: captured \d+ ≠ paid \d+ \+ refunded \d+ \+ in flight \d+/,
    );
  });

  it('the ledger balances', async () => {
    const v = await caught(
      `INSERT INTO ledger_posting (entry_id, account, amount_fen) VALUES ((SELECT max(entry_id) FROM ledger_posting), 'clearing:alipay', 100)`,
      `DELETE FROM ledger_posting WHERE id = (SELECT max(id) FROM ledger_posting)`,
      /unbalanced journal entries \d+/,
    );
    expect(v).toContain('the books sum to 100, not 0');
  });

  it('every unwanted capture is refunded in full', async () => {
    await caught(
      `UPDATE refund SET state = 'FAILED'`,
      `UPDATE refund SET state = 'SUCCEEDED'`,
      /DUPLICATE capture \S+ \(\d+\) has refunds of 0/,
    );
  });

  it('seats sold + held ≤ capacity', async () => {
    // A seat held for a registration whose subject has no seats, in the pool both others filled.
    const [full] = await q<{ pool_id: string; capacity: number }>(`
      SELECT p.id::text AS pool_id, p.capacity FROM seat_pool p JOIN seat s ON s.pool_id = p.id
       WHERE s.state <> 'FREE' GROUP BY p.id HAVING count(*) = p.capacity`);
    const [reg] = await q<{ id: string }>(`SELECT r.id::text FROM registration r WHERE NOT EXISTS (SELECT 1 FROM seat s WHERE s.registration_id = r.id)`);
    await caught(
      `INSERT INTO seat (pool_id, seat_no, state, registration_id, held_at) VALUES (${full!.pool_id}, 99, 'HELD', ${reg!.id}, now())`,
      `DELETE FROM seat WHERE seat_no = 99`,
      new RegExp(`seat pool ${full!.pool_id}: ${full!.capacity + 1} held or sold, ${full!.capacity + 1} seats, capacity ${full!.capacity}`),
    );
  });

  it('every state explained by its last transition', async () => {
    await caught(
      `INSERT INTO bill_transition (bill_id, from_state, to_state, cause, actor, at) VALUES (${open.id}, 'UNPAID', 'PAYING', 'BUG', 'test', now())`,
      `DELETE FROM bill_transition WHERE cause = 'BUG'`,
      new RegExp(`bill ${open.bill_no} is UNPAID but its last transition says PAYING`),
    );
  });

  it("our books agree with the channel's: a recorded capture the channel does not hold", async () => {
    expect(await checker.check()).toEqual([]);
    const capture = w.sandbox.ledger().merchants.flatMap((m) => m.captures).find((c) => c.billNo === paid.bill_no)!;
    expect(w.sandbox.forgetCapture(capture.captureNo)).toBe(true);
    expect((await checker.check()).join('\n')).toMatch(/alipay: recorded capture \S+ does not exist at the channel/);
    expect(checker.lastMode).toBe('scoped');
  });

  it('a row moved to another bill, or deleted, makes that step’s check the full one', async () => {
    // (The channel's books were broken by the previous case: compare without that line.)
    const without = (v: string[]) => v.filter((m) => !/does not exist at the channel|captured .* ≠|clearing|fees/.test(m));
    expect(without(await checker.check())).toEqual([]);
    await q(`UPDATE channel_payment SET bill_id = ${open.id} WHERE bill_id = ${paid.id} AND outcome = 'SETTLED'`);
    const moved = without(await checker.check());
    expect(checker.lastMode).toBe('full');
    expect(checker.lastFullReason).toMatch(/capture \d+ moved from bill/);
    expect(moved.join('\n')).toMatch(new RegExp(`bill ${paid.bill_no} is PAID without a settled capture`));
    await q(`UPDATE channel_payment SET bill_id = ${paid.id} WHERE bill_id = ${open.id}`);
    expect(without(await checker.check())).toEqual([]);
    await q(`DELETE FROM bill_transition WHERE id = (SELECT max(id) FROM bill_transition WHERE bill_id = ${paid.id})`);
    const deleted = without(await checker.check());
    expect(checker.lastMode).toBe('full');
    expect(checker.lastFullReason).toMatch(/bill_transition: \d+ rows, \d+ known/);
    expect(deleted.join('\n')).toMatch(new RegExp(`bill ${paid.bill_no} is PAID but its last transition says`));
  });
});

import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Channel } from '../src/channels/channel.ts';
import { ledgerBalances } from '../src/modules/ledger/balances.ts';
import { formatReport, reconciliationReport } from '../src/modules/reconciliation/reconciliation-report.ts';
import { reconcileDay } from '../src/modules/reconciliation/reconciliation-runs.ts';
import { resolveMismatch } from '../src/modules/reconciliation/resolve-mismatch.ts';
import type { Bill } from '../src/db/schema.ts';
import { MINUTE } from '../src/shared/clock.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';

/**
 * PAY-10 must-show: a day (15 March, Beijing) on which each kind of mismatch happens, for each of
 * Alipay, WeChat Pay and UnionPay — real PostgreSQL, the sandbox keeping its own books, the real
 * adapters downloading the real file formats — reconciled by the daily job; then the report,
 * line by line, the automatic resolutions, and the books: balanced, and every fen between the
 * channel's books and ours explained by a listed mismatch.
 */
const DAY = '2026-03-15';
const NEXT = '2026-03-16';
const beijing = (s: string): string => new Date(`${s.replace(' ', 'T')}+08:00`).toISOString();

/** What a browser does with a UnionPay payUrl: load our page, post its signed form to the gateway. */
async function openInBrowser(channel: string, payUrl: string): Promise<void> {
  if (channel !== 'unionpay') return;
  const page = await (await fetch(payUrl)).text();
  const action = /<form[^>]*action="([^"]+)"/.exec(page)![1]!;
  const unescape = (v: string): string => v.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>');
  const fields = new URLSearchParams();
  for (const m of page.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) fields.append(m[1]!, unescape(m[2]!));
  const posted = await fetch(unescape(action), { method: 'POST', body: fields, redirect: 'manual' });
  expect(posted.status).toBeLessThan(400);
}

for (const channel of ['alipay', 'wechatpay', 'unionpay'] as const) {
  describe(`reconciliation of ${channel}`, () => {
    let w: PaymentWorld;
    let adapter: Channel;
    beforeAll(async () => {
      w = await startPaymentWorld();
      adapter = w.ctx.channels.get(channel)!;
    });
    afterAll(async () => w.close());

    async function payingBill(): Promise<Bill> {
      const { bill, payUrl } = await w.payingBill(undefined, channel);
      await openInBrowser(channel, payUrl);
      return bill;
    }
    async function paidBill(): Promise<Bill> {
      const bill = await payingBill();
      expect((await w.sandbox.pay(bill.bill_no, { channel })).ok).toBe(true);
      await w.sandbox.deliverDueNotifications();
      const paid = await w.bill(bill.bill_no);
      expect(paid.state).toBe('PAID');
      return paid;
    }
    const captures = (billId: bigint) => w.db.selectFrom('channel_payment').selectAll().where('bill_id', '=', billId).orderBy('id').execute();

    it('a day with every kind of mismatch: the job reconciles it, settles what a rule can, lists the rest; the books add up', async () => {
      // 09:00 — an ordinary payment.
      const normal = await paidBill();
      // All notifications lost and the channel's API down whenever the poll or the close asks:
      // only the statement will show this money.
      const silent = await payingBill();
      w.sandbox.setFaults(silent.bill_no, { noNotify: true, apiDown: 'error' });
      await w.sandbox.pay(silent.bill_no, { channel });
      // Charged twice, every notification lost: the poll finds one capture, never the second.
      const double = await payingBill();
      w.sandbox.setFaults(double.bill_no, { chargeTwice: true, noNotify: true });
      await w.sandbox.pay(double.bill_no, { channel });
      w.clock.advance(MINUTE);
      await w.runJobs();
      expect((await w.bill(double.bill_no)).state).toBe('PAID');
      expect(await captures(double.id)).toHaveLength(1);
      // Refunded at the channel out of band (the merchant console), never through ExamPay.
      const oob = await paidBill();
      const oobRefundNo = `CONSOLE${oob.bill_no.slice(-10)}`;
      expect(await adapter.refund({ billNo: oob.bill_no, refundNo: oobRefundNo, channelTradeNo: oob.channel_trade_no!, amountFen: 100n, reason: '商户后台退款' }))
        .toMatchObject({ status: 'SUCCEEDED' });
      // A PAID bill whose capture the channel loses from its books.
      const forgotten = await paidBill();
      const lost = w.sandbox.getOrder(forgotten.bill_no, { channel })!.captures[0]!.captureNo;
      expect(w.sandbox.forgetCapture(lost)).toBe(true);
      // A PAID bill whose ledger lines someone changed in the database (balanced, but not the truth).
      const tampered = await paidBill();
      const entry = await w.db.selectFrom('journal_entry as e').innerJoin('channel_payment as p', 'p.id', 'e.channel_payment_id')
        .select('e.id').where('p.bill_id', '=', tampered.id).executeTakeFirstOrThrow();
      await sql`ALTER TABLE ledger_posting DISABLE TRIGGER ledger_posting_append_only`.execute(w.db);
      await sql`UPDATE ledger_posting SET amount_fen = amount_fen - sign(amount_fen) * 100 WHERE entry_id = ${entry.id}`.execute(w.db);
      await sql`ALTER TABLE ledger_posting ENABLE TRIGGER ledger_posting_append_only`.execute(w.db);
      // The channel takes an amount other than the bill's: its validly signed notification fails
      // our amount check (logged, refused); the poll's answer too.
      const wrong = await payingBill();
      w.sandbox.setFaults(wrong.bill_no, { captureAmountFen: wrong.amount_fen - 1n });
      await w.sandbox.pay(wrong.bill_no, { channel });
      await w.sandbox.deliverDueNotifications();
      expect((await w.bill(wrong.bill_no)).state).toBe('PAYING');
      const refused = await w.db.selectFrom('channel_notification').select('outcome').where('bill_no', '=', wrong.bill_no).execute();
      expect(refused.map((n) => n.outcome)).toContain('AMOUNT_MISMATCH');
      // Charged twice and notified: the duplicate's refund is recorded; the channel makes it, but
      // our process dies before it books the answer (the refund stays PENDING with us).
      const crashed = await payingBill();
      w.sandbox.setFaults(crashed.bill_no, { chargeTwice: true });
      await w.sandbox.pay(crashed.bill_no, { channel });
      await w.sandbox.deliverDueNotifications();
      const pendingRefund = await w.db.selectFrom('refund').selectAll().where('bill_id', '=', crashed.id).executeTakeFirstOrThrow();
      const dupCapture = (await captures(crashed.id)).find((c) => c.outcome === 'DUPLICATE')!;
      expect(await adapter.refund({ billNo: crashed.bill_no, refundNo: pendingRefund.refund_no, channelTradeNo: dupCapture.channel_trade_no, amountFen: pendingRefund.amount_fen, reason: 'x' }))
        .toMatchObject({ status: 'SUCCEEDED' });
      // 23:59:59 — paid in the last second of the day.
      w.clock.set(beijing(`${DAY} 23:50:00`));
      const lastSecond = await payingBill();
      w.clock.set(beijing(`${DAY} 23:59:59`));
      await w.sandbox.pay(lastSecond.bill_no, { channel });
      await w.sandbox.deliverDueNotifications();
      expect((await w.bill(lastSecond.bill_no)).state).toBe('PAID');

      // 08:00 next day: a re-run asked for too early finds no statement yet, and changes nothing.
      w.clock.set(beijing(`${NEXT} 08:00:00`));
      const early = await reconcileDay(w.ctx, { channel, day: DAY, actor: 'staff:finance' });
      expect(early).toMatchObject({ ok: true, value: { status: 'NOT_READY' } });
      expect((await reconciliationReport(w.db, { channel, day: DAY })).run).toMatchObject({ status: 'PENDING', mismatches: 0 });
      expect((await w.db.selectFrom('refund').select('state').where('id', '=', pendingRefund.id).executeTakeFirstOrThrow()).state).toBe('PENDING');

      // 10:30: the daily job downloads the statement and reconciles the day.
      w.clock.set(beijing(`${NEXT} 10:30:00`));
      const ran = await w.runJobs();
      expect(ran['reconcile-statements']).toMatchObject({ done: 1 });
      const report = await reconciliationReport(w.db, { channel, day: DAY });
      console.log(formatReport(channel, DAY, report));

      // The report, line by line.
      const label = new Map([normal, silent, double, oob, forgotten, tampered, wrong, crashed, lastSecond].map((b, i) =>
        [b.bill_no, ['normal', 'silent', 'double', 'oob', 'forgotten', 'tampered', 'wrong', 'crashed', 'lastSecond'][i]!]));
      const lines = report.mismatches.map((m) => ({
        bill: label.get(m.bill_no), kind: m.kind, reason: m.reason, resolution: m.resolution, ours: m.our_amount_fen, theirs: m.their_amount_fen, refundNo: m.refund_no,
      })).sort((a, b) => a.bill!.localeCompare(b.bill!));
      const amount = normal.amount_fen;
      expect(lines).toEqual([
        { bill: 'double', kind: 'MISSING_AT_US', reason: 'CAPTURE_NOT_RECORDED', resolution: 'AUTO_REFUNDED', ours: null, theirs: amount, refundNo: null },
        { bill: 'forgotten', kind: 'MISSING_AT_CHANNEL', reason: 'CAPTURE_NOT_ON_STATEMENT', resolution: 'OPEN', ours: amount, theirs: null, refundNo: null },
        { bill: 'oob', kind: 'MISSING_AT_US', reason: 'REFUND_NOT_RECORDED', resolution: 'OPEN', ours: null, theirs: 100n, refundNo: oobRefundNo },
        { bill: 'silent', kind: 'MISSING_AT_US', reason: 'CAPTURE_NOT_RECORDED', resolution: 'AUTO_SETTLED', ours: null, theirs: amount, refundNo: null },
        { bill: 'tampered', kind: 'AMOUNT_DIFFERS', reason: 'CAPTURE_AMOUNT', resolution: 'OPEN', ours: amount - 100n, theirs: amount, refundNo: null },
        { bill: 'wrong', kind: 'AMOUNT_DIFFERS', reason: 'ORDER_AMOUNT', resolution: 'OPEN', ours: amount, theirs: amount - 1n, refundNo: null },
      ]);
      const byBill = (b: Bill) => report.mismatches.find((m) => m.bill_no === b.bill_no)!;
      expect(byBill(wrong).detail).toMatch(/签名通知因金额不符被拒 \d+ 次/);
      expect(byBill(double).auto_refund_no).toBe(`${double.bill_no}R01`);
      // Counted: the statement (10 payments + 2 refunds; the lost capture is not on it), and ours.
      expect(report.run).toMatchObject({
        status: 'DONE', statement_payments: 10, statement_refunds: 2, statement_refund_fen: 100n + pendingRefund.amount_fen,
        matched: 7, mismatches: 6, auto_resolved: 2,
      });

      // The automatic resolutions: the silent payment paid its bill, once, reported by reconciliation;
      // the second charge was refunded at the channel in the same round; the crashed refund is booked.
      expect((await w.bill(silent.bill_no)).state).toBe('PAID');
      expect((await captures(silent.id)).map((c) => [c.outcome, c.reported_by])).toEqual([['SETTLED', 'reconciliation']]);
      expect((await captures(double.id)).map((c) => c.outcome)).toEqual(['SETTLED', 'DUPLICATE']);
      expect(await w.db.selectFrom('refund').select(['refund_no', 'state', 'reason']).where('bill_id', '=', double.id).execute())
        .toEqual([{ refund_no: `${double.bill_no}R01`, state: 'SUCCEEDED', reason: 'DUPLICATE_PAYMENT' }]);
      expect(w.sandbox.getOrder(double.bill_no, { channel })!.captures.flatMap((c) => c.refunds).map((r) => r.refundNo)).toEqual([`${double.bill_no}R01`]);
      expect((await w.db.selectFrom('refund').select('state').where('id', '=', pendingRefund.id).executeTakeFirstOrThrow()).state).toBe('SUCCEEDED');

      // The books after the run: every entry balances; captured = paid + refunded (+ in flight)
      // per channel; and every fen between the channel's books and ours is a listed OPEN mismatch.
      const { unbalancedEntries, total, accounts } = await ledgerBalances(w.db);
      expect(unbalancedEntries).toEqual([]);
      expect(total).toBe(0n);
      const sum = (xs: bigint[]) => xs.reduce((a, b) => a + b, 0n);
      const ourCaptured = sum((await w.db.selectFrom('channel_payment').select('amount_fen').where('channel', '=', channel).execute()).map((r) => r.amount_fen));
      const paidBills = sum((await w.db.selectFrom('bill').select('amount_fen').where('channel', '=', channel).where('state', '=', 'PAID').execute()).map((r) => r.amount_fen));
      const ourRefunds = await w.db.selectFrom('refund').select(['amount_fen', 'state']).where('channel', '=', channel).execute();
      expect(ourCaptured).toBe(paidBills + sum(ourRefunds.filter((r) => r.state !== 'FAILED').map((r) => r.amount_fen)));
      const theirs = w.sandbox.ledger().merchants.find((m) => m.channel === channel)!;
      const open = (await reconciliationReport(w.db, { channel, day: DAY })).mismatches.filter((m) => m.resolution === 'OPEN');
      const explained = sum(open.map((m) => {
        if (m.reason === 'REFUND_NOT_RECORDED') return -m.their_amount_fen!;
        if (m.kind === 'MISSING_AT_CHANNEL') return -m.our_amount_fen!;
        if (m.reason === 'ORDER_AMOUNT') return m.their_amount_fen!;
        return m.their_amount_fen! - m.our_amount_fen!;
      }));
      expect(theirs.capturedFen - theirs.refundedFen).toBe(accounts.get(`clearing:${channel}`)! + explained);

      // Staff resolve what is left, with a note; once.
      const staffCase = byBill(oob);
      expect(await resolveMismatch(w.ctx, { mismatchId: staffCase.id, staff: 'staff:finance', note: '   ' })).toMatchObject({ ok: false, error: { code: 'RESOLUTION_NOTE_REQUIRED' } });
      const resolved = await resolveMismatch(w.ctx, { mismatchId: staffCase.id, staff: 'staff:finance', note: '商户后台误操作退款，已联系考生补缴 refunded from the console by mistake' });
      expect(resolved).toMatchObject({ ok: true, value: { resolution: 'RESOLVED_BY_STAFF', resolved_by: 'staff:finance' } });
      expect(await resolveMismatch(w.ctx, { mismatchId: staffCase.id, staff: 'staff:other', note: 'again' })).toMatchObject({ ok: false, error: { code: 'MISMATCH_ALREADY_RESOLVED' } });
      expect(await resolveMismatch(w.ctx, { mismatchId: byBill(silent).id, staff: 'staff:other', note: 'x' })).toMatchObject({ ok: false, error: { code: 'MISMATCH_ALREADY_RESOLVED' } });
      expect(await resolveMismatch(w.ctx, { mismatchId: 999_999n, staff: 'staff:other', note: 'x' })).toMatchObject({ ok: false, error: { code: 'MISMATCH_NOT_FOUND' } });

      // Staff re-run the day: nothing is added, nothing settled twice, resolutions stay.
      w.sandbox.clearFaults();
      const rerun = await reconcileDay(w.ctx, { channel, day: DAY, actor: 'staff:finance' });
      expect(rerun).toMatchObject({ ok: true, value: { status: 'DONE', newMismatches: 0 } });
      const again = await reconciliationReport(w.db, { channel, day: DAY });
      expect(again.mismatches.map((m) => [m.id, m.resolution])).toEqual(report.mismatches.map((m) => [m.id, m.id === staffCase.id ? 'RESOLVED_BY_STAFF' : m.resolution]));
      expect(again.run).toMatchObject({ matched: 9, mismatches: 6 });
      expect(await captures(silent.id)).toHaveLength(1);
      expect(await w.db.selectFrom('refund').select('id').where('bill_id', '=', double.id).execute()).toHaveLength(1);

      // The next day's run examines the 23:59:59 payment, finds it on the 15th's statement: no
      // false mismatch on either side of midnight. The refund made on the 16th matches.
      w.clock.set(beijing('2026-03-17 10:30:00'));
      await w.runJobs();
      const next = await reconciliationReport(w.db, { channel, day: NEXT });
      expect(next.run).toMatchObject({ status: 'DONE', our_captures: 1, statement_refunds: 1 });
      expect(next.mismatches).toEqual([]);
    });

    it('a re-run refuses a day that is not over, a day that is not a date, and a channel not configured', async () => {
      expect(await reconcileDay(w.ctx, { channel, day: '2026-03-17', actor: 'staff:x' })).toMatchObject({ ok: false, error: { code: 'RECONCILIATION_DAY_NOT_OVER' } });
      expect(await reconcileDay(w.ctx, { channel, day: '2026-02-30', actor: 'staff:x' })).toMatchObject({ ok: false, error: { code: 'RECONCILIATION_DAY_INVALID' } });
      expect(await reconcileDay(w.ctx, { channel: 'retiredpay', day: DAY, actor: 'staff:x' })).toMatchObject({ ok: false, error: { code: 'RECONCILIATION_CHANNEL_UNKNOWN' } });
    });
  });
}

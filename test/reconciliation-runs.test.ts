import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reconcileStatementsJob } from '../src/jobs/reconcile-statements.job.ts';
import { runReconciliation } from '../src/modules/reconciliation/reconcile-day.ts';
import { reconciliationReport } from '../src/modules/reconciliation/reconciliation-report.ts';
import { reconcileDay, requestRerun } from '../src/modules/reconciliation/reconciliation-runs.ts';
import { resolveMismatch } from '../src/modules/reconciliation/resolve-mismatch.ts';
import { MINUTE } from '../src/shared/clock.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';

/**
 * The daily job around the matcher: when runs are made, how they are retried, that a day is
 * settled once however many runs race, and that staff can queue a re-run. Alipay only: the
 * per-channel formats are in reconciliation.test.ts.
 */
let w: PaymentWorld;
beforeAll(async () => {
  w = await startPaymentWorld();
});
afterAll(async () => w.close());

const beijing = (s: string): string => new Date(`${s.replace(' ', 'T')}+08:00`).toISOString();
const run = (day: string, channel = 'alipay') =>
  w.db.selectFrom('reconciliation_run').selectAll().where('channel', '=', channel).where('day', '=', day).executeTakeFirst();

describe('the reconciliation job', () => {
  it('makes a run only after the statement is usually ready, only for channels that were sent orders; retries on a backoff; a day has one run', async () => {
    // 15 March 09:00: one payment whose notifications are all lost and that nobody ever queries.
    const { bill } = await w.payingBill();
    w.sandbox.setFaults(bill.bill_no, { noNotify: true });
    await w.sandbox.pay(bill.bill_no);

    w.clock.set(beijing('2026-03-16 09:29:59'));
    expect(await reconcileStatementsJob.execute(w.ctx)).toEqual({ queued: 0, done: 0, retry: 0, failed: 0 });
    // The channel's gateway is down when the job first asks: no answer, retried in 5 min, then 10.
    w.sandbox.setFaults('*', { apiDown: 'error' });
    w.clock.set(beijing('2026-03-16 09:30:00'));
    expect(await reconcileStatementsJob.execute(w.ctx)).toEqual({ queued: 1, done: 0, retry: 1, failed: 0 });
    expect(await run('2026-03-16')).toBeUndefined();
    expect(await run('2026-03-15', 'wechatpay')).toBeUndefined(); // never sent an order
    expect(await run('2026-03-15')).toMatchObject({ status: 'PENDING', attempts: 1, last_error: expect.stringMatching(/^UNKNOWN/), next_attempt_at: new Date(beijing('2026-03-16 09:35:00')) });
    w.clock.set(beijing('2026-03-16 09:34:59'));
    expect(await reconcileStatementsJob.execute(w.ctx)).toEqual({ queued: 0, done: 0, retry: 0, failed: 0 });
    w.clock.set(beijing('2026-03-16 09:35:00'));
    expect(await reconcileStatementsJob.execute(w.ctx)).toMatchObject({ retry: 1 });
    expect((await run('2026-03-15'))!.next_attempt_at).toEqual(new Date(beijing('2026-03-16 09:45:00')));

    w.sandbox.clearFaults();
    w.sandbox.setFaults(bill.bill_no, { noNotify: true });
    w.clock.set(beijing('2026-03-16 09:45:00'));
    expect(await reconcileStatementsJob.execute(w.ctx)).toMatchObject({ queued: 0, done: 1 });
    expect(await run('2026-03-15')).toMatchObject({ status: 'DONE', attempts: 3, last_error: null, matched: 0, mismatches: 1, auto_resolved: 1 });
    expect((await w.bill(bill.bill_no)).state).toBe('PAID');
    // Done is done: later rounds make and run nothing for that day.
    w.clock.advance(10 * MINUTE);
    expect(await reconcileStatementsJob.execute(w.ctx)).toEqual({ queued: 0, done: 0, retry: 0, failed: 0 });
  });

  it('two runs of one day racing settle the money once and record each finding once', async () => {
    // 16 March: a second charge nobody reported.
    const { bill } = await w.payingBill();
    w.sandbox.setFaults(bill.bill_no, { chargeTwice: true, noNotify: true });
    await w.sandbox.pay(bill.bill_no);
    w.clock.advance(MINUTE);
    await w.runJobs(); // the poll finds the first capture
    expect((await w.bill(bill.bill_no)).state).toBe('PAID');
    w.clock.set(beijing('2026-03-17 09:00:01'));
    await w.db.insertInto('reconciliation_run').values({ channel: 'alipay', day: '2026-03-16', next_attempt_at: w.clock.now(), requested_by: 'test', created_at: w.clock.now() }).execute();
    const r = (await run('2026-03-16'))!;
    // Past the claims, straight into the run itself, three at once.
    const outcomes = await Promise.all([1, 2, 3].map(() => runReconciliation(w.ctx, r, { doubtEmptyStatement: false })));
    expect(outcomes.every((o) => o.status === 'DONE')).toBe(true);
    expect(outcomes.reduce((n, o) => n + (o.status === 'DONE' ? o.newMismatches : 0), 0)).toBe(1);
    const payments = await w.db.selectFrom('channel_payment').select('outcome').where('bill_id', '=', bill.id).orderBy('id').execute();
    expect(payments.map((p) => p.outcome)).toEqual(['SETTLED', 'DUPLICATE']);
    expect(await w.db.selectFrom('refund').select('refund_no').where('bill_id', '=', bill.id).execute()).toHaveLength(1);
    const report = await reconciliationReport(w.db, { channel: 'alipay', day: '2026-03-16' });
    expect(report.mismatches.map((m) => [m.kind, m.resolution, m.auto_refund_no])).toEqual([['MISSING_AT_US', 'AUTO_REFUNDED', `${bill.bill_no}R01`]]);
    // And the claimed path: a staff re-run while another is running is refused.
    await w.db.updateTable('reconciliation_run').set({ status: 'RUNNING', claimed_until: new Date(w.clock.now().getTime() + MINUTE) }).where('id', '=', r.id).execute();
    expect(await reconcileDay(w.ctx, { channel: 'alipay', day: '2026-03-16', actor: 'staff:a' })).toMatchObject({ ok: false, error: { code: 'RECONCILIATION_RUNNING' } });
    // A claim whose process died expires, and the job takes the run over.
    w.clock.advance(2 * MINUTE);
    expect(await reconcileStatementsJob.execute(w.ctx)).toMatchObject({ done: 1 });
    expect((await reconciliationReport(w.db, { channel: 'alipay', day: '2026-03-16' })).mismatches).toHaveLength(1);
  });

  it('an empty statement on a day we booked money is doubted, then believed; staff can queue a re-run; two staff resolve once', async () => {
    // 17 March: a paid bill; the channel then loses it from its books.
    const { bill } = await w.payingBill();
    await w.sandbox.pay(bill.bill_no);
    await w.sandbox.deliverDueNotifications();
    const paid = await w.bill(bill.bill_no);
    expect(paid.state).toBe('PAID');
    w.sandbox.forgetCapture(paid.channel_trade_no!);
    w.clock.set(beijing('2026-03-18 09:30:00'));
    let r = await reconcileStatementsJob.execute(w.ctx);
    expect(r).toMatchObject({ queued: 1, retry: 1 });
    expect(await run('2026-03-17')).toMatchObject({ status: 'PENDING', last_error: expect.stringMatching(/empty on a day ExamPay booked money/) });
    for (let i = 0; i < 5; i++) {
      w.clock.advance(30 * MINUTE);
      r = await reconcileStatementsJob.execute(w.ctx);
    }
    expect(r).toMatchObject({ retry: 1 });
    w.clock.advance(30 * MINUTE);
    expect(await reconcileStatementsJob.execute(w.ctx)).toMatchObject({ done: 1 });
    const report = await reconciliationReport(w.db, { channel: 'alipay', day: '2026-03-17' });
    expect(report.mismatches.map((m) => [m.kind, m.bill_no, m.resolution])).toEqual([['MISSING_AT_CHANNEL', bill.bill_no, 'OPEN']]);

    // npm run reconcile: the day is queued again for the job, attempts reset; it adds nothing new.
    await requestRerun(w.db, { channel: 'alipay', day: '2026-03-17', actor: 'staff:cli', now: w.clock.now() });
    expect(await run('2026-03-17')).toMatchObject({ status: 'PENDING', attempts: 0, requested_by: 'staff:cli' });
    expect(await reconcileStatementsJob.execute(w.ctx)).toMatchObject({ done: 1 });
    expect((await reconciliationReport(w.db, { channel: 'alipay', day: '2026-03-17' })).mismatches).toHaveLength(1);

    const id = report.mismatches[0]!.id;
    const both = await Promise.all(['staff:a', 'staff:b'].map((staff) => resolveMismatch(w.ctx, { mismatchId: id, staff, note: `${staff} 已与支付宝核实 checked with Alipay` })));
    expect(both.filter((x) => x.ok)).toHaveLength(1);
    expect(both.filter((x) => !x.ok).map((x) => !x.ok && x.error.code)).toEqual(['MISMATCH_ALREADY_RESOLVED']);
    expect(await resolveMismatch(w.ctx, { mismatchId: id, staff: 'staff:c', note: 'x'.repeat(501) })).toMatchObject({ ok: false, error: { code: 'RESOLUTION_NOTE_REQUIRED' } });
  });
});

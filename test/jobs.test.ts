import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOBS, startJobRunner } from '../src/jobs/schedule.ts';
import { HOUR, MINUTE } from '../src/shared/clock.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';

let w: PaymentWorld;
beforeAll(async () => {
  w = await startPaymentWorld();
});
afterAll(async () => w.close());

describe('scheduled jobs', () => {
  it('a bill the channel cannot answer about stays 缴费中, is asked again and again, and is flagged for staff (PAY-4)', async () => {
    const { bill } = await w.payingBill();
    await w.sandbox.pay(bill.bill_no);
    w.sandbox.setFaults(bill.bill_no, { noNotify: true, apiDown: 'error' });
    let queries = 0;
    for (let elapsed = 0; elapsed < 23 * HOUR; elapsed += 30 * MINUTE) {
      w.clock.advance(30 * MINUTE);
      queries += (await w.runJobs())['poll-paying-bills']?.queried ?? 0;
    }
    const b = await w.bill(bill.bill_no);
    expect(b.state).toBe('PAYING'); // never closed while the channel might have the money
    expect(queries).toBeGreaterThanOrEqual(40);
    // It could not be closed at its channel for an hour after its time: staff were told then.
    expect(b.flag_reason).toBe('CANNOT_CLOSE');
    expect(b.flagged_at!.getTime() - b.expires_at.getTime()).toBeGreaterThanOrEqual(HOUR);
    expect(b.flagged_at!.getTime() - b.expires_at.getTime()).toBeLessThan(2 * HOUR);
    // The channel comes back: the money is found and the bill is paid, flag or not.
    w.sandbox.setFaults(bill.bill_no, { noNotify: true });
    w.clock.advance(30 * MINUTE);
    await w.runJobs();
    expect((await w.bill(bill.bill_no)).state).toBe('PAID');
  });

  it('pg-boss runs the jobs by itself: a paid bill with no notify becomes PAID without anyone calling', async () => {
    const { bill } = await w.payingBill();
    w.sandbox.setFaults(bill.bill_no, { noNotify: true });
    await w.sandbox.pay(bill.bill_no);
    w.clock.advance(20_000);
    const runner = await startJobRunner(w.ctx, w.t.url);
    try {
      const deadline = Date.now() + 20_000;
      while ((await w.bill(bill.bill_no)).state !== 'PAID' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    } finally {
      await runner.stop();
    }
    expect((await w.bill(bill.bill_no)).state).toBe('PAID');
    const queues = await w.db.selectFrom('pgboss.queue' as never).select('name' as never).execute() as { name: string }[];
    expect(queues.map((q) => q.name).filter((n) => !n.startsWith('__pgboss')).sort()).toEqual(JOBS.map((j) => j.id).sort());
  });
});

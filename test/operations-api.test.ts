import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR } from '../src/shared/clock.ts';
import { expectBooksBalance } from './support/books.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';
import { makeStaff, staffBrowser } from './support/staff-fixtures.ts';

let w: PaymentWorld;
beforeAll(async () => {
  w = await startPaymentWorld();
});
afterAll(async () => w.close());

const count = async (q: ReturnType<typeof sql<{ n: number }>>) => (await q.execute(w.db)).rows[0]!.n;

describe('the console\'s operations API (ADM-3, PAY-4, PAY-10)', () => {
  it('ADM-3: the dashboard\'s figures equal SQL counts of the same data, and follow a new payment', async () => {
    const admin = await staffBrowser(w.app, await makeStaff(w.db, w.exam, 'READ_ONLY'));
    // Two bills paid by notify, one left in 缴费中, one registration never billed.
    for (const _ of [1, 2]) {
      const { bill } = await w.payingBill();
      expect((await w.sandbox.pay(bill.bill_no, { channel: 'alipay' })).ok).toBe(true);
      await w.sandbox.deliverDueNotifications();
    }
    const stuck = await w.payingBill();
    await w.candidate();
    const d = (await admin.get(`/api/v1/admin/dashboard?sittingId=${w.exam.sittingId}`)).body;
    const inSitting = sql`(select id from subject where sitting_id = ${w.exam.sittingId})`;
    const registrations = await count(sql<{ n: number }>`select count(*)::int as n from registration where subject_id in ${inSitting} and status = 'ACTIVE'`);
    const paid = await count(sql<{ n: number }>`select count(*)::int as n from registration where subject_id in ${inSitting} and status = 'ACTIVE' and paid_at is not null`);
    expect(d.bySubject.reduce((s: number, r: { active: number }) => s + r.active, 0)).toBe(registrations);
    expect(d.bySubject.reduce((s: number, r: { paid: number }) => s + r.paid, 0)).toBe(paid);
    expect(paid).toBe(4); // two bills of two subjects each: the counts are not both zero
    const settled = (await sql<{ n: number; fen: string }>`select count(*)::int as n, coalesce(sum(amount_fen), 0)::text as fen from channel_payment where outcome = 'SETTLED'`.execute(w.db)).rows[0]!;
    expect(d.byChannel).toEqual([{ channel: 'alipay', payments: settled.n, amountFen: settled.fen, refundedFen: '0' }]);
    expect(d.payingByAge.find((b: { bucket: string }) => b.bucket === '<1h')).toMatchObject({ bills: 1, amountFen: String(stuck.bill.amount_fen) });

    const { bill } = await w.payingBill();
    await w.sandbox.pay(bill.bill_no, { channel: 'alipay' });
    await w.sandbox.deliverDueNotifications();
    const after = (await admin.get(`/api/v1/admin/dashboard?sittingId=${w.exam.sittingId}`)).body;
    expect(after.byChannel[0].payments).toBe(settled.n + 1);
    await expectBooksBalance(w);
  });

  it('PAY-4: a bill 缴费中 past 24 hours is flagged in the queue, and "ask the channel now" settles it when the channel has the money (audited)', async () => {
    const financeStaff = await makeStaff(w.db, w.exam, 'FINANCE');
    let finance = await staffBrowser(w.app, financeStaff);
    const { bill } = await w.payingBill();
    // The channel took the money but its notification never comes.
    w.sandbox.setFaults(bill.bill_no, { noNotify: true });
    await w.sandbox.pay(bill.bill_no, { channel: 'alipay' });
    expect((await finance.get('/api/v1/admin/paying-bills?stuck=true')).body.map((b: { billNo: string }) => b.billNo)).not.toContain(bill.bill_no);
    w.clock.advance(24 * HOUR);
    finance = await staffBrowser(w.app, financeStaff); // a day later the session has ended
    const queue = (await finance.get('/api/v1/admin/paying-bills?stuck=true')).body as { billNo: string; pastFlag: boolean; hoursPaying: number }[];
    expect(queue.find((b) => b.billNo === bill.bill_no)).toMatchObject({ pastFlag: true, hoursPaying: 24 });

    const readOnly = await staffBrowser(w.app, await makeStaff(w.db, w.exam, 'READ_ONLY'));
    expect((await readOnly.post(`/api/v1/admin/bills/${bill.bill_no}/status-check`)).body.error.code).toBe('STAFF_FORBIDDEN');
    const checked = await finance.post(`/api/v1/admin/bills/${bill.bill_no}/status-check`);
    expect(checked.status).toBe(200);
    expect(checked.body).toMatchObject({ billNo: bill.bill_no, state: 'PAID', channelAnswers: [expect.objectContaining({ channel: 'alipay', answer: 'PAID' })] });
    const audit = await w.db.selectFrom('audit_log').select(['action', 'object_id']).where('action', '=', 'bill.query').execute();
    expect(audit).toContainEqual({ action: 'bill.query', object_id: bill.bill_no });
    expect((await finance.get('/api/v1/admin/paying-bills')).body.map((b: { billNo: string }) => b.billNo)).not.toContain(bill.bill_no);
    await expectBooksBalance(w);
  });

  it('PAY-10: a mismatch of this authority is listed and resolved once with a note; another authority neither sees nor resolves it', async () => {
    const { bill } = await w.payingBill();
    const run = await w.db.insertInto('reconciliation_run').values({ channel: 'alipay', day: '2026-03-14', next_attempt_at: w.clock.now(), requested_by: 'test', created_at: w.clock.now() })
      .onConflict((oc) => oc.columns(['channel', 'day']).doUpdateSet({ requested_by: 'test' })).returning('id').executeTakeFirstOrThrow();
    const m = await w.db.insertInto('reconciliation_mismatch').values({
      run_id: run.id, channel: 'alipay', day: '2026-03-14', kind: 'MISSING_AT_US', reason: 'MISSING_AT_US', line_key: 'P:T-ops-1', bill_no: bill.bill_no, channel_trade_no: 'T-ops-1',
      refund_no: null, our_amount_fen: null, their_amount_fen: 14500n, at: w.clock.now(), resolution: 'OPEN', auto_refund_no: null, resolved_note: null, resolved_by: null, resolved_at: null, created_at: w.clock.now(),
    }).returning('id').executeTakeFirstOrThrow();
    const finance = await staffBrowser(w.app, await makeStaff(w.db, w.exam, 'FINANCE'));
    const listed = (await finance.get('/api/v1/admin/reconciliation/mismatches?resolution=OPEN')).body as { mismatchId: string; theirAmountFen: number }[];
    expect(listed).toContainEqual(expect.objectContaining({ mismatchId: String(m.id), theirAmountFen: 14500 }));

    const { makeExam } = await import('./support/fixtures.ts');
    const outsider = await staffBrowser(w.app, await makeStaff(w.db, await makeExam(w.db), 'AUTHORITY_ADMIN'));
    expect((await outsider.get('/api/v1/admin/reconciliation/mismatches')).body.map((x: { mismatchId: string }) => x.mismatchId)).not.toContain(String(m.id));
    expect((await outsider.post(`/api/v1/admin/reconciliation/mismatches/${m.id}/resolution`, { note: '试图处理' })).status).toBe(404);

    const blank = await finance.post(`/api/v1/admin/reconciliation/mismatches/${m.id}/resolution`, { note: '   ' });
    expect(blank.body.error.code).toBe('RESOLUTION_NOTE_REQUIRED');
    const resolved = await finance.post(`/api/v1/admin/reconciliation/mismatches/${m.id}/resolution`, { note: '渠道多收一笔，已原路退回' });
    expect(resolved.body).toMatchObject({ resolution: 'RESOLVED_BY_STAFF', resolvedNote: '渠道多收一笔，已原路退回' });
    expect((await finance.post(`/api/v1/admin/reconciliation/mismatches/${m.id}/resolution`, { note: '再次处理' })).body.error.code).toBe('MISMATCH_ALREADY_RESOLVED');
    const audit = await w.db.selectFrom('audit_log').select(['action', 'object_id']).where('action', '=', 'reconciliation.resolve').execute();
    expect(audit).toEqual([{ action: 'reconciliation.resolve', object_id: String(m.id) }]);
  });
});

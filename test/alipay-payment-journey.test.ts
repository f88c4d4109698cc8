import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { closeExpiredBillsJob } from '../src/jobs/close-expired-bills.job.ts';
import { MINUTE } from '../src/shared/clock.ts';
import { Browser } from './support/http.ts';
import { expectBooksBalance } from './support/books.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';

let w: PaymentWorld;
beforeAll(async () => {
  w = await startPaymentWorld();
});
afterAll(async () => w.close());
// Whatever a test did, the books agree with the channel afterwards.
afterEach(async () => expectBooksBalance(w));

async function notifications(billNo: string) {
  return w.db.selectFrom('channel_notification').select(['accepted', 'outcome']).where('bill_no', 'like', `${billNo}%`).orderBy('id').execute();
}
async function captures(billId: bigint) {
  return w.db.selectFrom('channel_payment').select(['outcome', 'reported_by', 'amount_fen']).where('bill_id', '=', billId).orderBy('id').execute();
}

describe('the candidate journey over HTTP, paid through the Alipay sandbox', () => {
  it('sign in → confirm → agree → pay → cashier → notify → PAID, with history and channel serial number', async () => {
    const c = await w.candidate();
    const b = new Browser(w.app);
    expect((await b.signIn(w.exam.authorityCode, c.idNumber, c.password)).status).toBe(200);
    const regs = (await b.get('/api/v1/registrations')).body;
    expect(regs.every((r: { payable: boolean }) => r.payable)).toBe(true);
    const created = await b.post('/api/v1/bills', { registrationIds: regs.map((r: { registrationId: string }) => r.registrationId) });
    expect(created.status).toBe(201);
    const billNo: string = created.body.billNo;
    expect(created.body).toMatchObject({ state: 'UNPAID', amountFen: 14500, stateLabel: { zh: '未缴费' } });

    expect((await b.post(`/api/v1/bills/${billNo}/payments`, { channel: 'alipay' })).body.error.code).toBe('AGREEMENT_REQUIRED');
    expect((await b.post(`/api/v1/bills/${billNo}/agreement`, { accepted: true })).status).toBe(200);
    expect((await b.post(`/api/v1/bills/${billNo}/payments`, { channel: 'publicpay' })).body.error.code).toBe('CHANNEL_NOT_OFFERED');
    const pay = await b.post(`/api/v1/bills/${billNo}/payments`, { channel: 'alipay' });
    expect(pay.status).toBe(200);
    expect(pay.body.payUrl).toContain('/alipay/cashier/');
    // A double click gets the same channel order, not a second one.
    const again = await b.post(`/api/v1/bills/${billNo}/payments`, { channel: 'alipay' });
    expect(again.body.outTradeNo).toBe(pay.body.outTradeNo);
    expect((await b.get(`/api/v1/bills/${billNo}`)).body.state).toBe('PAYING');

    // The payer opens the cashier page (the scan) and presses 支付.
    const cashier = await fetch(pay.body.payUrl);
    expect(await cashier.text()).toContain('145.00');
    expect((await w.sandbox.pay(billNo)).ok).toBe(true);
    expect(await w.sandbox.deliverDueNotifications()).toBeGreaterThan(0);

    const paid = (await b.get(`/api/v1/bills/${billNo}`)).body;
    expect(paid.state).toBe('PAID');
    expect(paid.stateLabel.zh).toBe('已完成缴费');
    expect(paid.channelTradeNo).toMatch(/^\d{28}$/);
    expect(paid.shownTimes.paidAt).toMatch(/^2026-03-15 09:\d\d:\d\d$/); // Beijing time
    expect(paid.history.map((h: { to: string }) => h.to)).toEqual(['PAYING', 'PAID']);
    expect(paid.payments).toEqual([expect.objectContaining({ outcome: 'SETTLED', amountFen: 14500 })]);
    expect(await notifications(billNo)).toEqual([{ accepted: true, outcome: 'SETTLED' }]);
    // The channel was answered "success", so it sends nothing more.
    const sent = w.sandbox.notifications(billNo);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.map((n) => [n.state, n.attempts.length])).toEqual(sent.map(() => ['DELIVERED', 1]));
    expect((await b.post(`/api/v1/bills/${billNo}/payments`, { channel: 'alipay' })).body.error.code).toBe('BILL_ALREADY_PAID');
    // The paid registrations cannot be put on another bill.
    expect((await b.post('/api/v1/bills', { registrationIds: [regs[0].registrationId] })).body.error.code).toBe('REGISTRATION_ALREADY_BILLED');
  });

  it('one candidate never reaches another\'s bill', async () => {
    const { bill } = await w.payingBill();
    const other = await w.candidate();
    const b = new Browser(w.app);
    await b.signIn(w.exam.authorityCode, other.idNumber, other.password);
    for (const [method, url, body] of [['GET', `/api/v1/bills/${bill.bill_no}`], ['POST', `/api/v1/bills/${bill.bill_no}/agreement`, { accepted: true }],
      ['POST', `/api/v1/bills/${bill.bill_no}/payments`, { channel: 'alipay' }], ['POST', `/api/v1/bills/${bill.bill_no}/status-check`],
      ['GET', `/api/v1/bills/${bill.bill_no}/qr.svg?channel=alipay`]] as const) {
      const r = await b.request(method, url, body);
      expect(r.status, url).toBe(404);
      expect(r.body.error.code).toBe('BILL_NOT_FOUND');
    }
    expect((await b.get('/api/v1/bills')).body).toEqual([]);
  });
});

describe('when the channel misbehaves (PAY-4, PAY-8)', () => {
  it('no notification: 确认缴费状态 asks the channel and settles', async () => {
    const { bill, candidate } = await w.payingBill();
    w.sandbox.setFaults(bill.bill_no, { noNotify: true });
    await w.sandbox.pay(bill.bill_no);
    await w.sandbox.deliverDueNotifications();
    expect((await w.bill(bill.bill_no)).state).toBe('PAYING');
    const b = new Browser(w.app);
    await b.signIn(w.exam.authorityCode, candidate.idNumber, candidate.password);
    const r = await b.post(`/api/v1/bills/${bill.bill_no}/status-check`);
    expect(r.body.state).toBe('PAID');
    expect(r.body.channelAnswers).toEqual([{ outTradeNo: bill.bill_no, channel: 'alipay', answer: 'PAID' }]);
    expect(await captures(bill.id)).toEqual([{ outcome: 'SETTLED', reported_by: 'query', amount_fen: bill.amount_fen }]);
  });

  it('no notification and nobody clicks: the poll job settles it on its backoff', async () => {
    const { bill } = await w.payingBill();
    w.sandbox.setFaults(bill.bill_no, { noNotify: true });
    await w.sandbox.pay(bill.bill_no);
    await w.runJobs();
    expect((await w.bill(bill.bill_no)).state).toBe('PAYING'); // first query is due 15 s after the start
    w.clock.advance(15_000);
    const ran = await w.runJobs();
    expect(ran['poll-paying-bills']!.queried).toBeGreaterThanOrEqual(1);
    expect((await w.bill(bill.bill_no)).state).toBe('PAID');
  });

  it('the channel does not answer the query: the bill stays 缴费中, and is asked again later', async () => {
    const { bill } = await w.payingBill();
    w.sandbox.setFaults(bill.bill_no, { apiDown: 'error' });
    w.clock.advance(15_000);
    await w.runJobs();
    const after = await w.bill(bill.bill_no);
    expect(after.state).toBe('PAYING');
    expect(after.query_attempts).toBe(1);
    expect(after.next_query_at!.getTime()).toBe(w.clock.now().getTime() + 30_000);
    w.sandbox.setFaults(bill.bill_no, {});
  });

  it('duplicate notifications settle once', async () => {
    const { bill } = await w.payingBill();
    w.sandbox.setFaults(bill.bill_no, { duplicateNotify: true });
    await w.sandbox.pay(bill.bill_no);
    await w.sandbox.deliverDueNotifications();
    await w.sandbox.deliverDueNotifications();
    expect((await w.bill(bill.bill_no)).state).toBe('PAID');
    expect(await captures(bill.id)).toHaveLength(1);
    expect((await notifications(bill.bill_no)).map((n) => n.outcome).sort()).toEqual(['ALREADY_RECORDED', 'SETTLED']);
  });

  it('notify before the browser returns: the return changes nothing and redirects to the bill', async () => {
    const { bill } = await w.payingBill();
    w.sandbox.setFaults(bill.bill_no, { notifyBeforeReturn: true });
    await w.sandbox.pay(bill.bill_no);
    expect((await w.bill(bill.bill_no)).state).toBe('PAID');
    const ret = await w.app.inject({ method: 'GET', url: `/pay/return/alipay?bill=${bill.bill_no}&out_trade_no=${bill.bill_no}` });
    expect(ret.statusCode).toBe(303);
    expect(ret.headers.location).toBe(`/bills/${bill.bill_no}`);
  });

  it('charged twice: one capture pays the bill, the other is refunded through Alipay by the refund job', async () => {
    const { bill } = await w.payingBill();
    w.sandbox.setFaults(bill.bill_no, { chargeTwice: true });
    const paid = await w.sandbox.pay(bill.bill_no);
    expect(paid.ok && paid.captures).toHaveLength(2);
    await w.sandbox.deliverDueNotifications();
    expect((await captures(bill.id)).map((c) => c.outcome).sort()).toEqual(['DUPLICATE', 'SETTLED']);
    const before = w.sandbox.getOrder(bill.bill_no)!;
    await w.runJobs();
    const refund = await w.db.selectFrom('refund').selectAll().where('bill_id', '=', bill.id).executeTakeFirstOrThrow();
    expect(refund).toMatchObject({ state: 'SUCCEEDED', reason: 'DUPLICATE_PAYMENT', amount_fen: bill.amount_fen });
    const after = w.sandbox.getOrder(bill.bill_no)!;
    const refundedAtChannel = (o: typeof after) => o.captures.reduce((s, cap) => s + cap.refunds.reduce((x, r) => x + r.amountFen, 0n), 0n);
    expect(refundedAtChannel(after) - refundedAtChannel(before)).toBe(bill.amount_fen);
    expect((await w.bill(bill.bill_no)).state).toBe('PAID');
    // Running the job again sends nothing twice.
    await w.runJobs();
    expect(refundedAtChannel(w.sandbox.getOrder(bill.bill_no)!)).toBe(bill.amount_fen);
  });

  it('charged but the cashier timed out and no notify came: closing at expiry finds the money and settles', async () => {
    const { bill } = await w.payingBill();
    w.sandbox.setFaults(bill.bill_no, { chargeButTimeout: true, noNotify: true });
    await w.sandbox.pay(bill.bill_no);
    w.clock.advance(31 * MINUTE);
    // The first call after the charge hangs past the adapter's timeout: no answer, nothing changes.
    await closeExpiredBillsJob.execute(w.ctx);
    expect((await w.bill(bill.bill_no)).state).toBe('PAYING');
    // Not retried at once: the bill waits its backoff, so it cannot hold up other bills.
    expect((await closeExpiredBillsJob.execute(w.ctx)).due).toBe(0);
    w.clock.advance(MINUTE);
    await closeExpiredBillsJob.execute(w.ctx);
    const after = await w.bill(bill.bill_no);
    expect(after.state).toBe('PAID');
    expect(await captures(bill.id)).toEqual([{ outcome: 'SETTLED', reported_by: 'close', amount_fen: bill.amount_fen }]);
  });

  it('unpaid past 30 minutes: closed at the channel and here; the QR stops working; subjects free again', async () => {
    const { bill, candidate } = await w.payingBill();
    w.sandbox.open(bill.bill_no);
    w.clock.advance(30 * MINUTE);
    await closeExpiredBillsJob.execute(w.ctx);
    const closed = await w.bill(bill.bill_no);
    expect(closed.state).toBe('CLOSED');
    expect(closed.closed_at).not.toBeNull();
    expect(w.sandbox.getOrder(bill.bill_no)!.state).toBe('CLOSED');
    expect((await w.sandbox.pay(bill.bill_no)).ok).toBe(false);
    const b = new Browser(w.app);
    await b.signIn(w.exam.authorityCode, candidate.idNumber, candidate.password);
    const page = (await b.get(`/api/v1/bills/${bill.bill_no}`)).body;
    expect(page.stateLabel.zh).toBe('订单已关闭');
    expect(page.explanation.zh).toContain('重新确认科目');
    expect(page.orders.every((o: { payUrl: string }) => o.payUrl === '')).toBe(true);
    expect((await b.post('/api/v1/bills', { registrationIds: candidate.registrationIds.map(String) })).status).toBe(201);
  });
});

describe('withdrawing an unpaid bill (REG-7)', () => {
  async function signedIn(c: { idNumber: string; password: string }) {
    const b = new Browser(w.app);
    await b.signIn(w.exam.authorityCode, c.idNumber, c.password);
    return b;
  }

  it('an unpaid bill is cancelled, explained as such, and its subjects go on a new bill at once', async () => {
    const c = await w.candidate();
    const b = await signedIn(c);
    const created = (await b.post('/api/v1/bills', { registrationIds: c.registrationIds.map(String) })).body;
    const r = await b.post(`/api/v1/bills/${created.billNo}/cancel`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ state: 'CLOSED', stateLabel: { zh: '订单已关闭' } });
    expect(r.body.explanation.zh).toContain('您已取消');
    expect(r.body.history).toEqual([expect.objectContaining({ from: 'UNPAID', to: 'CLOSED', cause: 'CANCELLED' })]);
    expect((await b.post('/api/v1/bills', { registrationIds: c.registrationIds.map(String) })).status).toBe(201);
    expect((await b.post(`/api/v1/bills/${created.billNo}/cancel`)).body.error.code).toBe('BILL_CLOSED');
  });

  it('a bill in 缴费中 cannot be cancelled: the payer may have paid', async () => {
    const { bill, candidate } = await w.payingBill();
    const b = await signedIn(candidate);
    const r = await b.post(`/api/v1/bills/${bill.bill_no}/cancel`);
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('BILL_PAYING_CANNOT_CANCEL');
    expect((await w.bill(bill.bill_no)).state).toBe('PAYING');
  });

  it('a payment start the channel did not answer leaves an order of unknown fate; cancelling closes it at the channel first', async () => {
    const c = await w.candidate();
    const b = await signedIn(c);
    const billNo = (await b.post('/api/v1/bills', { registrationIds: c.registrationIds.map(String) })).body.billNo;
    await b.post(`/api/v1/bills/${billNo}/agreement`, { accepted: true });
    w.sandbox.setFaults(billNo, { apiDown: 'error' });
    const failed = await b.post(`/api/v1/bills/${billNo}/payments`, { channel: 'alipay' });
    expect(failed.status).toBe(502);
    expect(failed.body.error.code).toBe('CHANNEL_UNAVAILABLE');
    expect((await w.bill(billNo)).state).toBe('UNPAID');
    const attempt = () => w.db.selectFrom('payment_attempt').select('state').where('out_trade_no', '=', billNo).executeTakeFirstOrThrow();
    expect((await attempt()).state).toBe('OPEN');
    // Still down: the order cannot be closed, so the bill is not cancelled either.
    expect((await b.post(`/api/v1/bills/${billNo}/cancel`)).body.error.code).toBe('CHANNEL_UNAVAILABLE');
    w.sandbox.setFaults(billNo, {});
    const r = await b.post(`/api/v1/bills/${billNo}/cancel`);
    expect(r.body.state).toBe('CLOSED');
    // The channel has no such trade *yet*: an Alipay QR stays payable until its time is up, so
    // the order stays open until then, and the sweep closes it after.
    expect((await attempt()).state).toBe('OPEN');
    w.clock.advance(31 * MINUTE);
    await closeExpiredBillsJob.execute(w.ctx);
    expect((await attempt()).state).toBe('CLOSED');
  });
});

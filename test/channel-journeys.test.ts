import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ledgerBalances } from '../src/modules/ledger/balances.ts';
import { MINUTE } from '../src/shared/clock.ts';
import { expectBooksBalance } from './support/books.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';

let w: PaymentWorld;
beforeAll(async () => {
  w = await startPaymentWorld();
});
afterAll(async () => w.close());
// Whatever a test did, the books agree with the channel afterwards.
afterEach(async () => expectBooksBalance(w));

/** What a browser does with a UnionPay payUrl: load our page, post its signed form to the gateway. */
async function openInBrowser(channel: string, payUrl: string): Promise<void> {
  if (channel !== 'unionpay') return; // Alipay / WeChat orders exist once created (the QR is scanned later)
  const page = await (await fetch(payUrl)).text();
  const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
  expect(action, 'the form page posts to the gateway').toBeDefined();
  const fields = new URLSearchParams();
  for (const m of page.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) fields.append(m[1]!, m[2]!.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>'));
  const posted = await fetch(action!.replaceAll('&amp;', '&'), { method: 'POST', body: fields, redirect: 'manual' });
  expect(posted.status).toBeLessThan(400);
}

async function captures(billId: bigint) {
  return w.db.selectFrom('channel_payment').select(['outcome', 'reported_by', 'channel']).where('bill_id', '=', billId).orderBy('id').execute();
}

for (const channel of ['wechatpay', 'unionpay'] as const) {
  describe(`${channel}: through ExamPay end to end`, () => {
    it('pay → the channel notifies /notify/' + channel + ' → PAID, booked, answered so it stops', async () => {
      const { bill, payUrl } = await w.payingBill(undefined, channel);
      await openInBrowser(channel, payUrl);
      expect((await w.sandbox.pay(bill.bill_no, { channel })).ok).toBe(true);
      await w.sandbox.deliverDueNotifications();
      const paid = await w.bill(bill.bill_no);
      expect(paid.state).toBe('PAID');
      expect(paid.channel).toBe(channel);
      expect(await captures(bill.id)).toEqual([{ outcome: 'SETTLED', reported_by: 'notify', channel }]);
      const log = await w.db.selectFrom('channel_notification').select(['channel', 'accepted', 'outcome']).where('bill_no', '=', bill.bill_no).execute();
      expect(log).toEqual([{ channel, accepted: true, outcome: 'SETTLED' }]);
      expect(w.sandbox.notifications(bill.bill_no).filter((n) => n.state === 'DELIVERED').length).toBeGreaterThan(0);
      expect(w.sandbox.notifications(bill.bill_no).every((n) => n.state !== 'PENDING')).toBe(true);
    });

    it('charged, the first query times out, no notify: the bill still ends PAID without anyone clicking', async () => {
      const { bill, payUrl } = await w.payingBill(undefined, channel);
      await openInBrowser(channel, payUrl);
      w.sandbox.setFaults(bill.bill_no, { chargeButTimeout: true, noNotify: true });
      await w.sandbox.pay(bill.bill_no, { channel });
      for (let i = 0; i < 6 && (await w.bill(bill.bill_no)).state !== 'PAID'; i++) {
        w.clock.advance(MINUTE);
        await w.runJobs();
      }
      expect((await w.bill(bill.bill_no)).state).toBe('PAID');
      expect((await captures(bill.id))[0]).toMatchObject({ outcome: 'SETTLED', reported_by: 'query' });
    });

    it('charged twice: one PAID bill and one automatic refund through ' + channel + '; the books balance', async () => {
      const { bill, payUrl } = await w.payingBill(undefined, channel);
      await openInBrowser(channel, payUrl);
      w.sandbox.setFaults(bill.bill_no, { chargeTwice: true });
      await w.sandbox.pay(bill.bill_no, { channel });
      await w.sandbox.deliverDueNotifications();
      await w.runJobs();
      expect((await w.bill(bill.bill_no)).state).toBe('PAID');
      expect((await captures(bill.id)).map((c) => c.outcome).sort()).toEqual(['DUPLICATE', 'SETTLED']);
      const refund = await w.db.selectFrom('refund').selectAll().where('bill_id', '=', bill.id).executeTakeFirstOrThrow();
      expect(refund.state).toBe('SUCCEEDED');
      const order = w.sandbox.getOrder(bill.bill_no, { channel })!;
      expect(order.captures.flatMap((c) => c.refunds).map((r) => r.amountFen)).toEqual([bill.amount_fen]);
      const { unbalancedEntries, total } = await ledgerBalances(w.db);
      expect(unbalancedEntries).toEqual([]);
      expect(total).toBe(0n);
    });

    it('a forged notification is rejected, logged, and changes nothing', async () => {
      const { bill } = await w.payingBill(undefined, channel);
      const body = channel === 'wechatpay'
        ? JSON.stringify({ id: 'x', event_type: 'TRANSACTION.SUCCESS', resource: { ciphertext: 'AAAA', nonce: 'n', associated_data: '' } })
        : new URLSearchParams({ orderId: bill.bill_no, respCode: '00', txnAmt: String(bill.amount_fen), merId: w.material.unionpay.merId, signature: 'Zm9yZ2Vk' }).toString();
      const res = await fetch(`${w.baseUrl}/notify/${channel}`, { method: 'POST', body, headers: { 'content-type': channel === 'wechatpay' ? 'application/json' : 'application/x-www-form-urlencoded' } });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect((await w.bill(bill.bill_no)).state).toBe('PAYING');
      const logged = await w.db.selectFrom('channel_notification').select(['accepted', 'outcome']).orderBy('id', 'desc').executeTakeFirstOrThrow();
      expect(logged.accepted).toBe(false);
    });
  });
}

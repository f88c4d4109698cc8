import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PAYEASE_PROFILE, PUBLICPAY_PROFILE } from '../src/channels/generic/generic-profile.ts';
import { createSigner, encodeBody, formatAmount, signMessage, toWire, toWireTime, type GenericKeys } from '../src/channels/generic/generic-wire.ts';
import { MINUTE } from '../src/shared/clock.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';
import { expectBooksBalance } from './support/books.ts';

/**
 * The two generic channels through ExamPay end to end (PAY-5, PAY-8, PAY-9, PAY-11): the real
 * app, the sandbox playing the public payment platform (RSA-SHA256, form, yuan) and PayEase
 * (HMAC-SHA256, JSON, fen), PostgreSQL and the jobs, on one manual clock.
 */
let w: PaymentWorld;
beforeAll(async () => {
  w = await startPaymentWorld({ channels: ['alipay', 'publicpay', 'payease'] });
});
afterAll(async () => w.close());

const PROFILES = { publicpay: PUBLICPAY_PROFILE, payease: PAYEASE_PROFILE } as const;
type Code = keyof typeof PROFILES;

async function captures(billId: bigint) {
  return w.db.selectFrom('channel_payment').select(['outcome', 'reported_by', 'channel', 'amount_fen']).where('bill_id', '=', billId).orderBy('id').execute();
}

/**
 * After every test: the shared books check (test/support/books.ts), and for these journeys also
 * nothing still owed back: every refund they cause has gone through by the end.
 */
async function checkBooks(channel: Code): Promise<void> {
  await expectBooksBalance(w);
  const inFlight = await w.db.selectFrom('refund').select('id').where('channel', '=', channel).where('state', '!=', 'SUCCEEDED').execute();
  expect(inFlight).toEqual([]);
}

for (const channel of ['publicpay', 'payease'] as const) {
  describe(`${channel}: through ExamPay end to end`, () => {
    afterEach(async () => {
      w.sandbox.clearFaults();
      await checkBooks(channel);
    });

    it(`pay at the QR cashier → the channel notifies /notify/${channel} → PAID, booked, acknowledged; the browser comes back to the bill`, async () => {
      const { bill, payUrl } = await w.payingBill(undefined, channel);
      expect(payUrl).toContain(`/${channel}/cashier/`);
      const attempt = await w.db.selectFrom('payment_attempt').select(['qr_content', 'out_trade_no']).where('bill_id', '=', bill.id).executeTakeFirstOrThrow();
      expect(attempt.qr_content).toBe(payUrl);
      const done = await (await fetch(`${payUrl}/pay`, { method: 'POST', body: new URLSearchParams({ pay_method: 'BANK_CARD_UNIONPAY' }) })).text();
      expect(done).toContain('支付成功');
      const back = /<a href="([^"]+)">返回商户/.exec(done)![1]!.replaceAll('&amp;', '&');
      const returned = await fetch(back, { redirect: 'manual' });
      expect(returned.status).toBe(303);
      expect(returned.headers.get('location')).toBe(`/bills/${bill.bill_no}`);

      await w.sandbox.deliverDueNotifications();
      const paid = await w.bill(bill.bill_no);
      expect(paid.state).toBe('PAID');
      expect(paid.channel).toBe(channel);
      expect(paid.channel_trade_no).toBe(w.sandbox.getOrder(bill.bill_no, { channel })!.captures[0]!.captureNo);
      expect(await captures(bill.id)).toEqual([{ outcome: 'SETTLED', reported_by: 'notify', channel, amount_fen: bill.amount_fen }]);
      const log = await w.db.selectFrom('channel_notification').select(['channel', 'accepted', 'outcome']).where('bill_no', '=', bill.bill_no).execute();
      expect(log).toEqual([{ channel, accepted: true, outcome: 'SETTLED' }]);
      // Our answer was the profile's acknowledgement, so the channel stopped.
      expect(w.sandbox.notifications(bill.bill_no)).toMatchObject([{ state: 'DELIVERED', attempts: [{ status: 200, responseBody: PROFILES[channel].notifyAck }] }]);
    });

    it('the same notification twice (duplicateNotify): settled once, the second recorded as already known', async () => {
      const { bill } = await w.payingBill(undefined, channel);
      w.sandbox.setFaults(bill.bill_no, { duplicateNotify: true });
      await w.sandbox.pay(bill.bill_no, { channel });
      await w.sandbox.deliverDueNotifications();
      expect((await w.bill(bill.bill_no)).state).toBe('PAID');
      expect(await captures(bill.id)).toHaveLength(1);
      const log = await w.db.selectFrom('channel_notification').select('outcome').where('bill_no', '=', bill.bill_no).orderBy('id').execute();
      expect(log.map((l) => l.outcome)).toEqual(['SETTLED', 'ALREADY_RECORDED']);
      expect(w.sandbox.notifications(bill.bill_no).every((n) => n.state === 'DELIVERED')).toBe(true);
    });

    it('charged, the first query times out, no notify: the bill still ends PAID by the poll job without anyone clicking', async () => {
      const { bill } = await w.payingBill(undefined, channel);
      w.sandbox.setFaults(bill.bill_no, { chargeButTimeout: true, noNotify: true });
      const paying = await w.sandbox.pay(bill.bill_no, { channel });
      expect(paying).toMatchObject({ ok: true, cashierError: expect.stringContaining('支付结果未知') });
      const states: string[] = [];
      for (let i = 0; i < 6 && (await w.bill(bill.bill_no)).state !== 'PAID'; i++) {
        w.clock.advance(MINUTE);
        await w.runJobs();
        states.push((await w.bill(bill.bill_no)).state);
      }
      expect(states[0]).toBe('PAYING'); // the first query hung until our timeout: nothing believed
      expect((await w.bill(bill.bill_no)).state).toBe('PAID');
      expect(await captures(bill.id)).toMatchObject([{ outcome: 'SETTLED', reported_by: 'query' }]);
      expect(w.sandbox.notifications(bill.bill_no)).toEqual([]);
    });

    it(`charged twice: one PAID bill and one automatic refund through ${channel}`, async () => {
      const { bill } = await w.payingBill(undefined, channel);
      w.sandbox.setFaults(bill.bill_no, { chargeTwice: true });
      await w.sandbox.pay(bill.bill_no, { channel });
      await w.sandbox.deliverDueNotifications();
      await w.runJobs();
      expect((await w.bill(bill.bill_no)).state).toBe('PAID');
      expect((await captures(bill.id)).map((c) => c.outcome).sort()).toEqual(['DUPLICATE', 'SETTLED']);
      const refund = await w.db.selectFrom('refund').selectAll().where('bill_id', '=', bill.id).executeTakeFirstOrThrow();
      expect(refund).toMatchObject({ state: 'SUCCEEDED', reason: 'DUPLICATE_PAYMENT', amount_fen: bill.amount_fen, channel });
      const order = w.sandbox.getOrder(bill.bill_no, { channel })!;
      expect(order.captures.map((c) => c.refunds.map((r) => r.refundNo))).toEqual([[], [refund.refund_no]]);
    });

    it('a notification after the bill was CLOSED (the channel said closed, then the bank leg landed): refunded automatically', async () => {
      const { bill } = await w.payingBill(undefined, channel);
      w.clock.advance(30 * MINUTE);
      await w.runJobs();
      expect((await w.bill(bill.bill_no)).state).toBe('CLOSED');
      expect(w.sandbox.getOrder(bill.bill_no, { channel })!.state).toBe('CLOSED');
      w.sandbox.setFaults(bill.bill_no, { captureAfterClose: true });
      expect((await w.sandbox.pay(bill.bill_no, { channel })).ok).toBe(true);
      await w.sandbox.deliverDueNotifications();
      const closed = await w.bill(bill.bill_no);
      expect(closed.state).toBe('CLOSED');
      expect(await captures(bill.id)).toMatchObject([{ outcome: 'LATE', reported_by: 'notify' }]);
      await w.runJobs();
      const refund = await w.db.selectFrom('refund').selectAll().where('bill_id', '=', bill.id).executeTakeFirstOrThrow();
      expect(refund).toMatchObject({ state: 'SUCCEEDED', reason: 'LATE_PAYMENT', amount_fen: bill.amount_fen });
      expect(w.sandbox.getOrder(bill.bill_no, { channel })!.captures[0]!.refunds).toHaveLength(1);
    });

    it('forged, tampered and wrong-merchant notifications are rejected, logged, and change nothing; the genuine one settles once', async () => {
      const { bill } = await w.payingBill(undefined, channel);
      // Real money at the channel, its notification lost: the test then plays the channel's notify.
      w.sandbox.setFaults(bill.bill_no, { noNotify: true });
      await w.sandbox.pay(bill.bill_no, { channel });
      const capture = w.sandbox.getOrder(bill.bill_no, { channel })!.captures[0]!;
      const profile = PROFILES[channel];
      const m = w.material;
      const providerKeys: GenericKeys = channel === 'publicpay'
        ? { signType: 'RSA-SHA256', privateKeyPem: m.publicpay.platform.privateKeyPem, peerPublicKeyPem: m.publicpay.merchant.publicKeyPem }
        : { signType: 'HMAC-SHA256', secret: m.payease.secret };
      const content = {
        merchantId: channel === 'publicpay' ? m.publicpay.merchantId : m.payease.merchantId,
        notifyId: `P${capture.captureNo}`, notifyType: 'PAYMENT', orderNo: bill.bill_no, tradeNo: capture.captureNo,
        amount: formatAmount(profile.amountUnit, bill.amount_fen), status: 'PAID', paidTime: toWireTime(capture.capturedAt),
      };
      const send = async (fields: Record<string, string>) => (await fetch(`${w.baseUrl}/notify/${channel}`, {
        method: 'POST', body: encodeBody(profile, fields),
        headers: { 'content-type': profile.encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded' },
      })).status;
      const provider = createSigner(providerKeys, profile.fields.sign);
      const forger = createSigner(channel === 'publicpay'
        // Signed with our own merchant key, not the platform's.
        ? { signType: 'RSA-SHA256', privateKeyPem: m.publicpay.merchant.privateKeyPem, peerPublicKeyPem: m.publicpay.merchant.publicKeyPem }
        : { signType: 'HMAC-SHA256', secret: 'guessed-secret-guessed-secret' }, profile.fields.sign);
      const sign = (signer: typeof provider, c: typeof content) => signMessage(profile, signer, toWire(profile, c), w.clock.now());
      const genuine = sign(provider, content);

      expect(await send(sign(forger, content))).toBe(400);
      expect(await send({ ...genuine, [profile.fields.amount]: formatAmount(profile.amountUnit, 1n) })).toBe(400);
      expect(await send(sign(provider, { ...content, merchantId: 'OTHER00001' }))).toBe(400);
      // Genuinely signed, but not the bill's amount: the settlement refuses it.
      expect(await send(sign(provider, { ...content, amount: formatAmount(profile.amountUnit, 100n) }))).toBe(400);
      expect((await w.bill(bill.bill_no)).state).toBe('PAYING');
      expect(await captures(bill.id)).toEqual([]);
      const logged = await w.db.selectFrom('channel_notification').select(['accepted', 'outcome']).where('channel', '=', channel).orderBy('id', 'desc').limit(4).execute();
      expect(logged.map((l) => l.outcome).reverse()).toEqual(['BAD_SIGNATURE', 'BAD_SIGNATURE', 'WRONG_MERCHANT', 'AMOUNT_MISMATCH']);
      expect(logged.every((l) => !l.accepted)).toBe(true);

      // The genuine one settles; replaying it changes nothing.
      expect(await send(genuine)).toBe(200);
      expect(await send(genuine)).toBe(200);
      expect((await w.bill(bill.bill_no)).state).toBe('PAID');
      expect(await captures(bill.id)).toMatchObject([{ outcome: 'SETTLED', reported_by: 'notify' }]);
      const last = await w.db.selectFrom('channel_notification').select('outcome').where('bill_no', '=', bill.bill_no).orderBy('id', 'desc').limit(2).execute();
      expect(last.map((l) => l.outcome)).toEqual(['ALREADY_RECORDED', 'SETTLED']);
    });
  });
}

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateRsaKeyPair, privateKeyObject } from '../src/channels/alipay/rsa-keys.ts';
import { signNotifyParams } from '../src/sandbox/alipay/alipay-sign.ts';
import { fenToYuan } from '../src/shared/money.ts';
import { formatShanghai } from '../src/shared/time.ts';
import type { Bill } from '../src/db/schema.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';

let w: PaymentWorld;
beforeAll(async () => {
  w = await startPaymentWorld();
});
afterAll(async () => w.close());

/** A trade notify exactly as Alipay would send it for this bill, signed with `key`. */
function notifyFor(bill: Bill, over: Record<string, string> = {}, key = w.sb.alipayKeys.privateKeyPem): Record<string, string> {
  const m = w.sb.merchants[0]!;
  const now = formatShanghai(w.clock.now());
  return signNotifyParams({
    notify_time: now, notify_type: 'trade_status_sync', notify_id: `N${bill.bill_no}`, app_id: m.appId, auth_app_id: m.appId,
    charset: 'utf-8', version: '1.0', trade_no: `2026031522001${bill.bill_no.slice(-15)}`, out_trade_no: bill.bill_no,
    buyer_id: '2088102534368455', buyer_logon_id: 'ksh***@163.com', seller_id: m.sellerId, seller_email: 'exampay@example.cn',
    trade_status: 'TRADE_SUCCESS', total_amount: fenToYuan(bill.amount_fen), receipt_amount: fenToYuan(bill.amount_fen),
    buyer_pay_amount: fenToYuan(bill.amount_fen), subject: '网络教育统考 2026年3月', gmt_create: now, gmt_payment: now,
    fund_bill_list: JSON.stringify([{ amount: fenToYuan(bill.amount_fen), fundChannel: 'BANKCARD' }]),
    ...over,
  }, privateKeyObject(key));
}

async function post(form: Record<string, string> | string) {
  const payload = typeof form === 'string' ? form : new URLSearchParams(form).toString();
  const res = await fetch(`${w.baseUrl}/notify/alipay`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: payload });
  return { status: res.status, body: await res.text() };
}

async function state(bill: Bill) {
  const [b, payments, log] = await Promise.all([
    w.bill(bill.bill_no),
    w.db.selectFrom('channel_payment').select('id').where('bill_id', '=', bill.id).execute(),
    w.db.selectFrom('channel_notification').select(['accepted', 'outcome']).where('bill_no', '=', bill.bill_no).orderBy('id', 'desc').executeTakeFirst(),
  ]);
  return { state: b.state, payments: payments.length, lastLog: log };
}

describe('notifications that must change nothing (PAY-9)', () => {
  const forgeries: [string, (bill: Bill) => Record<string, string> | string, string][] = [
    ['signed with a key that is not Alipay\'s', (b) => notifyFor(b, {}, generateRsaKeyPair().privateKeyPem), 'BAD_SIGNATURE'],
    ['amount raised after signing', (b) => ({ ...notifyFor(b), total_amount: fenToYuan(b.amount_fen + 100n) }), 'BAD_SIGNATURE'],
    ['amount lowered after signing', (b) => ({ ...notifyFor(b), total_amount: '0.01' }), 'BAD_SIGNATURE'],
    ['bill number swapped after signing', (b) => ({ ...notifyFor(b), out_trade_no: b.bill_no.replace(/.$/, (d) => String((Number(d) + 1) % 10)) }), 'BAD_SIGNATURE'],
    ['status changed after signing', (b) => ({ ...notifyFor(b, { trade_status: 'WAIT_BUYER_PAY' }), trade_status: 'TRADE_SUCCESS' }), 'BAD_SIGNATURE'],
    ['merchant (seller) id changed after signing', (b) => ({ ...notifyFor(b), seller_id: '2088999999999999' }), 'BAD_SIGNATURE'],
    ['validly signed but for another app id', (b) => notifyFor(b, { app_id: '2021009999999999', auth_app_id: '2021009999999999' }), 'WRONG_MERCHANT'],
    ['validly signed but for another seller', (b) => notifyFor(b, { seller_id: '2088999999999999' }), 'WRONG_MERCHANT'],
    ['validly signed but the amount is not the bill\'s', (b) => notifyFor(b, { total_amount: '0.01', receipt_amount: '0.01', buyer_pay_amount: '0.01' }), 'AMOUNT_MISMATCH'],
    ['validly signed for an order we never made', (b) => notifyFor(b, { out_trade_no: '202603159999999999990' }), 'UNKNOWN_ORDER'],
    ['without a signature', (b) => { const { sign: _s, ...rest } = notifyFor(b); return rest; }, 'BAD_SIGNATURE'],
    ['signed with the legacy RSA (SHA1) type', (b) => ({ ...notifyFor(b), sign_type: 'RSA' }), 'BAD_SIGNATURE'],
    ['JSON instead of a form (no signature in it)', () => '{"trade_status":"TRADE_SUCCESS"}', 'BAD_SIGNATURE'],
    ['a field sent twice (signature and settlement could read different values)', (b) => `${new URLSearchParams(notifyFor(b))}&total_amount=0.01`, 'MALFORMED'],
  ];

  for (const [name, forge, outcome] of forgeries) {
    it(`${name} → rejected as ${outcome}, logged, bill unchanged`, async () => {
      const { bill } = await w.payingBill();
      const res = await post(forge(bill));
      expect(res.body).not.toBe('success'); // so a real channel would retry, and a forger learns nothing
      const s = await state(bill);
      expect(s.state).toBe('PAYING');
      expect(s.payments).toBe(0);
      const logged = await w.db.selectFrom('channel_notification').select(['accepted', 'outcome']).orderBy('id', 'desc').executeTakeFirstOrThrow();
      expect(logged).toEqual({ accepted: false, outcome });
    });
  }

  it('a genuine notification is accepted once; replaying it changes nothing', async () => {
    const { bill } = await w.payingBill();
    // The money really was taken at the channel, so reconciliation would agree.
    await w.sandbox.pay(bill.bill_no);
    const order = w.sandbox.getOrder(bill.bill_no)!;
    const genuine = notifyFor(bill, { trade_no: order.captures[0]!.captureNo });
    expect(await post(genuine)).toEqual({ status: 200, body: 'success' });
    const first = await state(bill);
    expect(first).toMatchObject({ state: 'PAID', payments: 1, lastLog: { accepted: true, outcome: 'SETTLED' } });
    const paidAt = (await w.bill(bill.bill_no)).paid_at;
    for (let i = 0; i < 3; i++) expect(await post(genuine)).toEqual({ status: 200, body: 'success' });
    const after = await state(bill);
    expect(after).toMatchObject({ state: 'PAID', payments: 1, lastLog: { accepted: true, outcome: 'ALREADY_RECORDED' } });
    expect((await w.bill(bill.bill_no)).paid_at).toEqual(paidAt);
    const transitions = await w.db.selectFrom('bill_transition').select('to_state').where('bill_id', '=', bill.id).execute();
    expect(transitions.map((t) => t.to_state)).toEqual(['PAYING', 'PAID']);
  });

  it('a notification for an unknown channel is a coded 404', async () => {
    const res = await fetch(`${w.baseUrl}/notify/nosuchpay`, { method: 'POST', body: 'a=b', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('NOT_FOUND');
  });
});

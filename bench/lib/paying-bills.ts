import { createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { signNotifyParams } from '../../src/sandbox/alipay/alipay-sign.ts';
import { isValidBillNo } from '../../src/shared/bill-number.ts';
import { formatShanghai } from '../../src/shared/time.ts';
import type { BenchWorld } from './seed.ts';

export interface PayingBills {
  /** Candidate indexes [from, to) of the world, one bill each, in order. */
  from: number;
  to: number;
  billNos: string[];
  /** First ids; the rows were written in candidate order by single statements, so ids are consecutive. */
  billBase: bigint;
  attemptBase: bigint;
  registrationBase: bigint;
}

/**
 * Bills in 缴费中 with one open Alipay order each, written in bulk as confirmBill + startPayment
 * leave them (registration with a held seat, bill PAYING, bill item, OPEN payment_attempt whose
 * out_trade_no is the bill number). next_query_at is an hour ahead so the poll job stays out of
 * the settlement measurement. `billNo` names each bill: the HTTP runs need real bill numbers
 * (the notify path checks them), the pgbench script derives its own from the index.
 */
export async function preparePayingBills(url: string, world: BenchWorld, from: number, to: number, billNo: (i: number) => string = benchBillNo): Promise<PayingBills> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const cids = world.candidates.slice(from, to).map((x) => String(x.id));
    const pools = world.spread;
    const seatsUsed = new Map<number, number>();
    const site: string[] = [], slot: string[] = [], pool: string[] = [], seatNo: number[] = [];
    for (let i = 0; i < cids.length; i++) {
      const p = (from + i) % pools.length;
      const next = (seatsUsed.get(p) ?? 0) + 1;
      seatsUsed.set(p, next);
      site.push(String(pools[p]!.siteId)); slot.push(String(pools[p]!.slotId)); pool.push(String(pools[p]!.poolId)); seatNo.push(next);
    }
    const now = new Date();
    await c.query('BEGIN');
    const reg = await c.query<{ id: string }>(`INSERT INTO registration (candidate_id, sitting_id, subject_id, site_id, slot_id, created_at)
      SELECT cid, $2, $3, site, slot, $4 FROM unnest($1::bigint[], $5::bigint[], $6::bigint[]) WITH ORDINALITY AS u(cid, site, slot, o) ORDER BY o RETURNING id`,
    [cids, world.sittingId, world.subjectId, now, site, slot]);
    const regIds = reg.rows.map((r) => r.id);
    // Seats taken from the top of each pool, so holds made through HTTP later start at seat 1.
    const held = await c.query(`UPDATE seat s SET state = 'HELD', registration_id = u.rid, held_at = $4
      FROM unnest($1::bigint[], $2::bigint[], $3::int[]) AS u(rid, pool, n)
      WHERE s.pool_id = u.pool AND s.seat_no = (SELECT capacity FROM seat_pool WHERE id = u.pool) + 1 - u.n AND s.state = 'FREE'`, [regIds, pool, seatNo, now]);
    if (held.rowCount !== regIds.length) throw new Error(`prepared ${regIds.length} registrations but held ${held.rowCount} seats`);
    const nos = cids.map((_, i) => billNo(from + i));
    const bill = await c.query<{ id: string }>(`INSERT INTO bill (bill_no, candidate_id, sitting_id, amount_fen, state, channel, agreement_accepted_at, expires_at, paying_since, next_query_at, created_at, updated_at)
      SELECT no, cid, $3, 8000, 'PAYING', 'alipay', $4, $4::timestamptz + interval '30 minutes', $4, $4::timestamptz + interval '1 hour', $4, $4
        FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS u(no, cid, o) ORDER BY o RETURNING id`, [nos, cids, world.sittingId, now]);
    const billIds = bill.rows.map((r) => r.id);
    await c.query(`INSERT INTO bill_item (bill_id, registration_id, subject_id, amount_fen)
      SELECT b, r, $3, 8000 FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS u(b, r, o) ORDER BY o`, [billIds, regIds, world.subjectId]);
    const att = await c.query<{ id: string }>(`INSERT INTO payment_attempt (bill_id, seq, out_trade_no, channel, pay_url, qr_content, created_at)
      SELECT b, 1, no, 'alipay', 'https://bench.invalid/cashier', 'https://bench.invalid/cashier', $3 FROM unnest($1::bigint[], $2::text[]) WITH ORDINALITY AS u(b, no, o) ORDER BY o RETURNING id`, [billIds, nos, now]);
    await c.query('COMMIT');
    const consecutive = (ids: string[]) => ids.every((id, i) => BigInt(id) === BigInt(ids[0]!) + BigInt(i));
    if (![regIds, billIds, att.rows.map((r) => r.id)].every(consecutive)) throw new Error('prepared rows did not get consecutive ids');
    return { from, to, billNos: nos, billBase: BigInt(billIds[0]!), attemptBase: BigInt(att.rows[0]!.id), registrationBase: BigInt(regIds[0]!) };
  } finally {
    await c.end();
  }
}

/** A valid bill number (date, 12 digits, Luhn check digit) fixed for index i: the same bills in every run, so notifications are signed once. */
export function benchBillNo(i: number): string {
  const body = `20260101${String(i).padStart(12, '0')}`;
  for (let d = 0; d < 10; d++) if (isValidBillNo(body + d)) return body + d;
  throw new Error('no check digit');
}

/** The sandbox's Alipay identity as `npm start` minted it into DATA_DIR. */
export function sandboxAlipay(dataDir: string) {
  const m = JSON.parse(fs.readFileSync(path.join(dataDir, 'sandbox-channels.json'), 'utf8')) as { alipay: { appId: string; sellerId: string; channel: { privateKeyPem: string } } };
  return { appId: m.alipay.appId, sellerId: m.alipay.sellerId, key: createPrivateKey(m.alipay.channel.privateKeyPem) };
}

/**
 * An Alipay TRADE_SUCCESS notification for one bill, signed with the sandbox's channel key the
 * way alipay-notify.builder.ts signs it: what the channel would POST to /notify/alipay.
 */
export function signedAlipayNotification(alipay: ReturnType<typeof sandboxAlipay>, billNo: string, tradeNo: string, seq: number, now: Date): string {
  const amount = '80.00';
  const fields: Record<string, string> = {
    notify_type: 'trade_status_sync', notify_id: `bench${String(seq).padStart(20, '0')}`, notify_time: formatShanghai(now),
    app_id: alipay.appId, auth_app_id: alipay.appId, charset: 'utf-8', version: '1.0',
    out_trade_no: billNo, seller_id: alipay.sellerId, subject: '基准测试', total_amount: amount, gmt_create: formatShanghai(now),
    trade_no: tradeNo, buyer_id: '2088102177846880', buyer_logon_id: 'ben***@example.com', receipt_amount: amount, invoice_amount: amount, buyer_pay_amount: amount,
    point_amount: '0.00', gmt_payment: formatShanghai(now), fund_bill_list: JSON.stringify([{ amount, fundChannel: 'ALIPAYACCOUNT' }]), trade_status: 'TRADE_SUCCESS',
  };
  return new URLSearchParams(signNotifyParams(fields, alipay.key)).toString();
}

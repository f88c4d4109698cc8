/**
 * Settlement through PgBouncer in transaction mode with two server processes (issue 9 item 2,
 * OPS-4): the real `WORKERS=2 npm start`, its pool, its pg-boss jobs and its Kysely queries all
 * going through a real pgbouncer (DATABASE_POOL_MODE=transaction), migrations over the direct
 * connection (MIGRATION_DATABASE_URL). Candidates pay over HTTP at the sandbox the primary runs;
 * the channel's notification, the poll job and three 确认缴费状态 clicks per bill, spread over
 * both workers, race to settle each payment. Each must be settled exactly once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerBalances } from '../src/modules/ledger/balances.ts';
import { startCluster, type ClusterProcess } from './support/cluster-process.ts';
import { makeCandidate, makeExam, type CandidateFixture, type ExamFixture } from './support/fixtures.ts';
import { startPgBouncer, type PgBouncer } from './support/pgbouncer.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';
import { recordSecret } from './support/test-log.ts';

let t: TestDatabase;
let bouncer: PgBouncer;
let cluster: ClusterProcess;
let exam: ExamFixture;

beforeAll(async () => {
  t = await createTestDatabase();
  bouncer = await startPgBouncer(t.url);
  cluster = await startCluster({
    databaseUrl: bouncer.urlFor(t.url), workers: 2,
    env: { DATABASE_POOL_MODE: 'transaction', MIGRATION_DATABASE_URL: t.url, DATABASE_POOL_SIZE: '10' },
  });
  exam = await makeExam(t.db, { fees: [8000n, 6500n], channels: ['alipay'] });
}, 180_000);
afterAll(async () => {
  await cluster?.stop();
  await bouncer?.stop();
  await t?.drop();
});

/** One browser over real HTTP: a cookie jar and the CSRF header. */
class WebClient {
  private readonly cookies = new Map<string, string>();
  private readonly base: string;
  constructor(base: string) {
    this.base = base;
  }
  async call(method: 'GET' | 'POST', url: string, body?: unknown): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const res = await fetch(`${this.base}${url}`, {
      method,
      headers: {
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...(method === 'POST' ? { 'x-exampay-request': '1' } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i);
      const value = pair!.slice(i + 1);
      if (name === 'exampay_sid' && value) recordSecret('session id', value);
      if (value) this.cookies.set(name, value);
      else this.cookies.delete(name);
    }
    const text = await res.text();
    let parsed: unknown = text;
    try { parsed = JSON.parse(text); } catch { /* an HTML page */ }
    return { status: res.status, body: parsed };
  }
}

/** Sign in, confirm every registration into a bill, accept the agreement, send it to Alipay. */
async function payingBill(c: CandidateFixture): Promise<{ web: WebClient; billNo: string; payUrl: string }> {
  const web = new WebClient(cluster.baseUrl);
  const captcha = await web.call('POST', '/api/v1/captchas', {});
  expect(captcha.status).toBe(201);
  const signIn = await web.call('POST', '/api/v1/session', { authority: exam.authorityCode, idNumber: c.idNumber, password: c.password, captchaId: captcha.body.captchaId, captchaAnswer: captcha.body.testAnswer });
  expect(signIn.status, JSON.stringify(signIn.body)).toBe(200);
  const bill = await web.call('POST', '/api/v1/bills', { registrationIds: c.registrationIds.map(String) });
  expect(bill.status, JSON.stringify(bill.body)).toBe(201);
  const billNo: string = bill.body.billNo;
  expect((await web.call('POST', `/api/v1/bills/${billNo}/agreement`, { accepted: true })).status).toBe(200);
  const pay = await web.call('POST', `/api/v1/bills/${billNo}/payments`, { channel: 'alipay' });
  expect(pay.status, JSON.stringify(pay.body)).toBe(200);
  return { web, billNo, payUrl: pay.body.payUrl };
}

describe('settlement through PgBouncer (transaction mode) with two server processes', () => {
  it('notify, the poll job and the candidates\' status checks race on both workers: every payment settles exactly once', async () => {
    const people = await Promise.all(Array.from({ length: 8 }, () => makeCandidate(t.db, exam)));
    const bills = await Promise.all(people.map(payingBill));
    const before = await bouncer.show('STATS');

    // Each payer pays at the sandbox cashier; at once, each candidate presses 确认缴费状态
    // three times (the requests land on both workers) while notifications and the poll job run.
    await Promise.all(bills.map(async (b) => {
      expect((await fetch(b.payUrl)).status).toBe(200);
      const paid = await fetch(`${b.payUrl}/pay`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
      expect(await paid.text()).toContain('支付成功');
      const checks = await Promise.all([1, 2, 3].map(() => b.web.call('POST', `/api/v1/bills/${b.billNo}/status-check`)));
      for (const r of checks) expect(r.status, JSON.stringify(r.body)).toBe(200);
    }));

    const billNos = bills.map((b) => b.billNo);
    const deadline = Date.now() + 60_000;
    for (;;) {
      const states = await t.db.selectFrom('bill').select('state').where('bill_no', 'in', billNos).execute();
      if (states.every((s) => s.state === 'PAID')) break;
      if (Date.now() > deadline) throw new Error(`bills not all PAID after 60 s: ${JSON.stringify(states)}\n${cluster.output().slice(-3000)}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    // Let the late reports (notify retries, the next poll) arrive too: they must change nothing.
    await new Promise((r) => setTimeout(r, 3_000));

    const rows = await t.db.selectFrom('bill').select(['id', 'bill_no', 'state', 'amount_fen']).where('bill_no', 'in', billNos).execute();
    const ids = rows.map((r) => r.id);
    const payments = await t.db.selectFrom('channel_payment').select(['bill_id', 'outcome', 'amount_fen', 'reported_by']).where('bill_id', 'in', ids).execute();
    const paidTransitions = await t.db.selectFrom('bill_transition').select('bill_id').where('bill_id', 'in', ids).where('to_state', '=', 'PAID').execute();
    const refunds = await t.db.selectFrom('refund').select('id').where('bill_id', 'in', ids).execute();
    expect(rows.every((r) => r.state === 'PAID')).toBe(true);
    expect(payments).toHaveLength(8);
    for (const r of rows) {
      const mine = payments.filter((p) => p.bill_id === r.id);
      expect(mine.map((p) => [p.outcome, p.amount_fen])).toEqual([['SETTLED', r.amount_fen]]);
    }
    expect(paidTransitions).toHaveLength(8);
    expect(refunds).toHaveLength(0);
    // Every report after the first found the payment recorded.
    const log = await t.db.selectFrom('channel_notification').select(['bill_no', 'outcome']).where('bill_no', 'in', billNos).execute();
    expect(log.every((l) => l.outcome === 'SETTLED' || l.outcome === 'ALREADY_RECORDED')).toBe(true);
    expect(log.filter((l) => l.outcome === 'SETTLED').length).toBeLessThanOrEqual(8);
    // The books balance: the clearing account holds exactly the money of the paid bills.
    const { accounts, unbalancedEntries, total } = await ledgerBalances(t.db);
    expect(unbalancedEntries).toEqual([]);
    expect(total).toBe(0n);
    expect(accounts.get('clearing:alipay')).toBe(rows.reduce((s, r) => s + r.amount_fen, 0n));

    // And it all went through the pooler: transactions counted by PgBouncer for this database,
    // including pg-boss's (its tables are only ever written by the workers).
    const dbName = new URL(t.url).pathname.slice(1);
    const xacts = (rows: Record<string, string>[]) => Number(rows.find((r) => r.database === dbName)?.total_xact_count ?? 0);
    const after = await bouncer.show('STATS');
    expect(xacts(after) - xacts(before)).toBeGreaterThan(50);
    const jobsRun = await t.pool.query<{ n: string }>(`SELECT count(*) AS n FROM pgboss.job WHERE state = 'completed'`);
    expect(Number(jobsRun.rows[0]!.n)).toBeGreaterThan(0);
  });
});

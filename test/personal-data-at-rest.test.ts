import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DbOrTrx } from '../src/db/database.ts';
import { seedConfigurations } from '../src/demo/seed-configurations.ts';
import { seedDemo, type DemoAccount } from '../src/demo/seed-demo.ts';
import { personalDataKeyProblems } from '../src/modules/accounts/personal-data-keys.ts';
import { fileCet6Review } from '../src/modules/registration/eligibility-review.ts';
import { isValidResidentIdChecksum } from '../src/shared/resident-id.ts';
import { fixtureSecrets } from './support/log-audit.ts';
import { Browser } from './support/http.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';

/**
 * OPS-6 must-show: the database holds no plaintext ID number or phone. Every text, bytea, json
 * and array column of every table in every schema (found through information_schema, so a new
 * table or column is read without anyone adding it here) is read raw after the demo, the five
 * seed systems, sign-ins, a CET6 review and a payment journey have written to the database.
 */
let w: PaymentWorld;
let demo: DemoAccount[] | undefined;
const known = new Map<string, string>();

beforeAll(async () => {
  w = await startPaymentWorld({ seedFirst: async (ctx) => { demo = await seedDemo(ctx, ctx.clock.now()); } });
  await seedConfigurations(w.ctx, w.clock.now());
  for (const s of fixtureSecrets()) if (s.kind !== 'password') known.set(s.value.toUpperCase(), s.kind);
});
afterAll(async () => w?.close());

interface Hit { table: string; column: string; what: string }
class Rollback {
  readonly hits: Hit[];
  constructor(hits: Hit[]) {
    this.hits = hits;
  }
}

/** Every place a known plaintext (or any valid 居民身份证 number) sits in the raw tables. */
async function scanRawTables(db: DbOrTrx, plaintexts: Map<string, string>): Promise<{ columns: number; tables: Set<string>; hits: Hit[] }> {
  const { rows: columns } = await sql<{ table_schema: string; table_name: string; column_name: string }>`
    SELECT c.table_schema, c.table_name, c.column_name FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE'
    WHERE c.table_schema NOT IN ('pg_catalog', 'information_schema')
      AND (c.data_type IN ('text', 'character varying', 'character', 'bytea', 'json', 'jsonb', 'ARRAY', 'USER-DEFINED'))
    ORDER BY 1, 2, 3`.execute(db);
  const needles = [...plaintexts].flatMap(([value, kind]) => [value, value.toLowerCase()].map((v) => ({ v, b: Buffer.from(v), kind })));
  const hits: Hit[] = [];
  for (const { table_schema, table_name, column_name } of columns) {
    const { rows } = await sql<{ v: unknown }>`SELECT ${sql.ref(column_name)} AS v FROM ${sql.table(`${table_schema}.${table_name}`)} WHERE ${sql.ref(column_name)} IS NOT NULL`.execute(db);
    for (const { v } of rows) {
      const bytes = Buffer.isBuffer(v) ? v : Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));
      const text = bytes.toString('latin1');
      for (const n of needles) if (bytes.includes(n.b)) hits.push({ table: table_name, column: column_name, what: `a known ${n.kind}` });
      for (const m of text.matchAll(/(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])/g)) {
        if (isValidResidentIdChecksum(m[0].toUpperCase())) hits.push({ table: table_name, column: column_name, what: 'a 居民身份证 number' });
      }
    }
  }
  return { columns: columns.length, tables: new Set(columns.map((c) => c.table_name)), hits };
}

describe('no plaintext ID number or phone in the database (OPS-6)', () => {
  it('after the demo, the five seed systems, sign-ins, a CET6 review and a paid bill, no raw column holds one', async () => {
    expect(demo).toHaveLength(3);
    // A payment journey over HTTP, by a fixture candidate with a phone, through the Alipay sandbox.
    const c = await w.candidate();
    known.set(c.idNumber, 'ID number');
    known.set(c.phone, 'phone');
    const b = new Browser(w.app);
    expect((await b.signIn(w.exam.authorityCode, c.idNumber.toLowerCase(), c.password)).status).toBe(200);
    const bill = await b.post('/api/v1/bills', { registrationIds: c.registrationIds.map(String) });
    await b.post(`/api/v1/bills/${bill.body.billNo}/agreement`, { accepted: true });
    expect((await b.post(`/api/v1/bills/${bill.body.billNo}/payments`, { channel: 'alipay' })).status).toBe(200);
    expect((await w.sandbox.pay(bill.body.billNo)).ok).toBe(true);
    await w.sandbox.deliverDueNotifications();
    expect((await b.get(`/api/v1/bills/${bill.body.billNo}`)).body.state).toBe('PAID');
    await w.runJobs();

    // Sign-ins of a demo and a seed account (sessions), and a CET6 review matched by ID number.
    for (const [authority, account] of [['DEMO', demo![0]!], ['CET002', { idNumber: '320102200505088861', password: '088861' }]] as const) {
      expect((await new Browser(w.app).signIn(authority, account.idNumber, account.password)).status).toBe(200);
    }
    const cet = await w.db.selectFrom('candidate as c').innerJoin('authority as a', 'a.id', 'c.authority_id').innerJoin('sitting as s', 's.exam_id', 'c.exam_id')
      .select(['c.id', 's.id as sittingId']).where('a.code', '=', 'CET002').where('c.name', '=', '王思雨').executeTakeFirstOrThrow();
    expect(await fileCet6Review(w.ctx, { candidateId: cet.id, sittingId: cet.sittingId, ticketNo: '320010251102317' })).toMatchObject({ ok: true, value: { status: 'APPROVED' } });

    const counts = await w.db.selectFrom('candidate').select((eb) => [eb.fn.countAll<string>().as('all'), eb.fn.count<string>('phone_sealed').as('phones')]).executeTakeFirstOrThrow();
    expect(Number(counts.all)).toBeGreaterThanOrEqual(3 + 19 + 1);
    expect(Number(counts.phones)).toBeGreaterThanOrEqual(3 + 3 + 1);
    expect(known.size).toBeGreaterThan(30);

    const scan = await scanRawTables(w.db, known);
    for (const table of ['candidate', 'cet4_score', 'candidate_session', 'bill', 'bill_transition', 'channel_notification', 'eligibility_review']) expect(scan.tables).toContain(table);
    expect(scan.columns).toBeGreaterThan(40);
    expect(scan.hits).toEqual([]);
    // And what is there opens with the keys, and its lookup hashes are theirs.
    expect(await personalDataKeyProblems(w.ctx)).toEqual([]);
  });

  it('the scan does find plaintext where it would be: a text column, a bytea column, a json column', async () => {
    const planted = '110105199003071239';
    const outcome = await w.db.transaction().execute(async (trx) => {
      const c = await trx.selectFrom('candidate').select(['id', 'authority_id']).limit(1).executeTakeFirstOrThrow();
      await trx.updateTable('candidate').set({ name: `x ${planted}` }).where('id', '=', c.id).execute();
      await trx.insertInto('cet4_score').values({
        authority_id: c.authority_id, ticket_no: '999999999999999', name: 'p', score: 500,
        id_number_sealed: Buffer.concat([Buffer.alloc(16), Buffer.from('13800000000-plain')]), id_number_hash: Buffer.alloc(32),
      }).execute();
      await sql`INSERT INTO bill_transition (bill_id, from_state, to_state, cause, actor, at, detail)
        SELECT id, 'UNPAID', 'PAYING', 'probe', 'test', now(), ${JSON.stringify({ note: 'E98765432' })}::jsonb FROM bill LIMIT 1`.execute(trx);
      const scan = await scanRawTables(trx, new Map([...known, ['13800000000', 'phone'], ['E98765432', 'ID number']]));
      throw new Rollback(scan.hits); // nothing planted stays
    }).catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(Rollback);
    expect((outcome as Rollback).hits).toEqual(expect.arrayContaining([
      { table: 'candidate', column: 'name', what: 'a 居民身份证 number' },
      { table: 'cet4_score', column: 'id_number_sealed', what: 'a known phone' },
      { table: 'bill_transition', column: 'detail', what: 'a known ID number' },
    ]));
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { developmentPersonalDataKeys } from '../src/shared/development-keys.ts';
import { startAppProcess } from './lib/app-process.ts';
import { startBenchDatabase } from './lib/postgres.ts';
import { resetBenchWorld, seedBenchWorld } from './lib/seed.ts';

/**
 * `npx tsx bench/capture-sql.ts`: the SQL ExamPay sends for one hold, one bill, the payment's start and the
 * settlement of its notification, from PostgreSQL's own log (log_statement = all), written to
 * /tmp/captured.log with `==== STEP` marks. bench/sql/*.sql were copied from it: after a change to
 * those paths, capture again and compare. (The job runner's pg-boss queries are in the log too.)
 */

const db = await startBenchDatabase();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'exampay-bench-data-'));
const keys = developmentPersonalDataKeys(dataDir).keys;
const world = await seedBenchWorld(db.url, keys, { now: new Date(), sites: 2, slots: 2, spreadSeats: 10, hotSeats: 10, raceSeats: 5, candidates: 5 });
await resetBenchWorld(db.url, world);
const app = await startAppProcess({ databaseUrl: db.url, dataDir, poolSize: 4 });
const admin = new pg.Client({ connectionString: db.url });
await admin.connect();
const h = (cookie: string) => ({ 'content-type': 'application/json', 'x-exampay-request': '1', cookie: `exampay_sid=${cookie}` });
const c = world.candidates[0]!;
const p = world.spread[0]!;
await admin.query(`ALTER SYSTEM SET log_statement = 'all'`); await admin.query('SELECT pg_reload_conf()');
await new Promise((r) => setTimeout(r, 500));
db.log.capture = true;
const r1 = await fetch(`${app.baseUrl}/api/v1/registrations`, { method: 'POST', headers: h(c.cookie), body: JSON.stringify({ subjectId: String(world.subjectId), siteId: String(p.siteId), slotId: String(p.slotId) }) });
const j1 = await r1.json() as { registrationId: string };
console.log(r1.status, j1);
db.log.lines.push('==== BILL');
const r2 = await fetch(`${app.baseUrl}/api/v1/bills`, { method: 'POST', headers: h(c.cookie), body: JSON.stringify({ registrationIds: [j1.registrationId] }) });
const billBody = await r2.json() as { billNo: string };
console.log(r2.status, billBody.billNo);
db.log.lines.push('==== AGREE+PAY');
const r3 = await fetch(`${app.baseUrl}/api/v1/bills/${billBody.billNo}/agreement`, { method: 'POST', headers: h(c.cookie), body: JSON.stringify({ accepted: true }) });
const r4 = await fetch(`${app.baseUrl}/api/v1/bills/${billBody.billNo}/payments`, { method: 'POST', headers: h(c.cookie), body: JSON.stringify({ channel: 'alipay' }) });
const pay = await r4.json() as { payUrl: string };
console.log(r3.status, r4.status, pay.payUrl);
const cashier = new URL(pay.payUrl);
cashier.host = new URL(app.baseUrl).host;
await fetch(cashier).then((r) => r.text());
db.log.lines.push('==== CASHIER PAY');
const r5 = await fetch(`${cashier.toString()}/pay`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'pay_method=balance' });
console.log('cashier', r5.status);
for (let i = 0; i < 40; i++) {
  const s = await admin.query<{ state: string }>('SELECT state FROM bill WHERE bill_no = $1', [billBody.billNo]);
  if (s.rows[0]?.state === 'PAID') { console.log('PAID after', i * 100, 'ms'); break; }
  await new Promise((r) => setTimeout(r, 100));
}
await new Promise((r) => setTimeout(r, 300));
db.log.capture = false;

fs.writeFileSync('/tmp/captured.log', db.log.lines.join('\n'));
await admin.query(`ALTER SYSTEM RESET log_statement`); await admin.query('SELECT pg_reload_conf()');
await admin.end();
await app.stop();
await db.stop();
fs.rmSync(dataDir, { recursive: true, force: true });
console.log(`captured ${db.log.lines.length} log lines in /tmp/captured.log`);

/**
 * The waiting room for the opening minute (issue 9 item 3, OPS-1): the real app, real sessions,
 * a real PostgreSQL. Guarded requests are held inside the database by a lock on the bill table
 * (what a slow commit at the rush looks like), so "in flight" is real, and pg_stat_activity
 * says what reached the database.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createDb } from '../src/db/database.ts';
import { createSession } from '../src/modules/accounts/sessions.ts';
import { bindingOf, readToken, signToken } from '../src/modules/waiting-room/waiting-room-token.ts';
import { WaitingRoom, type WaitingRoomSettings } from '../src/modules/waiting-room/waiting-room.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { SESSION_COOKIE } from '../src/http/plugins/auth.ts';
import { ADMISSION_COOKIE, TICKET_COOKIE } from '../src/http/plugins/waiting-room.ts';
import { makeCandidate, makeExam, type ExamFixture } from './support/fixtures.ts';
import { Browser } from './support/http.ts';
import { buildTestApp, TEST_SESSION } from './support/test-app.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';
import { recordSecret, testLogger } from './support/test-log.ts';
import { offeredLoad } from '../bench/waiting-room/offered-load.ts';

let t: TestDatabase;
let exam: ExamFixture;
const clock = new ManualClock('2026-03-15T01:00:00Z');
const closers: (() => Promise<void>)[] = [];

beforeAll(async () => {
  t = await createTestDatabase();
  exam = await makeExam(t.db, { fees: [8000n] });
});
// Each test starts with nobody queued (the queue itself outlives processes, which is the point).
beforeEach(async () => {
  await t.pool.query(`UPDATE waiting_room SET admitted_through = (SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM waiting_room_ticket_seq)`);
});
afterAll(async () => {
  for (const close of closers.reverse()) await close();
  await t.drop();
});

/** One server process: its own pool and its own room, on the shared database. */
async function serverProcess(settings: Partial<WaitingRoomSettings> = {}) {
  const { db } = createDb(t.url, { poolSize: 10 });
  const room = new WaitingRoom({ db, clock, log: testLogger() }, {
    limit: 3, processes: 1, tickMs: 50, passMinutes: 15, ticketHours: 2, passWaitMs: 2_000, ...settings,
  });
  await room.start();
  const { app } = await buildTestApp({ ...t, db }, { clock, waitingRoom: room });
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    await room.stop();
    await app.close();
    await db.destroy();
  };
  closers.push(close);
  return { app, room, db, close };
}

interface Candidate { browser: Browser; registrationIds: string[]; session: string }

/** A signed-in candidate with an unpaid registration: `POST /api/v1/bills` is their guarded request. */
async function candidate(app: FastifyInstance): Promise<Candidate> {
  const c = await makeCandidate(t.db, exam);
  const session = await createSession(t.db, c.candidateId, clock.now(), TEST_SESSION);
  recordSecret('session id', session);
  const browser = new Browser(app);
  browser.setCookie(SESSION_COOKIE, session);
  return { browser, registrationIds: c.registrationIds.map(String), session };
}
const candidates = (app: FastifyInstance, n: number) => Promise.all(Array.from({ length: n }, () => candidate(app)));

const openBill = (c: Candidate, app?: FastifyInstance) => (app ? onApp(c, app) : c.browser).post('/api/v1/bills', { registrationIds: c.registrationIds });

/** The browser from now on talks to another server process (after a restart). */
function move(c: Candidate, app: FastifyInstance): void {
  c.browser = onApp(c, app);
}

/** The same browser (cookies and all) talking to another server process. */
function onApp(c: Candidate, app: FastifyInstance): Browser {
  const b = new Browser(app);
  for (const name of [SESSION_COOKIE, TICKET_COOKIE, ADMISSION_COOKIE]) {
    const v = c.browser.cookie(name);
    if (v) b.setCookie(name, v);
  }
  return b;
}

/** Holds every new bill at its INSERT, as a commit storm would: requests stay in flight. */
async function holdBills(): Promise<{ pid: number; release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: t.url });
  await client.connect();
  await client.query('BEGIN');
  await client.query('LOCK TABLE bill IN SHARE MODE');
  const pid = (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]!.pid;
  return { pid, async release() { await client.query('COMMIT'); await client.end(); } };
}

/** Queries of the app waiting in the database right now (everything but the lock holder and us). */
async function appQueriesWaiting(holder: number): Promise<number> {
  const r = await t.pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() AND pid <> $1 AND wait_event_type = 'Lock'`, [holder]);
  return Number(r.rows[0]!.n);
}

async function until(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A queued answer: 503 with Retry-After and the ticket, in the error format — never an error page. */
function expectQueued(r: Awaited<ReturnType<Browser['post']>>): { ticket: string; position: number } {
  expect(r.status).toBe(503);
  expect(r.headers['content-type']).toMatch(/application\/json/);
  expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(r.body.error.code).toBe('WAITING_ROOM_QUEUED');
  expect(r.body.error.messageZh).toContain('排队');
  expect(r.body.error.messageEn).toContain('queue');
  const d = r.body.error.details;
  expect(d.position).toBeGreaterThanOrEqual(1);
  expect(d.estimatedWaitSeconds).toBeGreaterThanOrEqual(1);
  expect(d.pollUrl).toBe('/api/v1/waiting-room');
  return { ticket: d.ticket, position: d.position };
}

const seqOf = (ticket: string) => BigInt(ticket.split('.')[1]!);

/** The page's loop: poll until admitted, then repeat the request. Returns when it got in. */
async function waitAndEnter(c: Candidate, via: () => FastifyInstance, admitted: string[], name: string): Promise<void> {
  for (;;) {
    const p = await onApp(c, via()).post('/api/v1/waiting-room', {});
    expect(p.status).toBe(200);
    if (p.body.state === 'ADMITTED') {
      admitted.push(name);
      c.browser.setCookie(ADMISSION_COOKIE, p.body.pass);
      break;
    }
    expect(p.body.state).toBe('WAITING');
    expect(p.headers['retry-after']).toBe(String(p.body.retryAfterSeconds));
    await new Promise((r) => setTimeout(r, 15));
  }
  for (;;) {
    const r = await openBill(c, via());
    if (r.status === 201) return;
    // Admitted, but every slot of that process is busy for a moment: retry, pass kept.
    expect(r.body.error.code).toBe('WAITING_ROOM_BUSY');
  }
}

describe('the waiting room', () => {
  it('over the limit: the newcomers get tickets in arrival order, never reach the database, and get in in ticket order', async () => {
    const p = await serverProcess({ limit: 3 });
    const first = await candidates(p.app, 3);
    const waveA = await candidates(p.app, 12);
    const waveB = await candidates(p.app, 12);
    const hold = await holdBills();
    const inFlight = first.map((c) => openBill(c));
    await until('three bills wait in the database', async () => (await appQueriesWaiting(hold.pid)) === 3);

    // Twelve race in at once, then twelve more: every one is queued, before any query of theirs.
    const answersA = await Promise.all(waveA.map((c) => openBill(c)));
    const answersB = await Promise.all(waveB.map((c) => openBill(c)));
    const ticketsA = answersA.map(expectQueued);
    const ticketsB = answersB.map(expectQueued);
    expect(await appQueriesWaiting(hold.pid)).toBe(3);
    expect(p.room.status().peakInFlight).toBe(3);
    const seqA = ticketsA.map((x) => seqOf(x.ticket));
    const seqB = ticketsB.map((x) => seqOf(x.ticket));
    expect(new Set([...seqA, ...seqB]).size).toBe(24);
    // Arrival order: the whole first wave is ahead of the second; places count from the line.
    expect(seqA.reduce((m, s) => (s > m ? s : m))).toBeLessThan(seqB.reduce((m, s) => (s < m ? s : m)));
    expect(ticketsB.map((x) => x.position).sort((a, b) => a - b)).toEqual(Array.from({ length: 12 }, (_, i) => 13 + i));
    expect((await t.db.selectFrom('bill').select('id').execute()).length).toBe(0);

    // The commit storm ends: the three finish, and the queue drains through the limit.
    await hold.release();
    expect((await Promise.all(inFlight)).map((r) => r.status)).toEqual([201, 201, 201]);
    const admitted: string[] = [];
    const all = [...waveA, ...waveB];
    const names = [...seqA, ...seqB].map(String);
    await Promise.all(all.map((c, i) => waitAndEnter(c, () => p.app, admitted, names[i]!)));
    expect(p.room.status().peakInFlight).toBeLessThanOrEqual(3);
    expect(await t.db.selectFrom('bill').select('id').execute()).toHaveLength(27);

    // FIFO within a tolerance of one tick's admissions (the limit): nobody got in more than
    // `limit` places before someone who arrived earlier.
    const order = admitted.map((s) => BigInt(s));
    const sorted = [...order].sort((a, b) => (a < b ? -1 : 1));
    for (let i = 0; i < order.length; i++) expect(Math.abs(sorted.indexOf(order[i]!) - i)).toBeLessThanOrEqual(3);
    await p.close();
  });

  it('a restart loses no ticket: places are kept, and tickets issued after it queue behind', async () => {
    // No ticks but the ones the test makes: the queue moves exactly when told.
    const before = await serverProcess({ limit: 1, tickMs: 3_600_000 });
    const [busy] = await candidates(before.app, 1);
    const waiting = await candidates(before.app, 5);
    const hold = await holdBills();
    const stuck = openBill(busy!);
    await until('one bill waits in the database', async () => (await appQueriesWaiting(hold.pid)) === 1);
    const tickets = (await Promise.all(waiting.map((c) => openBill(c)))).map(expectQueued);
    await hold.release();
    expect((await stuck).status).toBe(201);
    await before.close();

    const after = await serverProcess({ limit: 1, tickMs: 3_600_000 });
    for (const c of waiting) move(c, after.app);
    // Every ticket from before still holds, at its place; one more has its turn (the restart's tick).
    const byTicket = [...waiting].sort((a, b) => (seqOf(a.browser.cookie(TICKET_COOKIE)!) < seqOf(b.browser.cookie(TICKET_COOKIE)!) ? -1 : 1));
    expect(byTicket.map((c) => c.browser.cookie(TICKET_COOKIE))).toEqual([...tickets].sort((a, b) => (seqOf(a.ticket) < seqOf(b.ticket) ? -1 : 1)).map((x) => x.ticket));
    const [late] = await candidates(after.app, 1);
    const lateTicket = expectQueued(await openBill(late!));
    expect(seqOf(lateTicket.ticket)).toBeGreaterThan(seqOf(tickets.map((x) => x.ticket).sort().at(-1)!));

    const entered: number[] = [];
    for (let round = 0; round < 6; round++) {
      const polls = await Promise.all([...byTicket, late!].map((c) => c.browser.post('/api/v1/waiting-room', {})));
      const admittedNow = polls.flatMap((r, i) => (r.status === 200 && r.body.state === 'ADMITTED' ? [i] : []));
      // Exactly one per tick (limit 1), and always the earliest ticket still waiting.
      expect(admittedNow).toEqual([round]);
      const c = [...byTicket, late!][round]!;
      expect((await openBill(c)).status).toBe(201);
      entered.push(round);
      for (const [i, r] of polls.entries()) if (i > round) expect(r.body.position).toBe(i - round);
      await after.room.tick();
    }
    expect(entered).toEqual([0, 1, 2, 3, 4, 5]);
    await after.close();
  });

  it('refuses forged, altered, stolen and replayed tickets and passes', async () => {
    const p = await serverProcess({ limit: 1, tickMs: 3_600_000 });
    const [busy, me, thief] = await candidates(p.app, 3);
    const hold = await holdBills();
    const stuck = openBill(busy!);
    await until('one bill waits in the database', async () => (await appQueriesWaiting(hold.pid)) === 1);
    const mine = expectQueued(await openBill(me!)).ticket;
    const key = (await t.db.selectFrom('waiting_room').select('signing_key').executeTakeFirstOrThrow()).signing_key;
    const parts = mine.split('.');

    const refused = async (c: Candidate, ticket: string, code: string) => {
      const r = await c.browser.post('/api/v1/waiting-room', { ticket });
      expect(r.status).toBe(code === 'WAITING_ROOM_TICKET_USED' ? 409 : 400);
      expect(r.body.error.code).toBe(code);
      expect(r.body.error.messageZh).toBeTruthy();
      expect(r.body.error.messageEn).toBeTruthy();
    };
    // An earlier place written in, signed with a key of one's own, or copied to another session.
    await refused(me!, [parts[0], '1', ...parts.slice(2)].join('.'), 'WAITING_ROOM_TICKET_INVALID');
    const otherKey = randomBytes(32);
    await refused(me!, signToken(otherKey, { kind: 'TICKET', seq: 1n, at: 1_773_536_400, binding: bindingOf(otherKey, me!.session) }), 'WAITING_ROOM_TICKET_INVALID');
    await refused(thief!, mine, 'WAITING_ROOM_TICKET_INVALID');
    // A forged pass on a guarded route is no pass: the thief is queued at the back like anyone.
    const forgedPass = signToken(otherKey, { kind: 'PASS', seq: 1n, at: 4_000_000_000, binding: bindingOf(otherKey, thief!.session) });
    const stolenPassShape = signToken(key, { kind: 'PASS', seq: seqOf(mine), at: 4_000_000_000, binding: bindingOf(key, me!.session) });
    for (const pass of [forgedPass, stolenPassShape]) {
      const r = await thief!.browser.post('/api/v1/bills', { registrationIds: thief!.registrationIds }, { 'x-exampay-admission': pass });
      expect(seqOf(expectQueued(r).ticket)).toBeGreaterThan(seqOf(mine));
    }
    expect(await appQueriesWaiting(hold.pid)).toBe(1);

    await hold.release();
    expect((await stuck).status).toBe(201);
    await p.room.tick();
    const ok = await me!.browser.post('/api/v1/waiting-room', { ticket: mine });
    expect(ok.body.state).toBe('ADMITTED');
    expect(readToken(key, ok.body.pass, 'PASS')?.seq).toBe(seqOf(mine));
    // Replayed: by its holder, from another process, or by the thief with the holder's pass.
    await refused(me!, mine, 'WAITING_ROOM_TICKET_USED');
    const p2 = await serverProcess({ limit: 1, tickMs: 3_600_000 });
    const again = await onApp(me!, p2.app).post('/api/v1/waiting-room', { ticket: mine });
    expect(again.body.error.code).toBe('WAITING_ROOM_TICKET_USED');
    const r = await thief!.browser.post('/api/v1/bills', { registrationIds: thief!.registrationIds }, { 'x-exampay-admission': ok.body.pass });
    expect(r.status).toBe(503);
    // The rightful holder enters with it, on either process, until it expires.
    expect((await openBill(me!)).status).toBe(201);
    // Past its 15 minutes the pass admits no more (anyone queued meanwhile is ahead).
    clock.advance(16 * 60_000);
    const expired = await me!.browser.post('/api/v1/registrations', { subjectId: String(exam.subjectIds[0]) });
    expect(expired.body.error.code).toBe('WAITING_ROOM_QUEUED');
    await p2.close();
    await p.close();
  });

  it('two server processes honour one limit between them and one queue', async () => {
    // WAITING_ROOM_LIMIT=4 with WORKERS=2: each process takes 2.
    const a = await serverProcess({ limit: 2, processes: 2 });
    const b = await serverProcess({ limit: 2, processes: 2 });
    const apps = [a.app, b.app];
    const people = await candidates(a.app, 16);
    const hold = await holdBills();
    const answers = people.map((c, i) => openBill(c, apps[i % 2]));
    await until('four bills wait in the database', async () => (await appQueriesWaiting(hold.pid)) === 4);
    await new Promise((r) => setTimeout(r, 200));
    expect(await appQueriesWaiting(hold.pid)).toBe(4);
    await hold.release();
    const first = await Promise.all(answers);
    expect(first.filter((r) => r.status === 201)).toHaveLength(4);
    const queued = people.filter((_, i) => first[i]!.status === 503);
    for (const c of queued) c.browser.setCookie(TICKET_COOKIE, expectQueued(first[people.indexOf(c)]!).ticket);
    const seqs = queued.map((c) => seqOf(c.browser.cookie(TICKET_COOKIE)!));
    expect(new Set(seqs).size).toBe(12); // one sequence for both processes
    // Each polls and enters through the other process than the one that queued it.
    const admitted: string[] = [];
    await Promise.all(queued.map((c) => waitAndEnter(c, () => apps[(people.indexOf(c) + 1) % 2]!, admitted, String(seqOf(c.browser.cookie(TICKET_COOKIE)!)))));
    expect(a.room.status().peakInFlight).toBeLessThanOrEqual(2);
    expect(b.room.status().peakInFlight).toBeLessThanOrEqual(2);
    const order = admitted.map((s) => BigInt(s));
    const sorted = [...order].sort((x, y) => (x < y ? -1 : 1));
    for (let i = 0; i < order.length; i++) expect(Math.abs(sorted.indexOf(order[i]!) - i)).toBeLessThanOrEqual(4);
    await a.close();
    await b.close();
  });

  it('at 10× its limit in offered load (the benchmark hook), requests are let in a few at a time and nobody gets an error page', async () => {
    const p = await serverProcess({ limit: 2, tickMs: 50, passWaitMs: 250 });
    await p.app.listen({ host: '127.0.0.1', port: 0 });
    const baseUrl = `http://127.0.0.1:${(p.app.server.address() as { port: number }).port}`;
    const sessions = await Promise.all(Array.from({ length: 20 }, async () => (await candidate(p.app)).session));
    const result = await offeredLoad({
      baseUrl, sessions, durationMs: 4_000, pollScale: 0.05,
      request: () => ({ method: 'GET', url: `/api/v1/sittings/${exam.sittingId}/registration-options` }),
    });
    expect(result.errorPages).toBe(0);
    expect(result.queuedAnswers).toBeGreaterThan(0);
    expect(result.admittedRequests).toBeGreaterThan(0);
    expect(p.room.status().peakInFlight).toBeLessThanOrEqual(2);
    // How quick the admitted requests are is the benchmark's to measure (npm run bench, BENCHMARKS.md):
    // here other test files share the 2 cores, and a timed assertion would only measure them.
    await p.close();
  });
});

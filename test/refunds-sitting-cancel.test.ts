import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { runAuthorityActionsJob } from '../src/jobs/run-authority-actions.job.ts';
import { confirmBill } from '../src/modules/billing/confirm-bill.ts';
import { startJobRunner } from '../src/jobs/schedule.ts';
import { ledgerBalances } from '../src/modules/ledger/balances.ts';
import type { AppContext } from '../src/modules/context.ts';
import { endRegistrationsOfCandidate } from '../src/modules/refunds/authority-cancel.ts';
import { cancelSitting, listAuthorityActions, runAuthorityActions } from '../src/modules/refunds/sitting-cancel.ts';
import { registerSubject } from '../src/modules/registration/register-subject.ts';
import { provisionSeats } from '../src/modules/registration/seat-holds.sql.ts';
import { MINUTE, type ManualClock } from '../src/shared/clock.ts';
import { makeCandidate, makeExam, type ExamFixture } from './support/fixtures.ts';
import { buildTestApp } from './support/test-app.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';
import { staff } from './support/refunds.ts';
import { TEST_PERSONAL_DATA } from './support/test-keys.ts';
import { sealCandidateIdentity } from '../src/modules/accounts/candidate-identity.ts';

/**
 * REF-2 at the scale of a real sitting: 1,000 candidates with 2,000 paid registrations (one paid
 * bill each, one of the two subjects with a sold seat), plus unpaid registrations and open bills.
 * The paid state is written in bulk SQL exactly as settlement leaves it (bill PAID, settled capture,
 * its journal entry), because paying 1,000 bills through the sandbox would test the sandbox, not
 * this. No channel is configured here: the refunds are created and booked, not sent (the sending is
 * what the other refund test files drive through the sandbox).
 */
const PAID_CANDIDATES = 1000;
const FEES = [8000n, 6500n];

let t: TestDatabase;
let ctx: AppContext;
let clock: ManualClock;
let exam: ExamFixture;
let other: ExamFixture;

async function seedPaidSitting(): Promise<void> {
  const now = clock.now();
  const [s0, s1] = exam.subjectIds as [bigint, bigint];
  await t.db.transaction().execute(async (trx) => {
    await trx.insertInto('candidate').values(Array.from({ length: PAID_CANDIDATES }, (_, i) => ({
      authority_id: exam.authorityId, exam_id: exam.examId, ...sealCandidateIdentity(TEST_PERSONAL_DATA, { idNumber: `P${String(i + 1).padStart(17, '0')}` }),
      name: `P考生${i + 1}`, password_hash: 'unused', must_change_password: false,
    }))).execute();
    const site = await trx.insertInto('site').values({ sitting_id: exam.sittingId, code: 'SITE1', name: '第一考点' }).returning('id').executeTakeFirstOrThrow();
    const slot = await trx.insertInto('slot').values({ sitting_id: exam.sittingId, code: 'D1', starts_at: new Date(now.getTime() + 30 * 24 * 60 * MINUTE), ends_at: new Date(now.getTime() + 30 * 24 * 60 * MINUTE + 120 * MINUTE) }).returning('id').executeTakeFirstOrThrow();
    const pool = await trx.insertInto('seat_pool').values({ site_id: site.id, slot_id: slot.id, subject_id: s0, capacity: PAID_CANDIDATES + 10 }).returning('id').executeTakeFirstOrThrow();
    await provisionSeats(trx, pool.id, PAID_CANDIDATES + 10);
    await sql`INSERT INTO registration (candidate_id, sitting_id, subject_id, paid_at, created_at, site_id, slot_id)
              SELECT c.id, ${exam.sittingId}, s.id, ${now}::timestamptz, ${now}::timestamptz,
                     CASE WHEN s.id = ${s0} THEN ${site.id}::bigint END, CASE WHEN s.id = ${s0} THEN ${slot.id}::bigint END
                FROM candidate c CROSS JOIN subject s
               WHERE c.exam_id = ${exam.examId} AND c.name LIKE 'P考生%' AND s.id IN (${s0}, ${s1})`.execute(trx);
    await sql`UPDATE seat SET state = 'SOLD', registration_id = r.id, held_at = ${now}::timestamptz
                FROM (SELECT id, row_number() OVER (ORDER BY id) AS n FROM registration WHERE subject_id = ${s0} AND site_id IS NOT NULL) r
               WHERE seat.pool_id = ${pool.id} AND seat.seat_no = r.n`.execute(trx);
    await sql`INSERT INTO bill (bill_no, candidate_id, sitting_id, amount_fen, state, channel, agreement_accepted_at, expires_at, paid_at, channel_trade_no, created_at, updated_at)
              SELECT '2026031599' || lpad(c.id::text, 11, '0'), c.id, ${exam.sittingId}, ${FEES[0]! + FEES[1]!}, 'PAID', 'alipay', ${now}::timestamptz,
                     ${now}::timestamptz + interval '30 minutes', ${now}::timestamptz, 'T' || c.id, ${now}::timestamptz, ${now}::timestamptz
                FROM candidate c WHERE c.exam_id = ${exam.examId} AND c.name LIKE 'P考生%'`.execute(trx);
    await sql`INSERT INTO bill_item (bill_id, registration_id, subject_id, amount_fen)
              SELECT b.id, r.id, r.subject_id, s.fee_fen FROM bill b JOIN registration r ON r.candidate_id = b.candidate_id JOIN subject s ON s.id = r.subject_id
               WHERE b.sitting_id = ${exam.sittingId} AND b.state = 'PAID'`.execute(trx);
    await sql`INSERT INTO payment_attempt (bill_id, seq, out_trade_no, channel, state, pay_url, qr_content, created_at, closed_at)
              SELECT id, 1, bill_no, 'alipay', 'CLOSED', '', '', ${now}::timestamptz, ${now}::timestamptz FROM bill WHERE sitting_id = ${exam.sittingId} AND state = 'PAID'`.execute(trx);
    await sql`INSERT INTO channel_payment (bill_id, attempt_id, channel, channel_trade_no, amount_fen, paid_at, outcome, reported_by, recorded_at)
              SELECT b.id, a.id, 'alipay', b.channel_trade_no, b.amount_fen, ${now}::timestamptz, 'SETTLED', 'notify', ${now}::timestamptz
                FROM bill b JOIN payment_attempt a ON a.bill_id = b.id WHERE b.sitting_id = ${exam.sittingId} AND b.state = 'PAID'`.execute(trx);
    await sql`INSERT INTO journal_entry (kind, at, channel, sitting_id, bill_id, channel_payment_id)
              SELECT 'CAPTURE_SETTLED', ${now}::timestamptz, 'alipay', ${exam.sittingId}, p.bill_id, p.id FROM channel_payment p JOIN bill b ON b.id = p.bill_id WHERE b.sitting_id = ${exam.sittingId}`.execute(trx);
    await sql`INSERT INTO ledger_posting (entry_id, account, amount_fen)
              SELECT e.id, 'clearing:alipay', p.amount_fen FROM journal_entry e JOIN channel_payment p ON p.id = e.channel_payment_id WHERE e.sitting_id = ${exam.sittingId}
              UNION ALL
              SELECT e.id, 'fees:' || ${exam.sittingId}::text, -p.amount_fen FROM journal_entry e JOIN channel_payment p ON p.id = e.channel_payment_id WHERE e.sitting_id = ${exam.sittingId}`.execute(trx);
  });
}

let unpaid: Awaited<ReturnType<typeof makeCandidate>>[] = [];
let withOpenBill: Awaited<ReturnType<typeof makeCandidate>>[] = [];
let elsewhere: Awaited<ReturnType<typeof makeCandidate>>;

beforeAll(async () => {
  t = await createTestDatabase({ poolSize: 12 });
  ({ ctx, clock } = await buildTestApp(t));
  exam = await makeExam(t.db, { fees: FEES });
  other = await makeExam(t.db, { fees: [5000n] });
  // Unpaid registrations and open bills first: once the seat pool exists, a bill needs a held seat.
  unpaid = await Promise.all(Array.from({ length: 5 }, () => makeCandidate(t.db, exam)));
  withOpenBill = await Promise.all(Array.from({ length: 5 }, () => makeCandidate(t.db, exam)));
  for (const c of withOpenBill) {
    const r = await confirmBill(ctx, { candidateId: c.candidateId, registrationIds: c.registrationIds });
    if (!r.ok) throw new Error(r.error.code);
  }
  await seedPaidSitting();
  elsewhere = await makeCandidate(t.db, other);
}, 300_000);
afterAll(async () => t.drop());

const count = async (q: ReturnType<typeof sql<{ n: number }>>) => (await q.execute(t.db)).rows[0]!.n;

describe('the authority cancels a whole sitting: a background job in batches (REF-2)', () => {
  let actionId: bigint;

  it('REF-2: cancelling is immediate for new registrations and bills; the registrations wait for the job', async () => {
    expect(await cancelSitting(ctx, { actor: staff(exam, 'FINANCE'), sittingId: exam.sittingId, note: '考试取消' })).toEqual({ ok: false, error: { code: 'STAFF_FORBIDDEN', details: { action: 'sitting.cancel' } } });
    const started = await cancelSitting(ctx, { actor: staff(exam), sittingId: exam.sittingId, note: '因不可抗力，本次考试取消' });
    if (!started.ok) throw new Error(started.error.code);
    actionId = started.value.id;
    expect(await cancelSitting(ctx, { actor: staff(exam), sittingId: exam.sittingId, note: '再次取消' })).toEqual({ ok: false, error: { code: 'ALREADY_CANCELLED' } });
    const late = await makeCandidate(t.db, other); // a candidate of this authority's other exam is unaffected
    expect(late.registrationIds).toHaveLength(1);
    const fresh = await t.db.insertInto('candidate').values({ authority_id: exam.authorityId, exam_id: exam.examId, ...sealCandidateIdentity(TEST_PERSONAL_DATA, { idNumber: 'NEW0000000000000001' }), name: '新考生', password_hash: 'x' }).returning('id').executeTakeFirstOrThrow();
    expect(await registerSubject(ctx, { candidateId: fresh.id, subjectId: exam.subjectIds[0]! })).toMatchObject({ ok: false, error: { code: 'SUBJECT_CANCELLED' } });
    expect(await count(sql`SELECT count(*)::int AS n FROM registration WHERE sitting_id = ${exam.sittingId} AND status = 'ACTIVE'`)).toBe(2 * PAID_CANDIDATES + 20);
  });

  it('REF-2: a batch run does part of the work; a candidate whose transaction fails is rolled back whole and left for later, and the others go on', async () => {
    // One candidate's notice cannot be written (a stand-in for any failure mid-transaction).
    const victim = unpaid[2]!.candidateId;
    onTestFinished(async () => {
      await sql.raw('DROP TRIGGER IF EXISTS test_refuse_notice ON candidate_notice; DROP FUNCTION IF EXISTS test_refuse_notice();').execute(t.db);
    });
    await sql.raw(`CREATE FUNCTION test_refuse_notice() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.candidate_id = ${victim} THEN RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$;
      CREATE TRIGGER test_refuse_notice BEFORE INSERT ON candidate_notice FOR EACH ROW EXECUTE FUNCTION test_refuse_notice();`).execute(t.db);
    const first = await runAuthorityActions(ctx, { batchSize: 100, maxBatches: 3 });
    // The 10 unpaid candidates come first (lowest ids), the victim among them; then 290 paid ones.
    expect(first).toEqual({ actions: 1, candidates: 300, failed: 1, finished: 0, cancelled: 299 * 2, refunds: 290 * 2 });
    // Run the rest until only the victim is left.
    for (let i = 0; i < 20; i++) {
      clock.advance(MINUTE);
      const r = await runAuthorityActions(ctx, { batchSize: 100, maxBatches: 2 });
      expect(r.failed).toBeLessThanOrEqual(1);
      if (r.actions === 1 && r.cancelled === 0) break;
    }
    const action = await t.db.selectFrom('authority_action').selectAll().where('id', '=', actionId).executeTakeFirstOrThrow();
    expect(action.state).toBe('RUNNING');
    expect(action.last_error).toContain('injected failure');
    const victimRegs = await t.db.selectFrom('registration').select('status').where('candidate_id', '=', victim).execute();
    expect(victimRegs.every((r) => r.status === 'ACTIVE')).toBe(true);
    expect(await count(sql`SELECT count(*)::int AS n FROM candidate_notice WHERE candidate_id = ${victim}`)).toBe(0);
    expect(await count(sql`SELECT count(*)::int AS n FROM registration WHERE sitting_id = ${exam.sittingId} AND status = 'ACTIVE'`)).toBe(victimRegs.length);
  }, 300_000);

  it('REF-2: a process that claimed the action and died holds it only until its claim runs out; two processes never both take it; the same candidate twice is ended once', async () => {
    // A process claims the action and dies before doing anything.
    await t.db.updateTable('authority_action').set({ next_run_at: new Date(clock.now().getTime() + 5 * MINUTE) }).where('id', '=', actionId).execute();
    expect((await runAuthorityActions(ctx)).actions).toBe(0);
    clock.advance(5 * MINUTE);
    // The victim's registrations are ended by two racers at once: one wins, the other finds nothing to do.
    const victim = unpaid[2]!.candidateId;
    const regs = (await t.db.selectFrom('registration').select('id').where('candidate_id', '=', victim).where('status', '=', 'ACTIVE').execute()).map((r) => r.id);
    const action = await t.db.selectFrom('authority_action').selectAll().where('id', '=', actionId).executeTakeFirstOrThrow();
    const raced = await Promise.all([1, 2].map(() => endRegistrationsOfCandidate(ctx, { candidateId: victim, registrationIds: regs, action: async () => action })));
    expect(raced.filter((r) => r !== null)).toHaveLength(1);
    expect(await count(sql`SELECT count(*)::int AS n FROM candidate_notice WHERE candidate_id = ${victim}`)).toBe(1);
    // Two job runs at once: one takes the action, the other finds it taken; the action finishes.
    const runs = await Promise.all([runAuthorityActionsJob.execute(ctx), runAuthorityActionsJob.execute(ctx)]);
    expect(runs.map((r) => r.actions).sort()).toEqual([0, 1]);
    expect(runs.map((r) => r.finished).sort()).toEqual([0, 1]);
    expect(await listAuthorityActions(t.db, { sittingId: exam.sittingId })).toMatchObject([{ id: actionId, state: 'DONE', registrations_left: 0 }]);
  });

  it('REF-2: in the end every registration is ended once, every paid item refunded once through its capture, every seat back, every candidate told once, and the books balance', async () => {
    const n = PAID_CANDIDATES;
    expect(await count(sql`SELECT count(*)::int AS n FROM registration WHERE sitting_id = ${exam.sittingId} AND status = 'ACTIVE'`)).toBe(0);
    expect(await count(sql`SELECT count(*)::int AS n FROM registration WHERE sitting_id = ${exam.sittingId} AND cancelled_reason = 'AUTHORITY_CANCELLED'`)).toBe(2 * n + 20);
    expect((await t.db.selectFrom('registration').select('status').where('id', '=', elsewhere.registrationIds[0]!).executeTakeFirstOrThrow()).status).toBe('ACTIVE');
    // One refund per paid item, of the item's amount, against the bill's settled capture.
    const refunds = (await sql<{ n: number; items: number; total: string; wrong: number }>`
      SELECT count(*)::int AS n, count(DISTINCT f.bill_item_id)::int AS items, sum(f.amount_fen)::text AS total,
             count(*) FILTER (WHERE f.amount_fen <> i.amount_fen OR p.outcome <> 'SETTLED' OR f.reason <> 'AUTHORITY_CANCEL' OR f.note <> '因不可抗力，本次考试取消')::int AS wrong
        FROM refund f JOIN bill_item i ON i.id = f.bill_item_id JOIN channel_payment p ON p.id = f.channel_payment_id
        JOIN bill b ON b.id = f.bill_id WHERE b.sitting_id = ${exam.sittingId}`.execute(t.db)).rows[0]!;
    expect(refunds).toEqual({ n: 2 * n, items: 2 * n, total: String(BigInt(n) * (FEES[0]! + FEES[1]!)), wrong: 0 });
    // Seats back, with the reason the candidate reads.
    expect(await count(sql`SELECT count(*)::int AS n FROM seat s JOIN seat_pool p ON p.id = s.pool_id WHERE p.subject_id = ${exam.subjectIds[0]!} AND s.state <> 'FREE'`)).toBe(0);
    expect(await count(sql`SELECT count(*)::int AS n FROM registration WHERE subject_id = ${exam.subjectIds[0]!} AND site_id IS NOT NULL AND seat_released_reason = 'CANCELLED'`)).toBe(n);
    // Open bills closed for the authority's reason; unpaid registrations ended without refunds.
    const open = await t.db.selectFrom('bill').select(['state', 'closed_cause']).where('candidate_id', 'in', withOpenBill.map((c) => c.candidateId)).execute();
    expect(open).toEqual(Array(5).fill({ state: 'CLOSED', closed_cause: 'AUTHORITY_CANCELLED' }));
    // Every candidate told exactly once, with the refunds linked.
    const notices = (await sql<{ n: number; candidates: number; linked: number }>`
      SELECT count(*)::int AS n, count(DISTINCT candidate_id)::int AS candidates,
             (SELECT count(*)::int FROM candidate_notice_refund nr JOIN candidate_notice x ON x.id = nr.notice_id WHERE x.action_id = ${actionId}) AS linked
        FROM candidate_notice WHERE action_id = ${actionId}`.execute(t.db)).rows[0]!;
    expect(notices).toEqual({ n: n + 10, candidates: n + 10, linked: 2 * n });
    const action = await t.db.selectFrom('authority_action').selectAll().where('id', '=', actionId).executeTakeFirstOrThrow();
    // The job's own progress counters: the victim's 2 registrations were ended by the racers above, not by the job.
    expect(action).toMatchObject({ state: 'DONE', cancelled_registrations: 2 * n + 18, refunds_created: 2 * n });
    // PAY-11: every refund booked as owed when decided; the sitting keeps nothing; the channel still holds it all until the refunds go out.
    const { accounts, unbalancedEntries, total } = await ledgerBalances(t.db);
    expect(unbalancedEntries).toEqual([]);
    expect(total).toBe(0n);
    const all = BigInt(n) * (FEES[0]! + FEES[1]!);
    expect(accounts.get(`fees:${exam.sittingId}`)).toBe(0n);
    expect(accounts.get('refundable:alipay')).toBe(-all);
    expect(accounts.get('clearing:alipay')).toBe(all);
    expect(await count(sql`SELECT count(*)::int AS n FROM journal_entry WHERE kind = 'REFUND_DECIDED'`)).toBe(2 * n);
  });
});

describe('the cancellation runs by itself on pg-boss (REF-2, OPS-4)', () => {
  it('REF-2: a sitting cancelled while the job runner runs is finished without anyone calling the job', async () => {
    const small = await makeExam(t.db, { fees: [3000n] });
    const cs = await Promise.all(Array.from({ length: 3 }, () => makeCandidate(t.db, small)));
    const started = await cancelSitting(ctx, { actor: staff(small), sittingId: small.sittingId, note: '考点无法开考' });
    if (!started.ok) throw new Error(started.error.code);
    const runner = await startJobRunner(ctx, t.url);
    try {
      const deadline = Date.now() + 30_000;
      while (Date.now() < deadline) {
        const a = await t.db.selectFrom('authority_action').select('state').where('id', '=', started.value.id).executeTakeFirstOrThrow();
        if (a.state === 'DONE') break;
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await runner.stop();
    }
    const regs = await t.db.selectFrom('registration').select('status').where('candidate_id', 'in', cs.map((c) => c.candidateId)).execute();
    expect(regs.map((r) => r.status)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
    expect((await t.db.selectFrom('authority_action').select('state').where('id', '=', started.value.id).executeTakeFirstOrThrow()).state).toBe('DONE');
  });
});

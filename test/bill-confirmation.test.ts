import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmBill } from '../src/modules/billing/confirm-bill.ts';
import { ManualClock, MINUTE } from '../src/shared/clock.ts';
import { isValidBillNo } from '../src/shared/bill-number.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';
import { makeCandidate, makeExam, type ExamFixture } from './support/fixtures.ts';
import { testLogger } from './support/test-log.ts';

let t: TestDatabase;
let exam: ExamFixture;
const clock = new ManualClock('2026-03-15T01:00:00Z');
const ctx = () => ({ db: t.db, clock, log: testLogger() });

beforeAll(async () => {
  t = await createTestDatabase({ poolSize: 20 });
  exam = await makeExam(t.db, { fees: [8000n, 6500n, 12000n] });
});
afterAll(async () => t.drop());

describe('报考科目确认 → bill (PAY-1)', () => {
  it('puts some of the registrations on one bill with the sum of their fees, in fen', async () => {
    const c = await makeCandidate(t.db, exam);
    const result = await confirmBill(ctx(), { candidateId: c.candidateId, registrationIds: [c.registrationIds[0]!, c.registrationIds[2]!] });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    const bill = result.value;
    expect(bill.amount_fen).toBe(20000n);
    expect(bill.state).toBe('UNPAID');
    expect(isValidBillNo(bill.bill_no)).toBe(true);
    expect(bill.bill_no.startsWith('20260315')).toBe(true);
    expect(bill.expires_at.getTime() - clock.now().getTime()).toBe(30 * MINUTE);
    const items = await t.db.selectFrom('bill_item').selectAll().where('bill_id', '=', bill.id).orderBy('id').execute();
    expect(items.map((i) => i.amount_fen)).toEqual([8000n, 12000n]);
    // The remaining registration can still be confirmed on its own.
    const second = await confirmBill(ctx(), { candidateId: c.candidateId, registrationIds: [c.registrationIds[1]!] });
    expect(second.ok && second.value.amount_fen).toBe(6500n);
  });

  it('refuses a registration already on an open bill', async () => {
    const c = await makeCandidate(t.db, exam);
    expect((await confirmBill(ctx(), { candidateId: c.candidateId, registrationIds: [c.registrationIds[0]!] })).ok).toBe(true);
    const again = await confirmBill(ctx(), { candidateId: c.candidateId, registrationIds: c.registrationIds });
    expect(again).toEqual({ ok: false, error: { code: 'REGISTRATION_ALREADY_BILLED', details: { registrationIds: [String(c.registrationIds[0])] } } });
  });

  it("never reaches another candidate's registration, and says nothing about it", async () => {
    const mine = await makeCandidate(t.db, exam);
    const theirs = await makeCandidate(t.db, exam);
    const before = await t.db.selectFrom('bill').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const r = await confirmBill(ctx(), { candidateId: mine.candidateId, registrationIds: [theirs.registrationIds[0]!] });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error).toEqual({ code: 'REGISTRATION_NOT_FOUND', details: { registrationIds: [String(theirs.registrationIds[0])] } });
    const after = await t.db.selectFrom('bill').select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it("refuses an institution's registration on a candidate's bill (REG-8)", async () => {
    const c = await makeCandidate(t.db, exam, { owner: 'INSTITUTION' });
    const r = await confirmBill(ctx(), { candidateId: c.candidateId, registrationIds: [c.registrationIds[0]!] });
    expect(r).toMatchObject({ ok: false, error: { code: 'REGISTRATION_NOT_PAYABLE', details: { reason: 'INSTITUTION_REGISTRATION' } } });
  });

  it('20 confirmations racing for the same registrations make exactly one bill', async () => {
    const c = await makeCandidate(t.db, exam);
    const results = await Promise.all(Array.from({ length: 20 }, () => confirmBill(ctx(), { candidateId: c.candidateId, registrationIds: c.registrationIds })));
    const won = results.filter((r) => r.ok);
    expect(won).toHaveLength(1);
    for (const r of results.filter((x) => !x.ok)) expect(r.ok === false && r.error.code).toBe('REGISTRATION_ALREADY_BILLED');
    const live = await t.db.selectFrom('bill_item').select('registration_id').where('registration_id', 'in', c.registrationIds).where('live', '=', true).execute();
    expect(live).toHaveLength(c.registrationIds.length);
  });
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { provisionSeats } from '../src/modules/registration/seat-holds.sql.ts';
import { formatShanghai } from '../src/shared/time.ts';
import { Browser } from './support/http.ts';
import { makeCandidate, makeExam } from './support/fixtures.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';

let w: PaymentWorld;
beforeAll(async () => {
  w = await startPaymentWorld();
});
afterAll(async () => w.close());

async function setup() {
  const exam = await makeExam(w.db, { fees: [8000n, 8000n] });
  const [engA, engB] = exam.subjectIds as [bigint, bigint];
  await w.db.updateTable('subject').set({ exclusion_group: 'ENGLISH' }).where('id', 'in', [engA, engB]).execute();
  const site = await w.db.insertInto('site').values({ sitting_id: exam.sittingId, code: 'S1', name: '第一考点' }).returning('id').executeTakeFirstOrThrow();
  const slot = await w.db.insertInto('slot').values({ sitting_id: exam.sittingId, code: 'AM', starts_at: new Date('2026-04-11T01:00:00Z'), ends_at: new Date('2026-04-11T03:00:00Z') }).returning('id').executeTakeFirstOrThrow();
  const pool = await w.db.insertInto('seat_pool').values({ site_id: site.id, slot_id: slot.id, subject_id: engA, capacity: 5 }).returning('id').executeTakeFirstOrThrow();
  await w.db.transaction().execute((trx) => provisionSeats(trx, pool.id, 5));
  // A candidate with no registrations yet (fixtures register every subject; cancel them).
  const c = await makeCandidate(w.db, exam);
  await w.db.updateTable('registration').set({ status: 'CANCELLED', cancelled_at: new Date(), cancelled_reason: 'CANDIDATE' }).where('candidate_id', '=', c.candidateId).execute();
  const b = new Browser(w.app);
  await b.signIn(exam.authorityCode, c.idNumber, c.password);
  return { exam, engA, engB, siteId: site.id, slotId: slot.id, b };
}

describe('registration over HTTP', () => {
  it('options explain why a subject cannot be registered; registering holds a seat; deleting gives it back', async () => {
    const s = await setup();
    const sittings = (await s.b.get('/api/v1/sittings')).body;
    expect(sittings).toEqual([{ sittingId: String(s.exam.sittingId), code: '2026-03', name: '2026年3月' }]);
    const url = `/api/v1/sittings/${s.exam.sittingId}/registration-options`;
    let options = (await s.b.get(url)).body;
    const a = options.subjects.find((x: { subjectId: string }) => x.subjectId === String(s.engA));
    expect(a).toMatchObject({ canRegister: true, choices: [{ siteName: '第一考点', startsAt: '2026-04-11 09:00:00', capacity: 5, free: 5 }] });

    expect((await s.b.post('/api/v1/registrations', { subjectId: String(s.engA) })).body.error.code).toBe('SLOT_REQUIRED');
    const reg = await s.b.post('/api/v1/registrations', { subjectId: String(s.engA), siteId: String(s.siteId), slotId: String(s.slotId) });
    expect(reg.status).toBe(201);
    expect(reg.body.seat).toMatchObject({ seatNo: 1 });

    options = (await s.b.get(url)).body;
    expect(options.subjects.find((x: { subjectId: string }) => x.subjectId === String(s.engB))).toMatchObject({ canRegister: false, reason: 'EXCLUSIVE_SUBJECT_CONFLICT', relatedSubjectId: String(s.engA) });
    expect(options.subjects.find((x: { subjectId: string }) => x.subjectId === String(s.engA)).choices[0].free).toBe(4);
    const conflict = await s.b.post('/api/v1/registrations', { subjectId: String(s.engB) });
    expect(conflict.status).toBe(409);
    expect(conflict.body.error.code).toBe('EXCLUSIVE_SUBJECT_CONFLICT');

    const mine = (await s.b.get('/api/v1/registrations')).body;
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ seat: { seatNo: 1, state: 'HELD', siteName: '第一考点' }, payable: true });

    expect((await s.b.delete(`/api/v1/registrations/${reg.body.registrationId}`)).status).toBe(204);
    options = (await s.b.get(url)).body;
    expect(options.subjects.find((x: { subjectId: string }) => x.subjectId === String(s.engA)).choices[0].free).toBe(5);
    expect((await s.b.post('/api/v1/registrations', { subjectId: String(s.engB) })).status).toBe(201);
  });

  it('a registration on an open bill cannot be deleted; bad ids are coded 400s; another exam\'s sitting is 404', async () => {
    const s = await setup();
    const other = await makeExam(w.db);
    const reg = await s.b.post('/api/v1/registrations', { subjectId: String(s.engB) });
    await s.b.post('/api/v1/bills', { registrationIds: [reg.body.registrationId] });
    const del = await s.b.delete(`/api/v1/registrations/${reg.body.registrationId}`);
    expect(del.status).toBe(409);
    expect(del.body.error.code).toBe('REGISTRATION_ALREADY_BILLED');
    expect((await s.b.post('/api/v1/registrations', { subjectId: 'abc' })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await s.b.post('/api/v1/registrations', { subjectId: '1', extra: 1 })).body.error.code).toBe('VALIDATION_FAILED');
    expect((await s.b.get(`/api/v1/sittings/${other.sittingId}/registration-options`)).status).toBe(404);
    expect((await s.b.delete('/api/v1/registrations/999999999')).body.error.code).toBe('REGISTRATION_NOT_FOUND');
  });

  it('each unpaid registration says why it cannot go on a bill now (payBlock), as the confirmation refuses it; null once it can', async () => {
    const s = await setup();
    const reg = await s.b.post('/api/v1/registrations', { subjectId: String(s.engB) });
    expect(reg.status).toBe(201);
    const regOf = async () => (await s.b.get('/api/v1/registrations')).body.find((r: { registrationId: string }) => r.registrationId === reg.body.registrationId);
    expect(await regOf()).toMatchObject({ payable: true, payBlock: null });
    // The payment window closed an hour ago (REG-1): the list says so, with the window in Beijing time.
    const now = w.clock.now().getTime();
    const window = await w.db.insertInto('sitting_window').values({ sitting_id: s.exam.sittingId, kind: 'PAYMENT', opens_at: new Date(now - 3 * 3600_000), closes_at: new Date(now - 3600_000) }).returning('id').executeTakeFirstOrThrow();
    const blocked = await regOf();
    expect(blocked.payBlock).toMatchObject({
      code: 'WINDOW_CLOSED', messageZh: '当前不在办理时间内，请在开放时间内办理。',
      details: { windows: [{ kind: 'PAYMENT', opensAt: formatShanghai(new Date(now - 3 * 3600_000)), closesAt: formatShanghai(new Date(now - 3600_000)) }] },
    });
    // The confirmation agrees: the same code, and no bill.
    const refused = await s.b.post('/api/v1/bills', { registrationIds: [reg.body.registrationId] });
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('WINDOW_CLOSED');
    await w.db.updateTable('sitting_window').set({ closes_at: new Date(now + 3600_000) }).where('id', '=', window.id).execute();
    expect((await regOf()).payBlock).toBeNull();
    expect((await s.b.post('/api/v1/bills', { registrationIds: [reg.body.registrationId] })).status).toBe(201);
    // On a bill: no longer offered for a new one, and no verdict to give.
    expect(await regOf()).toMatchObject({ payable: false, payBlock: null });
  });
});

/**
 * 集体缴费 end to end (ORG-1, REG-8; seed 000 学习中心报考 / 集体缴费): a learning centre registers
 * its candidates, pays them in one batch bill through the sandbox gateway, and the same payment
 * core as a candidate's bill does the rest — settlement, polling, expiry, duplicate refunds, the
 * ledger. Real app on 127.0.0.1, real sandbox, real PostgreSQL, one manual clock.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { releaseStaleSeatHoldsJob } from '../src/jobs/release-stale-seat-holds.job.ts';
import { provisionSeats } from '../src/modules/registration/seat-holds.sql.ts';
import { MINUTE } from '../src/shared/clock.ts';
import { expectBooksBalance } from './support/books.ts';
import { Browser } from './support/http.ts';
import { makeCandidate } from './support/fixtures.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';
import { makeInstitution, makeStaff, staffBrowser } from './support/staff-fixtures.ts';

let w: PaymentWorld;
beforeAll(async () => {
  w = await startPaymentWorld({ channels: ['alipay', 'wechatpay', 'unionpay'] });
});
afterAll(async () => w.close());
// Whatever a test did, the books agree with the channels afterwards (PAY-11).
afterEach(async () => expectBooksBalance(w));

const SEATED_FEE = 8000n;

/**
 * A seed-000-like exam of its own per test: a subject with seats (one site, one slot, 30 seats),
 * a learning centre with its staff, a second centre, and the centre's candidates with nothing
 * registered yet.
 */
async function centre(opts: { institutionChannels?: string[]; seatHoldMinutes?: number } = {}) {
  const subject = (await w.db.insertInto('subject').values({ sitting_id: w.exam.sittingId, code: `C${Math.floor(Math.random() * 1e9)}`, name: '大学英语B', fee_fen: SEATED_FEE }).returning('id').executeTakeFirstOrThrow()).id;
  const site = await w.db.insertInto('site').values({ sitting_id: w.exam.sittingId, code: `S${Math.floor(Math.random() * 1e9)}`, name: '学习中心考点' }).returning('id').executeTakeFirstOrThrow();
  const slot = await w.db.insertInto('slot').values({ sitting_id: w.exam.sittingId, code: `T${Math.floor(Math.random() * 1e9)}`, starts_at: new Date('2026-04-11T01:00:00Z'), ends_at: new Date('2026-04-11T03:00:00Z') }).returning('id').executeTakeFirstOrThrow();
  const pool = await w.db.insertInto('seat_pool').values({ site_id: site.id, slot_id: slot.id, subject_id: subject, capacity: 30 }).returning('id').executeTakeFirstOrThrow();
  await w.db.transaction().execute((trx) => provisionSeats(trx, pool.id, 30));
  await w.db.updateTable('exam').set({
    institution_channels: opts.institutionChannels ?? null, release_seats_on_bill_expiry: true, seat_hold_minutes: opts.seatHoldMinutes ?? 1440,
  }).where('id', '=', w.exam.examId).execute();
  const inst = await makeInstitution(w.db, w.exam.authorityId, 'LEARNING_CENTRE');
  const other = await makeInstitution(w.db, w.exam.authorityId, 'LEARNING_CENTRE');
  const staffAccount = await makeStaff(w.db, w.exam, 'INSTITUTION_STAFF', { institutionId: inst.institutionId });
  const otherAccount = await makeStaff(w.db, w.exam, 'INSTITUTION_STAFF', { institutionId: other.institutionId });
  const staff = await staffBrowser(w.app, staffAccount);
  const otherStaff = await staffBrowser(w.app, otherAccount);
  const instName = (await w.db.selectFrom('institution').select('name').where('id', '=', inst.institutionId).executeTakeFirstOrThrow()).name;

  const candidate = async (institutionId = inst.institutionId) => {
    const c = await makeCandidate(w.db, w.exam);
    await w.db.updateTable('registration').set({ status: 'CANCELLED', cancelled_at: w.clock.now(), cancelled_reason: 'CANDIDATE' }).where('candidate_id', '=', c.candidateId).execute();
    await w.db.updateTable('candidate').set({ institution_id: institutionId }).where('id', '=', c.candidateId).execute();
    return c;
  };
  /** The centre registers one of its candidates for the seated subject (REG-8): the registration id. */
  const register = async (candidateId: bigint, by = staff): Promise<string> => {
    const r = await by.post('/api/v1/institution/registrations', { candidateId: String(candidateId), subjectId: String(subject), siteId: String(site.id), slotId: String(slot.id) });
    expect(r.status, r.text).toBe(201);
    return r.body.registrationId;
  };
  /** n candidates of the centre, each registered by it: their registration ids. */
  const registered = async (n: number) => {
    const out: { candidateId: bigint; registrationId: string; idNumber: string; password: string }[] = [];
    for (let i = 0; i < n; i++) {
      const c = await candidate();
      out.push({ candidateId: c.candidateId, registrationId: await register(c.candidateId), idNumber: c.idNumber, password: c.password });
    }
    return out;
  };
  const seats = (registrationIds: string[]) => w.db.selectFrom('seat').select(['state', 'registration_id']).where('registration_id', 'in', registrationIds.map(BigInt)).execute();
  /** Sessions end after 30 idle minutes (ACC-7): a test that moves the clock signs in again. */
  const signInAgain = async () => ({ staff: await staffBrowser(w.app, staffAccount), otherStaff: await staffBrowser(w.app, otherAccount) });
  return { subject, siteId: site.id, slotId: slot.id, inst, other, staff, otherStaff, signInAgain, instName, candidate, register, registered, seats };
}

const bill = (billNo: string) => w.bill(billNo);

describe('集体缴费: an institution pays its candidates in one bill (ORG-1)', () => {
  it('twenty candidates registered by a learning centre, paid in one bill through Alipay: all PAID, every seat SOLD, books balanced', async () => {
    const c = await centre();
    const twenty = await c.registered(20);
    const ids = twenty.map((t) => t.registrationId);

    const before = await c.staff.get(`/api/v1/institution/candidates?sittingId=${w.exam.sittingId}&limit=200`);
    expect(before.status).toBe(200);
    const listed = before.body.flatMap((x: { registrations: { registrationId: string; status: string; payableByInstitution: boolean }[] }) => x.registrations).filter((r: { registrationId: string }) => ids.includes(r.registrationId));
    expect(listed).toHaveLength(20);
    expect(listed.every((r: { status: string; payableByInstitution: boolean }) => r.status === 'UNPAID' && r.payableByInstitution)).toBe(true);

    const made = await c.staff.post('/api/v1/institution/batch-bills', { registrationIds: ids });
    expect(made.status, made.text).toBe(201);
    expect(made.body).toMatchObject({ state: 'UNPAID', amountFen: Number(SEATED_FEE) * 20, payer: { kind: 'INSTITUTION', institutionId: String(c.inst.institutionId), name: c.instName } });
    expect(made.body.items).toHaveLength(20);
    expect(made.body.candidates.map((x: { candidateId: string }) => x.candidateId)).toEqual(twenty.map((t) => String(t.candidateId)));
    expect(made.body.channels).toEqual(['alipay', 'wechatpay', 'unionpay']);
    const billNo: string = made.body.billNo;
    const row = await bill(billNo);
    expect(row).toMatchObject({ owner: 'INSTITUTION', institution_id: c.inst.institutionId, candidate_id: null });

    // The agreement is accepted with the first payment (PAY-2); without it the body is refused.
    expect((await c.staff.post(`/api/v1/institution/batch-bills/${billNo}/payments`, { channel: 'alipay' })).status).toBe(400);
    const pay = await c.staff.post(`/api/v1/institution/batch-bills/${billNo}/payments`, { channel: 'alipay', agreementAccepted: true });
    expect(pay.status, pay.text).toBe(200);
    expect(pay.body).toMatchObject({ billNo, outTradeNo: billNo, channel: 'alipay' });
    expect(pay.body.qrContent.length).toBeGreaterThan(0);
    expect((await bill(billNo)).state).toBe('PAYING');
    const qr = await c.staff.get(`/api/v1/institution/batch-bills/${billNo}/qr.svg?channel=alipay`);
    expect(qr.status).toBe(200);
    expect(qr.text).toContain('<svg');

    expect((await w.sandbox.pay(billNo, { channel: 'alipay' })).ok).toBe(true);
    await w.sandbox.deliverDueNotifications();

    const paid = await bill(billNo);
    expect(paid.state).toBe('PAID');
    const regs = await w.db.selectFrom('registration').select(['paid_at']).where('id', 'in', ids.map(BigInt)).execute();
    expect(regs.every((r) => r.paid_at !== null)).toBe(true);
    const seats = await c.seats(ids);
    expect(seats).toHaveLength(20);
    expect(seats.every((s) => s.state === 'SOLD')).toBe(true);
    const shown = await c.staff.get(`/api/v1/institution/batch-bills/${billNo}`);
    expect(shown.body).toMatchObject({ state: 'PAID', channel: 'alipay', stateLabel: { zh: '已完成缴费' } });
    expect(shown.body.payments).toEqual([expect.objectContaining({ outcome: 'SETTLED', amountFen: Number(SEATED_FEE) * 20 })]);
    expect(shown.body.candidates.every((x: { paid: boolean }) => x.paid)).toBe(true);
    const after = await c.staff.get(`/api/v1/institution/candidates?sittingId=${w.exam.sittingId}&limit=200`);
    const nowListed = after.body.flatMap((x: { registrations: { registrationId: string }[] }) => x.registrations).filter((r: { registrationId: string }) => ids.includes(r.registrationId));
    expect(nowListed.every((r: { status: string; bill: { billNo: string } }) => r.status === 'PAID' && r.bill.billNo === billNo)).toBe(true);
    const list = await c.staff.get('/api/v1/institution/batch-bills');
    expect(list.body.bills.find((b: { billNo: string }) => b.billNo === billNo)).toMatchObject({ state: 'PAID', itemCount: 20 });
    const audit = await w.db.selectFrom('audit_log').select('action').where('object_id', '=', billNo).orderBy('id').execute();
    expect(audit.map((a) => a.action)).toEqual(['institution_bill.create', 'institution_bill.pay']);

    // REG-8: the candidate sees the registration paid, never the institution's bill, and cannot act on it.
    const one = twenty[0]!;
    const browser = new Browser(w.app);
    expect((await browser.signIn(w.exam.authorityCode, one.idNumber, one.password)).status).toBe(200);
    const mine = await browser.get('/api/v1/registrations');
    expect(mine.body.find((r: { registrationId: string }) => r.registrationId === one.registrationId)).toMatchObject({ owner: 'INSTITUTION', paid: true, payable: false, billNo: null });
    expect(mine.text).not.toContain(billNo);
    expect((await browser.get('/api/v1/bills')).body).toEqual([]);
    expect((await browser.get(`/api/v1/bills/${billNo}`)).status).toBe(404);
    expect((await browser.post(`/api/v1/bills/${billNo}/status-check`)).status).toBe(404);
    expect((await browser.post(`/api/v1/bills/${billNo}/payments`, { channel: 'alipay' })).status).toBe(404);
    // Another centre reaches nothing of it.
    expect((await c.otherStaff.get(`/api/v1/institution/batch-bills/${billNo}`)).status).toBe(404);
  });

  it('the channels offered to institutions are configuration; WeChat Pay with 确认缴费状态 when the notification is lost', async () => {
    const c = await centre({ institutionChannels: ['wechatpay', 'unionpay'] });
    const three = await c.registered(3);
    const made = await c.staff.post('/api/v1/institution/batch-bills', { registrationIds: three.map((t) => t.registrationId) });
    expect(made.status, made.text).toBe(201);
    expect(made.body.channels).toEqual(['wechatpay', 'unionpay']);
    const billNo: string = made.body.billNo;
    const refused = await c.staff.post(`/api/v1/institution/batch-bills/${billNo}/payments`, { channel: 'alipay', agreementAccepted: true });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'CHANNEL_NOT_OFFERED', details: { offered: ['wechatpay', 'unionpay'] } });
    expect((await bill(billNo)).state).toBe('UNPAID');

    const pay = await c.staff.post(`/api/v1/institution/batch-bills/${billNo}/payments`, { channel: 'wechatpay', agreementAccepted: true });
    expect(pay.status, pay.text).toBe(200);
    expect(pay.body.qrContent.length).toBeGreaterThan(0);
    w.sandbox.setFaults(billNo, { noNotify: true });
    await w.sandbox.pay(billNo, { channel: 'wechatpay' });
    expect((await bill(billNo)).state).toBe('PAYING');
    w.clock.advance(10_000);
    const checked = await c.staff.post(`/api/v1/institution/batch-bills/${billNo}/status-check`);
    expect(checked.status, checked.text).toBe(200);
    expect(checked.body).toMatchObject({ state: 'PAID', channel: 'wechatpay' });
    expect(checked.body.channelAnswers).toEqual([{ outTradeNo: billNo, channel: 'wechatpay', answer: 'PAID' }]);
    expect((await c.seats(three.map((t) => t.registrationId))).every((s) => s.state === 'SOLD')).toBe(true);
    w.sandbox.clearFaults();
  });

  it('UnionPay, the seed-000 channel: the batch bill\'s form page posts to the bank gateway, the bank pays, the notify settles it', async () => {
    const c = await centre({ institutionChannels: ['unionpay'] });
    const two = await c.registered(2);
    const made = await c.staff.post('/api/v1/institution/batch-bills', { registrationIds: two.map((t) => t.registrationId) });
    const billNo: string = made.body.billNo;
    const pay = await c.staff.post(`/api/v1/institution/batch-bills/${billNo}/payments`, { channel: 'unionpay', agreementAccepted: true });
    expect(pay.status, pay.text).toBe(200);
    // What a browser does with a UnionPay payUrl: load our page, post its signed form to the gateway.
    const page = await (await fetch(pay.body.payUrl)).text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    expect(action, 'the form page posts to the gateway').toBeDefined();
    const fields = new URLSearchParams();
    for (const m of page.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) fields.append(m[1]!, m[2]!.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>'));
    expect(fields.get('txnAmt')).toBe(String(SEATED_FEE * 2n));
    const posted = await fetch(action!.replaceAll('&amp;', '&'), { method: 'POST', body: fields, redirect: 'manual' });
    expect(posted.status).toBeLessThan(400);
    expect((await w.sandbox.pay(billNo, { channel: 'unionpay' })).ok).toBe(true);
    await w.sandbox.deliverDueNotifications();
    expect(await bill(billNo)).toMatchObject({ state: 'PAID', channel: 'unionpay' });
    expect((await c.seats(two.map((t) => t.registrationId))).map((s) => s.state)).toEqual(['SOLD', 'SOLD']);
  });

  it('PAY-8: charged twice for a batch bill → one PAID bill and the duplicate refunded in full, automatically', async () => {
    const c = await centre();
    const five = await c.registered(5);
    const made = await c.staff.post('/api/v1/institution/batch-bills', { registrationIds: five.map((t) => t.registrationId) });
    const billNo: string = made.body.billNo;
    expect((await c.staff.post(`/api/v1/institution/batch-bills/${billNo}/payments`, { channel: 'alipay', agreementAccepted: true })).status).toBe(200);
    w.sandbox.setFaults(billNo, { chargeTwice: true });
    await w.sandbox.pay(billNo, { channel: 'alipay' });
    await w.sandbox.deliverDueNotifications();
    await w.runJobs();
    const b = await bill(billNo);
    expect(b.state).toBe('PAID');
    const captures = await w.db.selectFrom('channel_payment').select('outcome').where('bill_id', '=', b.id).execute();
    expect(captures.map((x) => x.outcome).sort()).toEqual(['DUPLICATE', 'SETTLED']);
    const refunds = await w.db.selectFrom('refund').select(['state', 'reason', 'amount_fen']).where('bill_id', '=', b.id).execute();
    expect(refunds).toEqual([{ state: 'SUCCEEDED', reason: 'DUPLICATE_PAYMENT', amount_fen: SEATED_FEE * 5n }]);
    const shown = await c.staff.get(`/api/v1/institution/batch-bills/${billNo}`);
    expect(shown.body.explanation.zh).toContain('多扣的款项已原路退回');
    // Finance sees the batch bill and its refund, with the institution as payer.
    const finance = await staffBrowser(w.app, await makeStaff(w.db, w.exam, 'FINANCE'));
    const staffView = await finance.get(`/api/v1/admin/bills/${billNo}`);
    expect(staffView.status, staffView.text).toBe(200);
    expect(staffView.body).toMatchObject({ owner: 'INSTITUTION', candidateId: null, institutionId: String(c.inst.institutionId), state: 'PAID' });
    const refundList = await finance.get(`/api/v1/admin/refunds?billNo=${billNo}`);
    expect(refundList.status, refundList.text).toBe(200);
    expect(refundList.body).toEqual([expect.objectContaining({ billOwner: 'INSTITUTION', institutionName: c.instName, candidateId: null, reason: 'DUPLICATE_PAYMENT' })]);
    w.sandbox.clearFaults();
  });

  it('REG-7: a batch bill not paid in time closes at the channel, and its seats are released as a candidate\'s would be, with the reason; a slot chosen again, it is paid in a new bill', async () => {
    const c = await centre();
    const four = await c.registered(4);
    const ids = four.map((t) => t.registrationId);
    const made = await c.staff.post('/api/v1/institution/batch-bills', { registrationIds: ids });
    const billNo: string = made.body.billNo;
    expect((await c.staff.post(`/api/v1/institution/batch-bills/${billNo}/payments`, { channel: 'alipay', agreementAccepted: true })).status).toBe(200);
    w.clock.advance(31 * MINUTE);
    await w.runJobs();
    Object.assign(c, await c.signInAgain());
    const closed = await bill(billNo);
    expect(closed).toMatchObject({ state: 'CLOSED', closed_cause: 'EXPIRED' });
    expect(await c.seats(ids)).toEqual([]);
    const regs = await w.db.selectFrom('registration').select(['seat_released_reason', 'status']).where('id', 'in', ids.map(BigInt)).execute();
    expect(regs.every((r) => r.seat_released_reason === 'PAYMENT_TIMEOUT' && r.status === 'ACTIVE')).toBe(true);
    expect(w.sandbox.getOrder(billNo, { channel: 'alipay' })!.state).toBe('CLOSED');

    const listed = await c.staff.get(`/api/v1/institution/candidates?candidateId=${four[0]!.candidateId}`);
    expect(listed.status, listed.text).toBe(200);
    expect(listed.body, listed.text).toHaveLength(1);
    const reg = listed.body[0].registrations[0];
    expect(reg).toMatchObject({ status: 'SEAT_RELEASED', payableByInstitution: false, seatReleased: { reason: 'PAYMENT_TIMEOUT' }, bill: null });
    expect(reg.seatReleased.zh).toContain('30分钟');
    const again = await c.staff.post('/api/v1/institution/batch-bills', { registrationIds: ids });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('SEAT_RELEASED');

    for (const id of ids) {
      const chosen = await c.staff.post(`/api/v1/institution/registrations/${id}/slot`, { siteId: String(c.siteId), slotId: String(c.slotId) });
      expect(chosen.status, chosen.text).toBe(200);
    }
    // Another centre cannot choose a slot for them.
    expect((await c.otherStaff.post(`/api/v1/institution/registrations/${ids[0]}/slot`, { siteId: String(c.siteId), slotId: String(c.slotId) })).status).toBe(404);
    const renewed = await c.staff.post('/api/v1/institution/batch-bills', { registrationIds: ids });
    expect(renewed.status, renewed.text).toBe(201);
    expect((await c.staff.post(`/api/v1/institution/batch-bills/${renewed.body.billNo}/payments`, { channel: 'alipay', agreementAccepted: true })).status).toBe(200);
    await w.sandbox.pay(renewed.body.billNo, { channel: 'alipay' });
    await w.sandbox.deliverDueNotifications();
    expect((await bill(renewed.body.billNo)).state).toBe('PAID');
    expect((await c.seats(ids)).map((s) => s.state)).toEqual(['SOLD', 'SOLD', 'SOLD', 'SOLD']);
  });

  it('PAY-1: two batch bills racing for the same registrations — exactly one wins each registration', async () => {
    const c = await centre();
    const second = await staffBrowser(w.app, await makeStaff(w.db, w.exam, 'INSTITUTION_STAFF', { institutionId: c.inst.institutionId }));
    for (let round = 0; round < 4; round++) {
      const six = (await c.registered(6)).map((t) => t.registrationId);
      // Overlapping sets: a takes 0–3, b takes 2–5, c takes all six.
      const sets = [six.slice(0, 4), six.slice(2), six];
      const results = await Promise.all(sets.map((set, i) => (i % 2 ? second : c.staff).post('/api/v1/institution/batch-bills', { registrationIds: set })));
      const won = results.filter((r) => r.status === 201);
      const lost = results.filter((r) => r.status !== 201);
      for (const r of lost) {
        expect(r.status, r.text).toBe(409);
        expect(r.body.error.code).toBe('REGISTRATION_ALREADY_BILLED');
      }
      // Every winner's set is disjoint from the others', and every registration is on at most one live bill.
      const onBills = won.flatMap((r) => r.body.items.map((i: { registrationId: string }) => i.registrationId));
      expect(new Set(onBills).size).toBe(onBills.length);
      // The three sets overlap pairwise, so exactly one bill is made each round.
      expect(won).toHaveLength(1);
      const live = await w.db.selectFrom('bill_item').select(['registration_id', (eb) => eb.fn.countAll<string>().as('n')])
        .where('registration_id', 'in', six.map(BigInt)).where('live', '=', true).groupBy('registration_id').execute();
      expect(live.every((l) => Number(l.n) === 1)).toBe(true);
    }
  });

  it('REG-6 × PAY-1: a batch bill racing the hold-limit job — every registration ends on the bill with its seat, or released and off any bill', async () => {
    const c = await centre({ seatHoldMinutes: 5 });
    for (let round = 0; round < 4; round++) {
      const ids = (await c.registered(8)).map((t) => t.registrationId);
      w.clock.advance(6 * MINUTE);
      const { staff } = await c.signInAgain();
      const [made] = await Promise.all([staff.post('/api/v1/institution/batch-bills', { registrationIds: ids }), releaseStaleSeatHoldsJob.execute(w.ctx)]);
      const live = await w.db.selectFrom('bill_item').select('registration_id').where('registration_id', 'in', ids.map(BigInt)).where('live', '=', true).execute();
      const held = await c.seats(ids);
      if (made.status === 201) {
        expect(live).toHaveLength(8);
        expect(held.map((h) => h.state)).toEqual(Array(8).fill('HELD'));
        await staff.post(`/api/v1/institution/batch-bills/${made.body.billNo}/close`);
      } else {
        expect(made.status, made.text).toBe(409);
        expect(made.body.error.code).toBe('SEAT_RELEASED');
        expect(live).toEqual([]);
      }
      // Whatever won, no registration is on a live bill without its seat.
      const seatless = await w.db.selectFrom('bill_item as i').leftJoin('seat as s', 's.registration_id', 'i.registration_id')
        .select('i.registration_id').where('i.live', '=', true).where('s.id', 'is', null).where('i.registration_id', 'in', ids.map(BigInt)).execute();
      expect(seatless).toEqual([]);
    }
    Object.assign(c, await c.signInAgain());
  });

  it('REG-8: the institution cannot put its candidates\' own registrations, nor another centre\'s, on its bill — the same answer as not found, and nothing changes', async () => {
    const c = await centre();
    const [mine] = await c.registered(1);
    const own = await c.candidate();
    const ownBrowser = new Browser(w.app);
    expect((await ownBrowser.signIn(w.exam.authorityCode, own.idNumber, own.password)).status).toBe(200);
    const candidates = await ownBrowser.post('/api/v1/registrations', { subjectId: String(c.subject), siteId: String(c.siteId), slotId: String(c.slotId) });
    expect(candidates.status).toBe(201);
    const otherCandidate = await c.candidate(c.other.institutionId);
    const others = await c.register(otherCandidate.candidateId, c.otherStaff);
    const billsBefore = await w.db.selectFrom('bill').select('id').execute();

    for (const foreign of [candidates.body.registrationId, others, '999999999']) {
      const r = await c.staff.post('/api/v1/institution/batch-bills', { registrationIds: [mine!.registrationId, foreign] });
      expect(r.status, r.text).toBe(404);
      expect(r.body.error).toMatchObject({ code: 'REGISTRATION_NOT_FOUND', details: { registrationIds: [foreign] } });
    }
    expect(await w.db.selectFrom('bill').select('id').execute()).toEqual(billsBefore);
    // The candidate's own registration shows as the candidate's to pay, with why.
    const listed = await c.staff.get(`/api/v1/institution/candidates?candidateId=${own.candidateId}`);
    expect(listed.body[0].registrations[0]).toMatchObject({ owner: 'CANDIDATE', payableByInstitution: false, reason: { code: 'OWNED_BY_CANDIDATE' } });
    // Another centre's candidate is not this centre's to list.
    expect((await c.staff.get(`/api/v1/institution/candidates?candidateId=${otherCandidate.candidateId}`)).status).toBe(404);

    // And the candidate cannot pay the institution's registration on a bill of their own.
    const ownOfCentre = await c.candidate();
    const centreReg = await c.register(ownOfCentre.candidateId);
    const b2 = new Browser(w.app);
    await b2.signIn(w.exam.authorityCode, ownOfCentre.idNumber, ownOfCentre.password);
    const tried = await b2.post('/api/v1/bills', { registrationIds: [centreReg] });
    expect(tried.status).toBe(409);
    expect(tried.body.error).toMatchObject({ code: 'REGISTRATION_NOT_PAYABLE', details: { reason: 'INSTITUTION_REGISTRATION' } });

    // Even a code path that forgot the rule cannot mix them: the database refuses (migration 022).
    const made = await c.staff.post('/api/v1/institution/batch-bills', { registrationIds: [mine!.registrationId] });
    expect(made.status).toBe(201);
    const billId = (await bill(made.body.billNo)).id;
    for (const foreign of [candidates.body.registrationId, others]) {
      await expect(w.db.insertInto('bill_item').values({ bill_id: billId, registration_id: BigInt(foreign), subject_id: c.subject, amount_fen: SEATED_FEE }).execute()).rejects.toThrow(/REG-8/);
    }
    await expect(w.db.insertInto('bill').values({ bill_no: '202603150000000000001', owner: 'INSTITUTION', institution_id: c.inst.institutionId, candidate_id: own.candidateId, sitting_id: w.exam.sittingId, amount_fen: 1n, expires_at: w.clock.now(), created_at: w.clock.now(), updated_at: w.clock.now() }).execute())
      .rejects.toThrow(/bill_one_payer/);
  });

  it('REG-8: the institution deletes a registration it made — never the candidate\'s own, never one on a live bill; after closing the bill it may', async () => {
    const c = await centre();
    const [a] = await c.registered(1);
    const made = await c.staff.post('/api/v1/institution/batch-bills', { registrationIds: [a!.registrationId] });
    const billNo: string = made.body.billNo;
    const onBill = await c.staff.delete(`/api/v1/institution/registrations/${a!.registrationId}`);
    expect(onBill.status).toBe(409);
    expect(onBill.body.error.code).toBe('REGISTRATION_ALREADY_BILLED');
    // A read-only role or another centre changes nothing.
    expect((await c.otherStaff.post(`/api/v1/institution/batch-bills/${billNo}/close`)).status).toBe(404);
    const ro = await staffBrowser(w.app, await makeStaff(w.db, w.exam, 'READ_ONLY'));
    expect((await ro.post(`/api/v1/institution/batch-bills/${billNo}/close`)).status).toBe(403);
    expect((await bill(billNo)).state).toBe('UNPAID');

    const closed = await c.staff.post(`/api/v1/institution/batch-bills/${billNo}/close`);
    expect(closed.status, closed.text).toBe(200);
    expect(closed.body).toMatchObject({ state: 'CLOSED' });
    expect((await c.staff.post(`/api/v1/institution/batch-bills/${billNo}/close`)).body.error.code).toBe('BILL_CLOSED');
    expect((await c.staff.delete(`/api/v1/institution/registrations/${a!.registrationId}`)).status).toBe(204);
    expect(await c.seats([a!.registrationId])).toEqual([]);

    const own = await c.candidate();
    const ob = new Browser(w.app);
    await ob.signIn(w.exam.authorityCode, own.idNumber, own.password);
    const ownReg = await ob.post('/api/v1/registrations', { subjectId: String(c.subject), siteId: String(c.siteId), slotId: String(c.slotId) });
    const refused = await c.staff.delete(`/api/v1/institution/registrations/${ownReg.body.registrationId}`);
    expect(refused.status).toBe(409);
    expect(refused.body.error.code).toBe('REGISTRATION_OWNED_BY_CANDIDATE');
  });

  it('REG-6: the seat hold limit applies to institution registrations not on a live bill, with the reason explained as for candidates', async () => {
    const c = await centre({ seatHoldMinutes: 60 });
    const [idle, billed] = await c.registered(2);
    const made = await c.staff.post('/api/v1/institution/batch-bills', { registrationIds: [billed!.registrationId] });
    expect(made.status).toBe(201);
    // The bill closes at its 30 minutes, then waits; the idle one passes the hour without a bill.
    w.clock.advance(61 * MINUTE);
    // Only the hold-limit job, so the expired bill's own release does not blur what is checked.
    await releaseStaleSeatHoldsJob.execute(w.ctx);
    Object.assign(c, await c.signInAgain());
    expect((await c.seats([idle!.registrationId]))).toEqual([]);
    expect((await c.seats([billed!.registrationId])).map((s) => s.state)).toEqual(['HELD']);
    const listed = await c.staff.get(`/api/v1/institution/candidates?candidateId=${idle!.candidateId}`);
    const reg = listed.body[0].registrations[0];
    expect(reg).toMatchObject({ status: 'SEAT_RELEASED', seatReleased: { reason: 'HOLD_EXPIRED' }, reason: { code: 'SEAT_RELEASED' } });
    expect(reg.seatReleased.zh).toContain('1小时');
    await w.runJobs();
  });
});

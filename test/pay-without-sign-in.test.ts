import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { purgeExpiredJob } from '../src/jobs/purge-expired.job.ts';
import { confirmBill } from '../src/modules/billing/confirm-bill.ts';
import { MINUTE } from '../src/shared/clock.ts';
import { Browser } from './support/http.ts';
import { expectBooksBalance } from './support/books.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';

let w: PaymentWorld;
beforeAll(async () => {
  w = await startPaymentWorld();
  await w.db.updateTable('exam').set({ pay_without_sign_in: true }).where('id', '=', w.exam.examId).execute();
});
afterAll(async () => w.close());
// Whatever a test did, the books agree with the channel afterwards.
afterEach(async () => expectBooksBalance(w));

const nameOf = async (candidateId: bigint) => (await w.db.selectFrom('candidate').select('name').where('id', '=', candidateId).executeTakeFirstOrThrow()).name;

/** A phone that has never signed in: arithmetic captcha, then the look-up. */
async function lookUp(b: Browser, fields: { name: string; idNumber?: string; paymentCode?: string }) {
  return b.post('/api/v1/payer-lookups', { authority: w.exam.authorityCode, ...fields, ...(await b.captcha('ARITHMETIC')) });
}

describe('pay without signing in (PAY-6, seed 003)', () => {
  it('PAY-6: name + ID number + arithmetic captcha → the open bill → agreement → Alipay → PAID, without the payer signing in or changing the initial password', async () => {
    const c = await w.candidate({ mustChangePassword: true });
    const confirmed = await confirmBill(w.ctx, { candidateId: c.candidateId, registrationIds: c.registrationIds });
    if (!confirmed.ok) throw new Error(confirmed.error.code);
    const billNo = confirmed.value.bill_no;
    const b = new Browser(w.app);
    const found = await lookUp(b, { name: await nameOf(c.candidateId), idNumber: c.idNumber });
    expect(found.status).toBe(200);
    expect(found.body.payerName).toMatch(/^考\*+$/);
    expect(found.body.openBills.map((x: { billNo: string }) => x.billNo)).toEqual([billNo]);
    expect(String(found.headers['set-cookie'])).toMatch(/exampay_pay=.*HttpOnly.*SameSite=Strict/i);

    expect((await b.post(`/api/v1/bills/${billNo}/agreement`, { accepted: true })).status).toBe(200);
    const pay = await b.post(`/api/v1/bills/${billNo}/payments`, { channel: 'alipay' });
    expect(pay.status).toBe(200);
    expect(pay.body.qrContent).toBeTruthy();
    expect((await w.sandbox.pay(billNo)).ok).toBe(true);
    await w.sandbox.deliverDueNotifications();
    const after = await b.get(`/api/v1/bills/${billNo}`);
    expect(after.body.state).toBe('PAID');
    // The history says an anonymous payer with a pass did it, not a signed-in candidate.
    const actors = await w.db.selectFrom('bill_transition as t').innerJoin('bill as b', 'b.id', 't.bill_id').select('t.actor').where('b.bill_no', '=', billNo).execute();
    expect(actors.map((a) => a.actor)).toContain(`payer:${c.candidateId}`);
  });

  it('PAY-6: name + payment code (the bill number, 缴费码) finds the open bill, which can then be paid', async () => {
    const { bill, candidate } = await w.payingBill(undefined, 'wechatpay');
    const b = new Browser(w.app);
    const found = await lookUp(b, { name: await nameOf(candidate.candidateId), paymentCode: bill.bill_no });
    expect(found.status).toBe(200);
    expect(found.body.openBills.map((x: { billNo: string }) => x.billNo)).toEqual([bill.bill_no]);
    const check = await b.post(`/api/v1/bills/${bill.bill_no}/status-check`);
    expect(check.status).toBe(200);
    expect(check.body.state).toBe('PAYING');
  });

  it('PAY-6: a wrong name, an unknown ID number or a wrong code all get the same answer, and no pass', async () => {
    const c = await w.candidate();
    const answers = [];
    const tries: { name: string; idNumber?: string; paymentCode?: string }[] = [
      { name: '不是他', idNumber: c.idNumber },
      { name: await nameOf(c.candidateId), idNumber: '11010519900101999X' },
      { name: await nameOf(c.candidateId), paymentCode: '202603150000000000000' },
    ];
    for (const fields of tries) {
      const b = new Browser(w.app);
      const r = await lookUp(b, fields);
      answers.push({ status: r.status, body: r.body });
      expect(b.cookie('exampay_pay')).toBeUndefined();
    }
    expect(answers[0]!.status).toBe(404);
    expect(answers[0]!.body.error.code).toBe('PAYER_NOT_FOUND');
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
  });

  it('PAY-6: the captcha must be arithmetic and right; without it nothing is looked up', async () => {
    const c = await w.candidate();
    const name = await nameOf(c.candidateId);
    const b = new Browser(w.app);
    const text = await b.post('/api/v1/payer-lookups', { authority: w.exam.authorityCode, name, idNumber: c.idNumber, ...(await b.captcha('TEXT')) });
    expect(text.body.error).toMatchObject({ code: 'CAPTCHA_INVALID', details: { required: 'ARITHMETIC' } });
    const cap = await b.captcha('ARITHMETIC');
    const wrong = await b.post('/api/v1/payer-lookups', { authority: w.exam.authorityCode, name, idNumber: c.idNumber, captchaId: cap.captchaId, captchaAnswer: String(Number(cap.captchaAnswer) + 1) });
    expect(wrong.body.error.code).toBe('CAPTCHA_INVALID');
    const both = await lookUp(b, { name, idNumber: c.idNumber, paymentCode: '202603150000000000000' });
    expect(both.body.error.code).toBe('VALIDATION_FAILED');
    expect(b.cookie('exampay_pay')).toBeUndefined();
  });

  it('PAY-6: the pass reaches that candidate\'s open bills and nothing else — no new bill, no registrations, no profile, no cancelling, no one else\'s bill', async () => {
    const c = await w.candidate();
    const other = await w.payingBill();
    const confirmed = await confirmBill(w.ctx, { candidateId: c.candidateId, registrationIds: [c.registrationIds[0]!] });
    if (!confirmed.ok) throw new Error(confirmed.error.code);
    const bill = { body: { billNo: confirmed.value.bill_no } };
    const b = new Browser(w.app);
    expect((await lookUp(b, { name: await nameOf(c.candidateId), idNumber: c.idNumber })).status).toBe(200);
    // A stranger who knows name and ID number must not tie the candidate's subjects (and seats) up in a bill.
    const tie = await b.post('/api/v1/bills', { registrationIds: [String(c.registrationIds[1])] });
    expect(tie.status).toBe(401);
    for (const [method, url] of [['GET', '/api/v1/registrations'], ['GET', '/api/v1/me'], ['POST', '/api/v1/me/password'], ['POST', `/api/v1/bills/${bill.body.billNo}/cancel`]] as const) {
      const r = await b.request(method, url, method === 'POST' ? { currentPassword: 'x', newPassword: 'y' } : undefined);
      expect(r.status, `${method} ${url}`).toBe(401);
      expect(r.body.error.code).toBe('NOT_SIGNED_IN');
    }
    expect((await b.get(`/api/v1/bills/${other.bill.bill_no}`)).body.error.code).toBe('BILL_NOT_FOUND');
    expect((await b.get('/api/v1/bills')).body.map((x: { billNo: string }) => x.billNo)).toEqual([bill.body.billNo]);
  });

  it('PAY-6: the pass lasts 30 minutes, ends on request, and is purged after', async () => {
    const c = await w.candidate();
    const b = new Browser(w.app);
    await lookUp(b, { name: await nameOf(c.candidateId), idNumber: c.idNumber });
    const start = w.clock.now();
    w.clock.advance(30 * MINUTE - 1000);
    expect((await b.get('/api/v1/bills')).status).toBe(200);
    w.clock.advance(1000);
    expect((await b.get('/api/v1/bills')).body.error.code).toBe('NOT_SIGNED_IN');
    await purgeExpiredJob.execute(w.ctx);
    expect(await w.db.selectFrom('payment_pass').select('candidate_id').where('candidate_id', '=', c.candidateId).execute()).toEqual([]);
    w.clock.set(start);
    const again = new Browser(w.app);
    await lookUp(again, { name: await nameOf(c.candidateId), idNumber: c.idNumber });
    expect((await again.delete('/api/v1/payer-lookups/current')).status).toBe(204);
    expect((await again.get('/api/v1/bills')).status).toBe(401);
  });

  it('PAY-6 + ACC-7: failed look-ups of one ID number are throttled like sign-ins — the right name is refused while locked, and the lock ends', async () => {
    const c = await w.candidate();
    const name = await nameOf(c.candidateId);
    const start = w.clock.now();
    for (let i = 0; i < 4; i++) expect((await lookUp(new Browser(w.app), { name: `错名${i}`, idNumber: c.idNumber })).body.error.code).toBe('PAYER_NOT_FOUND');
    const fifth = await lookUp(new Browser(w.app), { name: '错名', idNumber: c.idNumber });
    expect(fifth.status).toBe(429);
    expect(fifth.body.error.code).toBe('ACCOUNT_LOCKED');
    expect(fifth.headers['retry-after']).toBeDefined();
    const right = new Browser(w.app);
    expect((await lookUp(right, { name, idNumber: c.idNumber })).body.error.code).toBe('ACCOUNT_LOCKED');
    expect(right.cookie('exampay_pay')).toBeUndefined();
    w.clock.advance(15 * MINUTE);
    expect((await lookUp(new Browser(w.app), { name, idNumber: c.idNumber })).status).toBe(200);
    // The look-up has its own counter: it neither locks nor unlocks the candidate's sign-in.
    expect((await new Browser(w.app).signIn(w.exam.authorityCode, c.idNumber, c.password)).status).toBe(200);
    w.clock.set(start);
  });

  it('PAY-6 is the exam\'s choice: where it is off, the right name and number get the same answer as wrong ones', async () => {
    const c = await w.candidate();
    await w.db.updateTable('exam').set({ pay_without_sign_in: false }).where('id', '=', w.exam.examId).execute();
    try {
      const r = await lookUp(new Browser(w.app), { name: await nameOf(c.candidateId), idNumber: c.idNumber });
      expect(r.status).toBe(404);
      expect(r.body.error.code).toBe('PAYER_NOT_FOUND');
    } finally {
      await w.db.updateTable('exam').set({ pay_without_sign_in: true }).where('id', '=', w.exam.examId).execute();
    }
  });

  it('PAY-6: a browser whose old session expired still pays with its pass; a valid session is used instead of the pass', async () => {
    const c = await w.candidate();
    const confirmed = await confirmBill(w.ctx, { candidateId: c.candidateId, registrationIds: c.registrationIds });
    if (!confirmed.ok) throw new Error(confirmed.error.code);
    const b = new Browser(w.app);
    const other = await w.candidate();
    await b.signIn(w.exam.authorityCode, other.idNumber, other.password);
    expect((await lookUp(b, { name: await nameOf(c.candidateId), idNumber: c.idNumber })).status).toBe(200);
    // Signed in as someone else: the session decides, so the payer's bill is not theirs.
    expect((await b.get(`/api/v1/bills/${confirmed.value.bill_no}`)).body.error.code).toBe('BILL_NOT_FOUND');
    // The session goes idle (last seen two hours ago): the pass now answers.
    await w.db.updateTable('candidate_session').set({ last_seen_at: new Date(w.clock.now().getTime() - 120 * MINUTE) }).where('candidate_id', '=', other.candidateId).execute();
    expect((await b.get(`/api/v1/bills/${confirmed.value.bill_no}`)).status).toBe(200);
  });
});

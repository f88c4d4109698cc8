import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfiguration } from '../src/modules/exams/load-configuration.ts';
import { readConfiguration, seedConfigurationFiles } from '../src/demo/seed-configurations.ts';
import type { SandboxChannel } from '../src/sandbox/order-book.ts';
import { Browser } from './support/http.ts';
import { startPaymentWorld, type PaymentWorld } from './support/payment-world.ts';

let w: PaymentWorld;
beforeAll(async () => {
  w = await startPaymentWorld();
});
afterAll(async () => w.close());

/**
 * Who walks each seed system's main journey, what they register (REG-1 … REG-9 as configured) and
 * which channel they pay with. CET002 is walked once per channel it offers (支付宝 and 首信易).
 */
const WALKS: Record<string, Array<{ candidate: string; subject: string; channel: string }>> = {
  TK000: [{ candidate: '王强', subject: 'ENG-B', channel: 'unionpay' }],
  SH001: [{ candidate: '陆思远', subject: 'FEE', channel: 'publicpay' }],
  CET002: [{ candidate: '王思雨', subject: 'CET4', channel: 'alipay' }, { candidate: '刘洋', subject: 'CET4', channel: 'payease' }],
  HN003: [{ candidate: '彭志刚', subject: 'LC-ZY', channel: 'wechatpay' }],
  NM004: [{ candidate: '吴昊', subject: 'LC-ZY', channel: 'unionpay' }],
};

async function browserPost(payUrl: string) {
  // UnionPay's pay step is a form the browser posts to the gateway (see channel-journeys.test.ts).
  const page = await (await fetch(payUrl)).text();
  const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
  if (!action) return;
  const fields = new URLSearchParams();
  for (const m of page.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) fields.append(m[1]!, m[2]!.replaceAll('&amp;', '&').replaceAll('&quot;', '"'));
  await fetch(action.replaceAll('&amp;', '&'), { method: 'POST', body: fields, redirect: 'manual' });
}

describe('the five seed systems, loaded from their configuration files and walked through the API', () => {
  it('there are five, one per seed manual', () => {
    expect(seedConfigurationFiles().map((f) => f.split('/').pop())).toEqual(['000-tongkao.json', '001-shanghai-zizhu.json', '002-cet.json', '003-hunan-medical.json', '004-national-medical.json']);
  });

  it('every channel a seed system offers is configured in this deployment (none is left CHANNEL_UNAVAILABLE)', () => {
    for (const file of seedConfigurationFiles()) {
      for (const c of readConfiguration(file).exam.channels) expect(w.ctx.channels.get(c), `${file}: ${c}`).toBeDefined();
    }
  });

  for (const file of seedConfigurationFiles()) {
    const config = readConfiguration(file);
    let loaded: Awaited<ReturnType<typeof loadConfiguration>>;
    for (const walk of WALKS[config.authority.code]!) {
      it(`${config.exam.name} (${config.authority.code}): sign in → change password → register → bill → agree → pay by ${walk.channel} → PAID`, async () => {
        expect(config.exam.channels).toContain(walk.channel);
        loaded ??= await loadConfiguration(w.db, config, w.clock.now());
        expect(loaded).toBeDefined();
        const account = loaded!.accounts.find((a) => a.name === walk.candidate)!;
        const b = new Browser(w.app);
        const me = await b.signIn(config.authority.code, account.idNumber, account.password);
        expect(me.status).toBe(200);
        expect(me.body.mustChangePassword).toBe(true);
        expect((await b.get('/api/v1/registrations')).body.error.code).toBe('PASSWORD_CHANGE_REQUIRED');
        expect((await b.post('/api/v1/me/password', { currentPassword: account.password, newPassword: 'Seed2026walk!' })).status).toBe(204); // '!': CET's policy wants a special character

        const [sitting] = (await b.get('/api/v1/sittings')).body;
        const options = (await b.get(`/api/v1/sittings/${sitting.sittingId}/registration-options`)).body;
        const subject = options.subjects.find((s: { code: string }) => s.code === walk.subject);
        expect(subject.canRegister, `${walk.subject}: ${subject.reason}`).toBe(true);
        const choice = subject.choices.find((c: { free: number }) => c.free > 0);
        const reg = await b.post('/api/v1/registrations', { subjectId: subject.subjectId, ...(choice ? { siteId: choice.siteId, slotId: choice.slotId } : {}) });
        expect(reg.status, JSON.stringify(reg.body)).toBe(201);

        const bill = await b.post('/api/v1/bills', { registrationIds: [reg.body.registrationId] });
        expect(bill.status, JSON.stringify(bill.body)).toBe(201);
        expect(bill.body.amountFen).toBe(subject.feeFen);
        await b.post(`/api/v1/bills/${bill.body.billNo}/agreement`, { accepted: true });

        const pay = await b.post(`/api/v1/bills/${bill.body.billNo}/payments`, { channel: walk.channel });
        expect(pay.status, JSON.stringify(pay.body)).toBe(200);
        const channel = walk.channel as SandboxChannel;
        if (channel === 'unionpay') await browserPost(pay.body.payUrl);
        if (config.exam.bankCardOnly && channel === 'publicpay') {
          // Seed 001: "不支持“微信零钱、支付宝余额”支付，必须绑定银行卡" — the platform's cashier refuses balances.
          expect(w.sandbox.getOrder(pay.body.outTradeNo, { channel })!.payMethods.every((m) => m.startsWith('BANK_CARD_'))).toBe(true);
          expect(await w.sandbox.pay(pay.body.outTradeNo, { channel, method: 'WECHAT_BALANCE' })).toMatchObject({ ok: false, reason: 'METHOD_NOT_ALLOWED' });
        }
        expect((await w.sandbox.pay(pay.body.outTradeNo, { channel })).ok).toBe(true);
        await w.sandbox.deliverDueNotifications();
        const paid = (await b.get(`/api/v1/bills/${bill.body.billNo}`)).body;
        expect(paid.state).toBe('PAID');
        expect(paid.channel).toBe(walk.channel);
        const mine = (await b.get('/api/v1/registrations')).body.find((r: { registrationId: string }) => r.registrationId === reg.body.registrationId);
        expect(mine.paid).toBe(true);
        if (choice) expect(mine.seat.state).toBe('SOLD');
      });
    }
  }
});

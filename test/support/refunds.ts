import { expect } from 'vitest';
import type { Bill } from '../../src/db/schema.ts';
import { acceptAgreement } from '../../src/modules/billing/accept-agreement.ts';
import { confirmBill } from '../../src/modules/billing/confirm-bill.ts';
import { startPayment } from '../../src/modules/payments/start-payment.ts';
import type { StaffRole } from '../../src/db/schema.ts';
import type { StaffActor } from '../../src/modules/accounts/authorization.ts';
import { MINUTE } from '../../src/shared/clock.ts';
import type { PaymentWorld } from './payment-world.ts';

/**
 * A staff member of an authority (roles and scopes per ADM-5, src/modules/accounts/authorization.ts)
 * as the domain functions take it. The audit log names staff by id without a foreign key, so no
 * account row is needed here; the HTTP tests sign real accounts in.
 */
export const staff = (of: { authorityId: bigint }, role: Exclude<StaffRole, 'INSTITUTION_STAFF'> = 'AUTHORITY_ADMIN', id = 7n): StaffActor =>
  ({ staffId: id, role, authorityId: of.authorityId, institutionId: null });

/** What a browser does with a UnionPay payUrl: load our page, post its signed form to the gateway. */
async function openInBrowser(channel: string, payUrl: string): Promise<void> {
  if (channel !== 'unionpay') return; // Alipay / WeChat orders exist once created (the QR is scanned later)
  const page = await (await fetch(payUrl)).text();
  const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
  if (!action) throw new Error('the UnionPay form page has no form');
  const fields = new URLSearchParams();
  for (const m of page.matchAll(/<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"/g)) fields.append(m[1]!, m[2]!.replaceAll('&amp;', '&').replaceAll('&quot;', '"').replaceAll('&lt;', '<').replaceAll('&gt;', '>'));
  const posted = await fetch(action.replaceAll('&amp;', '&'), { method: 'POST', body: fields, redirect: 'manual' });
  if (posted.status >= 400) throw new Error(`UnionPay gateway answered ${posted.status}`);
}

/** Confirm, agree, send to the channel — the bill is PAYING with an open order at the sandbox. */
export async function startBill(w: PaymentWorld, input: { candidateId: bigint; registrationIds: bigint[]; channel?: string }): Promise<Bill> {
  const channel = input.channel ?? 'alipay';
  const confirmed = await confirmBill(w.ctx, { candidateId: input.candidateId, registrationIds: input.registrationIds });
  if (!confirmed.ok) throw new Error(`confirm: ${confirmed.error.code} ${JSON.stringify(confirmed.error.details)}`);
  await acceptAgreement(w.ctx, { candidateId: input.candidateId, billNo: confirmed.value.bill_no });
  const started = await startPayment(w.ctx, { candidateId: input.candidateId, billNo: confirmed.value.bill_no, channel, actor: 'test' });
  if (!started.ok) throw new Error(`start: ${started.error.code}`);
  await openInBrowser(channel, started.value.payUrl);
  return w.bill(confirmed.value.bill_no);
}

/** A bill paid for real at the sandbox and settled by its notification. */
export async function paidBill(w: PaymentWorld, input: { candidateId: bigint; registrationIds: bigint[]; channel?: string }): Promise<Bill> {
  const channel = input.channel ?? 'alipay';
  const bill = await startBill(w, input);
  const paid = await w.sandbox.pay(bill.bill_no, { channel: channel as 'alipay' });
  if (!paid.ok) throw new Error(`pay: ${JSON.stringify(paid)}`);
  await w.sandbox.deliverDueNotifications();
  const after = await w.bill(bill.bill_no);
  expect(after.state).toBe('PAID');
  return after;
}

/** Let the refund job send every due refund (and ask again) until none is left waiting. */
export async function runRefundsToTheEnd(w: PaymentWorld): Promise<void> {
  for (let i = 0; i < 8; i++) {
    await w.runJobs();
    const pending = await w.db.selectFrom('refund').select('id').where('state', '=', 'PENDING').execute();
    if (pending.length === 0) return;
    w.clock.advance(2 * MINUTE);
  }
}

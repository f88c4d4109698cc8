import { newBillNo } from '../shared/bill-number.ts';
import { MINUTE, type Clock } from '../shared/clock.ts';
import type { Channel, CreatePaymentInput } from './channel.ts';

/**
 * For the channel test kits: create a payment for a fresh bill (100.00 yuan, 30 min) and
 * return its bill number and pay URL. Not used in production.
 */
export async function createTestPayment(
  adapter: Channel, clock: Clock, defaults: { subject: string; notifyUrl: string; returnUrl?: (billNo: string) => string },
  changes: Partial<CreatePaymentInput> = {},
): Promise<{ billNo: string; payUrl: string }> {
  const billNo = changes.billNo ?? newBillNo(clock.now());
  const r = await adapter.createPayment({
    billNo,
    amountFen: 10_000n,
    subject: defaults.subject,
    expiresAt: new Date(clock.now().getTime() + 30 * MINUTE),
    notifyUrl: defaults.notifyUrl,
    ...(defaults.returnUrl ? { returnUrl: defaults.returnUrl(billNo) } : {}),
    ...changes,
  });
  if (!r.ok) throw new Error(`createPayment failed: ${r.code} ${r.message}`);
  return { billNo, payUrl: r.payUrl };
}

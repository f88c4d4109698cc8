import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock, MINUTE } from '../shared/clock.ts';
import type { Fen } from '../shared/money.ts';
import { NotifyDispatcher } from './notify-dispatcher.ts';
import { capturedLessRefunded } from './order-book.ts';
import { SandboxCore } from './sandbox-core.ts';

/** The sandbox's books under random payer and merchant actions: money is never made up or lost. */
type Op =
  | { kind: 'pay'; order: number; twice: boolean }
  | { kind: 'refund'; order: number; capture: number; refundNo: string; amount: number }
  | { kind: 'close'; order: number }
  | { kind: 'advance'; minutes: number };

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('pay' as const), order: fc.nat(3), twice: fc.boolean() }),
  fc.record({
    kind: fc.constant('refund' as const), order: fc.nat(3), capture: fc.nat(1),
    refundNo: fc.constantFrom('R1', 'R2', 'R3'), amount: fc.integer({ min: 1, max: 1_200 }),
  }),
  fc.record({ kind: fc.constant('close' as const), order: fc.nat(3) }),
  fc.record({ kind: fc.constant('advance' as const), minutes: fc.integer({ min: 1, max: 20 }) }),
);

describe('sandbox books (property)', () => {
  it('captures and refunds add up; refunds never exceed a capture; refund numbers never pay twice', async () => {
    await fc.assert(fc.asyncProperty(fc.array(op, { maxLength: 40 }), async (ops) => {
      const clock = new ManualClock();
      const core = new SandboxCore({ clock, dispatcher: new NotifyDispatcher({ clock }) });
      const orders = [0, 1, 2, 3].map((i) => core.book.create({
        channel: 'alipay', merchantId: `M${i % 2}`, billNo: `B${i}`, amountFen: 1_000n, subject: 's', notifyUrl: null,
        returnUrl: null, createdAt: clock.now(), expiresAt: new Date(clock.now().getTime() + 30 * MINUTE), payMethods: ['balance'],
      }));
      const seen = new Map<string, Fen>(); // captureNo/refundNo → amount first refunded
      for (const o of ops) {
        if (o.kind === 'advance') { clock.advance(o.minutes * MINUTE); continue; }
        const order = orders[o.order]!;
        if (o.kind === 'close') { core.open(order); core.closeByMerchant(order); continue; }
        if (o.kind === 'pay') {
          core.faults.set(order.billNo, { chargeTwice: o.twice });
          const before = order.state;
          const r = await core.pay(order);
          expect(r.ok).toBe(before !== 'PAID' && before !== 'CLOSED' && clock.now() < order.expiresAt);
          continue;
        }
        const capture = order.captures[o.capture];
        if (!capture) continue;
        const key = `${capture.captureNo}/${o.refundNo}`;
        const left = capturedLessRefunded(capture);
        const r = core.refund(order, capture, { refundNo: o.refundNo, amountFen: BigInt(o.amount), reason: '' });
        const earlier = seen.get(key);
        if (earlier !== undefined) expect(r).toMatchObject(earlier === BigInt(o.amount) ? { ok: true, fundChange: false } : { ok: false });
        else expect(r.ok).toBe(BigInt(o.amount) <= left);
        if (r.ok && earlier === undefined) seen.set(key, BigInt(o.amount));
      }
      const ledger = core.book.ledger();
      const captures = orders.flatMap((o) => o.captures);
      expect(ledger.capturedFen).toBe(captures.reduce((s, c) => s + c.amountFen, 0n));
      expect(ledger.refundedFen).toBe([...seen.values()].reduce((s, a) => s + a, 0n));
      expect(ledger.merchants.reduce((s, m) => s + m.capturedFen - m.refundedFen, 0n))
        .toBe(captures.reduce((s, c) => s + capturedLessRefunded(c), 0n));
      for (const c of captures) expect(capturedLessRefunded(c) >= 0n).toBe(true);
      for (const o of orders) expect(o.captures.length > 0).toBe(o.state === 'PAID');
    }), { numRuns: 300 });
  });
});

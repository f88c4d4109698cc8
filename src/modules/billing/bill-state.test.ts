import { describe, expect, it } from 'vitest';
import type { BillStateName } from '../../db/schema.ts';
import { BILL_STATES, BILL_TRANSITIONS, checkBillTransition, type BillCause } from './bill-state.ts';

const CAUSES: BillCause[] = ['PAYMENT_STARTED', 'CHANNEL_PAID', 'CHANNEL_FAILED', 'EXPIRED', 'CANCELLED', 'AUTHORITY_CANCELLED', 'REFUNDED', 'PARTIALLY_REFUNDED'];

// PAY-3 spelled out independently of the table, so a change to the table must change this too.
const ALLOWED: [BillStateName, BillStateName, BillCause][] = [
  ['UNPAID', 'PAYING', 'PAYMENT_STARTED'],
  ['UNPAID', 'PAID', 'CHANNEL_PAID'],
  ['UNPAID', 'CLOSED', 'EXPIRED'],
  ['UNPAID', 'CLOSED', 'CANCELLED'],
  ['UNPAID', 'CLOSED', 'AUTHORITY_CANCELLED'], // REF-2
  ['PAYING', 'CLOSED', 'AUTHORITY_CANCELLED'], // REF-2: a later capture is LATE and refunded
  ['PAYING', 'PAID', 'CHANNEL_PAID'],
  ['PAYING', 'UNPAID', 'CHANNEL_FAILED'],
  ['PAYING', 'CLOSED', 'EXPIRED'],
  ['PAID', 'REFUNDED', 'REFUNDED'],
  ['PAID', 'PARTIALLY_REFUNDED', 'PARTIALLY_REFUNDED'],
  ['PARTIALLY_REFUNDED', 'PARTIALLY_REFUNDED', 'PARTIALLY_REFUNDED'],
  ['PARTIALLY_REFUNDED', 'REFUNDED', 'REFUNDED'],
];
const key = (f: string, t: string, c: string) => `${f}→${t}:${c}`;
const allowed = new Set(ALLOWED.map(([f, t, c]) => key(f, t, c)));

describe('bill state machine (PAY-3)', () => {
  describe('allowed transitions', () => {
    for (const [from, to, cause] of ALLOWED) {
      it(`${from} → ${to} by ${cause}`, () => {
        expect(checkBillTransition(from, to, cause)).toEqual({ ok: true });
      });
    }
  });

  describe('forbidden transitions', () => {
    for (const from of BILL_STATES) {
      for (const to of BILL_STATES) {
        for (const cause of CAUSES) {
          if (allowed.has(key(from, to, cause))) continue;
          it(`${from} → ${to} by ${cause} is refused`, () => {
            const result = checkBillTransition(from, to, cause);
            expect(result.ok).toBe(false);
            const expected = BILL_TRANSITIONS[from][to] ? 'CAUSE_NOT_ALLOWED' : 'NO_SUCH_TRANSITION';
            expect(result).toEqual({ ok: false, reason: expected });
          });
        }
      }
    }
  });

  it('the table holds exactly the transitions PAY-3 lists', () => {
    const fromTable: string[] = [];
    for (const [from, targets] of Object.entries(BILL_TRANSITIONS)) {
      for (const [to, causes] of Object.entries(targets)) for (const c of causes ?? []) fromTable.push(key(from, to, c));
    }
    expect(fromTable.sort()).toEqual([...allowed].sort());
  });

  it('CLOSED and REFUNDED are final', () => {
    expect(Object.keys(BILL_TRANSITIONS.CLOSED)).toEqual([]);
    expect(Object.keys(BILL_TRANSITIONS.REFUNDED)).toEqual([]);
  });
});

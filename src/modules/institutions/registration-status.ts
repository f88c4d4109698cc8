import type { BillOwnerKind, BillStateName, SeatReleaseReason } from '../../db/schema.ts';
import { explainSeatRelease } from '../registration/seat-release-explanation.ts';

/**
 * Where a registration stands for the institution's console (ORG-1: see each candidate's status),
 * and whether the institution may put it on a batch bill now. Pure: the query gathers the facts.
 */
export type RegistrationPaymentStatus = 'UNPAID' | 'ON_BILL' | 'PAID' | 'SEAT_RELEASED';

export interface RegistrationFacts {
  owner: 'CANDIDATE' | 'INSTITUTION';
  /** The institution that made it (REG-8), for an institution registration. */
  institutionId: bigint | null;
  paidAt: Date | null;
  /** The open or paid bill it is on, if any (at most one: bill_item_one_live). */
  liveBill: { billNo: string; state: BillStateName; owner: BillOwnerKind } | null;
  /** The subject has seats; whether one is held or sold for it now. */
  needsSeat: boolean;
  hasSeat: boolean;
  seatReleasedReason: SeatReleaseReason | null;
  exam: { billTimeoutMinutes: number; seatHoldMinutes: number };
}

export const PAYMENT_STATUS_LABELS: Record<RegistrationPaymentStatus, { zh: string; en: string }> = {
  UNPAID: { zh: '未缴费', en: 'Unpaid' },
  ON_BILL: { zh: '已生成缴费单', en: 'On a bill' },
  PAID: { zh: '已完成缴费', en: 'Paid' },
  SEAT_RELEASED: { zh: '座位已释放', en: 'Seat released' },
};

export function registrationPaymentStatus(f: RegistrationFacts, institutionId: bigint) {
  const status: RegistrationPaymentStatus = f.paidAt !== null ? 'PAID'
    : f.liveBill !== null ? 'ON_BILL'
      : f.needsSeat && !f.hasSeat && f.seatReleasedReason !== null ? 'SEAT_RELEASED'
        : 'UNPAID';
  const ours = f.owner === 'INSTITUTION' && f.institutionId === institutionId;
  // What the institution can do about it, in its staff's words.
  const why = !ours
    ? { code: 'OWNED_BY_CANDIDATE', zh: '考生本人报考的科目，须由考生本人缴费；如需代缴，请考生删除后由机构重新报考。', en: 'The candidate registered this personally and pays it; to pay for them, the candidate deletes it and the institution registers it again.' }
    : status === 'SEAT_RELEASED' ? { code: 'SEAT_RELEASED', ...seatWords(f) }
      : status === 'ON_BILL' ? { code: 'ON_BILL', zh: '已在缴费单中，请完成缴费或关闭该缴费单。', en: 'On a bill: pay it, or close that bill.' }
        : status === 'PAID' ? { code: 'PAID', zh: '已完成缴费。', en: 'Paid.' }
          : f.needsSeat && !f.hasSeat ? { code: 'SLOT_REQUIRED', zh: '请先选择考试时间。', en: 'Choose a time slot first.' }
            : null;
  return {
    status,
    label: PAYMENT_STATUS_LABELS[status],
    payableByInstitution: why === null,
    reason: why,
    seatReleased: f.seatReleasedReason !== null && status === 'SEAT_RELEASED' ? explainSeatRelease(f.seatReleasedReason, f.exam) : null,
  };
}

function seatWords(f: RegistrationFacts): { zh: string; en: string } {
  const e = explainSeatRelease(f.seatReleasedReason!, f.exam);
  return { zh: e.zh, en: e.en };
}

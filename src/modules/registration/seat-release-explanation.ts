import type { SeatReleaseReason } from '../../db/schema.ts';

export interface Explanation {
  reason: SeatReleaseReason;
  zh: string;
  en: string;
}

/** Why a registration lost its seat and what to do next, in the candidate's words (REG-6, REG-7). */
export function explainSeatRelease(reason: SeatReleaseReason, exam: { billTimeoutMinutes: number; seatHoldMinutes: number }): Explanation {
  switch (reason) {
    case 'PAYMENT_TIMEOUT':
      return {
        reason,
        zh: `缴费超过${exam.billTimeoutMinutes}分钟未完成，系统已释放为您分配的座位。请重新选择考试时间后再缴费。`,
        en: `Payment was not completed within ${exam.billTimeoutMinutes} minutes, so your seat was released. Choose a time slot again, then pay.`,
      };
    case 'HOLD_EXPIRED':
      return {
        reason,
        zh: `报考后${duration(exam.seatHoldMinutes, 'zh')}内未生成缴费单，系统已释放为您保留的座位。请重新选择考试时间后再确认缴费。`,
        en: `No bill was made within ${duration(exam.seatHoldMinutes, 'en')} of registering, so the seat kept for you was released. Choose a time slot again, then confirm and pay.`,
      };
    case 'CANCELLED':
      return {
        reason,
        zh: '该报考已被考试机构取消，座位已释放。如已缴费，费用将按原渠道退回。',
        en: 'The exam authority cancelled this registration and its seat was released. Any fee paid goes back through the channel it came from.',
      };
    case 'CHANGED':
      return {
        reason,
        zh: '考试机构调整了该报考的考点或时间，原座位已释放。请按通知重新选择考试时间。',
        en: 'The exam authority changed the site or time of this registration and the old seat was released. Choose a time slot again as the notice says.',
      };
  }
}

function duration(minutes: number, lang: 'zh' | 'en'): string {
  if (minutes % 60 !== 0) return lang === 'zh' ? `${minutes}分钟` : `${minutes} minutes`;
  const hours = minutes / 60;
  return lang === 'zh' ? `${hours}小时` : `${hours} hour${hours === 1 ? '' : 's'}`;
}

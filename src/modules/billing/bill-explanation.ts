import type { Bill, RefundReason, RefundStateName } from '../../db/schema.ts';
import { formatFen } from '../../shared/money.ts';

/**
 * "Every state explained": what the candidate reads under the state of a bill, and what to do
 * next. Seed 000's 缴费中 note, said plainly, and the closed case said with its reason.
 */
export function explainBill(
  bill: Pick<Bill, 'state' | 'expires_at' | 'flagged_at' | 'closed_cause'>,
  now: Date,
  refunds: readonly { state: RefundStateName; reason?: RefundReason; amount_fen?: bigint }[] = [],
): { zh: string; en: string } {
  const base = explainState(bill, now);
  // Money taken twice or after closing, given back whole (PAY-8) ...
  const unwanted = refunds.filter((r) => r.reason === undefined || r.reason === 'DUPLICATE_PAYMENT' || r.reason === 'LATE_PAYMENT');
  // ... and fees given back because a registration ended (REF-2, REF-1), item by item (REF-4).
  const items = refunds.filter((r) => !unwanted.includes(r));
  const parts = [base, explainUnwanted(unwanted), explainItemRefunds(items)].filter((p): p is { zh: string; en: string } => p !== null);
  return { zh: parts.map((p) => p.zh).join(' '), en: parts.map((p) => p.en).join(' ') };
}

function explainUnwanted(refunds: readonly { state: RefundStateName }[]): { zh: string; en: string } | null {
  if (refunds.some((r) => r.state === 'FAILED')) {
    return { zh: '有一笔多扣的款项未能自动退回，已转交工作人员处理，款项不会丢失。', en: 'One extra payment could not be refunded automatically; staff are handling it and the money is not lost.' };
  }
  if (refunds.some((r) => r.state === 'PENDING')) return { zh: '多扣的款项正在原路退回。', en: 'The extra payment is being refunded to where it came from.' };
  if (refunds.length > 0) return { zh: '多扣的款项已原路退回。', en: 'The extra payment has been refunded to where it came from.' };
  return null;
}

function explainItemRefunds(refunds: readonly { state: RefundStateName; amount_fen?: bigint }[]): { zh: string; en: string } | null {
  if (refunds.length === 0) return null;
  const sum = (state: RefundStateName) => refunds.filter((r) => r.state === state).reduce((s, r) => s + (r.amount_fen ?? 0n), 0n);
  const zh: string[] = [];
  const en: string[] = [];
  if (sum('PENDING') > 0n) {
    zh.push(`${formatFen(sum('PENDING'))} 科目费用正在原路退回，无需您操作。`);
    en.push(`${formatFen(sum('PENDING'))} of fees is on its way back to where it came from; you need do nothing.`);
  }
  if (sum('SUCCEEDED') > 0n) {
    zh.push(`${formatFen(sum('SUCCEEDED'))} 科目费用已原路退回。`);
    en.push(`${formatFen(sum('SUCCEEDED'))} of fees has been returned to where it came from.`);
  }
  if (sum('FAILED') > 0n) {
    zh.push(`${formatFen(sum('FAILED'))} 科目费用未能自动退回，已转交工作人员处理，款项不会丢失。`);
    en.push(`${formatFen(sum('FAILED'))} of fees could not be returned automatically; staff are handling it and the money is not lost.`);
  }
  return { zh: zh.join(''), en: en.join(' ') };
}

function explainState(bill: Pick<Bill, 'state' | 'expires_at' | 'flagged_at' | 'closed_cause'>, now: Date): { zh: string; en: string } {
  switch (bill.state) {
    case 'UNPAID':
      return now < bill.expires_at
        ? { zh: '请阅读并同意缴费协议后选择支付方式缴费。缴费单在有效期内未完成缴费将自动关闭。', en: 'Accept the payment agreement, then choose a channel to pay. The bill closes by itself if it is not paid in time.' }
        : { zh: '缴费单已超过有效期，正在关闭。', en: 'The bill has passed its time and is being closed.' };
    case 'PAYING':
      return bill.flagged_at
        ? { zh: '支付渠道长时间未返回结果，已转交工作人员核查；请勿重复缴费，如已扣款不会丢失。', en: 'The channel has not answered for a long time; staff have been asked to check. Do not pay again — any money taken is not lost.' }
        : { zh: '已提交支付渠道，正在等待结果。系统会自动向渠道查询，您也可以点击“确认缴费状态”。如已扣款，请勿重复缴费。', en: 'Sent to the channel; waiting for its answer. ExamPay asks the channel by itself, or press "Confirm payment status". If money was taken, do not pay again.' };
    case 'PAID':
      return { zh: '已完成缴费。若同一缴费单被重复扣款，多扣的款项会自动原路退回。', en: 'Paid. If you were charged twice for this bill, the extra payment is refunded automatically to where it came from.' };
    case 'CLOSED':
      if (bill.closed_cause === 'AUTHORITY_CANCELLED') {
        return { zh: '考试机构取消或变更了本缴费单中的报考，缴费单已关闭，二维码已失效（详见“通知”）。其余未缴费科目可重新确认生成新的缴费单；若关闭后仍有扣款，款项会自动原路退回。', en: 'The authority cancelled or changed a registration on this bill, so the bill is closed and its QR code no longer works (see your notices). Your other unpaid subjects can be confirmed into a new bill; any money taken after closing is refunded automatically.' };
      }
      if (bill.closed_cause === 'CANCELLED') {
        return { zh: '您已取消该缴费单。科目仍为未缴费，可重新确认科目生成新的缴费单；若取消后仍有扣款，将自动原路退回。', en: 'You cancelled this bill. Your subjects are unpaid and can be confirmed into a new bill; any money taken after cancelling is refunded automatically.' };
      }
      return { zh: '订单已关闭：在有效期内未完成缴费，二维码已失效。科目未缴费，请重新确认科目生成新的缴费单。若关闭后仍有扣款，款项会自动原路退回。', en: 'Closed: it was not paid in time and its QR code no longer works. Your subjects are unpaid — confirm them again for a new bill. Any money taken after closing is refunded automatically.' };
    case 'REFUNDED':
      return { zh: '本缴费单的款项已全部原路退回。', en: 'All money for this bill has been returned to where it came from.' };
    case 'PARTIALLY_REFUNDED':
      return { zh: '本缴费单的部分款项已原路退回，各科目的退费见下方退费记录。', en: 'Part of this bill has been returned to where it came from; see the refunds below for each subject.' };
  }
}

import type { Bill } from '../../db/schema.ts';

/**
 * "Every state explained": what the candidate reads under the state of a bill, and what to do
 * next. Seed 000's 缴费中 note, said plainly, and the closed case said with its reason.
 */
export function explainBill(
  bill: Pick<Bill, 'state' | 'expires_at' | 'flagged_at' | 'closed_cause'>,
  now: Date,
  refunds: readonly { state: 'PENDING' | 'SUCCEEDED' | 'FAILED' }[] = [],
): { zh: string; en: string } {
  const base = explainState(bill, now);
  if (refunds.some((r) => r.state === 'FAILED')) {
    return { zh: `${base.zh} 有一笔多扣的款项未能自动退回，已转交工作人员处理，款项不会丢失。`, en: `${base.en} One extra payment could not be refunded automatically; staff are handling it and the money is not lost.` };
  }
  if (refunds.some((r) => r.state === 'PENDING')) {
    return { zh: `${base.zh} 多扣的款项正在原路退回。`, en: `${base.en} The extra payment is being refunded to where it came from.` };
  }
  if (refunds.length > 0) return { zh: `${base.zh} 多扣的款项已原路退回。`, en: `${base.en} The extra payment has been refunded to where it came from.` };
  return base;
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
      if (bill.closed_cause === 'CANCELLED') {
        return { zh: '您已取消该缴费单。科目仍为未缴费，可重新确认科目生成新的缴费单；若取消后仍有扣款，将自动原路退回。', en: 'You cancelled this bill. Your subjects are unpaid and can be confirmed into a new bill; any money taken after cancelling is refunded automatically.' };
      }
      return { zh: '订单已关闭：在有效期内未完成缴费，二维码已失效。科目未缴费，请重新确认科目生成新的缴费单。若关闭后仍有扣款，款项会自动原路退回。', en: 'Closed: it was not paid in time and its QR code no longer works. Your subjects are unpaid — confirm them again for a new bill. Any money taken after closing is refunded automatically.' };
    case 'REFUNDED':
      return { zh: '本缴费单的款项已全部退回。', en: 'All money for this bill has been refunded.' };
    case 'PARTIALLY_REFUNDED':
      return { zh: '本缴费单的部分科目款项已退回。', en: 'Part of this bill has been refunded.' };
  }
}

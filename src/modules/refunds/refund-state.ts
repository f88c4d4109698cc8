import type { RefundReason, RefundStateName } from '../../db/schema.ts';
import { formatFen } from '../../shared/money.ts';
import { formatShanghai } from '../../shared/time.ts';

/**
 * The refund state machine (REF-4), as data. A refund is PENDING until its channel says it gave
 * the money back (SUCCEEDED) or refused for good (FAILED, flagged for staff). Staff may send a
 * failed refund once more under the same refund number, which the channel deduplicates on.
 */
export const REFUND_TRANSITIONS: Readonly<Record<RefundStateName, readonly RefundStateName[]>> = {
  PENDING: ['SUCCEEDED', 'FAILED'],
  FAILED: ['PENDING'],
  SUCCEEDED: [],
};

export function canRefundMove(from: RefundStateName, to: RefundStateName): boolean {
  return REFUND_TRANSITIONS[from].includes(to);
}

type Label = { zh: string; en: string };

export const REFUND_STATE_LABELS: Record<RefundStateName, Label> = {
  PENDING: { zh: '退款中', en: 'Refund in progress' },
  SUCCEEDED: { zh: '已退款', en: 'Refunded' },
  FAILED: { zh: '退款异常（人工处理中）', en: 'Refund failed (staff handling it)' },
};

export const REFUND_REASON_LABELS: Record<RefundReason, Label> = {
  DUPLICATE_PAYMENT: { zh: '重复扣款退款', en: 'Duplicate payment refunded' },
  LATE_PAYMENT: { zh: '缴费单关闭后到账退款', en: 'Payment received after the bill closed' },
  AUTHORITY_CANCEL: { zh: '考试机构取消报考退费', en: 'Registration cancelled by the authority' },
  AUTHORITY_CHANGE: { zh: '考试机构变更报考信息退费', en: 'Registration changed by the authority' },
  PERSONAL: { zh: '个人原因退费（经工作人员同意）', en: 'Refund for personal reasons, approved by staff' },
  STAFF: { zh: '工作人员办理的退费', en: 'Refund made by staff' },
};

export const CHANNEL_LABELS: Record<string, Label> = {
  alipay: { zh: '支付宝', en: 'Alipay' },
  wechatpay: { zh: '微信支付', en: 'WeChat Pay' },
  unionpay: { zh: '银联（银行卡）', en: 'UnionPay (bank card)' },
  publicpay: { zh: '公共支付平台', en: 'the public payment platform' },
  payease: { zh: '首信易支付', en: 'PayEase' },
};

export const channelLabel = (channel: string): Label => CHANNEL_LABELS[channel] ?? { zh: channel, en: channel };

/** When money usually arrives (seed 004: bank ≈ 24 h, wallets up to 3–15 days): said, not promised. */
const ARRIVAL: Label = {
  zh: '到账时间以支付渠道和银行为准：退回零钱或余额的通常当天到账，退回银行卡的一般需1至7个工作日。',
  en: 'When it arrives depends on the channel and bank: wallet balances usually the same day, bank cards usually within 1–7 working days.',
};

/**
 * "Every state explained": what the candidate reads under one refund — what happened, how much
 * goes back through which channel, and what (if anything) to do.
 */
export function explainRefund(r: {
  state: RefundStateName;
  reason: RefundReason;
  channel: string;
  amountFen: bigint;
  succeededAt: Date | null;
  flagged: boolean;
}): Label {
  const ch = channelLabel(r.channel);
  const amount = formatFen(r.amountFen);
  const why = REFUND_REASON_LABELS[r.reason];
  switch (r.state) {
    case 'PENDING':
      return r.flagged
        ? {
            zh: `${why.zh}：${amount} 正在通过${ch.zh}原路退回，渠道暂未确认，已转交工作人员跟进，款项不会丢失，无需您重复申请。`,
            en: `${why.en}: ${amount} is being returned through ${ch.en}. The channel has not confirmed it yet; staff are following it up. The money is not lost and you need not ask again.`,
          }
        : {
            zh: `${why.zh}：${amount} 已提交${ch.zh}，正在原路退回您缴费时使用的账户，系统会自动向渠道确认结果，无需您操作。${ARRIVAL.zh}`,
            en: `${why.en}: ${amount} has been sent to ${ch.en} and is going back to the account you paid from. ExamPay checks with the channel by itself; you need do nothing. ${ARRIVAL.en}`,
          };
    case 'SUCCEEDED': {
      const at = r.succeededAt ? formatShanghai(r.succeededAt) : '';
      return {
        zh: `${why.zh}：${amount} 已于 ${at}（北京时间）通过${ch.zh}原路退回。如未看到到账，请查看缴费所用账户或银行卡的交易记录。`,
        en: `${why.en}: ${amount} was returned through ${ch.en} at ${at} (Beijing time). If you do not see it, check the statement of the account or bank card you paid with.`,
      };
    }
    case 'FAILED':
      return {
        zh: `${why.zh}：${amount} 未能通过${ch.zh}自动退回，已转交工作人员处理，款项不会丢失，工作人员可能与您联系。`,
        en: `${why.en}: ${amount} could not be returned through ${ch.en} automatically. Staff are handling it; the money is not lost, and they may contact you.`,
      };
  }
}

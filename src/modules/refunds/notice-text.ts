import type { AuthorityActionKind } from '../../db/schema.ts';
import { formatFen } from '../../shared/money.ts';
import { channelLabel } from './refund-state.ts';

/**
 * The letter a candidate gets when the authority cancels or changes a registration, cancels a
 * subject or sitting, or staff grant a personal refund (REF-2): what happened, what comes back
 * through which channel, and what to do next — in Chinese first, with the same in English.
 * Written once, when it happened: a letter does not change afterwards; the refunds' live states
 * are listed beside it.
 */
export interface NoticeLine {
  subjectName: string;
  /** null: the registration was not paid, nothing comes back. */
  refund: { amountFen: bigint; channel: string; refundNo: string } | null;
  /** The registration's open bill was closed because of this (unpaid subjects only). */
  billClosed?: string | null;
}

export interface NoticeInput {
  kind: AuthorityActionKind;
  sittingName: string;
  /** Why, in the authority's words. */
  note: string;
  lines: readonly NoticeLine[];
  /** REF-3: the exam needs the authority's approval before a refunded subject is registered again. */
  repaymentNeedsApproval: boolean;
}

export interface NoticeText {
  titleZh: string;
  titleEn: string;
  bodyZh: string;
  bodyEn: string;
}

const TITLES: Record<AuthorityActionKind, { zh: string; en: string }> = {
  CANCEL_REGISTRATION: { zh: '您的报考已被考试机构取消', en: 'The authority has cancelled your registration' },
  CHANGE_REGISTRATION: { zh: '考试机构已变更您的报考信息', en: 'The authority has changed your registration' },
  CANCEL_SUBJECT: { zh: '考试科目已取消', en: 'An exam subject has been cancelled' },
  CANCEL_SITTING: { zh: '本次考试已取消', en: 'This exam sitting has been cancelled' },
  PERSONAL_REFUND: { zh: '您的退费申请已办理', en: 'Your refund request has been granted' },
};

export function composeNotice(n: NoticeInput): NoticeText {
  const title = TITLES[n.kind];
  const refunds = n.lines.filter((l) => l.refund !== null);
  const total = refunds.reduce((s, l) => s + l.refund!.amountFen, 0n);

  const what = whatHappened(n);
  const lineZh = n.lines.map((l) => l.refund
    ? `· ${l.subjectName}：退还 ${formatFen(l.refund.amountFen)}，经${channelLabel(l.refund.channel).zh}原路退回（退款单号 ${l.refund.refundNo}）`
    : `· ${l.subjectName}：未缴费，无需退款${l.billClosed ? `；缴费单 ${l.billClosed} 已关闭` : ''}`);
  const lineEn = n.lines.map((l) => l.refund
    ? `· ${l.subjectName}: ${formatFen(l.refund.amountFen)} back through ${channelLabel(l.refund.channel).en} (refund no. ${l.refund.refundNo})`
    : `· ${l.subjectName}: not paid, nothing to refund${l.billClosed ? `; bill ${l.billClosed} has been closed` : ''}`);
  const money = refunds.length > 0
    ? {
        zh: `共退还 ${formatFen(total)}，由系统自动原路退回您缴费时使用的账户，无需申请。到账时间以支付渠道和银行为准，退款进度可在“我的缴费单”中查看。`,
        en: `${formatFen(total)} in all goes back automatically to the account you paid from; you need not apply. Arrival depends on the channel and bank; follow it under "My bills".`,
      }
    : { zh: '您没有已缴费用需要退还。', en: 'You have no paid fees to refund.' };
  const next = nextSteps(n);
  return {
    titleZh: `${title.zh}（${n.sittingName}）`,
    titleEn: `${title.en} (${n.sittingName})`,
    bodyZh: [what.zh, ...lineZh, money.zh, next.zh].join('\n'),
    bodyEn: [what.en, ...lineEn, money.en, next.en].join('\n'),
  };
}

function whatHappened(n: NoticeInput): { zh: string; en: string } {
  const why = n.note.trim();
  switch (n.kind) {
    case 'CANCEL_SITTING':
      return { zh: `考试机构已取消“${n.sittingName}”，原因：${why}。您在本次考试的报考已全部取消：`, en: `The authority has cancelled "${n.sittingName}". Reason: ${why}. All your registrations for it are cancelled:` };
    case 'CANCEL_SUBJECT':
      return { zh: `考试机构已取消以下科目，原因：${why}。您对该科目的报考已取消：`, en: `The authority has cancelled the subject below. Reason: ${why}. Your registration for it is cancelled:` };
    case 'CANCEL_REGISTRATION':
      return { zh: `考试机构取消了您的以下报考，原因：${why}。`, en: `The authority cancelled your registration below. Reason: ${why}.` };
    case 'CHANGE_REGISTRATION':
      return { zh: `考试机构修改了您的报考信息，原因：${why}。原报考已作废：`, en: `The authority changed your registration. Reason: ${why}. The original registration is void:` };
    case 'PERSONAL_REFUND':
      return { zh: `工作人员已同意您因个人原因提出的退费申请（${why}），以下报考已取消：`, en: `Staff granted your request for a refund for personal reasons (${why}); this registration is cancelled:` };
  }
}

function nextSteps(n: NoticeInput): { zh: string; en: string } {
  const approval = n.repaymentNeedsApproval
    ? { zh: '，并须经考区同意', en: ', once the authority has approved it' }
    : { zh: '', en: '' };
  switch (n.kind) {
    case 'CANCEL_SITTING':
      return { zh: '您无需做任何事情。如对本次考试安排有疑问，请联系考试机构。', en: 'You need do nothing. For questions about the exam, contact the authority.' };
    case 'CANCEL_SUBJECT':
      return { zh: '该科目不能再报考。您的其他科目不受影响；其中未缴费的可重新确认生成缴费单。', en: 'The subject cannot be registered again. Your other subjects are unaffected; unpaid ones can be confirmed into a new bill.' };
    case 'CHANGE_REGISTRATION':
    case 'CANCEL_REGISTRATION':
    case 'PERSONAL_REFUND':
      return {
        zh: `如您仍符合报考条件，可在报名时间内重新报考并缴费${approval.zh}；资格审核未通过的，退费后不能再缴费。其他未缴费科目可重新确认生成缴费单。`,
        en: `If you are still eligible, you may register and pay again while registration is open${approval.en}; if your qualification no longer passes, you cannot pay again after the refund. Other unpaid subjects can be confirmed into a new bill.`,
      };
  }
}

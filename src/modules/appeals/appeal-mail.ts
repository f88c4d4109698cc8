import { linkUrl, type MailSite, type MailText } from '../accounts/account-mail.ts';
import { formatShanghai } from '../../shared/time.ts';

/**
 * The mails of a 关联申诉 (pure: text in, text out), Chinese first and complete English after.
 * The filer cannot sign in to the record they appeal about, so the answer goes to the address
 * they gave — and, when the appeal is accepted, the way back in: a single-use reset link.
 */
const subject = (site: MailSite, zh: string, en: string) => `【${site.authorityName}】${zh} ${en}`;
const footer = (site: MailSite) => `\n—\n${site.authorityName} · ExamPay\n此邮件由系统发出，请勿回复。This message was sent automatically; please do not reply.\n`;
const page = (site: MailSite, path: 'forgot' | 'sign-in') => `${site.baseUrl}/${path}`;

export function linkAppealReceivedMail(site: MailSite, input: { appealNo: string }): MailText {
  return {
    kind: 'LINK_APPEAL_RECEIVED',
    subject: subject(site, '已收到您的关联申诉', 'Your appeal was received'),
    text: `您好：\n\n您提交的关联申诉（编号 ${input.appealNo}）已转交您所在的学习中心（或考试机构）处理。处理结果会发送到本邮箱；申诉成立时，邮件中会附有设置新密码的链接。\n\n`
      + `Hello,\n\nYour appeal about your record (no. ${input.appealNo}) has gone to your institution (or the authority). The decision will come to this address; if the appeal is accepted, that mail carries a link to set a new password.\n${footer(site)}`,
  };
}

/** Same for every case the filer must not learn more about: no matching record, or one already pending. */
export function linkAppealNotFiledMail(site: MailSite): MailText {
  return {
    kind: 'LINK_APPEAL_NOT_FILED',
    subject: subject(site, '关联申诉未提交', 'Your appeal was not filed'),
    text: `您好：\n\n您的关联申诉没有提交：填写的姓名、证件类型或证件号码与考试机构的记录不符，或者该记录已有一个待处理的关联申诉。请核对后重试，或直接联系您的学习中心。\n\n`
      + `Hello,\n\nYour appeal was not filed: the name, ID type or ID number does not match the authority's records, or that record already has an appeal waiting for a decision. Check your details and try again, or contact your institution.\n${footer(site)}`,
  };
}

export function linkAppealAcceptedMail(site: MailSite, input: { appealNo: string; token: string; expiresAt: Date }): MailText {
  const link = linkUrl(site, 'RESET_PASSWORD', input.token);
  const until = formatShanghai(input.expiresAt);
  return {
    kind: 'LINK_APPEAL_ACCEPTED',
    subject: subject(site, '关联申诉已受理，请设置新密码', 'Your appeal was accepted: set a new password'),
    text: `您好：\n\n您的关联申诉（编号 ${input.appealNo}）已受理：原来占用您记录的账号已解除，原密码和所有登录均已失效，您的记录现在由本邮箱找回。请在 ${until}（北京时间）前打开下面的链接设置新密码，链接只能使用一次：\n\n${link}\n\n链接过期后，请在“忘记密码”（${page(site, 'forgot')}）输入本邮箱或证件号码重新获取。\n\n`
      + `Hello,\n\nYour appeal (no. ${input.appealNo}) was accepted: the account that held your record has been removed from it, its password and every sign-in no longer work, and your record is now recovered through this address. Open the link above before ${until} (Beijing time) to set a new password; it works once.\nIf it has expired, use "Forgot password" (${page(site, 'forgot')}) with this address or your ID number.\n${footer(site)}`,
  };
}

export function linkAppealRejectedMail(site: MailSite, input: { appealNo: string; reason: string }): MailText {
  return {
    kind: 'LINK_APPEAL_REJECTED',
    subject: subject(site, '关联申诉不予受理', 'Your appeal was rejected'),
    text: `您好：\n\n您的关联申诉（编号 ${input.appealNo}）不予受理。原因：${input.reason}\n如有疑问，请联系您的学习中心。\n\n`
      + `Hello,\n\nYour appeal (no. ${input.appealNo}) was rejected. Reason (as written by the institution): ${input.reason}\nIf you have questions, contact your institution.\n${footer(site)}`,
  };
}

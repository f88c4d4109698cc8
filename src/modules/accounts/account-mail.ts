import { formatShanghai } from '../../shared/time.ts';
import type { AccountTokenPurpose } from '../../db/schema.ts';

/**
 * The account mails (ACC-1, ACC-5, ACC-6), Chinese first and complete English after it. Pure:
 * text in, text out. Links open the web app's own pages (/verify-email, /reset, /forgot,
 * /recover, /sign-in) and put the token after '#token=', so it never reaches a server log, a
 * proxy or a Referer header, and a mail scanner that fetches the link cannot use it up.
 */
export interface MailSite {
  authorityName: string;
  /** PUBLIC_BASE_URL, without a trailing slash. */
  baseUrl: string;
}

export interface MailText {
  kind: string;
  subject: string;
  text: string;
}

export function linkUrl(site: MailSite, purpose: AccountTokenPurpose, token: string): string {
  return `${site.baseUrl}/${purpose === 'VERIFY_EMAIL' ? 'verify-email' : 'reset'}#token=${token}`;
}

/** The web app's pages the mails point at. */
const page = (site: MailSite, path: 'sign-in' | 'forgot' | 'recover') => `${site.baseUrl}/${path}`;

const subject = (site: MailSite, zh: string, en: string) => `【${site.authorityName}】${zh} ${en}`;
const footer = (site: MailSite) => `\n—\n${site.authorityName} · ExamPay\n此邮件由系统发出，请勿回复。This message was sent automatically; please do not reply.\n`;

/** 通行证 sign-up or a new contact address: confirm the mailbox. */
export function verifyEmailMail(site: MailSite, input: { name: string; email: string; token: string; expiresAt: Date; forLogin: boolean }): MailText {
  const link = linkUrl(site, 'VERIFY_EMAIL', input.token);
  const until = formatShanghai(input.expiresAt);
  const zh = input.forLogin
    ? `${input.name}，您好：\n\n您用本邮箱 ${input.email} 注册了${site.authorityName}的通行证账号。请在 ${until}（北京时间）前打开下面的链接验证邮箱，链接只能使用一次：\n\n${link}\n\n验证前可以登录，但不能报考科目。如果不是您本人操作，请忽略本邮件，账号不会被启用。`
    : `${input.name}，您好：\n\n您把 ${input.email} 设为${site.authorityName}考生账号的联系邮箱。请在 ${until}（北京时间）前打开下面的链接确认，链接只能使用一次：\n\n${link}\n\n确认后，忘记密码时重置链接会发到此邮箱。如果不是您本人操作，请忽略本邮件。`;
  const en = input.forLogin
    ? `Hello ${input.name},\n\nThis address (${input.email}) was used to open an account (通行证) with ${site.authorityName}. Open the link above before ${until} (Beijing time) to verify it; the link works once.\nUntil then you can sign in but cannot register for subjects. If this was not you, ignore this message.`
    : `Hello ${input.name},\n\n${input.email} was set as the contact address of your candidate account with ${site.authorityName}. Open the link above before ${until} (Beijing time) to confirm it; the link works once.\nPassword-reset links will then go to this address. If this was not you, ignore this message.`;
  return {
    kind: input.forLogin ? 'VERIFY_EMAIL' : 'VERIFY_CONTACT_EMAIL',
    subject: input.forLogin ? subject(site, '请验证您的通行证邮箱', 'Verify your e-mail address') : subject(site, '请确认您的联系邮箱', 'Confirm your contact address'),
    text: `${zh}\n\n${en}\n${footer(site)}`,
  };
}

/** A sign-up with an address that already has a 通行证: no second account, a pointer instead. */
export function accountExistsMail(site: MailSite, input: { email: string }): MailText {
  return {
    kind: 'SIGN_UP_ACCOUNT_EXISTS',
    subject: subject(site, '该邮箱已注册通行证', 'This address already has an account'),
    text: `您好：\n\n有人（可能是您）用 ${input.email} 注册${site.authorityName}的通行证，但这个邮箱已经注册过，没有创建新账号。请直接登录：${page(site, 'sign-in')}\n忘记密码请使用“忘记密码”：${page(site, 'forgot')}\n\n`
      + `Hello,\n\nSomeone (perhaps you) tried to open an account with ${site.authorityName} using ${input.email}, which already has one, so no new account was made. Sign in at ${page(site, 'sign-in')} or use "Forgot password": ${page(site, 'forgot')}\n${footer(site)}`,
  };
}

/** A sign-up whose ID document cannot be taken: already has a 通行证, or the record disagrees. */
export function signUpRefusedMail(site: MailSite, input: { email: string }): MailText {
  return {
    kind: 'SIGN_UP_REFUSED',
    subject: subject(site, '通行证注册未完成', 'Your account was not opened'),
    text: `您好：\n\n您用 ${input.email} 注册${site.authorityName}的通行证，但没有成功：填写的姓名、证件类型或证件号码与考试机构的记录不符，或者该证件已经注册过通行证。\n如果您已经注册过，请用“找回已报名账号”找回：${page(site, 'recover')}\n如果信息确实无误，请联系考试机构。\n\n`
      + `Hello,\n\nYou tried to open an account with ${site.authorityName} using ${input.email}, but it was not opened: the name, ID type or ID number does not match the authority's records, or that ID document already has an account.\nIf you opened one before, find it with "Recover my account": ${page(site, 'recover')}\nIf your details are right, contact the authority.\n${footer(site)}`,
  };
}

export function resetPasswordMail(site: MailSite, input: { name: string; token: string; expiresAt: Date }): MailText {
  const link = linkUrl(site, 'RESET_PASSWORD', input.token);
  const until = formatShanghai(input.expiresAt);
  return {
    kind: 'RESET_PASSWORD',
    subject: subject(site, '重置密码', 'Reset your password'),
    text: `${input.name}，您好：\n\n我们收到了重置您${site.authorityName}考生账号密码的申请。请在 ${until}（北京时间）前打开下面的链接设置新密码，链接只能使用一次，之前发出的重置链接均已失效：\n\n${link}\n\n重置后，所有已登录的地方都会退出。如果不是您本人申请，请忽略本邮件，您的密码不会改变。\n\n`
      + `Hello ${input.name},\n\nWe received a request to reset the password of your candidate account with ${site.authorityName}. Open the link above before ${until} (Beijing time) to choose a new password. It works once; any reset link sent before no longer works.\nResetting signs you out everywhere. If you did not ask for this, ignore this message: your password stays as it is.\n${footer(site)}`,
  };
}

export function passwordChangedMail(site: MailSite, input: { name: string; at: Date }): MailText {
  const at = formatShanghai(input.at);
  return {
    kind: 'PASSWORD_CHANGED',
    subject: subject(site, '您的密码已重置', 'Your password was reset'),
    text: `${input.name}，您好：\n\n您的考生账号密码已于 ${at}（北京时间）通过邮件链接重置，所有登录均已退出。如果不是您本人操作，请立即使用“忘记密码”重新设置，并联系考试机构。\n\n`
      + `Hello ${input.name},\n\nThe password of your candidate account was reset through an e-mailed link at ${at} (Beijing time), and every session was signed out. If this was not you, use "Forgot password" at once (${page(site, 'forgot')}) and contact the authority.\n${footer(site)}`,
  };
}

/** 找回已报名账号 (ACC-6): what the account signs in with. */
export function accountReminderMail(site: MailSite, input: { name: string; login: { kind: 'EMAIL'; email: string } | { kind: 'ID_DOCUMENT'; idNumberMasked: string } }): MailText {
  const zhLogin = input.login.kind === 'EMAIL' ? `您的通行证账号（登录邮箱）是：${input.login.email}` : `您的登录账号是您的证件号码：${input.login.idNumberMasked}`;
  const enLogin = input.login.kind === 'EMAIL' ? `Your account (sign-in e-mail) is: ${input.login.email}` : `You sign in with your ID number: ${input.login.idNumberMasked}`;
  return {
    kind: 'ACCOUNT_REMINDER',
    subject: subject(site, '找回已报名账号', 'Your account'),
    text: `${input.name}，您好：\n\n有人（可能是您）用您的姓名和证件号码查找${site.authorityName}的考生账号。\n${zhLogin}\n登录：${page(site, 'sign-in')}  忘记密码：${page(site, 'forgot')}\n\n`
      + `Hello ${input.name},\n\nSomeone (perhaps you) looked up your candidate account with ${site.authorityName} by name and ID number.\n${enLogin}\nSign in: ${page(site, 'sign-in')}  Forgot password: ${page(site, 'forgot')}\n${footer(site)}`,
  };
}

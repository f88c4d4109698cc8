/**
 * E-mail addresses of accounts (ACC-1, ACC-5, ACC-6). Stored lower-cased: people type their
 * address in any case, and one mailbox must not become two 通行证 accounts.
 */
export const EMAIL_PATTERN = "^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$";
const EMAIL_RE = new RegExp(EMAIL_PATTERN);

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function isPlausibleEmail(email: string): boolean {
  return email.length <= 254 && EMAIL_RE.test(email);
}

/**
 * "z***@qq.com": the first character and the domain, enough for the owner to recognise the
 * mailbox (ACC-6), not enough to write to it. The number of stars never tells the length.
 */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${email[0]}***${email.slice(at)}`;
}

/** Names are compared as people write them: full-width forms, spaces and the middle dot don't count. */
export function sameName(a: string, b: string): boolean {
  const norm = (s: string) => s.normalize('NFKC').replace(/[\s·•・]/g, '').toUpperCase();
  return norm(a) === norm(b) && norm(a).length > 0;
}

import { post } from './client.ts';

export interface IssuedCaptcha { captchaId: string; kind: 'TEXT' | 'ARITHMETIC'; image: string; expiresAt: string }

/*
 * One captcha request in flight per page and kind. A browser's first captcha request also sets
 * its visitor cookie, which the captcha is bound to; two sent at once (the page mounting twice)
 * would each set a different cookie, and the captcha shown could belong to the one the browser
 * no longer has — a first-time visitor's correct answer refused as CAPTCHA_INVALID.
 */
const inflight = new Map<string, Promise<IssuedCaptcha>>();
export function fetchCaptcha(kind: 'TEXT' | 'ARITHMETIC' = 'TEXT'): Promise<IssuedCaptcha> {
  let p = inflight.get(kind);
  if (!p) {
    p = post<IssuedCaptcha>('/api/v1/captchas', { kind }).finally(() => inflight.delete(kind));
    inflight.set(kind, p);
  }
  return p;
}

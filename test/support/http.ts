import type { FastifyInstance } from 'fastify';
import { SESSION_COOKIE } from '../../src/http/plugins/auth.ts';
import { recordSecret } from './test-log.ts';

/** A tiny cookie-keeping client for app.inject: one instance = one browser. */
export class Browser {
  private cookies = new Map<string, string>();
  private readonly app: FastifyInstance;
  private readonly remoteAddress: string | undefined;
  /** `remoteAddress`: the client address the server sees (sign-in counts failures per address). */
  constructor(app: FastifyInstance, opts: { remoteAddress?: string } = {}) {
    this.app = app;
    this.remoteAddress = opts.remoteAddress;
  }

  async request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown, headers: Record<string, string> = {}) {
    recordPasswords(body);
    const res = await this.app.inject({
      method,
      url,
      headers: {
        ...(method !== 'GET' ? { 'x-exampay-request': '1' } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '),
        ...headers,
      },
      ...(body !== undefined ? { payload: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      ...(this.remoteAddress ? { remoteAddress: this.remoteAddress } : {}),
    });
    for (const c of res.cookies) {
      if (c.name === SESSION_COOKIE && c.value) recordSecret('session id', c.value);
      if (c.value === '' || (c.expires && c.expires.getTime() < Date.now())) this.cookies.delete(c.name);
      else this.cookies.set(c.name, c.value);
    }
    return { status: res.statusCode, body: res.body ? safeJson(res.body) : null, headers: res.headers, text: res.body, raw: res.rawPayload };
  }
  get = (url: string) => this.request('GET', url);
  post = (url: string, body?: unknown, headers?: Record<string, string>) => this.request('POST', url, body, headers);
  put = (url: string, body?: unknown) => this.request('PUT', url, body);
  delete = (url: string) => this.request('DELETE', url);
  /** A captcha and its answer (the test app runs with CAPTCHA_TEST_MODE), for requests that need one. */
  async captcha(kind?: 'TEXT' | 'ARITHMETIC'): Promise<{ captchaId: string; captchaAnswer: string }> {
    const r = await this.post('/api/v1/captchas', kind ? { kind } : {});
    if (r.status !== 201) throw new Error(`captcha: ${r.status} ${r.text}`);
    return { captchaId: r.body.captchaId, captchaAnswer: r.body.testAnswer };
  }
  /** Candidate sign-in as the page does it: captcha first. */
  signIn = async (authority: string, idNumber: string, password: string) =>
    this.post('/api/v1/session', { authority, idNumber, password, ...(await this.captcha()) });
  cookie(name: string): string | undefined {
    return this.cookies.get(name);
  }
  /** Plants a cookie, as another site or a shared computer's last user could. */
  setCookie(name: string, value: string): void {
    this.cookies.set(name, value);
  }
}

/** Every password a test sends is one the run's log audit must never find. */
function recordPasswords(body: unknown): void {
  if (typeof body !== 'object' || body === null) return;
  for (const [k, v] of Object.entries(body)) if (/password/i.test(k) && typeof v === 'string' && v) recordSecret('password', v);
}

function safeJson(s: string): any { // eslint-disable-line @typescript-eslint/no-explicit-any
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}

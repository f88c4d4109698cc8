import { BENCH_AUTHORITY, BENCH_PASSWORD, type BenchWorld } from './seed.ts';

export interface JourneyOutcome {
  /** PAID and seen PAID by the candidate; SEAT_UNAVAILABLE when the slot was full; else what failed. */
  result: 'PAID' | 'SEAT_UNAVAILABLE' | 'ISSUED' | string;
  billNo?: string;
  /** When the sandbox cashier answered "paid" (ms since epoch, this machine's clock). */
  capturedAt?: number;
  ms: number;
}

type Slot = { siteId: bigint; slotId: bigint };

/**
 * One candidate's whole journey over HTTP, as the browser does it: captcha (CAPTCHA_TEST_MODE
 * hands the answer back) → sign in with ID number and password (argon2id) → hold a seat (报考)
 * → bill → accept the agreement → pay with Alipay → the sandbox cashier: open, pay → watch the
 * bill until PAID (the page polls; the money arrives by the channel's notification).
 * With `stopAfterPay` it returns once paid at the cashier (the capture-to-PAID phase watches).
 */
export async function candidateJourney(opts: { baseUrl: string; world: BenchWorld; candidate: number; subjectId: bigint; slot: Slot; stopAfterPay?: boolean; cashierAsGiven?: boolean; pollMs?: number; paidWithinMs?: number }): Promise<JourneyOutcome> {
  const started = Date.now();
  const c = opts.world.candidates[opts.candidate]!;
  const cookies = new Map<string, string>();
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; json: Record<string, unknown> }> => {
    const res = await fetch(`${opts.baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}), 'x-exampay-request': '1',
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join('; '),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    for (const sc of res.headers.getSetCookie()) {
      const [pair] = sc.split(';');
      const eq = pair!.indexOf('=');
      cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    const text = await res.text();
    return { status: res.status, json: text.startsWith('{') ? JSON.parse(text) as Record<string, unknown> : {} };
  };
  const failed = (step: string, r: { status: number; json: Record<string, unknown> }): JourneyOutcome => {
    const code = (r.json.error as { code?: string } | undefined)?.code;
    return { result: code === 'SEAT_UNAVAILABLE' ? code : `${step} ${r.status} ${code ?? ''}`.trim(), ms: Date.now() - started };
  };

  const captcha = await call('POST', '/api/v1/captchas', {});
  if (captcha.status !== 201) return failed('captcha', captcha);
  const signIn = await call('POST', '/api/v1/session', { authority: BENCH_AUTHORITY, idNumber: c.idNumber, password: BENCH_PASSWORD, captchaId: captcha.json.captchaId, captchaAnswer: captcha.json.testAnswer });
  if (signIn.status !== 200) return failed('sign-in', signIn);
  const hold = await call('POST', '/api/v1/registrations', { subjectId: String(opts.subjectId), siteId: String(opts.slot.siteId), slotId: String(opts.slot.slotId) });
  if (hold.status !== 201) return failed('hold', hold);
  const bill = await call('POST', '/api/v1/bills', { registrationIds: [hold.json.registrationId] });
  if (bill.status !== 201) return failed('bill', bill);
  const billNo = bill.json.billNo as string;
  const agree = await call('POST', `/api/v1/bills/${billNo}/agreement`, { accepted: true });
  if (agree.status !== 200) return failed('agreement', agree);
  const pay = await call('POST', `/api/v1/bills/${billNo}/payments`, { channel: 'alipay' });
  if (pay.status !== 200) return failed('pay', pay);
  // One process: the cashier lives on the app (sandbox mounted at /sandbox); the bench calls it
  // directly. With WORKERS the sandbox is the primary's own server: go where payUrl says.
  const cashier = new URL(pay.json.payUrl as string);
  const cashierUrl = opts.cashierAsGiven ? cashier.href : `${opts.baseUrl}${cashier.pathname}`;
  const page = await fetch(cashierUrl);
  await page.text();
  const paid = await fetch(`${cashierUrl}/pay`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'pay_method=balance' });
  const paidPage = await paid.text();
  const capturedAt = Date.now();
  if (paid.status !== 200 || !paidPage.includes('支付成功')) return { result: `cashier ${paid.status}`, billNo, ms: Date.now() - started };
  if (opts.stopAfterPay) return { result: 'ISSUED', billNo, capturedAt, ms: Date.now() - started };
  const deadline = Date.now() + (opts.paidWithinMs ?? 30_000);
  while (Date.now() < deadline) {
    const seen = await call('GET', `/api/v1/bills/${billNo}`);
    if (seen.json.state === 'PAID') return { result: 'PAID', billNo, capturedAt, ms: Date.now() - started };
    await new Promise((r) => setTimeout(r, opts.pollMs ?? 250));
  }
  return { result: 'NOT_PAID_IN_TIME', billNo, capturedAt, ms: Date.now() - started };
}

/** Runs journeys with `concurrency` candidates at a time for `seconds` (or until `total` started). */
export async function journeysAtConcurrency(opts: { concurrency: number; seconds: number; total?: number; firstCandidate: number; lastCandidate: number; run: (candidate: number) => Promise<JourneyOutcome> }): Promise<{ outcomes: JourneyOutcome[]; wallSeconds: number }> {
  const outcomes: JourneyOutcome[] = [];
  let next = opts.firstCandidate;
  const started = Date.now();
  const until = started + opts.seconds * 1000;
  const worker = async () => {
    while (Date.now() < until && next < opts.lastCandidate && (opts.total === undefined || next - opts.firstCandidate < opts.total)) {
      const n = next++;
      outcomes.push(await opts.run(n).catch((err: unknown) => ({ result: `error ${(err as Error).message}`, ms: 0 })));
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  return { outcomes, wallSeconds: (Date.now() - started) / 1000 };
}

/**
 * The waiting room under offered load (issue 9 item 3's benchmark hook; docs/waiting-room.md).
 *
 * `offeredLoad()` drives a running ExamPay with `clients` virtual candidates, each with its own
 * signed-in session, all at once — set `clients` to 10× the server's WAITING_ROOM_LIMIT for the
 * issue's "10× the capacity" run. Each client does what the waiting page does: sends its
 * guarded request; when queued (503 WAITING_ROOM_QUEUED) it polls POST /api/v1/waiting-room
 * every Retry-After until admitted, then repeats the request with its pass. It reports the
 * latency of the requests that were let in (the p99 the issue bounds at 100 ms), how many answers
 * were queue answers, and how many were anything else ≥ 500 or not JSON ("error pages": must be 0).
 *
 * The bench runner (bench/, another helper's) seeds the candidates and calls this; alone:
 *   tsx bench/waiting-room/offered-load.ts <baseUrl> <sessions-file> <url> [seconds]
 * where sessions-file holds one `exampay_sid` value per line and <url> is a guarded GET, e.g.
 * /api/v1/sittings/1/registration-options.
 */
import fs from 'node:fs';

export interface GuardedRequest { method: 'GET' | 'POST'; url: string; body?: unknown }

export interface OfferedLoadResult {
  clients: number;
  admittedRequests: number;
  admittedP50Ms: number;
  admittedP99Ms: number;
  queuedAnswers: number;
  busyAnswers: number;
  errorPages: number;
  longestWaitMs: number;
  seconds: number;
}

export async function offeredLoad(opts: { baseUrl: string; sessions: string[]; request: (client: number) => GuardedRequest; durationMs: number; pollScale?: number }): Promise<OfferedLoadResult> {
  const latencies: number[] = [];
  let queued = 0;
  let busy = 0;
  let errors = 0;
  let longestWait = 0;
  const end = Date.now() + opts.durationMs;
  const pollScale = opts.pollScale ?? 1;

  async function send(session: string, r: GuardedRequest, extra: Record<string, string>) {
    const res = await fetch(`${opts.baseUrl}${r.url}`, {
      method: r.method,
      headers: { cookie: `exampay_sid=${session}`, 'x-exampay-request': '1', ...(r.body !== undefined ? { 'content-type': 'application/json' } : {}), ...extra },
      ...(r.body !== undefined ? { body: JSON.stringify(r.body) } : {}),
    });
    const text = await res.text();
    let body: { error?: { code?: string; details?: Record<string, unknown> }; state?: string; pass?: string; retryAfterSeconds?: number } | undefined;
    try { body = JSON.parse(text); } catch { body = undefined; }
    return { status: res.status, body, retryAfter: Number(res.headers.get('retry-after') ?? 1) };
  }

  await Promise.all(opts.sessions.map(async (session, i) => {
    let pass: string | undefined;
    while (Date.now() < end) {
      const r = opts.request(i);
      const started = performance.now();
      const answer = await send(session, r, pass ? { 'x-exampay-admission': pass } : {});
      const code = answer.body?.error?.code;
      if (code === 'WAITING_ROOM_QUEUED') {
        queued += 1;
        const ticket = String(answer.body!.error!.details!.ticket);
        const waitStart = Date.now();
        let wait = answer.retryAfter;
        while (Date.now() < end) {
          await new Promise((res) => setTimeout(res, wait * 1000 * pollScale));
          const p = await send(session, { method: 'POST', url: '/api/v1/waiting-room', body: { ticket } }, {});
          if (p.body?.state === 'ADMITTED') { pass = p.body.pass; break; }
          if (p.body?.state !== 'WAITING') { if (p.status >= 500 || !p.body) errors += 1; break; }
          wait = p.retryAfter;
        }
        longestWait = Math.max(longestWait, Date.now() - waitStart);
        continue;
      }
      if (code === 'WAITING_ROOM_BUSY') {
        busy += 1;
        await new Promise((res) => setTimeout(res, answer.retryAfter * 1000 * pollScale));
        continue;
      }
      if (answer.status >= 500 || answer.body === undefined) { errors += 1; continue; }
      latencies.push(performance.now() - started);
    }
  }));
  latencies.sort((a, b) => a - b);
  const at = (q: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]! : 0);
  return {
    clients: opts.sessions.length, admittedRequests: latencies.length, admittedP50Ms: at(0.5), admittedP99Ms: at(0.99),
    queuedAnswers: queued, busyAnswers: busy, errorPages: errors, longestWaitMs: longestWait, seconds: opts.durationMs / 1000,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [baseUrl, sessionsFile, url, seconds] = process.argv.slice(2);
  if (!baseUrl || !sessionsFile || !url) {
    console.error('usage: tsx bench/waiting-room/offered-load.ts <baseUrl> <sessions-file> <guarded GET url> [seconds]');
    process.exit(2);
  }
  const sessions = fs.readFileSync(sessionsFile, 'utf8').split('\n').map((s) => s.trim()).filter(Boolean);
  const result = await offeredLoad({ baseUrl, sessions, request: () => ({ method: 'GET', url }), durationMs: Number(seconds ?? 30) * 1000 });
  console.log(JSON.stringify(result, null, 2));
}

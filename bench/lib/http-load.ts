import autocannon from 'autocannon';
import type { BenchWorld } from './seed.ts';

export interface HttpRun {
  connections: number;
  seconds: number;
  /** Completed units per second (hold+bill pairs, settled notifications). */
  perSecond: number;
  completed: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  statuses: Record<string, number>;
}

/** Per connection: the candidate of the current loop and the registration their hold made. */
type Ctx = { cookie: string; registrationId?: string };

const JSON_HEADERS = { 'content-type': 'application/json', 'x-exampay-request': '1' };

function summarise(result: autocannon.Result, connections: number, completed: number, statuses: Record<string, number>): HttpRun {
  return {
    connections, seconds: result.duration, completed, perSecond: completed / result.duration,
    requestsPerSecond: result.requests.total / result.duration,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
    non2xx: result.non2xx, errors: result.errors, statuses,
  };
}

/**
 * Seat hold + bill over HTTP: each autocannon connection is a stream of candidates, each signed
 * in with their own session cookie: POST /api/v1/registrations (hold a seat in the slot), then
 * POST /api/v1/bills with the registration it returned. One unit = both answered 201.
 */
export async function holdAndBillOverHttp(opts: { baseUrl: string; world: BenchWorld; hot: boolean; connections: number; seconds: number; firstCandidate: number; lastCandidate: number; amount?: number }): Promise<HttpRun> {
  const { world } = opts;
  let next = opts.firstCandidate;
  let completed = 0;
  const statuses: Record<string, number> = {};
  const count = (kind: string, status: number) => { const k = `${kind} ${status}`; statuses[k] = (statuses[k] ?? 0) + 1; };
  const result = await autocannon({
    url: opts.baseUrl, connections: opts.connections, duration: opts.seconds, timeout: 30,
    // `amount` (requests) instead of a duration: for the smoke test.
    ...(opts.amount ? { amount: opts.amount } : {}),
    requests: [
      {
        method: 'POST', path: '/api/v1/registrations',
        setupRequest: (req, ctx) => {
          const context = ctx as Ctx;
          if (next >= opts.lastCandidate) throw new Error('the bench ran out of prepared candidates; raise --candidates');
          const c = world.candidates[next++]!;
          const pool = opts.hot ? world.hot : world.spread[Math.floor(Math.random() * world.spread.length)]!;
          const subjectId = opts.hot ? world.hot.subjectId : world.subjectId;
          context.cookie = `exampay_sid=${c.cookie}`;
          return { ...req, headers: { ...JSON_HEADERS, cookie: context.cookie }, body: JSON.stringify({ subjectId: String(subjectId), siteId: String(pool.siteId), slotId: String(pool.slotId) }) };
        },
        onResponse: (status, body, ctx) => {
          const context = ctx as Ctx;
          count('hold', status);
          if (status === 201) context.registrationId = (JSON.parse(body) as { registrationId: string }).registrationId;
        },
      },
      {
        method: 'POST', path: '/api/v1/bills',
        // No registration (the hold failed): skip the bill; autocannon starts the next candidate.
        setupRequest: (req, ctx) => {
          const context = ctx as Ctx;
          return context.registrationId
            ? { ...req, headers: { ...JSON_HEADERS, cookie: context.cookie }, body: JSON.stringify({ registrationIds: [context.registrationId] }) }
            : (null as unknown as typeof req);
        },
        onResponse: (status) => {
          count('bill', status);
          if (status === 201) completed++;
        },
      },
    ],
  });
  return summarise(result, opts.connections, completed, statuses);
}

/** Signed channel notifications POSTed to /notify/alipay, each for its own PAYING bill. */
export async function notificationsOverHttp(opts: { baseUrl: string; bodies: string[]; connections: number; seconds: number }): Promise<HttpRun> {
  let next = 0;
  let completed = 0;
  const statuses: Record<string, number> = {};
  let instance: autocannon.Instance | undefined;
  const result = await new Promise<autocannon.Result>((resolve, reject) => { instance = autocannon({
    url: opts.baseUrl, connections: opts.connections, duration: opts.seconds, timeout: 30,
    requests: [{
      method: 'POST', path: '/notify/alipay',
      setupRequest: (req) => {
        // All sent before the time is up: stop; the few repeats sent meanwhile are not counted.
        if (next >= opts.bodies.length) instance?.stop();
        return { ...req, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: opts.bodies[Math.min(next++, opts.bodies.length - 1)]! };
      },
      onResponse: (status, body) => {
        const k = `notify ${status}${body === 'success' ? '' : ` ${body.slice(0, 40)}`}`;
        statuses[k] = (statuses[k] ?? 0) + 1;
        // Past the last prepared body the repeats also answer `success`: not counted.
        if (status === 200 && body === 'success' && next <= opts.bodies.length) completed++;
      },
    }],
  }, (err, r) => (err ? reject(err as Error) : resolve(r))); });
  return summarise(result, opts.connections, completed, statuses);
}

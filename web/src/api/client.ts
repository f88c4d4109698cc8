/**
 * The one way the page talks to the server: same-origin JSON with the session cookie, the CSRF
 * header on every call, and the server's error body turned into an ApiError. The page keeps no
 * rule of its own — a refusal always comes from here, in the server's words.
 */
export interface ErrorBody {
  error: { code: string; message: string; messageZh: string; messageEn: string; details?: Record<string, unknown> };
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly messageZh: string;
  readonly messageEn: string;
  readonly details: Record<string, unknown>;
  constructor(status: number, body: ErrorBody['error']) {
    super(body.message);
    this.status = status;
    this.code = body.code;
    this.messageZh = body.messageZh;
    this.messageEn = body.messageEn;
    this.details = body.details ?? {};
  }
  /** The server's own words in the page's language. */
  text(lang: string): string {
    return lang.startsWith('zh') ? this.messageZh : this.messageEn;
  }
}

/** Network failure: the request may or may not have reached the server. */
export const NETWORK_ERROR = 'NETWORK_ERROR';

/** The opening minute's queue (docs/waiting-room.md), as the waiting screen shows it; null when not queued. */
export interface QueueState { position: number; estimatedWaitSeconds: number }
type QueueListener = (q: QueueState | null) => void;
const queueListeners = new Set<QueueListener>();
export function onQueue(listener: QueueListener): () => void {
  queueListeners.add(listener);
  return () => void queueListeners.delete(listener);
}
const showQueue = (q: QueueState | null) => queueListeners.forEach((l) => l(q));
const sleep = (s: number) => new Promise((r) => setTimeout(r, Math.max(1, s) * 1000));

/**
 * A guarded request beyond the server's limit is queued (503 WAITING_ROOM_QUEUED/BUSY): wait in
 * line — the ticket travels as a cookie — and repeat the request when admitted, so the candidate
 * never sees 系统繁忙 and never has to press anything.
 */
export async function api<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  for (;;) {
    try {
      const result = await once<T>(method, path, body);
      showQueue(null);
      return result;
    } catch (e) {
      if (!(e instanceof ApiError) || e.status !== 503 || !e.code.startsWith('WAITING_ROOM_')) {
        showQueue(null);
        throw e;
      }
      let wait = Number(e.details.retryAfterSeconds ?? 1);
      showQueue({ position: Number(e.details.position ?? 0), estimatedWaitSeconds: Number(e.details.estimatedWaitSeconds ?? wait) });
      for (;;) {
        await sleep(wait);
        type Poll = { state: string; position?: number; estimatedWaitSeconds?: number; retryAfterSeconds?: number };
        const poll = await once<Poll>('POST', '/api/v1/waiting-room', {}).catch((): Poll => ({ state: 'RETRY' }));
        if (poll.state !== 'WAITING') break;
        wait = poll.retryAfterSeconds ?? 1;
        showQueue({ position: poll.position ?? 0, estimatedWaitSeconds: poll.estimatedWaitSeconds ?? wait });
      }
    }
  }
}

async function once<T>(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { 'X-ExamPay-Request': '1', accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { code: NETWORK_ERROR, message: 'network error', messageZh: '网络连接中断，请检查网络后重试。您的操作可能尚未提交。', messageEn: 'The connection failed. Check your network and try again; your action may not have been sent.' });
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  const json: unknown = text ? JSON.parse(text) : undefined;
  if (!res.ok) {
    const err = (json as ErrorBody | undefined)?.error;
    throw new ApiError(res.status, err ?? { code: `HTTP_${res.status}`, message: res.statusText, messageZh: `服务器返回 ${res.status}`, messageEn: `The server answered ${res.status}` });
  }
  return json as T;
}

export const get = <T>(path: string) => api<T>('GET', path);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});
export const put = <T>(path: string, body?: unknown) => api<T>('PUT', path, body ?? {});
export const patch = <T>(path: string, body?: unknown) => api<T>('PATCH', path, body ?? {});
export const del = <T>(path: string) => api<T>('DELETE', path);

/** Money travels as integer fen (a string or number in JSON); shown as 元 with two decimals, never through floats. */
export function yuan(fen: string | number | bigint): string {
  const f = BigInt(fen);
  const neg = f < 0n;
  const abs = neg ? -f : f;
  return `${neg ? '-' : ''}${(abs / 100n).toString()}.${(abs % 100n).toString().padStart(2, '0')}`;
}

const BEIJING = new Intl.DateTimeFormat('zh-CN', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
/** Times are shown in Beijing time whatever the phone's zone is. */
export function beijingTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return BEIJING.format(new Date(iso)).replace(/\//g, '-');
}

import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Queue tickets and admission passes of the waiting room (OPS-1, docs/waiting-room.md): plain
 * text the browser holds, signed with HMAC-SHA256 under the room's key, so the server needs no
 * lookup to read one and nobody can write one.
 *
 *   ticket  wt1.<seq>.<issued unix s>.<binding>.<mac>   its place in the queue
 *   pass    wp1.<seq>.<expires unix s>.<binding>.<mac>  entry to the guarded routes until it expires
 *
 * `binding` is a keyed hash of the session (or payment-pass) cookie it was issued to: a ticket or
 * pass copied into another browser does not fit that browser's session and is refused.
 */
export interface WaitingRoomToken {
  kind: 'TICKET' | 'PASS';
  seq: bigint;
  /** Ticket: when it was issued. Pass: when it stops admitting. Unix seconds. */
  at: number;
  binding: string;
}

const PREFIX = { TICKET: 'wt1', PASS: 'wp1' } as const;
const MAC_BYTES = 18;

function mac(key: Buffer, body: string): string {
  return createHmac('sha256', key).update(`exampay-waiting-room\n${body}`).digest().subarray(0, MAC_BYTES).toString('base64url');
}

/** The session a token is bound to, as it appears in the token (reveals nothing of the cookie). */
export function bindingOf(key: Buffer, cookieValue: string): string {
  return createHmac('sha256', key).update(`exampay-waiting-room-binding\n${cookieValue}`).digest().subarray(0, 16).toString('base64url');
}

export function signToken(key: Buffer, t: WaitingRoomToken): string {
  const body = `${PREFIX[t.kind]}.${t.seq}.${t.at}.${t.binding}`;
  return `${body}.${mac(key, body)}`;
}

/** The token if its signature is ours and it is well formed; undefined for anything else. */
export function readToken(key: Buffer, text: string, kind: WaitingRoomToken['kind']): WaitingRoomToken | undefined {
  if (typeof text !== 'string' || text.length > 200) return undefined;
  const m = /^(wt1|wp1)\.([1-9]\d{0,17})\.(\d{1,12})\.([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{24})$/.exec(text);
  if (!m || m[1] !== PREFIX[kind]) return undefined;
  const body = text.slice(0, text.lastIndexOf('.'));
  const expected = Buffer.from(mac(key, body));
  const given = Buffer.from(m[5]!);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  return { kind, seq: BigInt(m[2]!), at: Number(m[3]), binding: m[4]! };
}

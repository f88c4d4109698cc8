import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { WaitingRoom } from '../../modules/waiting-room/waiting-room.ts';
import { responses, Timestamp } from '../schemas.ts';
import { PAYMENT_PASS_COOKIE, SESSION_COOKIE } from './auth.ts';
import { sendFailure } from './errors.ts';

/** The ticket the browser holds while it waits, and the pass it enters with (both signed). */
export const TICKET_COOKIE = 'exampay_wr_ticket';
export const ADMISSION_COOKIE = 'exampay_wr_pass';
/** The same, for clients without cookies (load generators); a cookie wins. */
export const TICKET_HEADER = 'x-exampay-ticket';
export const ADMISSION_HEADER = 'x-exampay-admission';

/**
 * The routes of the opening minute (OPS-1): seat holds and bills. Each is counted on entry; past
 * the limit a request is answered here, before its session is looked up, so it never reaches
 * the database. Everything else (sign-in, bill pages, notify, staff) is never queued.
 */
export const GUARDED_ROUTES: ReadonlySet<string> = new Set([
  'GET /api/v1/sittings/:sittingId/registration-options',
  'POST /api/v1/registrations',
  'POST /api/v1/registrations/:registrationId/slot',
  'DELETE /api/v1/registrations/:registrationId',
  'POST /api/v1/bills',
  'POST /api/v1/bills/:billNo/payments',
]);

declare module 'fastify' {
  interface FastifyRequest {
    waitingRoomRelease?: () => void;
  }
}

const header = (req: FastifyRequest, name: string): string | undefined => {
  const v = req.headers[name];
  return typeof v === 'string' && v ? v : undefined;
};

/**
 * Installs the waiting room on the app: the gate in front of GUARDED_ROUTES and the page's JSON
 * contract (docs/waiting-room.md). Without a room (WAITING_ROOM_LIMIT=0, tests) the status
 * route still answers, saying the room is not in use.
 */
export function installWaitingRoom(app: FastifyInstance, room: WaitingRoom | undefined, opts: { secureCookies: boolean }): void {
  const cookieOptions = { path: '/', httpOnly: true, sameSite: 'strict' as const, secure: opts.secureCookies };
  // Max-Age, not Expires: the pass itself carries its expiry; the browser's clock may be wrong.
  const setPass = (reply: FastifyReply, pass: string) => {
    reply.setCookie(ADMISSION_COOKIE, pass, { ...cookieOptions, maxAge: (room?.settings.passMinutes ?? 0) * 60 });
    reply.clearCookie(TICKET_COOKIE, cookieOptions);
  };

  if (room) {
    app.addHook('onRequest', async (req, reply) => {
      if (!GUARDED_ROUTES.has(`${req.method} ${req.routeOptions.url ?? ''}`)) return;
      // Nobody signed in: the route answers 401 from the cookie's absence alone, no query.
      const bound = req.cookies[SESSION_COOKIE] ?? req.cookies[PAYMENT_PASS_COOKIE];
      if (!bound) return;
      const arrival = await room.arrive(bound, {
        pass: req.cookies[ADMISSION_COOKIE] ?? header(req, ADMISSION_HEADER),
        ticket: req.cookies[TICKET_COOKIE] ?? header(req, TICKET_HEADER),
      });
      if (arrival.kind === 'ENTER') {
        req.waitingRoomRelease = arrival.release;
        if (arrival.newPass) setPass(reply, arrival.newPass.pass);
        return;
      }
      if (arrival.kind === 'BUSY') return sendFailure(req, reply, { code: 'WAITING_ROOM_BUSY', details: { retryAfterSeconds: arrival.retryAfterSeconds } });
      reply.setCookie(TICKET_COOKIE, arrival.ticket, { ...cookieOptions, maxAge: room.settings.ticketHours * 3600 });
      return sendFailure(req, reply, {
        code: 'WAITING_ROOM_QUEUED',
        details: { ticket: arrival.ticket, position: arrival.position, estimatedWaitSeconds: arrival.estimatedWaitSeconds, retryAfterSeconds: arrival.retryAfterSeconds, pollUrl: '/api/v1/waiting-room' },
      });
    });
    const release = async (req: FastifyRequest) => req.waitingRoomRelease?.();
    app.addHook('onResponse', release);
    app.addHook('onRequestAbort', release);
  }

  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  api.get('/api/v1/waiting-room', {
    schema: {
      tags: ['waiting-room'], summary: 'Whether candidates are queueing now, how many, and the wait at the back (for a banner)',
      response: responses(200, Type.Object({ inUse: Type.Boolean(), active: Type.Boolean(), waiting: Type.Integer(), estimatedWaitSeconds: Type.Integer() })),
    },
  }, async () => {
    if (!room) return { inUse: false, active: false, waiting: 0, estimatedWaitSeconds: 0 };
    const s = room.status();
    return { inUse: true, active: s.active, waiting: s.waiting, estimatedWaitSeconds: s.estimatedWaitSeconds };
  });

  api.post('/api/v1/waiting-room', {
    schema: {
      tags: ['waiting-room'],
      summary: 'The waiting page polls with its ticket: its place and wait, or — once, when its turn has come — the admission pass (also set as a cookie); then it repeats its request',
      body: Type.Optional(Type.Object({ ticket: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false })),
      response: responses(200, Type.Union([
        Type.Object({ state: Type.Literal('WAITING'), position: Type.Integer(), estimatedWaitSeconds: Type.Integer(), retryAfterSeconds: Type.Integer() }),
        Type.Object({ state: Type.Literal('ADMITTED'), pass: Type.String(), admittedUntil: Timestamp }),
      ]), [409, 410]),
    },
  }, async (req, reply) => {
    const ticket = req.body?.ticket ?? req.cookies[TICKET_COOKIE] ?? header(req, TICKET_HEADER);
    const bound = req.cookies[SESSION_COOKIE] ?? req.cookies[PAYMENT_PASS_COOKIE];
    if (!room || !ticket || !bound) return sendFailure(req, reply, { code: 'WAITING_ROOM_TICKET_INVALID' });
    const answer = await room.poll(bound, ticket);
    switch (answer.kind) {
      case 'WAITING':
        reply.header('retry-after', String(answer.retryAfterSeconds));
        return { state: 'WAITING' as const, position: answer.position, estimatedWaitSeconds: answer.estimatedWaitSeconds, retryAfterSeconds: answer.retryAfterSeconds };
      case 'ADMITTED':
        setPass(reply, answer.pass);
        return { state: 'ADMITTED' as const, pass: answer.pass, admittedUntil: answer.expiresAt.toISOString() };
      case 'USED': return sendFailure(req, reply, { code: 'WAITING_ROOM_TICKET_USED' });
      case 'EXPIRED': return sendFailure(req, reply, { code: 'WAITING_ROOM_TICKET_EXPIRED' });
      case 'INVALID': return sendFailure(req, reply, { code: 'WAITING_ROOM_TICKET_INVALID' });
    }
  });
}

import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync, type RouteOptions } from 'fastify';
import type { Logger } from 'pino';
import type { RouteDeps } from './route-deps.ts';
import { csrfGuard } from './plugins/auth.ts';
import { installErrorHandling } from './plugins/errors.ts';
import { installMetrics } from './plugins/metrics.ts';
import { billRoutes } from './routes/candidate/bill.routes.ts';
import { registrationRoutes } from './routes/candidate/registration.routes.ts';
import { noticeRoutes } from './routes/candidate/notice.routes.ts';
import { sessionRoutes } from './routes/candidate/session.routes.ts';
import { notifyRoutes } from './routes/notify/notify.routes.ts';
import { captchaRoutes } from './routes/public/captcha.routes.ts';
import { payerLookupRoutes } from './routes/public/payer-lookup.routes.ts';
import { channelPageRoutes } from './routes/public/channel-pages.routes.ts';
import { systemRoutes } from './routes/public/system.routes.ts';
import { pageRoutes } from './pages/pages.routes.ts';
import { contactEmailRoutes } from './routes/candidate/contact-email.routes.ts';
import { accountRoutes } from './routes/public/account.routes.ts';
import { devMailRoutes } from './routes/public/dev-mail.routes.ts';
import { ErrorBody } from './schemas.ts';
import { installWebApp } from './web-app.ts';
import { reviewRoutes } from './routes/candidate/review.routes.ts';
import { adminApi, institutionApi } from './routes/staff/admin-api.ts';
import { documentRoutes } from './routes/candidate/document.routes.ts';
import { publicDocumentRoutes } from './routes/public/document.routes.ts';
import type { WaitingRoom } from '../modules/waiting-room/waiting-room.ts';
import { installWaitingRoom } from './plugins/waiting-room.ts';
import { appealRoutes } from './routes/candidate/appeal.routes.ts';
import { linkAppealRoutes } from './routes/public/link-appeal.routes.ts';

/** One route as Fastify registered it (test/access-control.test.ts walks these). */
export type RouteTableEntry = Pick<RouteOptions, 'method' | 'url' | 'schema' | 'config'>;
const routeTables = new WeakMap<FastifyInstance, RouteTableEntry[]>();
/** Every route of an app built by buildApp, from Fastify's own onRoute hook — not a hand list. */
export function routeTable(app: FastifyInstance): readonly RouteTableEntry[] {
  const table = routeTables.get(app);
  if (!table) throw new Error('routeTable: not an app from buildApp');
  return table;
}

export interface BuildAppOptions extends RouteDeps {
  logger: Logger;
  /** Mounted under /sandbox in sandbox mode: the in-process payment gateway. */
  sandbox?: FastifyPluginAsync;
  /** Believe X-Forwarded-For; only behind a proxy you run (TRUST_PROXY). */
  trustProxy?: boolean;
  /** Show the mail outbox at /dev/mail (config.mail.devPage: never in production or live mode). */
  devMailPage?: boolean;
  /** Serve the built React app (web/dist) at every page path; default true. */
  webApp?: boolean;
  /** The opening minute's waiting room (OPS-1); absent (WAITING_ROOM_LIMIT=0, most tests): no queue. */
  waitingRoom?: WaitingRoom;
}

/** Builds the Fastify app: plugins, error format, OpenAPI, routes. Listening is the caller's. */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: opts.logger as FastifyBaseLogger,
    trustProxy: opts.trustProxy ?? false,
    bodyLimit: 256 * 1024,
    // Every response schema is strict about extra fields; request ids go in logs, not bodies.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: true } },
  }).withTypeProvider<TypeBoxTypeProvider>();
  const table: RouteTableEntry[] = [];
  routeTables.set(app, table);
  app.addHook('onRoute', (r) => void table.push({ method: r.method, url: r.url, schema: r.schema, config: r.config }));

  installErrorHandling(app, opts.webApp === false ? undefined : await installWebApp(app));
  app.addSchema(ErrorBody);
  await app.register(cookie);
  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: 'ExamPay API',
        version: '0.1.0',
        description: 'Exam registration and fee payment. Every error is `{ error: { code, message, messageZh, messageEn, details } }` with a stable code. State-changing /api calls need the header `X-ExamPay-Request: 1` and the session cookie.',
      },
      components: { securitySchemes: { session: { type: 'apiKey', in: 'cookie', name: 'exampay_sid' } } },
    },
    refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });
  await app.register(swaggerUi, { routePrefix: '/api/docs' });
  app.get('/api/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  installMetrics(app);
  app.addHook('onRequest', csrfGuard);
  installWaitingRoom(app, opts.waitingRoom, { secureCookies: opts.config.secureCookies });

  await app.register(systemRoutes(opts));
  await app.register(captchaRoutes(opts));
  await app.register(sessionRoutes(opts));
  await app.register(payerLookupRoutes(opts));
  await app.register(registrationRoutes(opts));
  await app.register(billRoutes(opts));
  await app.register(noticeRoutes(opts));
  await app.register(notifyRoutes(opts));
  await app.register(channelPageRoutes(opts));
  await app.register(pageRoutes(opts));
  // Staff (ADM-5) and institution (REG-8) APIs, and the candidate's CET6 review (REG-4).
  await app.register(reviewRoutes(opts));
  await app.register(adminApi(opts));
  await app.register(institutionApi(opts));
  await app.register(accountRoutes(opts));
  await app.register(contactEmailRoutes(opts));
  // Documents: receipts, verification, admission tickets (DOC-1 … DOC-3).
  await app.register(documentRoutes(opts));
  await app.register(publicDocumentRoutes(opts));
  await app.register(appealRoutes(opts));
  await app.register(linkAppealRoutes(opts));
  if (opts.devMailPage) await app.register(devMailRoutes(opts));
  if (opts.sandbox) {
    const sandbox = opts.sandbox;
    // The sandbox stands in for a channel: someone else's API, not part of ExamPay's document.
    await app.register(async (scope) => {
      scope.addHook('onRoute', (route) => {
        route.schema = { ...route.schema, hide: true };
      });
      await scope.register(sandbox);
    }, { prefix: '/sandbox' });
  }
  return app;
}

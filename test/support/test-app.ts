import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import pino from 'pino';
import type { Channel } from '../../src/channels/channel.ts';
import { buildApp } from '../../src/http/app.ts';
import { channelRegistry, type AppContext } from '../../src/modules/context.ts';
import { ManualClock } from '../../src/shared/clock.ts';
import type { TestDatabase } from './test-db.ts';

export const TEST_SESSION = { idleMinutes: 30, absoluteHours: 12 };

/** The real app on a test database, with a clock the test moves. Not listening unless asked. */
export async function buildTestApp(t: TestDatabase, opts: { channels?: Channel[]; clock?: ManualClock; publicBaseUrl?: string; sandbox?: FastifyPluginAsync; trustProxy?: boolean; devMailPage?: boolean } = {}) {
  const clock = opts.clock ?? new ManualClock('2026-03-15T01:00:00Z');
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  const publicBaseUrl = opts.publicBaseUrl ?? 'http://127.0.0.1:0';
  const ctx: AppContext = { db: t.db, clock, channels: channelRegistry(opts.channels ?? []), log, publicBaseUrl };
  const app: FastifyInstance = await buildApp({
    ctx, logger: log,
    config: { session: TEST_SESSION, secureCookies: false, captchaTestMode: true, publicBaseUrl },
    ...(opts.sandbox ? { sandbox: opts.sandbox } : {}),
    ...(opts.trustProxy ? { trustProxy: true } : {}),
    ...(opts.devMailPage ? { devMailPage: true } : {}),
  });
  return { app, ctx, clock };
}

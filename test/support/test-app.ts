import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import type { Channel } from '../../src/channels/channel.ts';
import { buildApp } from '../../src/http/app.ts';
import { channelRegistry, type AppContext } from '../../src/modules/context.ts';
import { ManualClock } from '../../src/shared/clock.ts';
import type { TestDatabase } from './test-db.ts';
import type { WaitingRoom } from '../../src/modules/waiting-room/waiting-room.ts';
import { TEST_PERSONAL_DATA } from './test-keys.ts';
import { testLogger } from './test-log.ts';

export const TEST_SESSION = { idleMinutes: 30, absoluteHours: 12 };

/** The real app on a test database, with a clock the test moves. Not listening unless asked. */
export async function buildTestApp(t: TestDatabase, opts: { channels?: Channel[]; clock?: ManualClock; publicBaseUrl?: string; sandbox?: FastifyPluginAsync; trustProxy?: boolean; devMailPage?: boolean; waitingRoom?: WaitingRoom } = {}) {
  const clock = opts.clock ?? new ManualClock('2026-03-15T01:00:00Z');
  // Logs go to the run's log folder, which the log audit reads when every test file is done.
  const log = testLogger();
  const publicBaseUrl = opts.publicBaseUrl ?? 'http://127.0.0.1:0';
  const ctx: AppContext = { db: t.db, clock, channels: channelRegistry(opts.channels ?? []), log, publicBaseUrl, personalData: TEST_PERSONAL_DATA };
  const app: FastifyInstance = await buildApp({
    ctx, logger: log,
    config: { session: TEST_SESSION, secureCookies: false, captchaTestMode: true, publicBaseUrl },
    ...(opts.sandbox ? { sandbox: opts.sandbox } : {}),
    ...(opts.trustProxy ? { trustProxy: true } : {}),
    ...(opts.devMailPage ? { devMailPage: true } : {}),
    ...(opts.waitingRoom ? { waitingRoom: opts.waitingRoom } : {}),
  });
  return { app, ctx, clock };
}

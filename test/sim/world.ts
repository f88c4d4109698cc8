import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { mintSandboxMaterial, sandboxAdapters, sandboxOptions, type SandboxMaterial } from '../../src/channels/sandbox-setup.ts';
import { channelRegistry, type AppContext } from '../../src/modules/context.ts';
import { buildSandboxApp } from '../../src/sandbox/sandbox.ts';
import type { SandboxControl } from '../../src/sandbox/sandbox-control.ts';
import { ManualClock } from '../../src/shared/clock.ts';
import { createLogger } from '../../src/shared/logger.ts';
import { freePort } from '../support/free-port.ts';
import { TEST_PERSONAL_DATA } from '../support/test-keys.ts';
import { ChildServer } from './child.ts';
import { DbFaults } from './db-faults.ts';
import { freshDatabase, type DatabaseHost, type SimDatabase } from './database.ts';
import { makeSimFixture, type SimFixture } from './fixture.ts';
import { DEFAULT_SHAPE, type SimShape } from './steps.ts';

export const SIM_START = '2026-03-15T01:00:00Z';

// Keys and certificates take a moment to mint; one set (and its file for the child) per process.
let material: { m: SandboxMaterial; file: string } | undefined;
function sandboxMaterial(): { m: SandboxMaterial; file: string } {
  if (material) return material;
  const m = mintSandboxMaterial(new Date(SIM_START), { alipayAppId: '2021000000000001', alipaySellerId: '2088000000000001' });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exampay-sim-'));
  const file = path.join(dir, 'sandbox-channels.json');
  fs.writeFileSync(file, JSON.stringify(m), { mode: 0o600 });
  // The sandbox's keys live as long as this process.
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  material = { m, file };
  return material;
}

/**
 * Everything one simulation run needs, fresh: its own database, the sandbox gateway speaking all
 * five channels' protocols (in this process, so faults and the payer are under the seed's
 * control), the in-process app context (candidates' actions and jobs, with database faults on
 * its pool), and the ExamPay server as a child process that the channels notify.
 */
export interface SimWorld {
  t: SimDatabase;
  clock: ManualClock;
  sandbox: SandboxControl;
  ctx: AppContext;
  dbFaults: DbFaults;
  child: ChildServer;
  fixture: SimFixture;
  close(): Promise<void>;
}

/** `spareChild`: keep a warm standby child process for restarts (runs whose steps kill the server). */
export async function startSimWorld(host: DatabaseHost, opts: { shape?: SimShape; adapterTimeoutMs?: number; log?: Logger; spareChild?: boolean } = {}): Promise<SimWorld> {
  const adapterTimeoutMs = opts.adapterTimeoutMs ?? 200;
  const t = await freshDatabase(host, 10);
  const dbFaults = new DbFaults(t.pool);
  const clock = new ManualClock(SIM_START);
  const { m, file } = sandboxMaterial();
  const log = opts.log ?? createLogger('silent');
  let sandboxBase = '';
  // Notification attempts give up quickly: a killed child refuses the connection at once.
  const { app: sandboxApp, sandbox } = await buildSandboxApp({
    clock, publicBaseUrl: () => sandboxBase, prefix: '/sandbox', apiHangMs: 5_000, notifyTimeoutMs: 5_000, ...sandboxOptions(m), fastify: { loggerInstance: log },
  });
  await sandboxApp.listen({ host: '127.0.0.1', port: 0 });
  sandboxBase = `http://127.0.0.1:${(sandboxApp.server.address() as { port: number }).port}/sandbox`;
  const childPort = await freePort();
  const publicBaseUrl = `http://127.0.0.1:${childPort}`;
  const channels = sandboxAdapters(m, { sandboxBase, publicBaseUrl, clock, db: t.db, timeoutMs: adapterTimeoutMs });
  const ctx: AppContext = { db: t.db, clock, channels: channelRegistry(channels), log, publicBaseUrl, personalData: TEST_PERSONAL_DATA };
  const fixture = await makeSimFixture(t.db, opts.shape ?? DEFAULT_SHAPE);
  const child = new ChildServer({ dbUrl: t.url, port: childPort, materialFile: file, sandboxBase, adapterTimeoutMs }, { spare: opts.spareChild ?? false });
  await child.start(clock.now().getTime());
  return {
    t, clock, sandbox: sandbox.control, ctx, dbFaults, child, fixture,
    async close() {
      await child.stop();
      await sandboxApp.close();
      await t.drop();
    },
  };
}

import cluster from 'node:cluster';
import fs from 'node:fs';
import path from 'node:path';
import { ConfigError, loadConfig } from './config.ts';
import { createChannels } from './channels/index.ts';
import { createDb } from './db/database.ts';
import { startEmbeddedPostgres, takeOverSignals } from './db/embedded.ts';
import { migrate } from './db/migrate.ts';
import { seedDemo, seedDemoStaff, type DemoStaff } from './demo/seed-demo.ts';
import { seedConfigurations } from './demo/seed-configurations.ts';
import { buildApp } from './http/app.ts';
import { startJobRunner } from './jobs/schedule.ts';
import { personalDataKeyProblems } from './modules/accounts/personal-data-keys.ts';
import { channelRegistry, type AppContext } from './modules/context.ts';
import { systemClock } from './shared/clock.ts';
import { developmentPersonalDataKeys } from './shared/development-keys.ts';
import { createLogger } from './shared/logger.ts';
import { smtpMailer } from './modules/mail/mailer.ts';
import { runPrimary, WORKER_INDEX_ENV } from './cluster-primary.ts';
import { WaitingRoom } from './modules/waiting-room/waiting-room.ts';

/** `npm start`: everything in one process, on embedded PostgreSQL unless DATABASE_URL is set. */
let stopping = false;

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  // WORKERS > 1: this process starts PostgreSQL and the workers; each worker runs what follows.
  if (config.workers > 1 && cluster.isPrimary) return runPrimary(config, log);
  // Only one process seeds the demo and prints the welcome: worker 1, or the only process.
  const firstProcess = !cluster.isWorker || process.env[WORKER_INDEX_ENV] === '1';
  const stops: (() => Promise<void>)[] = [];
  // Registered before anything starts: a signal during start-up stops what has started so far,
  // in order (shutdown reads `stops` when it runs).
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    for (const stop of stops) await stop().catch((err: unknown) => log.error({ err }, 'error while stopping'));
    process.exit(0);
  };
  takeOverSignals();
  // While stopping, a job finishing on a connection that is closing may fail late; that is
  // expected then and must not crash the orderly stop of PostgreSQL.
  process.on('unhandledRejection', (err) => {
    if (!stopping) throw err;
    log.warn({ err }, 'late failure during shutdown');
  });
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));

  let databaseUrl = config.databaseUrl;
  if (!databaseUrl && cluster.isWorker) throw new Error('a worker started without DATABASE_URL (the primary sets it)');
  if (!databaseUrl) {
    const dir = path.join(config.dataDir, 'postgres');
    log.info({ dir, port: config.embeddedPgPort }, 'starting embedded PostgreSQL (set DATABASE_URL to use your own)');
    const embedded = await startEmbeddedPostgres({ dir, port: config.embeddedPgPort, database: 'exampay' });
    databaseUrl = embedded.url;
    stops.push(() => embedded.stop());
  }
  const { db } = createDb(databaseUrl, {
    poolSize: config.databasePoolSize,
    poolMode: config.databasePoolMode,
    onIdleError: (err) => log.warn({ err }, 'database connection lost; it will be replaced'),
  });
  stops.unshift(() => db.destroy());
  // Migrations over the direct connection when one is given (MIGRATION_DATABASE_URL), not the pooler.
  {
    const direct = config.migrationDatabaseUrl;
    const m = createDb(direct ?? databaseUrl, { poolSize: 1, poolMode: direct ? 'session' : config.databasePoolMode });
    try {
      const applied = await migrate(m.pool);
      if (applied.length) log.info({ applied }, 'migrations applied');
    } finally {
      await m.db.destroy();
    }
  }

  // OPS-6: configured keys, or (never in live mode: loadConfig refuses) development keys kept in DATA_DIR.
  let personalData = config.personalDataKeys;
  let devKeys: ReturnType<typeof developmentPersonalDataKeys> | undefined;
  if (!personalData) {
    devKeys = developmentPersonalDataKeys(config.dataDir);
    personalData = devKeys.keys;
    log.warn({ file: devKeys.file, created: devKeys.created }, 'personal data is encrypted with development keys from DATA_DIR; set PERSONAL_DATA_KEYS and PERSONAL_DATA_HASH_KEY for real data');
  }
  const keyProblems = await personalDataKeyProblems({ db, personalData });
  if (keyProblems.length) {
    let hint = 'Configure the keys this database was written with (docs/personal-data.md).';
    if (devKeys?.created) {
      // Keys just made cannot be the ones this data was sealed with: the file was lost.
      fs.rmSync(devKeys.file);
      hint = `${devKeys.file} is missing: restore it, or (development data) delete ${path.join(config.dataDir, 'postgres')} to start afresh with new demo data.`;
    }
    console.error(`The personal-data keys do not fit this database:\n  - ${keyProblems.join('\n  - ')}\n${hint}`);
    for (const stop of stops) await stop().catch(() => undefined);
    process.exit(2);
  }

  const clock = systemClock;
  const channels = await createChannels({ config, clock, log, db });
  const mailer = config.mail.smtpUrl ? smtpMailer(config.mail.smtpUrl, config.mail.from) : undefined;
  if (mailer) stops.push(async () => mailer.close());
  const ctx: AppContext = { db, clock, channels: channelRegistry(channels.channels), log, publicBaseUrl: config.publicBaseUrl, personalData, ...(mailer ? { mailer } : {}) };
  // OPS-1: WAITING_ROOM_LIMIT is this host's; each worker takes its share of it.
  let waitingRoom: WaitingRoom | undefined;
  if (config.waitingRoom.limit > 0) {
    const w = config.waitingRoom;
    waitingRoom = new WaitingRoom({ db, clock, log }, {
      limit: Math.max(1, Math.floor(w.limit / config.workers)), processes: config.workers,
      tickMs: w.tickMs, passMinutes: w.passMinutes, ticketHours: w.ticketHours, passWaitMs: 500, ...(w.key ? { key: w.key } : {}),
    });
    await waitingRoom.start();
    const room = waitingRoom;
    stops.unshift(() => room.stop());
  }
  const app = await buildApp({ ctx, config, logger: log, trustProxy: config.trustProxy, devMailPage: config.mail.devPage, ...(channels.sandboxPlugin ? { sandbox: channels.sandboxPlugin } : {}), ...(waitingRoom ? { waitingRoom } : {}) });
  stops.unshift(() => app.close());

  if (config.jobsEnabled) {
    const runner = await startJobRunner(ctx, databaseUrl);
    stops.unshift(() => runner.stop());
  }
  await app.listen({ port: config.port, host: config.host });
  channels.start?.();
  if (channels.stop) stops.unshift(channels.stop);

  if (!firstProcess) return;
  const demo = config.demoData ? await seedDemo(ctx, clock.now()) : undefined;
  const seeds = config.demoData ? await seedConfigurations(ctx, clock.now()) : [];
  const staff = config.demoData ? await seedDemoStaff(db, clock.now()) : [];
  const sandboxUrl = config.sandboxGatewayUrl ?? (channels.sandboxPlugin ? `${config.publicBaseUrl}/sandbox` : undefined);
  printWelcome(config.publicBaseUrl, demo, seeds, sandboxUrl, staff, config.workers);
  if (!mailer) console.log(`Mail is not sent (no SMTP_URL): it is kept in the outbox${config.mail.devPage ? `, readable at ${config.publicBaseUrl}/dev/mail` : ''}.\n`);

}

type Account = { name: string; idNumber: string; password: string };

function printWelcome(base: string, demo: Account[] | undefined, seeds: { authorityCode: string; examName: string; accounts: Account[] }[], sandboxUrl: string | undefined, staff: DemoStaff[] = [], workers = 1): void {
  const lines = [
    '',
    `ExamPay is running at ${base}/${workers > 1 ? `  (${workers} worker processes)` : ''}`,
    `  API docs:     ${base}/api/docs   (OpenAPI: ${base}/api/openapi.json)`,
    `  Health:       ${base}/healthz    Metrics: ${base}/metrics`,
  ];
  if (sandboxUrl) lines.push(`  Sandbox gateway (no real money): ${sandboxUrl}/`);
  if (demo) {
    lines.push('', 'Demo data created. Sign in at the URL above with authority code DEMO and:');
    for (const a of demo) lines.push(`  ${a.name}  ID number ${a.idNumber}  initial password ${a.password} (you will be asked to change it)`);
  }
  for (const s of seeds) {
    lines.push('', `Seed system ${s.examName} — authority code ${s.authorityCode}:`);
    for (const a of s.accounts) lines.push(`  ${a.name}  ID number ${a.idNumber}  initial password ${a.password}`);
  }
  if (staff.length) {
    lines.push('', 'Staff (ADM-5): sign in with POST /api/v1/admin/session (authority roles) or /api/v1/institution/session',
      '(institution staff), body {authority, loginName, password}; see /api/docs and docs/roles.md:');
    for (const s of staff) lines.push(`  authority ${s.authorityCode}  login ${s.loginName}  ${s.role}${s.institution ? ` (${s.institution})` : ''}  initial password ${s.password}`);
  }
  lines.push('');
  console.log(lines.join('\n'));
}

main().catch((err: unknown) => {
  // A start-up interrupted by a signal fails on the connections being closed; the shutdown
  // under way finishes the job (PostgreSQL last) and exits.
  if (stopping) return;
  console.error('ExamPay failed to start:', err);
  process.exit(1);
});

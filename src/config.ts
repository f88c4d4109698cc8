import fs from 'node:fs';
import path from 'node:path';
import { readLiveChannels, type LiveChannels } from './config-channels.ts';
import { parsePersonalDataKeys, PersonalDataError, type PersonalDataKeys } from './shared/personal-data.ts';

/**
 * Configuration comes only from environment variables, read and checked once at start-up.
 * A bad value stops the start with a message that names the variable and says what it wants.
 */
export interface Config {
  port: number;
  host: string;
  /** How browsers and channels reach this server (cashier return links, notify URLs). */
  publicBaseUrl: string;
  /** Unset → embedded PostgreSQL under dataDir. */
  databaseUrl: string | undefined;
  databasePoolSize: number;
  dataDir: string;
  embeddedPgPort: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** 'sandbox': channels point at the in-process sandbox gateway. 'live': at the real channels. */
  paymentMode: 'sandbox' | 'live';
  alipay: {
    appId: string;
    sellerId: string;
    /** PEM text; read from *_FILE variables when given. Unset in sandbox mode → generated. */
    privateKeyPem: string | undefined;
    alipayPublicKeyPem: string | undefined;
    gateway: string | undefined;
  };
  /** PAYMENT_MODE=live only: the channels this deployment has contracts with, and their settings. */
  live?: LiveChannels;
  demoData: boolean;
  jobsEnabled: boolean;
  session: { idleMinutes: number; absoluteHours: number };
  /** Believe X-Forwarded-For (only behind a proxy you run), so logs and limits see real addresses. */
  trustProxy: boolean;
  /** Set only behind TLS; the session cookie is then Secure. */
  secureCookies: boolean;
  /** Captcha answers travel in the captcha's own answer, for automated tests only (ACC-4). */
  captchaTestMode: boolean;
  /** Mail (ACC-5/6, 通行证 verification): SMTP server, or unset → kept in the outbox table only. */
  mail: {
    smtpUrl: string | undefined;
    from: string;
    /** /dev/mail shows the outbox: only in sandbox mode outside production. */
    devPage: boolean;
  };
  /**
   * Keys of ID numbers and phones at rest (OPS-6). Unset outside live mode → development keys
   * generated once and kept in DATA_DIR (see shared/development-keys.ts).
   */
  personalDataKeys: PersonalDataKeys | undefined;
  /** Scaling out (OPS-4, docs/scaling.md). WORKERS: server processes on this host (node:cluster). */
  workers: number;
  /**
   * 'transaction': DATABASE_URL is PgBouncer in transaction mode, which refuses per-connection
   * settings at start-up; the timeouts then come from the pooler (docs/scaling.md).
   */
  databasePoolMode: 'session' | 'transaction';
  /** Migrations (and pg-boss's schema) over a direct connection, not through the pooler. */
  migrationDatabaseUrl: string | undefined;
  /** Set by the cluster's primary for its workers: the sandbox gateway it runs for all of them. */
  sandboxGatewayUrl: string | undefined;
  /** The opening minute's waiting room (OPS-1, docs/waiting-room.md); limit 0 = off. */
  waitingRoom: { limit: number; tickMs: number; passMinutes: number; ticketHours: number; key: Buffer | undefined };
}

export class ConfigError extends Error {}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env, readFile: (p: string) => string = defaultReadFile): Config {
  const errors: string[] = [];
  const str = (name: string, def?: string): string | undefined => {
    const v = env[name];
    return v === undefined || v === '' ? def : v;
  };
  const int = (name: string, def: number, min: number, max: number): number => {
    const v = str(name);
    if (v === undefined) return def;
    if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
      errors.push(`${name} must be a whole number from ${min} to ${max} (got ${JSON.stringify(v)})`);
      return def;
    }
    return Number(v);
  };
  const bool = (name: string, def: boolean): boolean => {
    const v = str(name);
    if (v === undefined) return def;
    if (['1', 'true', 'yes', 'on'].includes(v.toLowerCase())) return true;
    if (['0', 'false', 'no', 'off'].includes(v.toLowerCase())) return false;
    errors.push(`${name} must be true or false (got ${JSON.stringify(v)})`);
    return def;
  };
  const oneOf = <T extends string>(name: string, def: T, allowed: readonly T[]): T => {
    const v = str(name);
    if (v === undefined) return def;
    if (!(allowed as readonly string[]).includes(v)) {
      errors.push(`${name} must be one of ${allowed.join(', ')} (got ${JSON.stringify(v)})`);
      return def;
    }
    return v as T;
  };
  const url = (name: string, def?: string): string | undefined => {
    const v = str(name, def);
    if (v === undefined) return undefined;
    try {
      const u = new URL(v);
      if (!['http:', 'https:', 'postgres:', 'postgresql:'].includes(u.protocol)) throw new Error();
    } catch {
      errors.push(`${name} must be a URL (got ${JSON.stringify(v)})`);
    }
    return v;
  };
  const pem = (name: string): string | undefined => {
    const file = str(`${name}_FILE`);
    if (file !== undefined) {
      try {
        return readFile(file);
      } catch (e) {
        errors.push(`${name}_FILE could not be read: ${(e as Error).message}`);
        return undefined;
      }
    }
    const v = str(name);
    return v?.replaceAll('\\n', '\n');
  };

  const port = int('PORT', 3000, 1, 65535);
  const host = str('HOST', '127.0.0.1')!;
  const publicBaseUrl = url('PUBLIC_BASE_URL', `http://127.0.0.1:${port}`)!.replace(/\/+$/, '');
  const databaseUrl = url('DATABASE_URL');
  if (databaseUrl && !/^postgres(ql)?:/.test(databaseUrl)) errors.push('DATABASE_URL must start with postgres:// or postgresql://');
  const paymentMode = oneOf('PAYMENT_MODE', 'sandbox', ['sandbox', 'live'] as const);
  const alipay = {
    appId: str('ALIPAY_APP_ID', '2021000000000001')!,
    sellerId: str('ALIPAY_SELLER_ID', '2088000000000001')!,
    privateKeyPem: pem('ALIPAY_PRIVATE_KEY'),
    alipayPublicKeyPem: pem('ALIPAY_PUBLIC_KEY'),
    gateway: url('ALIPAY_GATEWAY'),
  };
  if (!/^\d{16}$/.test(alipay.appId)) errors.push(`ALIPAY_APP_ID must be Alipay's 16-digit app id (got ${JSON.stringify(alipay.appId)})`);
  if (!/^2088\d{12}$/.test(alipay.sellerId)) errors.push(`ALIPAY_SELLER_ID must be a 16-digit id starting 2088 (got ${JSON.stringify(alipay.sellerId)})`);
  const production = env.NODE_ENV === 'production';
  const dataDir = path.resolve(str('DATA_DIR', './data')!);
  // Live: every channel listed in PAYMENT_CHANNELS must be fully and really configured.
  const live = paymentMode === 'live'
    ? readLiveChannels({ str, url, pem, readFile, error: (m) => errors.push(m) }, { publicBaseUrl, dataDir, alipay })
    : undefined;
  const personalDataKeys = (() => {
    const keys = pem('PERSONAL_DATA_KEYS');
    const hash = pem('PERSONAL_DATA_HASH_KEY');
    if (keys === undefined && hash === undefined) {
      if (paymentMode === 'live') {
        errors.push('PERSONAL_DATA_KEYS and PERSONAL_DATA_HASH_KEY (or their *_FILE) are required when PAYMENT_MODE=live: ID numbers and phones are encrypted with them (each: openssl rand -base64 32; keys are written 1:<base64>)');
      }
      return undefined;
    }
    if (keys === undefined || hash === undefined) {
      errors.push(`${keys === undefined ? 'PERSONAL_DATA_KEYS' : 'PERSONAL_DATA_HASH_KEY'} (or its _FILE) must be set with ${keys === undefined ? 'PERSONAL_DATA_HASH_KEY' : 'PERSONAL_DATA_KEYS'}`);
      return undefined;
    }
    try {
      return parsePersonalDataKeys(keys, hash);
    } catch (e) {
      if (!(e instanceof PersonalDataError)) throw e;
      errors.push(`PERSONAL_DATA_KEYS / PERSONAL_DATA_HASH_KEY: ${e.message}`);
      return undefined;
    }
  })();
  const config: Config = {
    port,
    host,
    publicBaseUrl,
    databaseUrl,
    // A database commits most at a few sessions per core; more sessions only queue inside it and
    // cost it CPU per transaction (bench: 8 beat 20 by 10–30 % on a 2-core database). Requests
    // beyond the pool wait in the app, where waiting is free.
    databasePoolSize: int('DATABASE_POOL_SIZE', 8, 1, 500),
    dataDir,
    embeddedPgPort: int('EMBEDDED_PG_PORT', 54329, 1, 65535),
    logLevel: oneOf('LOG_LEVEL', 'info', ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const),
    paymentMode,
    alipay,
    ...(live ? { live } : {}),
    demoData: bool('DEMO_DATA', !production),
    jobsEnabled: bool('JOBS_ENABLED', true),
    session: {
      idleMinutes: int('SESSION_IDLE_MINUTES', 30, 1, 24 * 60),
      absoluteHours: int('SESSION_ABSOLUTE_HOURS', 12, 1, 24 * 7),
    },
    trustProxy: bool('TRUST_PROXY', false),
    secureCookies: bool('SECURE_COOKIES', publicBaseUrl.startsWith('https:')),
    captchaTestMode: bool('CAPTCHA_TEST_MODE', false),
    mail: mailConfig(str, errors, production || paymentMode === 'live'),
    personalDataKeys,
    ...scalingConfig({ int, url, oneOf, pem }, errors),
  };
  if (config.captchaTestMode && (production || paymentMode === 'live')) errors.push('CAPTCHA_TEST_MODE must be off in production and when PAYMENT_MODE=live (it hands out captcha answers)');
  if (paymentMode === 'live') {
    if (!publicBaseUrl.startsWith('https://')) errors.push('PUBLIC_BASE_URL must be an https:// address channels can reach when PAYMENT_MODE=live');
    if (config.demoData) errors.push('DEMO_DATA must be false when PAYMENT_MODE=live (demo accounts have published passwords)');
  }
  if (production && paymentMode === 'sandbox') errors.push('PAYMENT_MODE must be live when NODE_ENV=production (the sandbox takes no real money)');
  if (errors.length) throw new ConfigError(`Invalid configuration:\n  - ${errors.join('\n  - ')}`);
  return config;
}

function mailConfig(str: (name: string, def?: string) => string | undefined, errors: string[], live: boolean): Config['mail'] {
  const smtpUrl = str('SMTP_URL');
  if (smtpUrl !== undefined) {
    let good = false;
    try {
      const u = new URL(smtpUrl);
      good = ['smtp:', 'smtps:'].includes(u.protocol) && u.hostname !== '';
    } catch { /* reported below */ }
    if (!good) errors.push('SMTP_URL must be smtp://[user:pass@]host[:port] or smtps://… (got a value that is not)');
  } else if (live) {
    errors.push('SMTP_URL is required when NODE_ENV=production or PAYMENT_MODE=live (password-reset and verification mail must leave the server)');
  }
  const from = str('MAIL_FROM', 'ExamPay <no-reply@exampay.invalid>')!;
  // A display name is optional; the address itself must look like one.
  if (!/^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/.test(from)) errors.push(`MAIL_FROM must be an address like "ExamPay <no-reply@example.cn>" (got ${JSON.stringify(from)})`);
  return { smtpUrl, from, devPage: !live };
}

type Readers = {
  int: (name: string, def: number, min: number, max: number) => number;
  url: (name: string, def?: string) => string | undefined;
  oneOf: <T extends string>(name: string, def: T, allowed: readonly T[]) => T;
  pem: (name: string) => string | undefined;
};

/** WORKERS, the pooler, and the waiting room (docs/scaling.md, docs/waiting-room.md). */
function scalingConfig({ int, url, oneOf, pem }: Readers, errors: string[]): Pick<Config, 'workers' | 'databasePoolMode' | 'migrationDatabaseUrl' | 'sandboxGatewayUrl' | 'waitingRoom'> {
  const migrationDatabaseUrl = url('MIGRATION_DATABASE_URL');
  if (migrationDatabaseUrl && !/^postgres(ql)?:/.test(migrationDatabaseUrl)) errors.push('MIGRATION_DATABASE_URL must start with postgres:// or postgresql://');
  const keyText = pem('WAITING_ROOM_KEY');
  let key: Buffer | undefined;
  if (keyText !== undefined) {
    key = Buffer.from(keyText.trim(), 'base64');
    if (key.length < 32 || !/^[A-Za-z0-9+/=\s]+$/.test(keyText)) errors.push('WAITING_ROOM_KEY must be base64 of at least 32 random bytes (openssl rand -base64 32), the same in every process');
  }
  return {
    workers: int('WORKERS', 1, 1, 64),
    databasePoolMode: oneOf('DATABASE_POOL_MODE', 'session', ['session', 'transaction'] as const),
    migrationDatabaseUrl,
    sandboxGatewayUrl: url('EXAMPAY_SANDBOX_GATEWAY'),
    waitingRoom: {
      limit: int('WAITING_ROOM_LIMIT', 64, 0, 100_000),
      tickMs: int('WAITING_ROOM_TICK_MS', 250, 20, 10_000),
      passMinutes: int('WAITING_ROOM_PASS_MINUTES', 15, 1, 24 * 60),
      ticketHours: int('WAITING_ROOM_TICKET_HOURS', 2, 1, 48),
      key,
    },
  };
}

function defaultReadFile(p: string): string {
  return fs.readFileSync(p, 'utf8');
}

import { createPrivateKey, X509Certificate } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateRsaKeyPair, pemBody } from './channels/alipay/rsa-keys.ts';
import { liveAdapters } from './channels/index.ts';
import { ConfigError, loadConfig } from './config.ts';
import type { Db } from './db/database.ts';
import { mintCertificate, mintMerchantCert, mintUnionpaySandboxPki } from './sandbox/unionpay/unionpay-pki.ts';
import { ManualClock } from './shared/clock.ts';
import { generatePersonalDataKeyText } from './shared/personal-data.ts';

const personal = generatePersonalDataKeyText();
const PERSONAL_KEYS = { PERSONAL_DATA_KEYS: personal.encryption, PERSONAL_DATA_HASH_KEY: personal.hash };

describe('configuration', () => {
  it('runs on defaults with nothing set', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.paymentMode).toBe('sandbox');
    expect(c.demoData).toBe(true);
    expect(c.personalDataKeys).toBeUndefined();
  });

  it.each([
    ['PORT', 'abc', /PORT must be a whole number/],
    ['PORT', '70000', /PORT must be a whole number from 1 to 65535/],
    ['DATABASE_URL', 'mysql://x', /DATABASE_URL must (be a URL|start with postgres)/],
    ['PAYMENT_MODE', 'real', /PAYMENT_MODE must be one of sandbox, live/],
    ['DEMO_DATA', 'maybe', /DEMO_DATA must be true or false/],
    ['ALIPAY_APP_ID', '123', /ALIPAY_APP_ID must be/],
    ['SESSION_IDLE_MINUTES', '0', /SESSION_IDLE_MINUTES/],
    ['SMTP_URL', 'http://mail.example.cn', /SMTP_URL must be smtp:/],
    ['SMTP_URL', 'not a url', /SMTP_URL must be smtp:/],
    ['MAIL_FROM', 'nobody', /MAIL_FROM must be an address/],
  ])('%s=%s stops the start with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('live mode requires the channel keys, each named', () => {
    expect(() => loadConfig({ PAYMENT_MODE: 'live', PAYMENT_CHANNELS: 'alipay' }, () => { throw new Error('no file'); }))
      .toThrow(/ALIPAY_PRIVATE_KEY \(or ALIPAY_PRIVATE_KEY_FILE\) is required[\s\S]*ALIPAY_PUBLIC_KEY[\s\S]*ALIPAY_GATEWAY is required/);
  });

  it('live mode refuses a public address channels cannot reach safely, and demo data', () => {
    const app = generateRsaKeyPair();
    const keys = {
      PAYMENT_MODE: 'live', PAYMENT_CHANNELS: 'alipay', ALIPAY_APP_ID: '2021004100000000', ALIPAY_SELLER_ID: '2088123412341234',
      ALIPAY_PRIVATE_KEY: app.privateKeyPem, ALIPAY_PUBLIC_KEY: generateRsaKeyPair().publicKeyPem, ALIPAY_GATEWAY: 'https://openapi.alipay.com/gateway.do',
      SMTP_URL: 'smtps://u:p@smtp.example.cn', ...PERSONAL_KEYS,
    };
    expect(() => loadConfig({ ...keys, DEMO_DATA: 'false' })).toThrow(/PUBLIC_BASE_URL must be an https:\/\/ address/);
    expect(() => loadConfig({ ...keys, PUBLIC_BASE_URL: 'https://pay.example.cn', DEMO_DATA: 'true' })).toThrow(/DEMO_DATA must be false/);
    expect(loadConfig({ ...keys, PUBLIC_BASE_URL: 'https://pay.example.cn', DEMO_DATA: 'false' }).secureCookies).toBe(true);
  });

  it('mail: kept in the outbox with a development page by default; live mode needs SMTP_URL and has no page', () => {
    expect(loadConfig({}).mail).toEqual({ smtpUrl: undefined, from: 'ExamPay <no-reply@exampay.invalid>', devPage: true });
    expect(loadConfig({ SMTP_URL: 'smtp://127.0.0.1:2525', MAIL_FROM: 'no-reply@exam.example.cn' }).mail).toMatchObject({ smtpUrl: 'smtp://127.0.0.1:2525', from: 'no-reply@exam.example.cn' });
    expect(() => loadConfig({ PAYMENT_MODE: 'live' })).toThrow(/SMTP_URL is required when NODE_ENV=production or PAYMENT_MODE=live/);
    const live = loadConfig({
      PAYMENT_MODE: 'live', PAYMENT_CHANNELS: 'alipay', ALIPAY_APP_ID: '2021004100000000', ALIPAY_SELLER_ID: '2088123412341234',
      ALIPAY_PRIVATE_KEY: generateRsaKeyPair().privateKeyPem, ALIPAY_PUBLIC_KEY: generateRsaKeyPair().publicKeyPem, ALIPAY_GATEWAY: 'https://openapi.alipay.com/gateway.do',
      PUBLIC_BASE_URL: 'https://pay.example.cn', DEMO_DATA: 'false', SMTP_URL: 'smtps://smtp.example.cn', ...PERSONAL_KEYS,
    });
    expect(live.mail.devPage).toBe(false);
  });

  it('production refuses the sandbox', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PAYMENT_MODE must be live when NODE_ENV=production/);
  });

  it('reads keys from *_FILE variables', () => {
    const c = loadConfig({ ALIPAY_PRIVATE_KEY_FILE: '/k.pem' }, (p) => `pem from ${p}`);
    expect(c.alipay.privateKeyPem).toBe('pem from /k.pem');
  });

  describe('personal-data keys (OPS-6)', () => {
    const live = {
      PAYMENT_MODE: 'live', PAYMENT_CHANNELS: 'alipay', ALIPAY_APP_ID: '2021004100000000', ALIPAY_SELLER_ID: '2088123412341234',
      ALIPAY_PRIVATE_KEY: generateRsaKeyPair().privateKeyPem, ALIPAY_PUBLIC_KEY: generateRsaKeyPair().publicKeyPem, ALIPAY_GATEWAY: 'https://openapi.alipay.com/gateway.do',
      PUBLIC_BASE_URL: 'https://pay.example.cn', DEMO_DATA: 'false', SMTP_URL: 'smtps://smtp.example.cn',
    };

    it('live mode refuses to start without them (no development key in live mode)', () => {
      expect(() => loadConfig(live)).toThrow(/PERSONAL_DATA_KEYS and PERSONAL_DATA_HASH_KEY \(or their \*_FILE\) are required when PAYMENT_MODE=live/);
      expect(loadConfig({ ...live, ...PERSONAL_KEYS }).personalDataKeys?.currentVersion).toBe(1);
    });

    it('one without the other is refused', () => {
      expect(() => loadConfig({ PERSONAL_DATA_KEYS: personal.encryption })).toThrow(/PERSONAL_DATA_HASH_KEY \(or its _FILE\) must be set with PERSONAL_DATA_KEYS/);
      expect(() => loadConfig({ PERSONAL_DATA_HASH_KEY: personal.hash })).toThrow(/PERSONAL_DATA_KEYS \(or its _FILE\) must be set with PERSONAL_DATA_HASH_KEY/);
    });

    it('a malformed key stops the start, and the message does not quote it', () => {
      const short = `1:${Buffer.alloc(16, 3).toString('base64')}`;
      expect(() => loadConfig({ PERSONAL_DATA_KEYS: short, PERSONAL_DATA_HASH_KEY: personal.hash })).toThrow(/PERSONAL_DATA_KEYS \/ PERSONAL_DATA_HASH_KEY: key version 1 is 16 bytes/);
      try {
        loadConfig({ PERSONAL_DATA_KEYS: short, PERSONAL_DATA_HASH_KEY: personal.hash });
      } catch (e) {
        expect((e as Error).message).not.toContain(short.slice(2));
      }
    });

    it('reads them from files, several versions in one', () => {
      const next = generatePersonalDataKeyText(2);
      const files: Record<string, string> = { '/keys': `${personal.encryption}\n${next.encryption}\n`, '/hash': `${personal.hash}\n` };
      const c = loadConfig({ PERSONAL_DATA_KEYS_FILE: '/keys', PERSONAL_DATA_HASH_KEY_FILE: '/hash' }, (p) => files[p]!);
      expect(c.personalDataKeys?.currentVersion).toBe(2);
      expect([...c.personalDataKeys!.encryption.keys()].sort()).toEqual([1, 2]);
    });
  });
});

describe('live channels (PAYMENT_MODE=live): configuration only, every variable named, nothing of the sandbox', () => {
  const rsa = [generateRsaKeyPair(), generateRsaKeyPair(), generateRsaKeyPair()];
  const now = new Date();
  const pki = mintUnionpaySandboxPki(now);
  const merchantCert = mintMerchantCert(pki.middle, '898310148160001', now);
  const platformCert = mintCertificate({ subjectCn: 'Tenpay.com Root CA test', ca: false, issuer: pki.middle, notBefore: new Date(now.getTime() - 86_400_000), notAfter: new Date(now.getTime() + 365 * 86_400_000) });
  const base = { PAYMENT_MODE: 'live', PUBLIC_BASE_URL: 'https://pay.example.cn', DEMO_DATA: 'false', SMTP_URL: 'smtps://smtp.example.cn', ...PERSONAL_KEYS };
  const ALIPAY = {
    ALIPAY_APP_ID: '2021004100000000', ALIPAY_SELLER_ID: '2088123412341234', ALIPAY_PRIVATE_KEY: rsa[0]!.privateKeyPem,
    ALIPAY_PUBLIC_KEY: pemBody(rsa[1]!.publicKeyPem), ALIPAY_GATEWAY: 'https://openapi.alipay.com/gateway.do',
  };
  const WECHATPAY = {
    WECHATPAY_MCHID: '1230000109', WECHATPAY_APPID: 'wxd678efh567hg6787', WECHATPAY_CERT_SERIAL: '5157F09EFDC096DE15EBE81A47057A7232F1B8E1',
    WECHATPAY_PRIVATE_KEY: rsa[0]!.privateKeyPem, WECHATPAY_PLATFORM_PUBLIC_KEY: platformCert.certPem, WECHATPAY_API_V3_KEY: 'a'.repeat(32),
  };
  const UNIONPAY = {
    UNIONPAY_MER_ID: '898310148160001', UNIONPAY_SIGN_KEY: merchantCert.keyPem, UNIONPAY_SIGN_CERT: merchantCert.certPem,
    UNIONPAY_ROOT_CERT: pki.root.certPem, UNIONPAY_MIDDLE_CERT: pki.middle.certPem,
  };
  const PUBLICPAY = {
    PUBLICPAY_GATEWAY: 'https://pay.ywtb.sh.gov.cn/api', PUBLICPAY_MERCHANT_ID: 'SH0001', PUBLICPAY_PRIVATE_KEY: rsa[2]!.privateKeyPem, PUBLICPAY_PLATFORM_PUBLIC_KEY: rsa[1]!.publicKeyPem,
  };
  const PAYEASE = { PAYEASE_GATEWAY: 'https://apis.5upay.com', PAYEASE_MERCHANT_ID: '890000123', PAYEASE_SECRET: 's'.repeat(40) };
  const ALL = { ...base, PAYMENT_CHANNELS: 'alipay,wechatpay,unionpay,publicpay,payease', ...ALIPAY, ...WECHATPAY, ...UNIONPAY, ...PUBLICPAY, ...PAYEASE };
  const noFiles = (p: string): string => { throw new Error(`ENOENT ${p}`); };
  const load = (env: Record<string, string>, readFile = noFiles) => loadConfig(env, readFile);
  const errorsOf = (env: Record<string, string>, readFile = noFiles): string => {
    try {
      load(env, readFile);
    } catch (e) {
      if (e instanceof ConfigError) return e.message;
      throw e;
    }
    return '';
  };

  it('all five configured: loaded, and the adapters are built for exactly those channels', () => {
    const c = load(ALL);
    expect(c.live!.enabled).toEqual(['alipay', 'wechatpay', 'unionpay', 'publicpay', 'payease']);
    expect(c.live!.wechatpay).toMatchObject({ baseUrl: 'https://api.mch.weixin.qq.com', platformSerial: new X509Certificate(platformCert.certPem).serialNumber });
    expect(c.live!.unionpay!.baseUrl).toBe('https://gateway.95516.com');
    expect(c.live!.publicpay).toMatchObject({ signType: 'RSA-SHA256', gateway: 'https://pay.ywtb.sh.gov.cn/api' });
    expect(c.live!.payease).toMatchObject({ signType: 'HMAC-SHA256', secret: 's'.repeat(40) });
    const adapters = liveAdapters(c, c.live!, { clock: new ManualClock(), db: {} as Db });
    expect(adapters.map((a) => a.code)).toEqual(['alipay', 'wechatpay', 'unionpay', 'publicpay', 'payease']);
    expect(liveAdapters(c, { enabled: ['payease'], payease: c.live!.payease }, { clock: new ManualClock(), db: {} as Db }).map((a) => a.code)).toEqual(['payease']);
  });

  it('PAYMENT_CHANNELS is required, and only known channels', () => {
    expect(errorsOf(base)).toMatch(/PAYMENT_CHANNELS is required when PAYMENT_MODE=live/);
    expect(errorsOf({ ...base, PAYMENT_CHANNELS: 'alipay,bitcoin' })).toMatch(/PAYMENT_CHANNELS: "bitcoin" is not one of/);
    expect(load({ ...base, PAYMENT_CHANNELS: 'payease', ...PAYEASE }).live!.enabled).toEqual(['payease']);
  });

  it.each([
    ['wechatpay', ['WECHATPAY_MCHID', 'WECHATPAY_APPID', 'WECHATPAY_CERT_SERIAL', 'WECHATPAY_PLATFORM_PUBLIC_KEY', 'WECHATPAY_API_V3_KEY', 'WECHATPAY_PRIVATE_KEY']],
    ['unionpay', ['UNIONPAY_MER_ID', 'UNIONPAY_SIGN_KEY', 'UNIONPAY_SIGN_CERT', 'UNIONPAY_ROOT_CERT', 'UNIONPAY_MIDDLE_CERT']],
    ['publicpay', ['PUBLICPAY_GATEWAY', 'PUBLICPAY_MERCHANT_ID', 'PUBLICPAY_PRIVATE_KEY', 'PUBLICPAY_PLATFORM_PUBLIC_KEY']],
    ['payease', ['PAYEASE_GATEWAY', 'PAYEASE_MERCHANT_ID', 'PAYEASE_SECRET']],
  ])('%s listed without its settings: each missing variable is named', (channel, names) => {
    const message = errorsOf({ ...base, PAYMENT_CHANNELS: channel });
    for (const name of names) expect(message).toContain(name);
  });

  it('refuses sandbox ids, sandbox and loopback URLs, the channels\' test environments, plain http', () => {
    expect(errorsOf({ ...ALL, ALIPAY_APP_ID: '2021000000000001' })).toMatch(/ALIPAY_APP_ID is the sandbox's demo id/);
    expect(errorsOf({ ...ALL, WECHATPAY_MCHID: '1900009191' })).toMatch(/WECHATPAY_MCHID is the sandbox's demo id/);
    expect(errorsOf({ ...ALL, UNIONPAY_MER_ID: '777290058110048' })).toMatch(/UNIONPAY_MER_ID is the sandbox's demo id/);
    expect(errorsOf({ ...ALL, ALIPAY_GATEWAY: 'https://pay.example.cn/sandbox/alipay/gateway.do' })).toMatch(/ALIPAY_GATEWAY points at ExamPay's sandbox/);
    expect(errorsOf({ ...ALL, PAYEASE_GATEWAY: 'https://pay.example.cn/payease' })).toMatch(/PAYEASE_GATEWAY points at ExamPay's sandbox/);
    expect(errorsOf({ ...ALL, PUBLICPAY_GATEWAY: 'https://127.0.0.1:4010/publicpay' })).toMatch(/PUBLICPAY_GATEWAY points at this machine/);
    expect(errorsOf({ ...ALL, ALIPAY_GATEWAY: 'https://openapi-sandbox.dl.alipaydev.com/gateway.do' })).toMatch(/ALIPAY_GATEWAY is the channel's test environment/);
    expect(errorsOf({ ...ALL, UNIONPAY_GATEWAY: 'https://gateway.test.95516.com' })).toMatch(/UNIONPAY_GATEWAY is the channel's test environment/);
    expect(errorsOf({ ...ALL, WECHATPAY_BASE_URL: 'http://api.mch.weixin.qq.com' })).toMatch(/WECHATPAY_BASE_URL must be an https:\/\/ URL/);
  });

  it('refuses the sandbox\'s own keys and secrets (DATA_DIR/sandbox-channels.json), in whatever armour', () => {
    const material = JSON.stringify({ alipay: { merchant: { privateKeyPem: rsa[0]!.privateKeyPem } }, payease: { secret: 's'.repeat(40) }, unionpay: { pki: { root: { certPem: pki.root.certPem } } } });
    const withMaterial = (p: string): string => (p.endsWith('sandbox-channels.json') ? material : noFiles(p));
    const message = errorsOf(ALL, withMaterial);
    expect(message).toMatch(/ALIPAY_PRIVATE_KEY is the sandbox's/);
    expect(message).toMatch(/WECHATPAY_PRIVATE_KEY is the sandbox's/);
    expect(message).toMatch(/PAYEASE_SECRET is the sandbox's/);
    expect(message).toMatch(/UNIONPAY_ROOT_CERT is the sandbox's/);
    // The same key as PKCS#1 instead of PKCS#8 is still the same key.
    const pkcs1 = createPrivateKey(rsa[0]!.privateKeyPem).export({ type: 'pkcs1', format: 'pem' }).toString();
    expect(errorsOf({ ...ALL, ALIPAY_PRIVATE_KEY: pkcs1 }, withMaterial)).toMatch(/ALIPAY_PRIVATE_KEY is the sandbox's/);
  });

  it('checks what the keys are: RSA, matching certificate, issued chain, not expired, 32-byte APIv3 key, long HMAC secret, known sign type', () => {
    expect(errorsOf({ ...ALL, ALIPAY_PRIVATE_KEY: 'not a key' })).toMatch(/ALIPAY_PRIVATE_KEY must be an RSA private key/);
    expect(errorsOf({ ...ALL, PUBLICPAY_PLATFORM_PUBLIC_KEY: 'junk' })).toMatch(/PUBLICPAY_PLATFORM_PUBLIC_KEY must be an RSA public key/);
    expect(errorsOf({ ...ALL, UNIONPAY_SIGN_CERT: pki.signing.certPem })).toMatch(/UNIONPAY_SIGN_CERT is not the certificate of UNIONPAY_SIGN_KEY/);
    expect(errorsOf({ ...ALL, UNIONPAY_MIDDLE_CERT: mintUnionpaySandboxPki(now).middle.certPem })).toMatch(/UNIONPAY_MIDDLE_CERT is not issued by UNIONPAY_ROOT_CERT/);
    const expired = mintCertificate({ subjectCn: 'old', ca: false, issuer: pki.middle, notBefore: new Date('2020-01-01'), notAfter: new Date('2021-01-01') });
    expect(errorsOf({ ...ALL, WECHATPAY_PLATFORM_PUBLIC_KEY: expired.certPem })).toMatch(/WECHATPAY_PLATFORM_PUBLIC_KEY expired/);
    expect(errorsOf({ ...ALL, WECHATPAY_API_V3_KEY: 'short' })).toMatch(/WECHATPAY_API_V3_KEY must be the 32-character APIv3 key/);
    expect(errorsOf({ ...ALL, PAYEASE_SECRET: 'x'.repeat(20) })).toMatch(/PAYEASE_SECRET must be at least 32 characters/);
    expect(errorsOf({ ...ALL, PAYEASE_SIGN_TYPE: 'SM2' })).toMatch(/PAYEASE_SIGN_TYPE must be one of HMAC-SHA256, HMAC-SM3, RSA-SHA256 .*SM2 is not supported/);
    expect(load({ ...ALL, PUBLICPAY_SIGN_TYPE: 'HMAC-SM3', PUBLICPAY_SECRET: 'p'.repeat(32) }).live!.publicpay).toMatchObject({ signType: 'HMAC-SM3', secret: 'p'.repeat(32) });
  });

  it('keys and secrets can come from files (*_FILE)', () => {
    const files: Record<string, string> = { '/run/secrets/payease': 's'.repeat(40), '/run/secrets/up.key': merchantCert.keyPem };
    const { PAYEASE_SECRET: _s, UNIONPAY_SIGN_KEY: _k, ...rest } = ALL;
    const c = load({ ...rest, PAYEASE_SECRET_FILE: '/run/secrets/payease', UNIONPAY_SIGN_KEY_FILE: '/run/secrets/up.key' }, (p) => files[p] ?? noFiles(p));
    expect(c.live!.payease!.secret).toBe('s'.repeat(40));
    expect(c.live!.unionpay!.signingKeyPem).toBe(merchantCert.keyPem);
  });
});

describe('scaling and the waiting room (docs/scaling.md, docs/waiting-room.md)', () => {
  it('defaults: one process, a direct pool, the room on at 64', () => {
    const c = loadConfig({});
    expect(c.workers).toBe(1);
    expect(c.databasePoolMode).toBe('session');
    expect(c.migrationDatabaseUrl).toBeUndefined();
    expect(c.waitingRoom).toEqual({ limit: 64, tickMs: 250, passMinutes: 15, ticketHours: 2, key: undefined });
  });

  it('reads them', () => {
    const key = Buffer.alloc(32, 7);
    const c = loadConfig({
      WORKERS: '4', DATABASE_POOL_MODE: 'transaction', MIGRATION_DATABASE_URL: 'postgres://u:p@db:5432/exampay',
      WAITING_ROOM_LIMIT: '0', WAITING_ROOM_TICK_MS: '500', WAITING_ROOM_PASS_MINUTES: '5', WAITING_ROOM_TICKET_HOURS: '3', WAITING_ROOM_KEY: key.toString('base64'),
    });
    expect(c.workers).toBe(4);
    expect(c.databasePoolMode).toBe('transaction');
    expect(c.migrationDatabaseUrl).toBe('postgres://u:p@db:5432/exampay');
    expect(c.waitingRoom).toEqual({ limit: 0, tickMs: 500, passMinutes: 5, ticketHours: 3, key });
  });

  it.each([
    ['WORKERS', '0', /WORKERS must be a whole number from 1 to 64/],
    ['DATABASE_POOL_MODE', 'statement', /DATABASE_POOL_MODE must be one of session, transaction/],
    ['MIGRATION_DATABASE_URL', 'mysql://x', /MIGRATION_DATABASE_URL must/],
    ['WAITING_ROOM_LIMIT', '-1', /WAITING_ROOM_LIMIT must be a whole number/],
    ['WAITING_ROOM_TICK_MS', '5', /WAITING_ROOM_TICK_MS must be a whole number from 20/],
    ['WAITING_ROOM_KEY', Buffer.alloc(16, 1).toString('base64'), /WAITING_ROOM_KEY must be base64 of at least 32/],
  ])('%s=%s stops the start with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});

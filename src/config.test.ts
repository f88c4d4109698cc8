import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';
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
  ])('%s=%s stops the start with a message naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });

  it('live mode requires the channel keys, each named', () => {
    expect(() => loadConfig({ PAYMENT_MODE: 'live' })).toThrow(/ALIPAY_PRIVATE_KEY \(or ALIPAY_PRIVATE_KEY_FILE\) is required[\s\S]*ALIPAY_PUBLIC_KEY[\s\S]*ALIPAY_GATEWAY is required/);
  });

  it('live mode refuses a public address channels cannot reach safely, and demo data', () => {
    const keys = { PAYMENT_MODE: 'live', ALIPAY_PRIVATE_KEY: 'k', ALIPAY_PUBLIC_KEY: 'k', ALIPAY_GATEWAY: 'https://openapi.alipay.com/gateway.do', ...PERSONAL_KEYS };
    expect(() => loadConfig({ ...keys, DEMO_DATA: 'false' })).toThrow(/PUBLIC_BASE_URL must be an https:\/\/ address/);
    expect(() => loadConfig({ ...keys, PUBLIC_BASE_URL: 'https://pay.example.cn', DEMO_DATA: 'true' })).toThrow(/DEMO_DATA must be false/);
    expect(loadConfig({ ...keys, PUBLIC_BASE_URL: 'https://pay.example.cn', DEMO_DATA: 'false' }).secureCookies).toBe(true);
  });

  it('production refuses the sandbox', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PAYMENT_MODE must be live when NODE_ENV=production/);
  });

  it('reads keys from *_FILE variables', () => {
    const c = loadConfig({ ALIPAY_PRIVATE_KEY_FILE: '/k.pem' }, (p) => `pem from ${p}`);
    expect(c.alipay.privateKeyPem).toBe('pem from /k.pem');
  });

  describe('personal-data keys (OPS-6)', () => {
    const live = { PAYMENT_MODE: 'live', ALIPAY_PRIVATE_KEY: 'k', ALIPAY_PUBLIC_KEY: 'k', ALIPAY_GATEWAY: 'https://openapi.alipay.com/gateway.do', PUBLIC_BASE_URL: 'https://pay.example.cn', DEMO_DATA: 'false' };

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

import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration', () => {
  it('runs on defaults with nothing set', () => {
    const c = loadConfig({});
    expect(c.port).toBe(3000);
    expect(c.databaseUrl).toBeUndefined();
    expect(c.paymentMode).toBe('sandbox');
    expect(c.demoData).toBe(true);
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
    expect(() => loadConfig({ PAYMENT_MODE: 'live' })).toThrow(/ALIPAY_PRIVATE_KEY \(or ALIPAY_PRIVATE_KEY_FILE\) is required[\s\S]*ALIPAY_PUBLIC_KEY[\s\S]*ALIPAY_GATEWAY is required/);
  });

  it('live mode refuses a public address channels cannot reach safely, and demo data', () => {
    const keys = { PAYMENT_MODE: 'live', ALIPAY_PRIVATE_KEY: 'k', ALIPAY_PUBLIC_KEY: 'k', ALIPAY_GATEWAY: 'https://openapi.alipay.com/gateway.do', SMTP_URL: 'smtps://u:p@smtp.example.cn' };
    expect(() => loadConfig({ ...keys, DEMO_DATA: 'false' })).toThrow(/PUBLIC_BASE_URL must be an https:\/\/ address/);
    expect(() => loadConfig({ ...keys, PUBLIC_BASE_URL: 'https://pay.example.cn', DEMO_DATA: 'true' })).toThrow(/DEMO_DATA must be false/);
    expect(loadConfig({ ...keys, PUBLIC_BASE_URL: 'https://pay.example.cn', DEMO_DATA: 'false' }).secureCookies).toBe(true);
  });

  it('mail: kept in the outbox with a development page by default; live mode needs SMTP_URL and has no page', () => {
    expect(loadConfig({}).mail).toEqual({ smtpUrl: undefined, from: 'ExamPay <no-reply@exampay.invalid>', devPage: true });
    expect(loadConfig({ SMTP_URL: 'smtp://127.0.0.1:2525', MAIL_FROM: 'no-reply@exam.example.cn' }).mail).toMatchObject({ smtpUrl: 'smtp://127.0.0.1:2525', from: 'no-reply@exam.example.cn' });
    expect(() => loadConfig({ PAYMENT_MODE: 'live' })).toThrow(/SMTP_URL is required when NODE_ENV=production or PAYMENT_MODE=live/);
    const live = loadConfig({ PAYMENT_MODE: 'live', ALIPAY_PRIVATE_KEY: 'k', ALIPAY_PUBLIC_KEY: 'k', ALIPAY_GATEWAY: 'https://g', PUBLIC_BASE_URL: 'https://pay.example.cn', DEMO_DATA: 'false', SMTP_URL: 'smtps://smtp.example.cn' });
    expect(live.mail.devPage).toBe(false);
  });

  it('production refuses the sandbox', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PAYMENT_MODE must be live when NODE_ENV=production/);
  });

  it('reads keys from *_FILE variables', () => {
    const c = loadConfig({ ALIPAY_PRIVATE_KEY_FILE: '/k.pem' }, (p) => `pem from ${p}`);
    expect(c.alipay.privateKeyPem).toBe('pem from /k.pem');
  });
});

import { createHash, createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import path from 'node:path';
import { privateKeyObject, publicKeyObject } from './channels/alipay/rsa-keys.ts';
import type { ChannelCode } from './channels/channel.ts';
import type { WechatpayAdapterConfig } from './channels/wechatpay/wechatpay.adapter.ts';
import { MIN_SECRET_LENGTH, SIGN_TYPES, type GenericSignType } from './channels/generic/generic-wire.ts';

/**
 * Live channel settings (PAYMENT_MODE=live): which channels this deployment has contracts with
 * (PAYMENT_CHANNELS), and for each the gateway, ids and keys the channel issued. Every value is
 * checked at start with a message naming its variable; live mode refuses the sandbox's URLs,
 * ids and keys, and the channels' own test environments.
 */
export const CHANNEL_CODES = ['alipay', 'wechatpay', 'unionpay', 'publicpay', 'payease'] as const satisfies readonly ChannelCode[];

/** What the WeChat Pay adapter needs, less what the code decides (its timeout). */
export type WechatpayLiveConfig = Omit<WechatpayAdapterConfig, 'timeoutMs'>;

export interface UnionpayLiveConfig {
  merId: string;
  signingKeyPem: string;
  signingCertPem: string;
  rootCertPem: string;
  middleCertPem: string;
  baseUrl: string;
}

export interface GenericLiveConfig {
  merchantId: string;
  gateway: string;
  signType: GenericSignType;
  /** HMAC-SHA256 / HMAC-SM3. */
  secret?: string;
  /** RSA-SHA256: ours, and the provider's public key (from a key or a certificate). */
  privateKeyPem?: string;
  platformPublicKeyPem?: string;
}

export interface LiveChannels {
  /** The channels this deployment talks to; an exam offering another gets CHANNEL_UNAVAILABLE. */
  enabled: ChannelCode[];
  wechatpay?: WechatpayLiveConfig;
  unionpay?: UnionpayLiveConfig;
  publicpay?: GenericLiveConfig;
  payease?: GenericLiveConfig;
}

/** What loadConfig lends this module: its readers (each records its own errors) and the error list. */
export interface EnvReader {
  str(name: string, def?: string): string | undefined;
  url(name: string, def?: string): string | undefined;
  /** `NAME_FILE` (a path) or `NAME` (the text, `\n` allowed for line breaks). */
  pem(name: string): string | undefined;
  readFile(p: string): string;
  error(message: string): void;
}

/** Demo ids the sandbox and the channels' documentation use; never a real merchant's. */
const SANDBOX_IDS: Record<string, string[]> = {
  ALIPAY_APP_ID: ['2021000000000001'],
  ALIPAY_SELLER_ID: ['2088000000000001'],
  WECHATPAY_MCHID: ['1900009191'],
  WECHATPAY_APPID: ['wx8888888888888888'],
  UNIONPAY_MER_ID: ['777290058110048'],
};
/** The channels' own test environments: not for taking money. */
const TEST_HOSTS = ['openapi-sandbox.dl.alipaydev.com', 'openapi.alipaydev.com', 'gateway.test.95516.com', 'filedownload.test.95516.com'];

export function readLiveChannels(r: EnvReader, opts: { publicBaseUrl: string; dataDir: string; alipay: { appId: string; sellerId: string; privateKeyPem?: string; alipayPublicKeyPem?: string; gateway?: string } }): LiveChannels {
  const listed = r.str('PAYMENT_CHANNELS');
  if (!listed) {
    r.error(`PAYMENT_CHANNELS is required when PAYMENT_MODE=live: the channels you have contracts with, comma-separated, from ${CHANNEL_CODES.join(', ')}`);
    return { enabled: [] };
  }
  const enabled: ChannelCode[] = [];
  for (const c of listed.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(CHANNEL_CODES as readonly string[]).includes(c)) r.error(`PAYMENT_CHANNELS: ${JSON.stringify(c)} is not one of ${CHANNEL_CODES.join(', ')}`);
    else if (!enabled.includes(c as ChannelCode)) enabled.push(c as ChannelCode);
  }
  const sandboxSecrets = sandboxKeyMaterial(r, opts.dataDir);
  const check = new Checks(r, opts.publicBaseUrl, sandboxSecrets);
  const live: LiveChannels = { enabled };

  if (enabled.includes('alipay')) {
    const a = opts.alipay;
    check.notSandboxId('ALIPAY_APP_ID', a.appId);
    check.notSandboxId('ALIPAY_SELLER_ID', a.sellerId);
    check.privateKey('ALIPAY_PRIVATE_KEY', a.privateKeyPem);
    check.publicKey('ALIPAY_PUBLIC_KEY', a.alipayPublicKeyPem);
    check.gateway('ALIPAY_GATEWAY', a.gateway);
  }
  if (enabled.includes('wechatpay')) {
    const mchid = check.required('WECHATPAY_MCHID', r.str('WECHATPAY_MCHID'), /^\d{6,32}$/, 'digits');
    const appid = check.required('WECHATPAY_APPID', r.str('WECHATPAY_APPID'), /^wx[0-9a-zA-Z]{16}$/, '"wx" and 16 letters or digits');
    const merchantSerial = check.required('WECHATPAY_CERT_SERIAL', r.str('WECHATPAY_CERT_SERIAL'), /^[0-9A-Fa-f]{8,40}$/, 'the hex serial number of the merchant API certificate');
    const platform = check.publicKeyOrCert('WECHATPAY_PLATFORM_PUBLIC_KEY', r.pem('WECHATPAY_PLATFORM_PUBLIC_KEY'));
    const platformSerial = r.str('WECHATPAY_PLATFORM_SERIAL') ?? platform?.certSerial;
    if (!platformSerial) r.error('WECHATPAY_PLATFORM_SERIAL is required (PUB_KEY_ID_… of the WeChat Pay public key, or the platform certificate serial)');
    const apiV3Key = r.pem('WECHATPAY_API_V3_KEY')?.trim();
    if (!apiV3Key) r.error('WECHATPAY_API_V3_KEY (or WECHATPAY_API_V3_KEY_FILE) is required when PAYMENT_CHANNELS includes wechatpay');
    else if (Buffer.byteLength(apiV3Key) !== 32) r.error('WECHATPAY_API_V3_KEY must be the 32-character APIv3 key set in the merchant platform');
    else check.notSandboxSecret('WECHATPAY_API_V3_KEY', apiV3Key);
    const merchantPrivateKeyPem = check.privateKey('WECHATPAY_PRIVATE_KEY', r.pem('WECHATPAY_PRIVATE_KEY'));
    const baseUrl = check.gateway('WECHATPAY_BASE_URL', r.url('WECHATPAY_BASE_URL', 'https://api.mch.weixin.qq.com'));
    if (mchid) check.notSandboxId('WECHATPAY_MCHID', mchid);
    if (appid) check.notSandboxId('WECHATPAY_APPID', appid);
    if (mchid && appid && merchantSerial && platform && platformSerial && apiV3Key && merchantPrivateKeyPem && baseUrl) {
      live.wechatpay = { mchid, appid, merchantPrivateKeyPem, merchantSerial, platformPublicKeyPem: platform.publicKeyPem, platformSerial, apiV3Key, baseUrl };
    }
  }
  if (enabled.includes('unionpay')) {
    const merId = check.required('UNIONPAY_MER_ID', r.str('UNIONPAY_MER_ID'), /^[0-9A-Za-z]{15}$/, 'the 15-character merchant code');
    if (merId) check.notSandboxId('UNIONPAY_MER_ID', merId);
    const signingKeyPem = check.privateKey('UNIONPAY_SIGN_KEY', r.pem('UNIONPAY_SIGN_KEY'), ' (export the .pfx with `openssl pkcs12 -nodes`)');
    const signingCert = check.certificate('UNIONPAY_SIGN_CERT', r.pem('UNIONPAY_SIGN_CERT'));
    const root = check.certificate('UNIONPAY_ROOT_CERT', r.pem('UNIONPAY_ROOT_CERT'));
    const middle = check.certificate('UNIONPAY_MIDDLE_CERT', r.pem('UNIONPAY_MIDDLE_CERT'));
    const baseUrl = check.gateway('UNIONPAY_GATEWAY', r.url('UNIONPAY_GATEWAY', 'https://gateway.95516.com'));
    if (signingKeyPem && signingCert && spkiOf(createPublicKey(privateKeyObject(signingKeyPem))) !== spkiOf(signingCert.cert.publicKey)) {
      r.error('UNIONPAY_SIGN_CERT is not the certificate of UNIONPAY_SIGN_KEY');
    }
    if (root && middle && !(middle.cert.checkIssued(root.cert) && middle.cert.verify(root.cert.publicKey))) r.error('UNIONPAY_MIDDLE_CERT is not issued by UNIONPAY_ROOT_CERT');
    if (merId && signingKeyPem && signingCert && root && middle && baseUrl) {
      live.unionpay = { merId, signingKeyPem, signingCertPem: signingCert.pem, rootCertPem: root.pem, middleCertPem: middle.pem, baseUrl };
    }
  }
  for (const code of ['publicpay', 'payease'] as const) {
    if (enabled.includes(code)) live[code] = readGeneric(r, check, code);
  }
  return live;
}

function readGeneric(r: EnvReader, check: Checks, code: 'publicpay' | 'payease'): GenericLiveConfig | undefined {
  const P = code.toUpperCase();
  const gateway = check.gateway(`${P}_GATEWAY`, r.url(`${P}_GATEWAY`));
  const merchantId = check.required(`${P}_MERCHANT_ID`, r.str(`${P}_MERCHANT_ID`), /^[0-9A-Za-z_-]{1,32}$/, '1–32 letters, digits, _ or -');
  const signType = r.str(`${P}_SIGN_TYPE`, code === 'publicpay' ? 'RSA-SHA256' : 'HMAC-SHA256') as GenericSignType;
  if (!(SIGN_TYPES as readonly string[]).includes(signType)) {
    r.error(`${P}_SIGN_TYPE must be one of ${SIGN_TYPES.join(', ')} (got ${JSON.stringify(signType)}; SM2 is not supported: see docs/generic-channels.md)`);
    return undefined;
  }
  if (signType === 'RSA-SHA256') {
    const privateKeyPem = check.privateKey(`${P}_PRIVATE_KEY`, r.pem(`${P}_PRIVATE_KEY`));
    const platform = check.publicKeyOrCert(`${P}_PLATFORM_PUBLIC_KEY`, r.pem(`${P}_PLATFORM_PUBLIC_KEY`));
    return gateway && merchantId && privateKeyPem && platform ? { merchantId, gateway, signType, privateKeyPem, platformPublicKeyPem: platform.publicKeyPem } : undefined;
  }
  const secret = r.pem(`${P}_SECRET`)?.trim();
  if (!secret) r.error(`${P}_SECRET (or ${P}_SECRET_FILE) is required when ${P}_SIGN_TYPE=${signType}`);
  else if (secret.length < 32) r.error(`${P}_SECRET must be at least 32 characters (the key the provider issued; ${MIN_SECRET_LENGTH} is the protocol's floor, 32 the live one)`);
  else check.notSandboxSecret(`${P}_SECRET`, secret);
  return gateway && merchantId && secret && secret.length >= 32 ? { merchantId, gateway, signType, secret } : undefined;
}

const spkiOf = (k: KeyObject): string => k.export({ type: 'spki', format: 'der' }).toString('base64');
/**
 * What identifies a key whatever its armour: the public key (SPKI) of a private key, public key or
 * certificate; for a secret, its text. Hashed, so secrets are not kept around in the clear.
 */
function fingerprint(text: string): string {
  let id = text.replace(/\s+/g, '');
  if (text.includes('-----BEGIN')) {
    try {
      id = text.includes('CERTIFICATE') ? spkiOf(new X509Certificate(text).publicKey)
        : text.includes('PRIVATE') ? spkiOf(createPublicKey(privateKeyObject(text))) : spkiOf(publicKeyObject(text));
    } catch {
      // Not a key Node can read: compare the text.
    }
  }
  return createHash('sha256').update(id).digest('hex');
}

/** Every key and secret in the sandbox's material file (DATA_DIR/sandbox-channels.json), as fingerprints. */
function sandboxKeyMaterial(r: EnvReader, dataDir: string): Set<string> {
  const found = new Set<string>();
  let text: string;
  try {
    text = r.readFile(path.join(dataDir, 'sandbox-channels.json'));
  } catch {
    return found;
  }
  const walk = (v: unknown): void => {
    if (typeof v === 'string') {
      if (v.includes('-----BEGIN') || v.length === 32 || v.length >= 40) found.add(fingerprint(v));
    } else if (v && typeof v === 'object') {
      for (const x of Object.values(v)) walk(x);
    }
  };
  try {
    walk(JSON.parse(text));
  } catch {
    // Not ours to judge here: the sandbox rewrites a broken file.
  }
  return found;
}

class Checks {
  private readonly r: EnvReader;
  private readonly publicOrigin: string;
  private readonly sandbox: Set<string>;

  constructor(r: EnvReader, publicBaseUrl: string, sandbox: Set<string>) {
    this.r = r;
    let origin = '';
    try {
      origin = new URL(publicBaseUrl).origin;
    } catch {
      // PUBLIC_BASE_URL has its own message.
    }
    this.publicOrigin = origin;
    this.sandbox = sandbox;
  }

  required(name: string, v: string | undefined, shape: RegExp, what: string): string | undefined {
    if (!v) this.r.error(`${name} is required when its channel is in PAYMENT_CHANNELS (${what})`);
    else if (!shape.test(v)) this.r.error(`${name} must be ${what} (got ${JSON.stringify(v)})`);
    else return v;
    return undefined;
  }

  notSandboxId(name: string, v: string): void {
    if (SANDBOX_IDS[name]?.includes(v)) this.r.error(`${name} is the sandbox's demo id ${v}: live mode needs the id the channel issued to you`);
  }

  notSandboxSecret(name: string, v: string): void {
    if (this.sandbox.has(fingerprint(v))) this.r.error(`${name} is the sandbox's (from DATA_DIR/sandbox-channels.json): live mode needs the one registered with the channel`);
  }

  /** https, not this server, not a loopback address, not a sandbox path, not the channel's test environment. */
  gateway(name: string, v: string | undefined): string | undefined {
    if (!v) {
      this.r.error(`${name} is required when its channel is in PAYMENT_CHANNELS`);
      return undefined;
    }
    let u: URL;
    try {
      u = new URL(v);
    } catch {
      return undefined; // the url() reader has said so
    }
    const host = u.hostname.replace(/^\[|\]$/g, '');
    if (u.protocol !== 'https:') this.r.error(`${name} must be an https:// URL when PAYMENT_MODE=live (got ${JSON.stringify(v)})`);
    else if (u.origin === this.publicOrigin || /(^|\/)sandbox(\/|$)/.test(u.pathname)) this.r.error(`${name} points at ExamPay's sandbox (${v}): live mode needs the channel's own gateway`);
    else if (host === 'localhost' || host === '::1' || /^127\./.test(host) || host === '0.0.0.0') this.r.error(`${name} points at this machine (${v}): live mode needs the channel's own gateway`);
    else if (TEST_HOSTS.includes(host) || /sandbox/i.test(host) || u.pathname.includes('/sandboxnew')) this.r.error(`${name} is the channel's test environment (${host}): it takes no real money`);
    else return v.replace(/\/+$/, '');
    return undefined;
  }

  privateKey(name: string, pem: string | undefined, hint = ''): string | undefined {
    if (!pem) {
      this.r.error(`${name} (or ${name}_FILE) is required when its channel is in PAYMENT_CHANNELS`);
      return undefined;
    }
    try {
      if (privateKeyObject(pem).asymmetricKeyType !== 'rsa') throw new Error('not RSA');
    } catch {
      this.r.error(`${name} must be an RSA private key, PKCS#8 or PKCS#1 PEM${hint}`);
      return undefined;
    }
    this.notSandboxSecret(name, pem);
    return pem;
  }

  publicKey(name: string, pem: string | undefined): string | undefined {
    if (!pem) {
      this.r.error(`${name} (or ${name}_FILE) is required when its channel is in PAYMENT_CHANNELS`);
      return undefined;
    }
    try {
      if (publicKeyObject(pem).asymmetricKeyType !== 'rsa') throw new Error('not RSA');
    } catch {
      this.r.error(`${name} must be an RSA public key (PEM or the bare base64 the channel's console shows)`);
      return undefined;
    }
    this.notSandboxSecret(name, pem);
    return pem;
  }

  /** A public key, or a certificate (platform certificate) whose key is taken and whose dates are checked. */
  publicKeyOrCert(name: string, pem: string | undefined): { publicKeyPem: string; certSerial?: string } | undefined {
    if (pem?.includes('BEGIN CERTIFICATE')) {
      const c = this.certificate(name, pem);
      if (!c) return undefined;
      return { publicKeyPem: c.cert.publicKey.export({ type: 'spki', format: 'pem' }).toString(), certSerial: c.cert.serialNumber };
    }
    const key = this.publicKey(name, pem);
    return key ? { publicKeyPem: key } : undefined;
  }

  certificate(name: string, pem: string | undefined): { pem: string; cert: X509Certificate } | undefined {
    if (!pem) {
      this.r.error(`${name} (or ${name}_FILE) is required when its channel is in PAYMENT_CHANNELS`);
      return undefined;
    }
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch {
      this.r.error(`${name} must be an X.509 certificate in PEM`);
      return undefined;
    }
    if (new Date(cert.validTo) < new Date()) this.r.error(`${name} expired on ${cert.validTo}`);
    this.notSandboxSecret(name, pem);
    return { pem, cert };
  }
}

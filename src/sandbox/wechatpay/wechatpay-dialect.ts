import type { FastifyInstance } from 'fastify';
import { privateKeyObject, publicKeyObject } from '../../channels/alipay/rsa-keys.ts';
import { apiV3KeyBytes } from '../../channels/wechatpay/wechatpay-wire.ts';
import type { SandboxCore } from '../sandbox-core.ts';
import { registerWechatpayApi } from './wechatpay-api.route.ts';
import { registerWechatpayCashier } from './wechatpay-cashier.route.ts';
import { refundIdAllocator, type WechatpayContext, type WechatpayMerchant } from './wechatpay-context.ts';
import { createWechatpayHooks } from './wechatpay-notify.builder.ts';
import { NotifyHeaderRelay } from './wechatpay-notify-relay.ts';

/**
 * The sandbox speaking WeChat Pay APIv3 for direct merchants (Native QR), in public-key mode:
 * answers and callbacks are signed with one "WeChat Pay" key named by a `PUB_KEY_ID_…` in
 * `Wechatpay-Serial` (no `/v3/certificates`: platform certificates are the older mode).
 */
export interface WechatpaySandboxOptions {
  /** The sandbox's "WeChat Pay" private key (PKCS#8/PKCS#1 PEM or bare base64); merchants get its public key. */
  platformPrivateKeyPem: string;
  /** The public-key id merchants see, `PUB_KEY_ID_` + 32 digits. */
  platformSerial: string;
  /** The APIv3 key (32 characters) of every merchant that does not set its own. */
  apiV3Key: string;
  merchants: Array<{
    mchid: string;
    appid: string;
    /** The public half of the merchant API key (PEM or bare base64). */
    merchantPublicKeyPem: string;
    /** Serial of the merchant API certificate (hex), expected as `serial_no`. */
    merchantSerial: string;
    /** Shown on the payment page. */
    name?: string;
    apiV3Key?: string;
  }>;
}

export interface WechatpayDialect {
  context: WechatpayContext;
  /** The API under `/wechatpay/v3/...` (raw-body scope of its own) and the payment page. */
  registerRoutes(app: FastifyInstance): void;
  /**
   * Wraps the fetch the NotifyDispatcher uses so callbacks carry their `Wechatpay-*` headers
   * (see wechatpay-notify-relay.ts); not needed once the dispatcher sends render()'s headers.
   */
  notifyFetch(base: typeof fetch): typeof fetch;
}

export function createWechatpayDialect(
  core: SandboxCore,
  opts: WechatpaySandboxOptions,
  settings: { baseUrl(): string; apiHangMs: number },
): WechatpayDialect {
  if (!/^\S{1,64}$/.test(opts.platformSerial)) throw new Error(`platformSerial must be a key id such as PUB_KEY_ID_…: ${opts.platformSerial}`);
  const merchants = new Map<string, WechatpayMerchant>();
  for (const m of opts.merchants) {
    if (!/^\d{6,32}$/.test(m.mchid)) throw new Error(`WeChat Pay mchid must be digits: ${m.mchid}`);
    if (!/^[0-9A-Fa-f]{8,40}$/.test(m.merchantSerial)) throw new Error(`merchantSerial must be a hex certificate serial: ${m.merchantSerial}`);
    const apiV3Key = m.apiV3Key ?? opts.apiV3Key;
    apiV3KeyBytes(apiV3Key); // throws unless 32 bytes
    merchants.set(m.mchid, {
      mchid: m.mchid,
      appid: m.appid,
      name: m.name ?? `沙箱商户 Sandbox merchant ${m.mchid}`,
      merchantPublicKey: publicKeyObject(m.merchantPublicKeyPem),
      merchantSerial: m.merchantSerial,
      apiV3Key,
    });
  }
  const relay = new NotifyHeaderRelay();
  const context: WechatpayContext = {
    core,
    merchants,
    platformPrivateKey: privateKeyObject(opts.platformPrivateKeyPem),
    platformSerial: opts.platformSerial,
    baseUrl: () => settings.baseUrl().replace(/\/+$/, ''),
    apiHangMs: settings.apiHangMs,
    refundNotifyUrls: new Map(),
    refundId: refundIdAllocator(() => core.clock.now()),
    bills: new Map(),
    relay,
  };
  core.registerDialect('wechatpay', createWechatpayHooks(context));
  return {
    context,
    registerRoutes(app) {
      registerWechatpayApi(app, context);
      registerWechatpayCashier(app, context);
    },
    notifyFetch: (base) => relay.wrap(base),
  };
}

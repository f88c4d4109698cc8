import { randomBytes, randomInt } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { generateRsaKeyPair, type RsaKeyPair } from '../../channels/alipay/rsa-keys.ts';
import type { Clock } from '../../shared/clock.ts';
import { NotifyDispatcher } from '../notify-dispatcher.ts';
import { createControl, type SandboxControl } from '../sandbox-control.ts';
import { SandboxCore } from '../sandbox-core.ts';
import { useFormBodies } from '../sandbox-html.ts';
import { createWechatpayDialect, type WechatpayDialect } from './wechatpay-dialect.ts';

/**
 * Test helpers: the sandbox core with the WeChat Pay dialect and the notification dispatcher, in
 * a Fastify app of its own on 127.0.0.1 (random port), with freshly generated keys. Composed here
 * rather than through sandbox.ts, which does not mount this dialect yet. Not used in production.
 */
export interface TestWechatMerchant extends RsaKeyPair {
  mchid: string;
  appid: string;
  merchantSerial: string;
  apiV3Key: string;
}

export interface WechatpayTestSandbox {
  app: FastifyInstance;
  core: SandboxCore;
  control: SandboxControl;
  dialect: WechatpayDialect;
  /** e.g. `http://127.0.0.1:41234/sandbox` */
  baseUrl: string;
  /** The adapter's base URL: `${baseUrl}/wechatpay`. */
  wechatpayBase: string;
  /** The sandbox's "WeChat Pay" key pair; merchants verify with the public key. */
  platformKeys: RsaKeyPair;
  platformSerial: string;
  /** Registered merchants; the first is the default. */
  merchants: TestWechatMerchant[];
  close(): Promise<void>;
}

let keyPool: RsaKeyPair[] = [];
/** RSA generation takes a while; a test file reuses pairs (each sandbox still has its own roles). */
export function testKeys(i: number): RsaKeyPair {
  while (keyPool.length <= i) keyPool = [...keyPool, generateRsaKeyPair()];
  return keyPool[i]!;
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const newApiV3Key = (): string => Array.from({ length: 32 }, () => ALNUM[randomInt(ALNUM.length)]).join('');

export async function startWechatpaySandbox(opts: {
  clock: Clock;
  merchantCount?: number;
  apiHangMs?: number;
  /** Give every merchant its own APIv3 key (default: all share one, as the options allow). */
  ownApiV3Keys?: boolean;
}): Promise<WechatpayTestSandbox> {
  const platformKeys = testKeys(0);
  const platformSerial = `PUB_KEY_ID_0114${String(randomInt(1e9)).padStart(28, '0')}`;
  const sharedKey = newApiV3Key();
  const merchants: TestWechatMerchant[] = Array.from({ length: opts.merchantCount ?? 1 }, (_, i) => ({
    mchid: `19000072${String(i + 91).padStart(2, '0')}`,
    appid: `wxd678efh567hg67${String(i + 87).padStart(2, '0')}`,
    merchantSerial: randomBytes(20).toString('hex').toUpperCase(),
    apiV3Key: opts.ownApiV3Keys ? newApiV3Key() : sharedKey,
    ...testKeys(i + 1),
  }));
  let baseUrl = '';
  // The dispatcher is made before the dialect, whose fetch wrapper it needs: bound late.
  const notifyFetch = { current: fetch };
  const dispatcher = new NotifyDispatcher({ clock: opts.clock, fetch: (input, init) => notifyFetch.current(input, init) });
  const core = new SandboxCore({ clock: opts.clock, dispatcher });
  const dialect = createWechatpayDialect(core, {
    platformPrivateKeyPem: platformKeys.privateKeyPem,
    platformSerial,
    apiV3Key: sharedKey,
    merchants: merchants.map((m, i) => ({
      mchid: m.mchid, appid: m.appid, merchantPublicKeyPem: m.publicKeyPem, merchantSerial: m.merchantSerial,
      apiV3Key: m.apiV3Key, name: `测试考试院 Test authority ${i + 1}`,
    })),
  }, { baseUrl: () => baseUrl, apiHangMs: opts.apiHangMs ?? 10_000 });
  notifyFetch.current = dialect.notifyFetch(fetch);
  const control = createControl(core);
  const app = Fastify({ forceCloseConnections: true });
  await app.register(async (scope) => {
    useFormBodies(scope);
    dialect.registerRoutes(scope);
    // Before the server waits for open requests, so a hanging call cannot hold up shutdown.
    scope.addHook('preClose', async () => core.hangs.releaseAll());
    scope.addHook('onClose', async () => control.stop());
  }, { prefix: '/sandbox' });
  await app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}/sandbox`;
  return {
    app, core, control, dialect, baseUrl, wechatpayBase: `${baseUrl}/wechatpay`,
    platformKeys, platformSerial, merchants,
    close: () => app.close(),
  };
}

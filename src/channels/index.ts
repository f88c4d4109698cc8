import type { FastifyPluginAsync } from 'fastify';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { createSandbox } from '../sandbox/sandbox.ts';
import type { Clock } from '../shared/clock.ts';
import { AlipayAdapter } from './alipay/alipay.adapter.ts';
import type { Channel } from './channel.ts';
import { GenericAdapter } from './generic/generic.adapter.ts';
import { GENERIC_PROFILES } from './generic/generic-profile.ts';
import type { GenericKeys } from './generic/generic-wire.ts';
import { UnionpayAdapter } from './unionpay/unionpay.adapter.ts';
import { WechatpayAdapter } from './wechatpay/wechatpay.adapter.ts';
import { pgOrderTimes } from '../modules/payments/channel-order-times.repo.ts';
import type { LiveChannels } from '../config-channels.ts';
import type { Db } from '../db/database.ts';
import { mintGenericMaterial, mintSandboxMaterial, sandboxAdapters, sandboxOptions, type SandboxMaterial } from './sandbox-setup.ts';

export interface Channels {
  channels: Channel[];
  /** In sandbox mode: the gateway, to mount under /sandbox. */
  sandboxPlugin?: FastifyPluginAsync;
  /** Starts background work (the sandbox's notify sender) once the server listens. */
  start?(): void;
  stop?(): Promise<void>;
}

const ADAPTER_TIMEOUT_MS = 10_000;

/**
 * The channels this process talks to. In sandbox mode the in-process sandbox gateway plays
 * Alipay, WeChat Pay, UnionPay, the public payment platform and PayEase, with keys and
 * certificates minted once and kept in DATA_DIR; the adapters are the same ones that talk to the
 * real channels in live mode — only keys and URLs differ (README, "Live mode").
 */
export async function createChannels({ config, clock, log, db }: { config: Config; clock: Clock; log: Logger; db: Db }): Promise<Channels> {
  if (config.paymentMode === 'live') {
    if (!config.live) throw new Error('live mode without live channel settings');
    const channels = liveAdapters(config, config.live, { clock, db });
    log.info({ channels: channels.map((c) => c.code) }, 'live payment channels');
    return { channels };
  }

  const material = sandboxMaterial(config, clock.now());
  // WORKERS > 1: the cluster's primary runs the one sandbox every worker talks to (its orders
  // live in memory); a worker only points its adapters at it.
  if (config.sandboxGatewayUrl) {
    return { channels: sandboxAdapters(material, { sandboxBase: config.sandboxGatewayUrl, publicBaseUrl: config.publicBaseUrl, clock, db, timeoutMs: ADAPTER_TIMEOUT_MS }) };
  }
  const sandboxBase = `${config.publicBaseUrl}/sandbox`;
  const sandbox = await createSandbox({ clock, publicBaseUrl: sandboxBase, ...sandboxOptions(material), logger: log.child({ component: 'sandbox' }) });
  return {
    channels: sandboxAdapters(material, { sandboxBase, publicBaseUrl: config.publicBaseUrl, clock, db, timeoutMs: ADAPTER_TIMEOUT_MS }),
    sandboxPlugin: sandbox.plugin,
    start: () => sandbox.control.start(1000),
    stop: () => sandbox.close(),
  };
}

/** The real channels listed in PAYMENT_CHANNELS, from settings loadConfig has already checked. */
export function liveAdapters(config: Config, live: LiveChannels, deps: { clock: Clock; db: Db }): Channel[] {
  const { clock } = deps;
  const timeoutMs = ADAPTER_TIMEOUT_MS;
  const missing = (code: string): never => { throw new Error(`${code} is in PAYMENT_CHANNELS but has no settings`); };
  return live.enabled.map((code): Channel => {
    switch (code) {
      case 'alipay': {
        const { appId, sellerId, privateKeyPem, alipayPublicKeyPem, gateway } = config.alipay;
        if (!privateKeyPem || !alipayPublicKeyPem || !gateway) return missing(code);
        return new AlipayAdapter({ appId, sellerId, privateKeyPem, alipayPublicKeyPem, gateway, timeoutMs }, { clock });
      }
      case 'wechatpay': {
        const w = live.wechatpay ?? missing(code);
        return new WechatpayAdapter({ ...w, timeoutMs }, { clock });
      }
      case 'unionpay': {
        const u = live.unionpay ?? missing(code);
        return new UnionpayAdapter({
          ...u, timeoutMs, formPageUrl: `${config.publicBaseUrl}/pay/form/unionpay`, refundNotifyUrl: `${config.publicBaseUrl}/notify/unionpay`,
        }, { clock, orderTimes: pgOrderTimes(deps.db, 'unionpay') });
      }
      case 'publicpay':
      case 'payease': {
        const g = live[code] ?? missing(code);
        const keys: GenericKeys = g.signType === 'RSA-SHA256'
          ? { signType: g.signType, privateKeyPem: g.privateKeyPem ?? missing(code), peerPublicKeyPem: g.platformPublicKeyPem ?? missing(code) }
          : { signType: g.signType, secret: g.secret ?? missing(code) };
        return new GenericAdapter({ profile: GENERIC_PROFILES[code], merchantId: g.merchantId, baseUrl: g.gateway, keys, timeoutMs }, { clock });
      }
    }
  });
}

/** The sandbox's keys and certificates for every channel, minted once and kept in DATA_DIR. */
export function sandboxMaterial(config: Config, now: Date): SandboxMaterial {
  const file = path.join(config.dataDir, 'sandbox-channels.json');
  let kept: (Partial<SandboxMaterial> & Omit<SandboxMaterial, 'publicpay' | 'payease'>) | undefined;
  try {
    kept = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<SandboxMaterial> & Omit<SandboxMaterial, 'publicpay' | 'payease'>;
  } catch {
    kept = undefined;
  }
  if (kept?.publicpay && kept.payease) return kept as SandboxMaterial;
  // Written before the generic channels existed: add theirs and keep the rest, so what was signed
  // before still verifies. No file (or an unreadable one): mint everything.
  const material: SandboxMaterial = kept
    ? { ...mintGenericMaterial(), ...kept }
    : mintSandboxMaterial(now, { alipayAppId: config.alipay.appId, alipaySellerId: config.alipay.sellerId });
  fs.mkdirSync(config.dataDir, { recursive: true });
  fs.writeFileSync(file, JSON.stringify(material), { mode: 0o600 });
  return material;
}

import type { FastifyPluginAsync } from 'fastify';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { createSandbox } from '../sandbox/sandbox.ts';
import type { Clock } from '../shared/clock.ts';
import { AlipayAdapter } from './alipay/alipay.adapter.ts';
import type { Channel } from './channel.ts';
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
 * Alipay, WeChat Pay and UnionPay, with keys and certificates minted once and kept in DATA_DIR;
 * the adapters are the same ones that talk to the real channels in live mode — only keys and
 * URLs differ. Live mode configures Alipay for now (WeChat Pay and UnionPay keys: issue 6).
 */
export async function createChannels({ config, clock, log, db }: { config: Config; clock: Clock; log: Logger; db: Db }): Promise<Channels> {
  if (config.paymentMode === 'live') {
    const { appId, sellerId, privateKeyPem, alipayPublicKeyPem, gateway } = config.alipay;
    // loadConfig has already refused live mode without these.
    return { channels: [new AlipayAdapter({ appId, sellerId, privateKeyPem: privateKeyPem!, alipayPublicKeyPem: alipayPublicKeyPem!, gateway: gateway!, timeoutMs: ADAPTER_TIMEOUT_MS }, { clock })] };
  }

  const material = sandboxMaterial(config, clock.now());
  const sandboxBase = `${config.publicBaseUrl}/sandbox`;
  const sandbox = await createSandbox({ clock, publicBaseUrl: sandboxBase, ...sandboxOptions(material), logger: log.child({ component: 'sandbox' }) });
  return {
    channels: sandboxAdapters(material, { sandboxBase, publicBaseUrl: config.publicBaseUrl, clock, db, timeoutMs: ADAPTER_TIMEOUT_MS }),
    sandboxPlugin: sandbox.plugin,
    start: () => sandbox.control.start(1000),
    stop: () => sandbox.close(),
  };
}

/** The sandbox's keys and certificates for every channel, minted once and kept in DATA_DIR. */
function sandboxMaterial(config: Config, now: Date): SandboxMaterial {
  const file = path.join(config.dataDir, 'sandbox-channels.json');
  try {
    const kept = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<SandboxMaterial> & Omit<SandboxMaterial, 'publicpay' | 'payease'>;
    if (kept.publicpay && kept.payease) return kept as SandboxMaterial;
    // Written before the generic channels existed: add theirs, keep the rest (signed orders still verify).
    const material: SandboxMaterial = { ...mintGenericMaterial(), ...kept };
    fs.writeFileSync(file, JSON.stringify(material), { mode: 0o600 });
    return material;
  } catch {
    const material = mintSandboxMaterial(now, { alipayAppId: config.alipay.appId, alipaySellerId: config.alipay.sellerId });
    fs.mkdirSync(config.dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(material), { mode: 0o600 });
    return material;
  }
}

import type { FastifyPluginAsync } from 'fastify';
import { createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config.ts';
import { createSandbox } from '../sandbox/sandbox.ts';
import type { Clock } from '../shared/clock.ts';
import { AlipayAdapter } from './alipay/alipay.adapter.ts';
import { generateRsaKeyPair, privateKeyObject, type RsaKeyPair } from './alipay/rsa-keys.ts';
import type { Channel } from './channel.ts';

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
 * Alipay, with keys generated once and kept in DATA_DIR; the adapter is the same one that talks
 * to the real Alipay in live mode — only its keys and gateway URL differ.
 */
export async function createChannels({ config, clock, log }: { config: Config; clock: Clock; log: Logger }): Promise<Channels> {
  if (config.paymentMode === 'live') {
    const { appId, sellerId, privateKeyPem, alipayPublicKeyPem, gateway } = config.alipay;
    // loadConfig has already refused live mode without these.
    return { channels: [new AlipayAdapter({ appId, sellerId, privateKeyPem: privateKeyPem!, alipayPublicKeyPem: alipayPublicKeyPem!, gateway: gateway!, timeoutMs: ADAPTER_TIMEOUT_MS }, { clock })] };
  }

  const keys = sandboxKeys(config.dataDir);
  const sandboxBase = `${config.publicBaseUrl}/sandbox`;
  const sandbox = await createSandbox({
    clock,
    publicBaseUrl: sandboxBase,
    alipay: {
      alipayPrivateKeyPem: keys.alipay.privateKeyPem,
      merchants: [{ appId: config.alipay.appId, sellerId: config.alipay.sellerId, appPublicKeyPem: config.alipay.privateKeyPem ? derivePublic(config) : keys.app.publicKeyPem, name: 'ExamPay 示范考试院' }],
    },
    logger: log.child({ component: 'sandbox' }),
  });
  const alipay = new AlipayAdapter({
    appId: config.alipay.appId,
    sellerId: config.alipay.sellerId,
    privateKeyPem: config.alipay.privateKeyPem ?? keys.app.privateKeyPem,
    alipayPublicKeyPem: keys.alipay.publicKeyPem,
    gateway: `${sandboxBase}/alipay/gateway.do`,
    timeoutMs: ADAPTER_TIMEOUT_MS,
  }, { clock });
  return {
    channels: [alipay],
    sandboxPlugin: sandbox.plugin,
    start: () => sandbox.control.start(1000),
    stop: () => sandbox.close(),
  };
}

/** A configured app key in sandbox mode: register its public half with the sandbox. */
function derivePublic(config: Config): string {
  return createPublicKey(privateKeyObject(config.alipay.privateKeyPem!)).export({ type: 'spki', format: 'pem' }).toString();
}

/** The sandbox's own "Alipay" key pair and the demo merchant's app key pair, made once. */
function sandboxKeys(dataDir: string): { alipay: RsaKeyPair; app: RsaKeyPair } {
  const file = path.join(dataDir, 'sandbox-keys.json');
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as { alipay: RsaKeyPair; app: RsaKeyPair };
  } catch {
    const keys = { alipay: generateRsaKeyPair(), app: generateRsaKeyPair() };
    fs.mkdirSync(dataDir, { recursive: true });
    fs.writeFileSync(file, JSON.stringify(keys), { mode: 0o600 });
    return keys;
  }
}

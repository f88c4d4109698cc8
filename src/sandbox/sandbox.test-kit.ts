import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { generateRsaKeyPair, type RsaKeyPair } from '../channels/alipay/rsa-keys.ts';
import type { Clock } from '../shared/clock.ts';
import { buildSandboxApp, type Sandbox } from './sandbox.ts';
import type { SandboxControl } from './sandbox-control.ts';

/**
 * Test helpers: a sandbox listening on 127.0.0.1 (random port) with freshly generated keys, and
 * a tiny HTTP server that receives notifications the way a merchant would. Not used in production.
 */

export interface TestMerchant extends RsaKeyPair {
  appId: string;
  sellerId: string;
}

export interface TestSandbox {
  app: FastifyInstance;
  sandbox: Sandbox;
  control: SandboxControl;
  /** e.g. `http://127.0.0.1:41234/sandbox` */
  baseUrl: string;
  alipayGateway: string;
  /** The sandbox's "Alipay" key pair; merchants verify with the public key. */
  alipayKeys: RsaKeyPair;
  /** Registered merchants; the first is the default. */
  merchants: TestMerchant[];
  close(): Promise<void>;
}

let keyPool: RsaKeyPair[] = [];
/** RSA generation takes a while; a test file reuses pairs (each sandbox still has its own roles). */
function keys(i: number): RsaKeyPair {
  while (keyPool.length <= i) keyPool = [...keyPool, generateRsaKeyPair()];
  return keyPool[i]!;
}

export async function startTestSandbox(opts: {
  clock: Clock;
  merchantCount?: number;
  apiHangMs?: number;
  prefix?: string;
}): Promise<TestSandbox> {
  const alipayKeys = keys(0);
  const merchants: TestMerchant[] = Array.from({ length: opts.merchantCount ?? 1 }, (_, i) => ({
    appId: `20210000000000${String(i + 1).padStart(2, '0')}`,
    sellerId: `20880000000000${String(i + 1).padStart(2, '0')}`,
    ...keys(i + 1),
  }));
  const prefix = opts.prefix ?? '/sandbox';
  let baseUrl = '';
  const { app, sandbox } = await buildSandboxApp({
    clock: opts.clock,
    publicBaseUrl: () => baseUrl,
    prefix,
    apiHangMs: opts.apiHangMs ?? 10_000,
    alipay: {
      alipayPrivateKeyPem: alipayKeys.privateKeyPem,
      merchants: merchants.map((m, i) => ({
        appId: m.appId, sellerId: m.sellerId, appPublicKeyPem: m.publicKeyPem, name: `测试考试院 Test authority ${i + 1}`,
      })),
    },
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}${prefix}`;
  return {
    app, sandbox, control: sandbox.control, baseUrl, alipayGateway: `${baseUrl}/alipay/gateway.do`,
    alipayKeys, merchants,
    close: () => app.close(),
  };
}

export interface ReceivedNotification {
  body: Buffer;
  headers: IncomingHttpHeaders;
  /** Position in arrival order, from 1. */
  n: number;
}

export interface NotifyReceiver {
  url: string;
  received: ReceivedNotification[];
  /** How the merchant answers; default 200 `success`. */
  answer: (n: ReceivedNotification) => { status: number; body: string };
  close(): Promise<void>;
}

export async function startNotifyReceiver(): Promise<NotifyReceiver> {
  const receiver: NotifyReceiver = {
    url: '',
    received: [],
    answer: () => ({ status: 200, body: 'success' }),
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const got: ReceivedNotification = { body: Buffer.concat(chunks), headers: req.headers, n: receiver.received.length + 1 };
      receiver.received.push(got);
      const { status, body } = receiver.answer(got);
      res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/notify/alipay`;
  return receiver;
}

import { randomBytes } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { createGenericDialect, type GenericDialect } from '../../sandbox/generic/generic-dialect.ts';
import { NotifyDispatcher } from '../../sandbox/notify-dispatcher.ts';
import { createControl, type SandboxControl } from '../../sandbox/sandbox-control.ts';
import { SandboxCore } from '../../sandbox/sandbox-core.ts';
import { useFormBodies } from '../../sandbox/sandbox-html.ts';
import { ManualClock } from '../../shared/clock.ts';
import { generateRsaKeyPair, type RsaKeyPair } from '../alipay/rsa-keys.ts';
import type { CreatePaymentInput, NotificationResult } from '../channel.ts';
import { createTestPayment } from '../create-test-payment.test-kit.ts';
import { GenericAdapter, type GenericAdapterConfig } from './generic.adapter.ts';
import { GENERIC_PROFILES, type GenericChannelCode, type GenericProfile } from './generic-profile.ts';
import { createSigner, encodeBody, signMessage, toWire, type GenericKeys, type GenericSignType, type Logical, type WireFields } from './generic-wire.ts';

/**
 * Test rig: a generic channel adapter against the sandbox's dialect for its profile over real
 * HTTP, a stand-in for ExamPay's notify route, and one manual clock. Not used in production.
 */
export interface Received {
  body: Buffer;
  headers: IncomingHttpHeaders;
}

export interface TestGenericMerchant {
  merchantId: string;
  /** What the merchant holds (adapter side). */
  keys: GenericKeys;
}

export interface GenericRig {
  clock: ManualClock;
  profile: GenericProfile;
  control: SandboxControl;
  core: SandboxCore;
  dialect: GenericDialect;
  adapter: GenericAdapter;
  config: GenericAdapterConfig;
  merchants: TestGenericMerchant[];
  /** The provider's RSA key pair (RSA-SHA256 merchants verify with its public key). */
  platformKeys: RsaKeyPair;
  /** The adapter's gateway base: `{sandbox}/{code}`. */
  gatewayBase: string;
  merchantBase: string;
  notifications: Received[];
  /** How the notify stand-in answers; default what notificationAnswer(true) says. */
  answer: (n: Received) => { status: number; body: string };
  adapterWith(changes: Partial<GenericAdapterConfig>): GenericAdapter;
  create(changes?: Partial<CreatePaymentInput>): Promise<{ billNo: string; payUrl: string }>;
  /** The payer pays at the cashier page (POST pay form); the result page. */
  payAtCashier(payUrl: string, method?: string): Promise<string>;
  parsed(): NotificationResult[];
  /** A message signed as the provider signs it for merchant `i` (forgery tests start from these). */
  providerSigned(logical: Logical, i?: number): WireFields;
  body(fields: WireFields): Buffer;
  close(): Promise<void>;
}

let keyPool: RsaKeyPair[] = [];
function testKeys(i: number): RsaKeyPair {
  while (keyPool.length <= i) keyPool = [...keyPool, generateRsaKeyPair()];
  return keyPool[i]!;
}

export async function startGenericRig(opts: {
  code: GenericChannelCode;
  signType?: GenericSignType;
  merchantCount?: number;
  /** HMAC: every merchant gets the same secret (one contract, several merchant numbers). */
  sharedSecret?: boolean;
  timeoutMs?: number;
  apiHangMs?: number;
  maxOrderMinutes?: number;
}): Promise<GenericRig> {
  const profile = GENERIC_PROFILES[opts.code];
  const signType = opts.signType ?? (opts.code === 'publicpay' ? 'RSA-SHA256' : 'HMAC-SHA256');
  const clock = new ManualClock('2026-03-15T01:00:00Z');
  const platformKeys = testKeys(0);
  const secret = randomBytes(32).toString('base64url');
  const merchants = Array.from({ length: opts.merchantCount ?? 1 }, (_, i) => {
    const merchantId = opts.code === 'publicpay' ? `SHGP31000000000${i + 1}` : `89000000${i + 1}`;
    const keys: GenericKeys = signType === 'RSA-SHA256'
      ? { signType, privateKeyPem: testKeys(i + 1).privateKeyPem, peerPublicKeyPem: platformKeys.publicKeyPem }
      : { signType, secret: opts.sharedSecret ? secret : randomBytes(32).toString('base64url') };
    return { merchantId, keys, publicKeyPem: testKeys(i + 1).publicKeyPem };
  });

  const dispatcher = new NotifyDispatcher({ clock });
  const core = new SandboxCore({ clock, dispatcher });
  let sandboxBase = '';
  const dialect = createGenericDialect(core, profile, {
    platformPrivateKeyPem: platformKeys.privateKeyPem,
    maxOrderMinutes: opts.maxOrderMinutes ?? (opts.code === 'publicpay' ? 30 : undefined),
    merchants: merchants.map((m, i) => ({
      merchantId: m.merchantId, name: `测试考试院 Test authority ${i + 1}`, signType,
      ...(m.keys.signType === 'RSA-SHA256' ? { merchantPublicKeyPem: m.publicKeyPem } : { secret: m.keys.secret }),
    })),
  }, { baseUrl: () => sandboxBase, apiHangMs: opts.apiHangMs ?? 10_000 });
  const control = createControl(core);
  const sandboxApp = Fastify({ forceCloseConnections: true });
  await sandboxApp.register(async (scope) => {
    useFormBodies(scope);
    dialect.registerRoutes(scope);
    scope.addHook('preClose', async () => core.hangs.releaseAll());
    scope.addHook('onClose', async () => control.stop());
  }, { prefix: '/sandbox' });
  await sandboxApp.listen({ host: '127.0.0.1', port: 0 });
  sandboxBase = `http://127.0.0.1:${(sandboxApp.server.address() as AddressInfo).port}/sandbox`;

  const notifications: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const got: Received = { body: Buffer.concat(chunks), headers: req.headers };
      if (req.method === 'POST' && (req.url ?? '').startsWith(`/notify/${opts.code}`)) {
        notifications.push(got);
        const { status, body } = rig.answer(got);
        res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(body);
      } else {
        res.writeHead(404).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const merchantBase = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const gatewayBase = `${sandboxBase}/${opts.code}`;
  const config: GenericAdapterConfig = { profile, merchantId: merchants[0]!.merchantId, baseUrl: gatewayBase, keys: merchants[0]!.keys, timeoutMs: opts.timeoutMs ?? 3_000 };
  const adapter = new GenericAdapter(config, { clock });

  const rig: GenericRig = {
    clock, profile, control, core, dialect, adapter, config, platformKeys, gatewayBase, merchantBase, notifications,
    merchants: merchants.map(({ merchantId, keys }) => ({ merchantId, keys })),
    answer: () => ({ status: 200, body: profile.notifyAck }),
    adapterWith: (changes) => new GenericAdapter({ ...config, ...changes }, { clock }),
    create: (changes = {}) => createTestPayment(adapter, clock, {
      subject: opts.code === 'publicpay' ? '2024年上海市专科自主招生 报名考试费' : '2026年6月 CET — 英语四级笔试',
      notifyUrl: `${merchantBase}/notify/${opts.code}`, returnUrl: (billNo) => `${merchantBase}/pay/return/${opts.code}?bill=${billNo}`,
    }, changes),
    async payAtCashier(payUrl, method) {
      const res = await fetch(`${payUrl}/pay`, { method: 'POST', body: new URLSearchParams(method ? { pay_method: method } : {}) });
      return res.text();
    },
    parsed: () => notifications.map((n) => adapter.parseNotification({ body: n.body, headers: n.headers })),
    providerSigned(logical, i = 0) {
      const m = merchants[i]!;
      const providerKeys: GenericKeys = m.keys.signType === 'RSA-SHA256'
        ? { signType: 'RSA-SHA256', privateKeyPem: platformKeys.privateKeyPem, peerPublicKeyPem: m.publicKeyPem }
        : m.keys;
      return signMessage(profile, createSigner(providerKeys, profile.fields.sign), toWire(profile, { merchantId: m.merchantId, ...logical }), clock.now());
    },
    body: (fields) => Buffer.from(encodeBody(profile, fields)),
    async close() {
      await new Promise<void>((resolve) => { server.closeAllConnections(); server.close(() => resolve()); });
      await sandboxApp.close();
    },
  };
  return rig;
}

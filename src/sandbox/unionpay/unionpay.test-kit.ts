import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { certIdOf } from '../../channels/unionpay/unionpay-sign.ts';
import type { Clock } from '../../shared/clock.ts';
import { NotifyDispatcher } from '../notify-dispatcher.ts';
import { createControl, type SandboxControl } from '../sandbox-control.ts';
import { SandboxCore } from '../sandbox-core.ts';
import { useFormBodies } from '../sandbox-html.ts';
import type { UnionpayContext } from './unionpay-context.ts';
import { createUnionpayDialect } from './unionpay-dialect.ts';
import { mintMerchantCert, mintUnionpaySandboxPki, type KeyAndCert, type UnionpaySandboxPki } from './unionpay-pki.ts';

/**
 * Test helpers: the shared SandboxCore with only the UnionPay dialect, in a Fastify app of its
 * own on 127.0.0.1 (random port) under `/sandbox`, with freshly minted certificates. (The real
 * sandbox app, sandbox.ts, does not mount this dialect yet.) Not used in production.
 */
export interface UnionpayTestMerchant extends KeyAndCert {
  merId: string;
  certId: string;
}

export interface UnionpayTestSandbox {
  app: FastifyInstance;
  core: SandboxCore;
  control: SandboxControl;
  context: UnionpayContext;
  /** e.g. `http://127.0.0.1:41234/sandbox` */
  baseUrl: string;
  /** The UnionPay gateway base the adapter is given: `{baseUrl}/unionpay`. */
  gatewayBase: string;
  pki: UnionpaySandboxPki;
  /** Registered merchants; the first is the default. */
  merchants: UnionpayTestMerchant[];
  close(): Promise<void>;
}

let material: { pki: UnionpaySandboxPki; merchants: UnionpayTestMerchant[] } | null = null;

/** Minting RSA keys takes a while: a test file reuses one set (each sandbox still has its own books). */
export function testPki(now: Date, merchantCount: number): { pki: UnionpaySandboxPki; merchants: UnionpayTestMerchant[] } {
  material ??= { pki: mintUnionpaySandboxPki(now), merchants: [] };
  while (material.merchants.length < merchantCount) {
    const merId = `7772900581100${String(material.merchants.length + 1).padStart(2, '0')}`;
    const kc = mintMerchantCert(material.pki.middle, merId, now);
    material.merchants.push({ merId, ...kc, certId: certIdOf(kc.certPem) });
  }
  return { pki: material.pki, merchants: material.merchants.slice(0, merchantCount) };
}

export async function startUnionpaySandbox(opts: { clock: Clock; merchantCount?: number; apiHangMs?: number }): Promise<UnionpayTestSandbox> {
  const { pki, merchants } = testPki(opts.clock.now(), opts.merchantCount ?? 1);
  const dispatcher = new NotifyDispatcher({ clock: opts.clock });
  const core = new SandboxCore({ clock: opts.clock, dispatcher });
  const prefix = '/sandbox';
  let baseUrl = '';
  const dialect = createUnionpayDialect(core, {
    signingKeyPem: pki.signing.keyPem,
    signingCertPem: pki.signing.certPem,
    middleCertPem: pki.middle.certPem,
    rootCertPem: pki.root.certPem,
    merchants: merchants.map((m, i) => ({ merId: m.merId, merchantCertPem: m.certPem, name: `测试考试院 Test authority ${i + 1}` })),
  }, { baseUrl: () => baseUrl, apiHangMs: opts.apiHangMs ?? 10_000 });
  const app = Fastify({ forceCloseConnections: true });
  await app.register(async (scope) => {
    useFormBodies(scope);
    dialect.registerRoutes(scope);
  }, { prefix });
  // Before the server waits for open requests, so a hanging call cannot hold up shutdown.
  app.addHook('preClose', async () => core.hangs.releaseAll());
  app.addHook('onClose', async () => dispatcher.stop());
  await app.listen({ host: '127.0.0.1', port: 0 });
  baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}${prefix}`;
  return {
    app, core, control: createControl(core), context: dialect.context, baseUrl, gatewayBase: `${baseUrl}/unionpay`,
    pki, merchants, close: () => app.close(),
  };
}

/** A browser's view of an HTML form: where it posts and its fields (hidden inputs). */
export function readForm(html: string): { action: string; fields: Record<string, string> } {
  const unescape = (s: string): string => s.replace(/&(amp|lt|gt|quot|#39);/g, (_m, n: string) => ({ amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" })[n]!);
  const action = /<form[^>]*action="([^"]*)"/.exec(html)?.[1];
  if (action === undefined) throw new Error('no form on the page');
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) fields[unescape(m[1]!)] = unescape(m[2]!);
  return { action: unescape(action), fields };
}

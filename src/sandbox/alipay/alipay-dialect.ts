import type { FastifyInstance } from 'fastify';
import { privateKeyObject, publicKeyObject } from '../../channels/alipay/rsa-keys.ts';
import type { SandboxCore } from '../sandbox-core.ts';
import type { AlipayContext, AlipayMerchant } from './alipay-context.ts';
import { registerAlipayBillDownload } from './alipay-bill.handler.ts';
import { registerAlipayCashier } from './alipay-cashier.route.ts';
import { registerAlipayGateway } from './alipay-gateway.route.ts';
import { createAlipayHooks } from './alipay-notify.builder.ts';

/** The sandbox speaking Alipay's OpenAPI gateway protocol (RSA2 public-key mode). */
export interface AlipaySandboxOptions {
  /** The sandbox's "Alipay" private key (PKCS#8/PKCS#1 PEM or bare base64); merchants get its public key. */
  alipayPrivateKeyPem: string;
  merchants: Array<{
    appId: string;
    sellerId: string;
    /** The merchant app's public key (PEM or bare base64), as uploaded to Alipay's console. */
    appPublicKeyPem: string;
    /** Shown on the cashier page. */
    name?: string;
    sellerEmail?: string;
  }>;
}

export function createAlipayDialect(
  core: SandboxCore,
  opts: AlipaySandboxOptions,
  settings: { baseUrl(): string; apiHangMs: number },
): { context: AlipayContext; registerRoutes(app: FastifyInstance): void } {
  const merchants = new Map<string, AlipayMerchant>();
  for (const m of opts.merchants) {
    if (!/^2088\d{12}$/.test(m.sellerId)) throw new Error(`Alipay seller_id must be 2088 + 12 digits: ${m.sellerId}`);
    merchants.set(m.appId, {
      appId: m.appId,
      sellerId: m.sellerId,
      sellerEmail: m.sellerEmail ?? `seller-${m.appId}@sandbox.example.com`,
      name: m.name ?? `沙箱商户 Sandbox merchant ${m.appId}`,
      appPublicKey: publicKeyObject(m.appPublicKeyPem),
    });
  }
  const context: AlipayContext = {
    core,
    merchants,
    alipayPrivateKey: privateKeyObject(opts.alipayPrivateKeyPem),
    baseUrl: () => settings.baseUrl().replace(/\/+$/, ''),
    apiHangMs: settings.apiHangMs,
  };
  core.registerDialect('alipay', createAlipayHooks(context));
  return {
    context,
    registerRoutes(app) {
      registerAlipayGateway(app, context);
      registerAlipayCashier(app, context);
      registerAlipayBillDownload(app, context);
    },
  };
}

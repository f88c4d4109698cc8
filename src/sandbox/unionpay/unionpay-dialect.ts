import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { certIdOf } from '../../channels/unionpay/unionpay-sign.ts';
import { cnOwner, UNIONPAY_CN_NAME } from '../../channels/unionpay/unionpay-verify.ts';
import type { SandboxCore } from '../sandbox-core.ts';
import { registerUnionpayBackGateway } from './unionpay-back.route.ts';
import { signer, type UnionpayContext, type UnionpayMerchant } from './unionpay-context.ts';
import { registerUnionpayFront } from './unionpay-front.route.ts';
import { createUnionpayHooks } from './unionpay-notify.builder.ts';
import { refundQueryId } from './unionpay-trade.handlers.ts';

/** The sandbox speaking UnionPay's ACP 5.1.0 gateway protocol (signMethod 01, certificates). */
export interface UnionpaySandboxOptions {
  /** The sandbox's "UnionPay" signing key (PKCS#8 PEM) and certificate, CN `…@中国银联股份有限公司@…`. */
  signingKeyPem: string;
  signingCertPem: string;
  /** The chain merchants verify against: signingCert is issued by middle, middle by root. */
  middleCertPem: string;
  rootCertPem: string;
  merchants: Array<{
    /** 15-character merchant code. */
    merId: string;
    /** The merchant's signing certificate(s) as registered with UnionPay; certId = serial in decimal. */
    merchantCertPem: string | string[];
    /** Shown on the cashier page. */
    name?: string;
  }>;
}

export function createUnionpayDialect(
  core: SandboxCore,
  opts: UnionpaySandboxOptions,
  settings: { baseUrl(): string; apiHangMs: number },
): { context: UnionpayContext; registerRoutes(app: FastifyInstance): void } {
  const leaf = new X509Certificate(opts.signingCertPem);
  const middle = new X509Certificate(opts.middleCertPem);
  const root = new X509Certificate(opts.rootCertPem);
  // Refuse a chain merchants could not verify, rather than fail on every message later.
  if (!leaf.checkIssued(middle) || !leaf.verify(middle.publicKey) || !middle.checkIssued(root) || !middle.verify(root.publicKey)) {
    throw new Error('UnionPay sandbox: signing certificate does not chain to middle and root');
  }
  if (cnOwner(leaf) !== UNIONPAY_CN_NAME) throw new Error(`UnionPay sandbox: signing certificate CN must name ${UNIONPAY_CN_NAME}`);
  const signingKey = createPrivateKey(opts.signingKeyPem);

  const merchants = new Map<string, UnionpayMerchant>();
  for (const m of opts.merchants) {
    if (!/^[0-9A-Za-z]{15}$/.test(m.merId)) throw new Error(`UnionPay merId must be 15 characters: ${m.merId}`);
    const certs = new Map((Array.isArray(m.merchantCertPem) ? m.merchantCertPem : [m.merchantCertPem]).map((pem) => {
      const cert = new X509Certificate(pem);
      return [certIdOf(cert), cert.publicKey] as const;
    }));
    merchants.set(m.merId, { merId: m.merId, name: m.name ?? `沙箱商户 Sandbox merchant ${m.merId}`, certs });
  }
  let refundSeq = 0;
  const context: UnionpayContext = {
    core,
    merchants,
    refunds: new Map(),
    sign: signer(signingKey, certIdOf(leaf), leaf.toString()),
    baseUrl: () => settings.baseUrl().replace(/\/+$/, ''),
    apiHangMs: settings.apiHangMs,
    nextRefundQueryId: (now) => refundQueryId(++refundSeq, now),
  };
  core.registerDialect('unionpay', createUnionpayHooks(context));
  return {
    context,
    registerRoutes(app) {
      registerUnionpayFront(app, context);
      registerUnionpayBackGateway(app, context);
    },
  };
}

import type { FastifyInstance } from 'fastify';
import { checkProfile, type GenericProfile } from '../../channels/generic/generic-profile.ts';
import { createSigner, type GenericSignType } from '../../channels/generic/generic-wire.ts';
import { MINUTE } from '../../shared/clock.ts';
import type { SandboxCore } from '../sandbox-core.ts';
import type { GenericContext, GenericSandboxMerchant } from './generic-context.ts';
import { registerGenericCashier } from './generic-cashier.ts';
import { registerGenericGateway } from './generic-gateway.route.ts';
import { createGenericHooks } from './generic-notify.builder.ts';

/**
 * The sandbox playing a provider of the generic channel protocol under one profile (publicpay,
 * payease): gateway, QR cashier, notifications with retries, statements — with its own test keys.
 */
export interface GenericSandboxOptions {
  /** The provider's RSA private key, for merchants that sign with RSA-SHA256. */
  platformPrivateKeyPem?: string;
  merchants: Array<{
    merchantId: string;
    name?: string;
    signType: GenericSignType;
    /** HMAC-SHA256 / HMAC-SM3: the secret shared with this merchant. */
    secret?: string;
    /** RSA-SHA256: the merchant's public key. */
    merchantPublicKeyPem?: string;
  }>;
  /** Longest order life granted; a later expireTime is cut to it (seed 001: 30 minutes). */
  maxOrderMinutes?: number;
}

export interface GenericDialect {
  context: GenericContext;
  registerRoutes(app: FastifyInstance): void;
}

export function createGenericDialect(
  core: SandboxCore,
  profile: GenericProfile,
  opts: GenericSandboxOptions,
  settings: { baseUrl(): string; apiHangMs: number },
): GenericDialect {
  checkProfile(profile);
  const merchants = new Map<string, GenericSandboxMerchant>();
  for (const m of opts.merchants) {
    const keys = m.signType === 'RSA-SHA256'
      ? { signType: m.signType, privateKeyPem: need(opts.platformPrivateKeyPem, 'platformPrivateKeyPem'), peerPublicKeyPem: need(m.merchantPublicKeyPem, `merchantPublicKeyPem of ${m.merchantId}`) }
      : { signType: m.signType, secret: need(m.secret, `secret of ${m.merchantId}`) };
    merchants.set(m.merchantId, { merchantId: m.merchantId, name: m.name ?? `沙箱商户 Sandbox merchant ${m.merchantId}`, signer: createSigner(keys, profile.fields.sign) });
  }
  const context: GenericContext = {
    core,
    profile,
    merchants,
    baseUrl: () => settings.baseUrl().replace(/\/+$/, ''),
    apiHangMs: settings.apiHangMs,
    maxOrderMs: opts.maxOrderMinutes === undefined ? null : opts.maxOrderMinutes * MINUTE,
    statements: new Map(),
  };
  core.registerDialect(profile.code, createGenericHooks(context));
  return {
    context,
    registerRoutes(app) {
      registerGenericGateway(app, context);
      registerGenericCashier(app, context);
    },
  };
}

function need(v: string | undefined, what: string): string {
  if (!v) throw new Error(`generic sandbox: ${what} is required`);
  return v;
}

import { randomBytes, randomInt } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { pgOrderTimes } from '../modules/payments/channel-order-times.repo.ts';
import type { SandboxOptions } from '../sandbox/sandbox.ts';
import { mintMerchantCert, mintUnionpaySandboxPki, type KeyAndCert, type UnionpaySandboxPki } from '../sandbox/unionpay/unionpay-pki.ts';
import type { Clock } from '../shared/clock.ts';
import { AlipayAdapter } from './alipay/alipay.adapter.ts';
import { generateRsaKeyPair, type RsaKeyPair } from './alipay/rsa-keys.ts';
import type { Channel } from './channel.ts';
import { GenericAdapter } from './generic/generic.adapter.ts';
import { PAYEASE_PROFILE, PUBLICPAY_PROFILE } from './generic/generic-profile.ts';
import { UnionpayAdapter } from './unionpay/unionpay.adapter.ts';
import { WechatpayAdapter } from './wechatpay/wechatpay.adapter.ts';

/**
 * Everything the sandbox and the adapters need to recognise each other: per channel, the
 * channel's own keys and the demo merchant's. Minted once (RSA and certificates take a moment)
 * and kept in DATA_DIR, so restarts keep verifying what was signed before.
 */
export interface SandboxMaterial {
  alipay: { appId: string; sellerId: string; channel: RsaKeyPair; merchant: RsaKeyPair };
  wechatpay: { mchid: string; appid: string; platform: RsaKeyPair; platformSerial: string; merchant: RsaKeyPair; merchantSerial: string; apiV3Key: string };
  unionpay: { merId: string; pki: UnionpaySandboxPki; merchant: KeyAndCert };
  /** Generic channels: the public payment platform signs RSA-SHA256, PayEase HMAC-SHA256 (each configurable). */
  publicpay: { merchantId: string; platform: RsaKeyPair; merchant: RsaKeyPair };
  payease: { merchantId: string; secret: string };
}

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

export function mintSandboxMaterial(now: Date, ids: { alipayAppId: string; alipaySellerId: string }): SandboxMaterial {
  const pki = mintUnionpaySandboxPki(now);
  const merId = '777290058110048'; // UnionPay's published test merchant number
  return {
    alipay: { appId: ids.alipayAppId, sellerId: ids.alipaySellerId, channel: generateRsaKeyPair(), merchant: generateRsaKeyPair() },
    wechatpay: {
      mchid: '1900009191', appid: 'wx8888888888888888',
      platform: generateRsaKeyPair(), platformSerial: `PUB_KEY_ID_0119${String(randomInt(1e9)).padStart(28, '0')}`,
      merchant: generateRsaKeyPair(), merchantSerial: randomBytes(20).toString('hex').toUpperCase(),
      apiV3Key: Array.from({ length: 32 }, () => ALNUM[randomInt(ALNUM.length)]).join(''),
    },
    unionpay: { merId, pki, merchant: mintMerchantCert(pki.middle, merId, now) },
    ...mintGenericMaterial(),
  };
}

/** The generic channels' sandbox keys; also fills in a material file written before they existed. */
export function mintGenericMaterial(): Pick<SandboxMaterial, 'publicpay' | 'payease'> {
  return {
    publicpay: { merchantId: 'SHGP310000000001', platform: generateRsaKeyPair(), merchant: generateRsaKeyPair() },
    payease: { merchantId: '890000001', secret: randomBytes(32).toString('base64url') },
  };
}

/** The sandbox's view: which merchants exist and how each channel signs. */
export function sandboxOptions(m: SandboxMaterial): Pick<SandboxOptions, 'alipay' | 'wechatpay' | 'unionpay' | 'publicpay' | 'payease'> {
  const name = 'ExamPay 示范考试院';
  return {
    alipay: { alipayPrivateKeyPem: m.alipay.channel.privateKeyPem, merchants: [{ appId: m.alipay.appId, sellerId: m.alipay.sellerId, appPublicKeyPem: m.alipay.merchant.publicKeyPem, name }] },
    wechatpay: {
      platformPrivateKeyPem: m.wechatpay.platform.privateKeyPem, platformSerial: m.wechatpay.platformSerial, apiV3Key: m.wechatpay.apiV3Key,
      merchants: [{ mchid: m.wechatpay.mchid, appid: m.wechatpay.appid, merchantPublicKeyPem: m.wechatpay.merchant.publicKeyPem, merchantSerial: m.wechatpay.merchantSerial, name }],
    },
    unionpay: {
      signingKeyPem: m.unionpay.pki.signing.keyPem, signingCertPem: m.unionpay.pki.signing.certPem,
      middleCertPem: m.unionpay.pki.middle.certPem, rootCertPem: m.unionpay.pki.root.certPem,
      merchants: [{ merId: m.unionpay.merId, merchantCertPem: m.unionpay.merchant.certPem, name }],
    },
    publicpay: {
      platformPrivateKeyPem: m.publicpay.platform.privateKeyPem, maxOrderMinutes: 30,
      merchants: [{ merchantId: m.publicpay.merchantId, name, signType: 'RSA-SHA256', merchantPublicKeyPem: m.publicpay.merchant.publicKeyPem }],
    },
    payease: { merchants: [{ merchantId: m.payease.merchantId, name, signType: 'HMAC-SHA256', secret: m.payease.secret }] },
  };
}

/**
 * The real adapters, pointed at the sandbox: the same classes that talk to the real channels in
 * live mode — only keys and base URLs differ.
 */
export function sandboxAdapters(m: SandboxMaterial, opts: { sandboxBase: string; publicBaseUrl: string; clock: Clock; db: Db; timeoutMs: number }): Channel[] {
  const { sandboxBase, publicBaseUrl, clock, timeoutMs } = opts;
  return [
    new AlipayAdapter({
      appId: m.alipay.appId, sellerId: m.alipay.sellerId, privateKeyPem: m.alipay.merchant.privateKeyPem,
      alipayPublicKeyPem: m.alipay.channel.publicKeyPem, gateway: `${sandboxBase}/alipay/gateway.do`, timeoutMs,
    }, { clock }),
    new WechatpayAdapter({
      mchid: m.wechatpay.mchid, appid: m.wechatpay.appid, merchantPrivateKeyPem: m.wechatpay.merchant.privateKeyPem,
      merchantSerial: m.wechatpay.merchantSerial, platformPublicKeyPem: m.wechatpay.platform.publicKeyPem,
      platformSerial: m.wechatpay.platformSerial, apiV3Key: m.wechatpay.apiV3Key, baseUrl: `${sandboxBase}/wechatpay`, timeoutMs,
    }, { clock }),
    new UnionpayAdapter({
      merId: m.unionpay.merId, signingKeyPem: m.unionpay.merchant.keyPem, signingCertPem: m.unionpay.merchant.certPem,
      rootCertPem: m.unionpay.pki.root.certPem, middleCertPem: m.unionpay.pki.middle.certPem, baseUrl: `${sandboxBase}/unionpay`,
      formPageUrl: `${publicBaseUrl}/pay/form/unionpay`, refundNotifyUrl: `${publicBaseUrl}/notify/unionpay`, timeoutMs,
    }, { clock, orderTimes: pgOrderTimes(opts.db, 'unionpay') }),
    new GenericAdapter({
      profile: PUBLICPAY_PROFILE, merchantId: m.publicpay.merchantId, baseUrl: `${sandboxBase}/publicpay`, timeoutMs,
      keys: { signType: 'RSA-SHA256', privateKeyPem: m.publicpay.merchant.privateKeyPem, peerPublicKeyPem: m.publicpay.platform.publicKeyPem },
    }, { clock }),
    new GenericAdapter({
      profile: PAYEASE_PROFILE, merchantId: m.payease.merchantId, baseUrl: `${sandboxBase}/payease`, timeoutMs,
      keys: { signType: 'HMAC-SHA256', secret: m.payease.secret },
    }, { clock }),
  ];
}

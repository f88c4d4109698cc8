import { X509Certificate } from 'node:crypto';
import { ACP_VERSION, acpVerify, SIGN_METHOD_RSA, type AcpFields } from './unionpay-sign.ts';

/**
 * Verifying what UnionPay signs (answers, front and back notifications), version 5.1.0, as the
 * official SDK's `validate` + `CertUtil.verifyCertificate` do (unionpay.md §3):
 * (a) the message carries UnionPay's signing certificate in `signPubKeyCert`;
 * (b) that certificate is within its validity and chains to the configured middle and root;
 * (c) the third `@`-part of its CN is 中国银联股份有限公司 — the chain alone is not enough: the
 *     same CA also issues merchants' certificates;
 * (d) the signature verifies with its key, over every field but `signature` (the certificate
 *     itself included).
 */
export const UNIONPAY_CN_NAME = '中国银联股份有限公司';
/** What UnionPay's test environment certificate carries instead; accepted only with the CN check off. */
const TEST_ENV_CN_PART = '00040000:SIGN';

export interface UnionpayTrust {
  root: X509Certificate;
  middle: X509Certificate;
  /** The SDK's `ifValidateCNName` (default true); off only for UnionPay's own test environment. */
  validateCnName: boolean;
}

export type Verified = { ok: true } | { ok: false; detail: string };

/** Builds the trust anchors; throws when the middle certificate is not issued by the root. */
export function unionpayTrust(rootPem: string, middlePem: string, validateCnName = true): UnionpayTrust {
  const root = new X509Certificate(rootPem);
  const middle = new X509Certificate(middlePem);
  if (!middle.ca || !middle.checkIssued(root) || !middle.verify(root.publicKey)) {
    throw new Error('UnionPay middle certificate is not a CA issued by the configured root');
  }
  return { root, middle, validateCnName };
}

const within = (cert: X509Certificate, now: Date): boolean =>
  now >= new Date(cert.validFrom) && now <= new Date(cert.validTo);

/** The CN's third `@`-separated part, as the SDK's `getIdentitiesFromCertficate`. */
export function cnOwner(cert: X509Certificate): string | null {
  const cns = cert.subject.split('\n').filter((l) => l.startsWith('CN='));
  if (cns.length !== 1) return null;
  return cns[0]!.slice(3).split('@')[2] ?? null;
}

export function checkUnionpayCert(cert: X509Certificate, trust: UnionpayTrust, now: Date): Verified {
  if (!within(cert, now)) return { ok: false, detail: `signPubKeyCert not valid now (${cert.validFrom} – ${cert.validTo})` };
  if (!within(trust.middle, now) || !within(trust.root, now)) return { ok: false, detail: 'configured UnionPay middle/root certificate is not valid now' };
  if (!cert.checkIssued(trust.middle) || !cert.verify(trust.middle.publicKey)) {
    return { ok: false, detail: 'signPubKeyCert does not chain to the UnionPay middle and root certificates' };
  }
  const owner = cnOwner(cert);
  const accepted = owner === UNIONPAY_CN_NAME || (!trust.validateCnName && owner === TEST_ENV_CN_PART);
  if (!accepted) return { ok: false, detail: `signPubKeyCert CN is not UnionPay's (${owner ?? 'no CN part'})` };
  return { ok: true };
}

/** Checks a complete message; nothing in it is to be trusted unless this says ok. */
export function verifyAcpMessage(fields: AcpFields, trust: UnionpayTrust, now: Date): Verified {
  if (fields.version !== ACP_VERSION) return { ok: false, detail: `version ${fields.version ?? '(none)'} is not ${ACP_VERSION}` };
  if (fields.signMethod !== SIGN_METHOD_RSA) return { ok: false, detail: `signMethod ${fields.signMethod ?? '(none)'} is not 01` };
  if (!fields.signature) return { ok: false, detail: 'no signature' };
  if (!fields.signPubKeyCert) return { ok: false, detail: 'no signPubKeyCert' };
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(fields.signPubKeyCert);
  } catch {
    return { ok: false, detail: 'signPubKeyCert is not a certificate' };
  }
  const checked = checkUnionpayCert(cert, trust, now);
  if (!checked.ok) return checked;
  return acpVerify(fields, cert.publicKey) ? { ok: true } : { ok: false, detail: 'signature does not verify with signPubKeyCert' };
}

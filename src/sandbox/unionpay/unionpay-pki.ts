import { generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { bitString, boolean, explicit, integer, nullValue, octetString, oid, printableString, sequence, set, time, utf8String } from './der.ts';

/**
 * Certificates for the sandbox's UnionPay, minted locally (test-vectors.md: no published vector
 * exists, so mint a root → middle → leaf chain whose leaf CN has 中国银联股份有限公司 as its third
 * `@`-part, like UnionPay's `acp_*_root.cer` / `acp_*_middle.cer` and its signing certificate),
 * plus merchant signing certificates (the `.pfx` a merchant gets; certId = serial in decimal).
 */

export interface KeyAndCert {
  /** PKCS#8 PEM. */
  keyPem: string;
  certPem: string;
}

export interface UnionpaySandboxPki {
  root: KeyAndCert;
  middle: KeyAndCert;
  /** UnionPay's signing certificate (`signPubKeyCert`), issued by `middle`. */
  signing: KeyAndCert;
}

/** The CN shape of UnionPay's signing certificates: the third `@`-part names the owner. */
export const UNIONPAY_SIGNING_CN = '041@Z12@中国银联股份有限公司@00000001';

const SHA256_WITH_RSA = sequence(oid('1.2.840.113549.1.1.11'), nullValue());
const DAY = 24 * 3_600_000;

function rsaKey(): { privateKey: KeyObject; publicKey: KeyObject } {
  return generateKeyPairSync('rsa', { modulusLength: 2048 });
}

function name(cn: string, org: string): Buffer {
  const attr = (type: string, value: Buffer): Buffer => set(sequence(oid(type), value));
  return sequence(attr('2.5.4.6', printableString('CN')), attr('2.5.4.10', utf8String(org)), attr('2.5.4.3', utf8String(cn)));
}

export interface CertSpec {
  subjectCn: string;
  subjectOrg?: string;
  /** The issuer's certificate and key; omitted: self-signed (a root). */
  issuer?: KeyAndCert;
  ca: boolean;
  notBefore: Date;
  notAfter: Date;
  serial?: bigint;
}

/** A fresh RSA-2048 key and its X.509 v3 certificate (SHA256withRSA, basicConstraints, keyUsage). */
export function mintCertificate(spec: CertSpec): KeyAndCert {
  const { privateKey, publicKey } = rsaKey();
  const subject = name(spec.subjectCn, spec.subjectOrg ?? 'China UnionPay');
  const issuerCert = spec.issuer ? new X509Certificate(spec.issuer.certPem) : null;
  const issuerName = issuerCert ? issuerNameDer(issuerCert) : subject;
  const signer = spec.issuer ? spec.issuer.keyPem : privateKey;
  // CA: keyCertSign + cRLSign; end entity: digitalSignature + nonRepudiation.
  const keyUsage = spec.ca ? bitString(Buffer.from([0x06]), 1) : bitString(Buffer.from([0xc0]), 6);
  const extensions = explicit(3, sequence(
    sequence(oid('2.5.29.19'), boolean(true), octetString(spec.ca ? sequence(boolean(true)) : sequence())),
    sequence(oid('2.5.29.15'), boolean(true), octetString(keyUsage)),
  ));
  const tbs = sequence(
    explicit(0, integer(2n)),
    integer(spec.serial ?? randomSerial()),
    SHA256_WITH_RSA,
    issuerName,
    sequence(time(spec.notBefore), time(spec.notAfter)),
    subject,
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions,
  );
  const der = sequence(tbs, SHA256_WITH_RSA, bitString(sign('sha256', tbs, signer)));
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return { keyPem, certPem: new X509Certificate(der).toString() };
}

/** 40 random bits: certIds as UnionPay issues them are 11–12 decimal digits. */
function randomSerial(): bigint {
  return BigInt(`0x${randomBytes(5).toString('hex')}`) | (1n << 36n);
}

/** The issuer Name exactly as the issuer certificate encodes its subject. */
function issuerNameDer(cert: X509Certificate): Buffer {
  // Certificate → tbsCertificate → [version, serial, sigAlg, issuer, validity, subject, ...]
  const tbs = children(children(cert.raw)[0]!);
  return tbs[5]!;
}

function children(der: Buffer): Buffer[] {
  const { start, end } = header(der, 0);
  const out: Buffer[] = [];
  for (let i = start; i < end;) {
    const h = header(der, i);
    out.push(der.subarray(i, h.end));
    i = h.end;
  }
  return out;
}

function header(der: Buffer, at: number): { start: number; end: number } {
  const first = der[at + 1]!;
  if (first < 0x80) return { start: at + 2, end: at + 2 + first };
  const n = first & 0x7f;
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + der[at + 2 + i]!;
  return { start: at + 2 + n, end: at + 2 + n + len };
}

/** A fresh chain for the sandbox, valid from a day before `now` for `years`. */
export function mintUnionpaySandboxPki(now: Date, years = 10): UnionpaySandboxPki {
  const notBefore = new Date(now.getTime() - DAY);
  const notAfter = new Date(now.getTime() + years * 365 * DAY);
  const root = mintCertificate({ subjectCn: 'CFCA ACS TEST OCA31 (sandbox root)', ca: true, notBefore, notAfter });
  const middle = mintCertificate({ subjectCn: 'CFCA ACS TEST OCA33 (sandbox middle)', ca: true, issuer: root, notBefore, notAfter });
  const signing = mintCertificate({ subjectCn: UNIONPAY_SIGNING_CN, ca: false, issuer: middle, notBefore, notAfter });
  return { root, middle, signing };
}

/** A merchant's signing certificate and key; its certId is the serial in decimal. */
export function mintMerchantCert(issuer: KeyAndCert, merId: string, now: Date, years = 5): KeyAndCert {
  return mintCertificate({
    subjectCn: `041@8${merId}@ExamPay test merchant@00000001`, subjectOrg: 'Sandbox merchant', ca: false, issuer,
    notBefore: new Date(now.getTime() - DAY), notAfter: new Date(now.getTime() + years * 365 * DAY),
  });
}

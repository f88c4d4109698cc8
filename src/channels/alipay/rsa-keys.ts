import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';

/**
 * RSA key helpers shared by the Alipay adapter and the sandbox gateway (which plays Alipay).
 * Alipay's key tool hands out PKCS#8 private keys and SPKI public keys, often as the bare
 * base64 body without PEM armour; everything here accepts both.
 */
export interface RsaKeyPair {
  /** PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). */
  privateKeyPem: string;
  /** SPKI PEM (`-----BEGIN PUBLIC KEY-----`). */
  publicKeyPem: string;
}

/** A fresh RSA-2048 pair, as Alipay's key tool makes them (RSA2 = SHA256withRSA). */
export function generateRsaKeyPair(): RsaKeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKeyPem: publicKey };
}

/** The base64 body of a PEM, the form Alipay's console shows and asks for. */
export function pemBody(pem: string): string {
  return pem.replace(/-----(BEGIN|END)[^-]*-----/g, '').replace(/\s+/g, '');
}

/** An SPKI public key from a PEM or a bare base64 body. */
export function toPublicKeyPem(keyText: string): string {
  if (keyText.includes('-----BEGIN')) return keyText.trim() + '\n';
  const body = keyText.replace(/\s+/g, '');
  const lines = body.match(/.{1,64}/g) ?? [];
  return `-----BEGIN PUBLIC KEY-----\n${lines.join('\n')}\n-----END PUBLIC KEY-----\n`;
}

export function publicKeyObject(keyText: string): KeyObject {
  return createPublicKey(toPublicKeyPem(keyText));
}

/**
 * A private key from PKCS#8 or PKCS#1 PEM. Bare base64 is taken as PKCS#8 first (Alipay's
 * tool), then PKCS#1.
 */
export function privateKeyObject(keyText: string): KeyObject {
  if (keyText.includes('-----BEGIN')) return createPrivateKey(keyText);
  const der = Buffer.from(keyText.replace(/\s+/g, ''), 'base64');
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } catch {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs1' });
  }
}

/** Which armour `alipay-sdk` must be told about (its `keyType`; it defaults to PKCS1). */
export function detectPrivateKeyType(keyText: string): 'PKCS1' | 'PKCS8' {
  if (keyText.includes('BEGIN RSA PRIVATE KEY')) return 'PKCS1';
  if (keyText.includes('BEGIN PRIVATE KEY')) return 'PKCS8';
  const der = Buffer.from(keyText.replace(/\s+/g, ''), 'base64');
  try {
    createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
    return 'PKCS8';
  } catch {
    return 'PKCS1';
  }
}

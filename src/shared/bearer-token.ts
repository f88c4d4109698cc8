import { createHash, randomBytes } from 'node:crypto';

/**
 * Secrets a browser or a mailbox holds (session cookies, payment passes, mailed links, captcha
 * ids): random, URL-safe, and stored only as their sha256, so a leaked table hands out nothing.
 */
export const newBearerToken = (bytes = 32): string => randomBytes(bytes).toString('base64url');

export const hashBearerToken = (token: string): Buffer => createHash('sha256').update(token).digest();

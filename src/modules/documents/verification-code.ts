import { createHmac } from 'node:crypto';
import { hashBearerToken } from '../../shared/bearer-token.ts';
import type { PersonalDataKeys } from '../../shared/personal-data.ts';

/**
 * DOC-1: the code in a receipt's verification QR (`/verify/<code>`). Anyone holding the paper
 * can check it; nobody can guess one: it is an HMAC-SHA256 of the receipt number under the
 * personal-data hash key (OPS-6, never rotated in place), cut to 22 base64url characters
 * (132 bits). Derived, not stored: a reprint shows the same code, and the table keeps only its
 * sha256 (bearer-token style), so a copy of the database neither holds nor can make a code.
 */
export const VERIFICATION_CODE = /^[A-Za-z0-9_-]{22}$/;

export function receiptVerificationCode(keys: PersonalDataKeys, receiptNo: string): string {
  return createHmac('sha256', keys.hash).update(`receipt-verification\0${receiptNo}`).digest('base64url').slice(0, 22);
}

/** What the receipt table stores and is searched by. */
export const verificationHash = (code: string): Buffer => hashBearerToken(code);

export const verifyUrl = (publicBaseUrl: string, code: string): string => `${publicBaseUrl.replace(/\/+$/, '')}/verify/${code}`;

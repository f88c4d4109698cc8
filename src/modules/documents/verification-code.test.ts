import { describe, expect, it } from 'vitest';
import { generatePersonalDataKeyText, parsePersonalDataKeys } from '../../shared/personal-data.ts';
import { receiptVerificationCode, VERIFICATION_CODE, verificationHash, verifyUrl } from './verification-code.ts';

const keys = () => { const k = generatePersonalDataKeyText(); return parsePersonalDataKeys(k.encryption, k.hash); };

describe('receipt verification codes (DOC-1)', () => {
  it('the same receipt number gives the same code under one key; another number or another key another code', () => {
    const a = keys();
    const code = receiptVerificationCode(a, '202603150000000001');
    expect(code).toMatch(VERIFICATION_CODE);
    expect(receiptVerificationCode(a, '202603150000000001')).toBe(code);
    expect(receiptVerificationCode(a, '202603150000000002')).not.toBe(code);
    expect(receiptVerificationCode(keys(), '202603150000000001')).not.toBe(code);
    expect(verificationHash(code)).toHaveLength(32);
    expect(verifyUrl('https://pay.example.cn/', code)).toBe(`https://pay.example.cn/verify/${code}`);
  });
});

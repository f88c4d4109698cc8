import { describe, expect, it } from 'vitest';
import { assertNoPersonalData, PersonalDataInAuditError } from './audit-log.ts';

describe('audit summaries hold no personal data in clear (OPS-6)', () => {
  it.each([
    ['an 18-character ID number', { after: { note: '11010519491231002X' } }],
    ['an ID number inside text', { reason: 'ID 110105199003071234 mismatch' }],
    ['a 15-digit ID number', { old: '110105490307123' }],
    ['a mobile number', { contact: '13812345678' }],
    ['an e-mail address', { to: 'zhang.san@example.com' }],
    ['a password field', { password: 'whatever' }],
    ['a name field', { name: '张三' }],
    ['an ID number field', { idNumber: '12345' }],
    ['nested in a list', { items: [{ ok: 1 }, { phone: '021-1234' }] }],
  ])('refuses %s', (_what, summary) => {
    expect(() => assertNoPersonalData(summary)).toThrow(PersonalDataInAuditError);
  });

  it.each([
    ['ids, states and codes', { before: { status: 'PENDING' }, after: { status: 'APPROVED' }, candidateId: '42', registrationIds: ['1', '2'] }],
    ['a 21-digit bill number', { billNo: '202603150000000012345' }],
    ['a flag about a password', { mustChangePassword: true, forced: false }],
    ['a login name', { loginName: 'centre.clerk' }],
    ['amounts in fen', { amountFen: 800000 }],
  ])('accepts %s', (_what, summary) => {
    expect(() => assertNoPersonalData(summary)).not.toThrow();
  });
});

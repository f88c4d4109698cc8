import { describe, expect, it } from 'vitest';
import { auditLogLines, luhnValid, type Secret } from './support/log-audit.ts';

/** The run-wide log audit (global-setup teardown) must be able to fail: each kind of leak is found. */
const secrets: Secret[] = [
  { kind: 'ID number', value: 'E12345678' },
  { kind: 'phone', value: '13912340001' },
  { kind: 'password', value: 'Exam2026pass' },
  { kind: 'password', value: '071239' },
  { kind: 'session id', value: 'q2Vd1bXw4nY8yT0ePzQk3uA6sJ9cLhR5mF7gK2iB1oD' },
];
const audit = (...texts: string[]) => auditLogLines(texts.map((text, i) => ({ file: 'w.log', line: i + 1, text })), secrets).findings.map((f) => f.kind);

describe('the log audit', () => {
  it('finds each recorded secret, and any valid 居民身份证 or card number, recorded or not', () => {
    expect(audit('{"msg":"passport e12345678 failed"}')).toEqual(['ID number']);
    expect(audit('{"contact":"13912340001"}')).toEqual(['phone']);
    expect(audit('{"msg":"tried Exam2026pass"}')).toEqual(['password']);
    expect(audit('{"pw":"071239"}')).toEqual(['password']);
    expect(audit('{"sid":"q2Vd1bXw4nY8yT0ePzQk3uA6sJ9cLhR5mF7gK2iB1oD"}')).toEqual(['session id']);
    expect(audit('{"who":"110105199003071239"}')).toEqual(['ID number']);
    expect(audit('{"card":"6222021234567890128"}')).toEqual(['card number']);
    expect(audit('{"cookie":"exampay_sid=abc"}')).toEqual(['session id']);
  });

  it('finds a sensitive field whose value is not redacted, at any depth', () => {
    expect(audit('{"a":{"b":{"c":{"password":"x"}}}}')).toEqual(['unredacted field "password"']);
    expect(audit('{"a":{"b":{"c":{"phone":null}}}}')).toEqual(['unredacted field "phone"']);
  });

  it('passes redacted and masked lines, and six digits that are not a whole string', () => {
    expect(audit(
      '{"password":"[redacted]","req":{"url":"/x?idNumber=[redacted]"},"cookie":"exampay_sid=[redacted]"}',
      '{"who":"1101**********1239","phoneMasked":"139****0001","time":1071239000}',
      '{"billNo":"202603150000000000000","tradeNo":"2026031522001400000000000001","checksumInvalid":"110105199003071230"}',
      '{"responseTime":3.4126839999998992,"msg":"request completed"}',
    )).toEqual([]);
  });

  it('the Luhn check', () => {
    expect(luhnValid('6222021234567890128')).toBe(true);
    expect(luhnValid('6222021234567890127')).toBe(false);
  });
});

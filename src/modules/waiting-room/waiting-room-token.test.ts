import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bindingOf, readToken, signToken } from './waiting-room-token.ts';

const key = randomBytes(32);
const binding = bindingOf(key, 'session-cookie-value');

describe('waiting-room tokens', () => {
  it('reads back what it signed, and only as the kind it was signed as', () => {
    const ticket = signToken(key, { kind: 'TICKET', seq: 42n, at: 1_773_000_000, binding });
    expect(readToken(key, ticket, 'TICKET')).toEqual({ kind: 'TICKET', seq: 42n, at: 1_773_000_000, binding });
    expect(readToken(key, ticket, 'PASS')).toBeUndefined();
  });

  it('refuses a token signed with another key', () => {
    const other = randomBytes(32);
    const forged = signToken(other, { kind: 'TICKET', seq: 1n, at: 1, binding: bindingOf(other, 'x') });
    expect(readToken(key, forged, 'TICKET')).toBeUndefined();
  });

  it('refuses any change to a signed token (a better place, a later expiry, another session)', () => {
    const pass = signToken(key, { kind: 'PASS', seq: 9000n, at: 1_773_000_900, binding });
    fc.assert(fc.property(fc.nat({ max: pass.length - 1 }), fc.constantFrom(...'0123456789abcXYZ_-.'), (i, c) => {
      const changed = pass.slice(0, i) + c + pass.slice(i + 1);
      if (changed === pass) return;
      expect(readToken(key, changed, 'PASS')).toBeUndefined();
    }));
    const [prefix, , at, b, mac] = pass.split('.');
    expect(readToken(key, [prefix, '1', at, b, mac].join('.'), 'PASS')).toBeUndefined();
    expect(readToken(key, [prefix, '9000', at, bindingOf(key, 'another session'), mac].join('.'), 'PASS')).toBeUndefined();
  });

  it('binds to the cookie without revealing it, the same way for every process holding the key', () => {
    expect(bindingOf(key, 'session-cookie-value')).toBe(binding);
    expect(bindingOf(key, 'session-cookie-valuf')).not.toBe(binding);
    expect(binding).not.toContain('session');
    expect(bindingOf(randomBytes(32), 'session-cookie-value')).not.toBe(binding);
  });

  it('refuses garbage of every shape', () => {
    for (const s of ['', 'wt1', 'wt1.1.1.x.y', 'wt1.0.1.' + 'a'.repeat(22) + '.' + 'b'.repeat(24), 'x'.repeat(500)]) {
      expect(readToken(key, s, 'TICKET')).toBeUndefined();
    }
  });
});

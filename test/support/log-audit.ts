import fs from 'node:fs';
import path from 'node:path';
import { DEMO_PEOPLE } from '../../src/demo/seed-demo.ts';
import { readConfiguration, seedConfigurationFiles } from '../../src/demo/seed-configurations.ts';
import { maskIdNumber } from '../../src/shared/personal-data.ts';
import { isValidResidentIdChecksum, residentIdCheckChar } from '../../src/shared/resident-id.ts';

/**
 * The log audit of a whole test run (OPS-6 must-show): every ExamPay logger built in tests writes
 * to the run's log folder (test-log.ts), test support records the secrets it hands out (ID
 * numbers, phones, passwords, session ids), and global-setup's teardown runs this over all of it
 * when every test file is done; a finding fails `npm test`.
 *
 * What counts as a leak:
 * - a recorded secret anywhere in a line (short all-digit passwords — initial passwords, the last
 *   6 of an ID number — only as a whole JSON string, since six digits occur by chance in any long log);
 * - any 18-character 居民身份证 number with a valid check character, recorded or not;
 * - a card number: 16–19 digits passing the Luhn check with a card-scheme prefix;
 * - a session cookie value after `exampay_sid=`;
 * - a sensitive field name (password, idNumber, phone, accNo, …) whose value is not `[redacted]`,
 *   at any depth.
 */
export type SecretKind = 'ID number' | 'phone' | 'password' | 'session id' | 'card number';
export interface Secret { kind: SecretKind; value: string }
export interface Finding { file: string; line: number; kind: string; excerpt: string }

export const SECRETS_PREFIX = 'secrets-';
export const LOG_SUFFIX = '.log';

const SENSITIVE_KEYS = /"(password|currentPassword|newPassword|password_hash|initialPassword|idNumber|id_number|phone|mobile|phoneNumber|cardNo|cardNumber|card_number|accNo|sessionId|session_id|sessionToken|token|privateKeyPem|hashKey)":(?!"\[redacted\]")/;
const SESSION_COOKIE = /exampay_sid=(?!\[redacted\])[^;,"\s\\]/;
const TOKEN = /[A-Za-z0-9_-]{6,}/g;
const CARD_PREFIX = /^(62|4|5[1-5]|2[2-7]|3[47]|35|6011|65)/;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** Shows where a finding is without printing the secret whole. */
function hide(value: string): string {
  return value.length <= 4 ? '*'.repeat(value.length) : `${value.slice(0, 2)}${'*'.repeat(value.length - 4)}${value.slice(-2)}`;
}

export function auditLogLines(lines: Iterable<{ file: string; line: number; text: string }>, secrets: Secret[]): { lines: number; findings: Finding[] } {
  const tokens = new Map<string, SecretKind>();
  const substrings: Secret[] = [];
  const wholeStrings = new Map<string, SecretKind>();
  for (const s of secrets) {
    if (s.kind === 'password') {
      if (/^\d{1,7}$/.test(s.value)) wholeStrings.set(`"${s.value}"`, s.kind);
      else if (s.value.length >= 4) substrings.push(s);
    } else {
      tokens.set(s.value.toUpperCase(), s.kind);
    }
  }
  const uniqueSubstrings = [...new Map(substrings.map((s) => [s.value, s])).values()];
  const findings: Finding[] = [];
  let count = 0;
  for (const { file, line, text } of lines) {
    count++;
    const found = (kind: string, value: string) => findings.push({ file, line, kind, excerpt: hide(value) });
    for (const m of text.matchAll(TOKEN)) {
      const token = m[0];
      const known = tokens.get(token.toUpperCase());
      if (known) found(known, token);
      // Digits after a decimal point are a fraction ("responseTime":3.4126839999998992), not a number of their own.
      else if (/[\d.]/.test(text[m.index - 1] ?? '')) continue;
      else if (/^\d{17}[\dXx]$/.test(token) && isValidResidentIdChecksum(token.toUpperCase())) found('ID number', maskIdNumber(token));
      else if (/^\d{16,19}$/.test(token) && CARD_PREFIX.test(token) && luhnValid(token)) found('card number', token);
    }
    for (const s of uniqueSubstrings) if (text.includes(s.value)) found(s.kind, s.value);
    for (const [quoted, kind] of wholeStrings) if (text.includes(quoted)) found(kind, quoted.slice(1, -1));
    const key = SENSITIVE_KEYS.exec(text);
    if (key) found(`unredacted field "${key[1]}"`, text.slice(key.index, key.index + 40));
    if (SESSION_COOKIE.test(text)) found('session id', 'exampay_sid=…');
  }
  return { lines: count, findings };
}

/** The demo's and the five seed systems' personal data and fixed passwords: in the database of any test that loads them. */
export function fixtureSecrets(): Secret[] {
  const out: Secret[] = DEMO_PEOPLE.flatMap((p) => [
    { kind: 'ID number' as const, value: p.first17 + residentIdCheckChar(p.first17) },
    { kind: 'phone' as const, value: p.phone },
  ]);
  for (const file of seedConfigurationFiles()) {
    const config = readConfiguration(file);
    for (const c of config.candidates) {
      out.push({ kind: 'ID number', value: c.idNumber });
      if (c.phone) out.push({ kind: 'phone', value: c.phone.replace(/[\s-]/g, '') });
    }
    for (const s of config.cet4Scores ?? []) out.push({ kind: 'ID number', value: s.idNumber });
    if (config.exam.initialPassword.rule === 'FIXED') out.push({ kind: 'password', value: config.exam.initialPassword.password });
  }
  return out;
}

/** Reads a run's log folder: every *.log line and every recorded secret, plus the fixtures' own. */
export function auditLogFolder(dir: string): { files: number; lines: number; secrets: number; findings: Finding[] } {
  const names = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  const secrets: Secret[] = fixtureSecrets();
  for (const name of names.filter((n) => n.startsWith(SECRETS_PREFIX))) {
    for (const row of fs.readFileSync(path.join(dir, name), 'utf8').split('\n')) if (row) secrets.push(JSON.parse(row) as Secret);
  }
  const logs = names.filter((n) => n.endsWith(LOG_SUFFIX)).sort();
  function* lines() {
    for (const name of logs) {
      const rows = fs.readFileSync(path.join(dir, name), 'utf8').split('\n');
      for (let i = 0; i < rows.length; i++) if (rows[i]) yield { file: name, line: i + 1, text: rows[i]! };
    }
  }
  const { lines: count, findings } = auditLogLines(lines(), secrets);
  return { files: logs.length, lines: count, secrets: secrets.length, findings };
}

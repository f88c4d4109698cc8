import { createHash } from 'node:crypto';
import type { DbOrTrx } from '../../db/database.ts';
import type { StaffActor } from '../accounts/authorization.ts';
import { assertNoPersonalData, recordAudit, staffAuditActor } from '../audit/audit-log.ts';

/**
 * Configuration changes in the audit log (ADM-1, ADM-4): who, when, what, before and after,
 * in the transaction of the change. The log refuses anything shaped like personal data or a
 * secret (audit-log.ts), and configuration is free text an authority types: an agreement text
 * may well give a hotline's mobile number or an e-mail address, and a fixed initial password is
 * a secret. Such text is recorded as a digest (sha256 and length) — enough to see that and when
 * it changed — a fixed initial password only as `passwordSet`, and `name` fields as `title` (the log refuses a field called `name`).
 */

function digest(text: string) {
  return { sha256: createHash('sha256').update(text).digest('hex'), length: text.length };
}

function isLoggable(value: string): boolean {
  try {
    assertNoPersonalData(value);
    return true;
  } catch {
    return false;
  }
}

export function auditSafe(value: unknown): unknown {
  if (typeof value === 'string') return isLoggable(value) ? value : digest(value);
  if (typeof value === 'bigint') return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(auditSafe);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v === undefined) continue;
      // A fixed initial password is six digits or so: even its digest would give it away.
      if (k === 'password' && typeof v === 'string') out.passwordSet = true;
      else out[k === 'name' ? 'title' : k] = auditSafe(v);
    }
    return out;
  }
  return value;
}

export interface ConfigChange {
  at: Date;
  actor: StaffActor;
  /** noun.verb: exam.create, subject.update, capacity.set, sitting.import… */
  action: string;
  object: { type: string; id: bigint | string };
  before?: unknown;
  after?: unknown;
  extra?: Record<string, unknown>;
  ip?: string | null;
}

export async function recordConfigChange(db: DbOrTrx, c: ConfigChange): Promise<void> {
  await recordAudit(db, {
    at: c.at, actor: staffAuditActor(c.actor), action: c.action, object: c.object, ip: c.ip ?? null,
    summary: auditSafe({ before: c.before ?? null, after: c.after ?? null, ...c.extra }) as Record<string, unknown>,
  });
}

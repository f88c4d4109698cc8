import { ApiError } from '../../../api/client.ts';

/** The page's translate function, as these helpers use it. */
export type Tr = (key: string, options?: Record<string, unknown>) => string;

/** The configuration API's shapes (docs/configuration.md; src/http/routes/staff/configuration.views.ts). */

export const CHANNELS = ['alipay', 'wechatpay', 'unionpay', 'publicpay', 'payease'] as const;
export type Channel = (typeof CHANNELS)[number];
export const CLASSES = ['LETTER', 'LOWER', 'UPPER', 'DIGIT', 'SPECIAL'] as const;

export interface ExamSettings {
  code: string;
  name: string;
  accountStyle: 'ID_DOCUMENT' | 'EMAIL';
  initialPassword: { rule: 'ID_LAST6' } | { rule: 'FIXED'; password: string };
  billTimeoutMinutes: number;
  channels: Channel[];
  institutionChannels?: Channel[];
  bankCardOnly: boolean;
  agreementText: string;
  releaseSeatsOnBillExpiry: boolean;
  payWithoutSignIn?: boolean;
  seatHoldMinutes?: number;
  rosterRestricted: boolean;
  auditRequired: boolean;
  unpaidRegistrationTtlHours: number | null;
  cet6ReviewThreshold: number | null;
  refundPolicy: 'NO_PERSONAL_REFUNDS' | 'STAFF_DECIDES';
  repaymentNeedsApproval?: boolean;
  passwordPolicy?: { minLength: number; maxLength: number | null; requiredClasses: (typeof CLASSES)[number][]; specialCharacters: string };
}

export interface SittingSummary { sittingId: string; code: string; name: string; cancelledAt: string | null }
export interface ExamView { examId: string; settings: ExamSettings; sittings: SittingSummary[] }

export interface WindowRow { windowId: string; kind: 'REGISTRATION' | 'PAYMENT' | 'SITE_MANAGEMENT' | 'PRINT'; site: string | null; siteId: string | null; opens: string; closes: string }
export interface SubjectRow {
  subjectId: string; code: string; name: string; kind: 'WRITTEN' | 'ORAL'; feeFen: string; writtenSubject: string | null; exclusionGroup: string | null;
  requiresReview: boolean; cancelledAt: string | null; registrations: number; feeLocked: boolean;
}
export interface SiteRow { siteId: string; code: string; name: string }
export interface SlotRow { slotId: string; code: string; starts: string; ends: string }
export interface CapacityRow { poolId: string; site: string; slot: string; subject: string; seats: number; held: number; sold: number; free: number }
export interface SittingView {
  sittingId: string; examId: string; examCode: string; code: string; name: string; cancelledAt: string | null;
  windows: WindowRow[]; subjects: SubjectRow[]; sites: SiteRow[]; slots: SlotRow[]; capacity: CapacityRow[];
}

export interface Problem { path: string; reason: string }

export const sittingKey = (id: string) => ['config', 'sitting', id] as const;
export const examsKey = ['config', 'exams'] as const;

/** "70", "70.5", "70.00" → "7000" (integer fen as the API takes it), by string arithmetic; null when not an amount. */
export function fenFromYuan(text: string): string | null {
  const m = /^\s*(\d{1,7})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!m) return null;
  return String(BigInt(m[1]!) * 100n + BigInt((m[2] ?? '').padEnd(2, '0')));
}

/** The server's English reason of a configuration problem in the page's words, when it is one of the known rules; else as it came. */
export function reasonText(reason: string, t: Tr): string {
  const r = (key: string, o: Record<string, string> = {}) => t(`config:errors.reasons.${key}`, o);
  let m: RegExpExecArray | null;
  if ((m = /^must be after (.+)$/.exec(reason))) return r('after', { when: m[1]! });
  if ((m = /^(.+) is not a real time$/.exec(reason))) return r('notTime', { when: m[1]! });
  if (reason === 'a SITE_MANAGEMENT window names its site') return r('needSite');
  if (reason === 'only a SITE_MANAGEMENT window names a site') return r('onlySiteMgmt');
  if ((m = /^(.+) is not a site of this sitting$/.exec(reason))) return r('notSite', { code: m[1]! });
  if ((m = /^(.+) is not a slot of this sitting$/.exec(reason))) return r('notSlot', { code: m[1]! });
  if ((m = /^(.+) is not a subject of this sitting$/.exec(reason))) return r('notSubject', { code: m[1]! });
  if ((m = /^(.+) is not a written subject$/.exec(reason))) return r('notWritten', { code: m[1]! });
  if (reason === 'only an oral subject names its written subject') return r('onlyOral');
  if (reason === 'a subject cannot be its own written subject') return r('self');
  if ((m = /^oral subjects (.+) name it as their written subject$/.exec(reason))) return r('namedBy', { codes: m[1]! });
  if ((m = /^maxLength (\d+) is below minLength (\d+)$/.exec(reason))) return r('maxBelowMin', { max: m[1]!, min: m[2]! });
  if ((m = /^the exam already has (\d+) candidate account/.exec(reason))) return r('styleFixed', { n: m[1]! });
  if ((m = /^code (.+) is used twice$/.exec(reason))) return r('twice', { code: m[1]! });
  if ((m = /^exam (.+) already has a sitting (.+)$/.exec(reason))) return r('sittingExists', { exam: m[1]!, sitting: m[2]! });
  if ((m = /^differs from the settings of exam (\S+), which already exists/.exec(reason))) return r('examDiffers', { exam: m[1]! });
  if (/pattern/i.test(reason)) return r('pattern');
  if (/required propert/i.test(reason)) return r('required');
  return reason;
}

/** A refusal's counts (CONFIG_IN_USE details) in words: "报考记录 3 条, …". */
export function inUseText(details: Record<string, unknown>, t: Tr): string {
  return Object.entries(details)
    .filter(([, v]) => v === true || (typeof v === 'number' && v > 0))
    .map(([k, v]) => t(`config:errors.inUse.${k}`, { n: v === true ? '≥1' : String(v), defaultValue: `${k}: ${String(v)}` }))
    .join('、');
}

/**
 * Where a refusal belongs in a form: each CONFIGURATION_INVALID problem at the field its path
 * names, a refusal with a code the form knows (SUBJECT_FEE_LOCKED → the fee) at that field, the
 * rest for the alert above the form. `rename` maps a path's field to the form's own name
 * (`feeFen` → `feeYuan`).
 */
export interface FieldError { name: (string | number)[]; errors: string[] }
export function placeErrors(error: unknown, opts: { t: Tr; lang: string; fields: string[][]; rename?: Record<string, string>; codeField?: Record<string, string[]> }): { fields: FieldError[]; rest: string[] } {
  if (!(error instanceof ApiError)) return { fields: [], rest: [String(error)] };
  const known = (name: string[]) => opts.fields.some((f) => f.join('/') === name.join('/'));
  if (error.code === 'CONFIGURATION_INVALID' && Array.isArray(error.details.problems)) {
    const byField = new Map<string, FieldError>();
    const rest: string[] = [];
    for (const p of error.details.problems as Problem[]) {
      const name = p.path.split('/').filter(Boolean).map((s) => opts.rename?.[s] ?? s);
      // A schema problem deep inside a value (/channels/0) belongs to the field that holds it.
      const field = [...Array(name.length).keys()].map((i) => name.slice(0, name.length - i)).find(known);
      const text = reasonText(p.reason, opts.t);
      if (!field) rest.push(`${p.path}: ${text}`);
      else {
        const key = field.join('/');
        const fe = byField.get(key) ?? { name: field, errors: [] };
        fe.errors.push(text);
        byField.set(key, fe);
      }
    }
    return { fields: [...byField.values()], rest };
  }
  const target = opts.codeField?.[error.code];
  let text = error.text(opts.lang);
  if (error.code === 'CAPACITY_BELOW_TAKEN' && error.details.taken !== undefined) text += `${opts.t('config:errors.capacity', { taken: String(error.details.taken) })}`;
  if (error.code === 'SUBJECT_FEE_LOCKED' && error.details.feeFen !== undefined) {
    const fen = BigInt(String(error.details.feeFen));
    text += `${opts.t('config:errors.feeLocked', { n: String(error.details.registrations ?? ''), fee: `${fen / 100n}.${String(fen % 100n).padStart(2, '0')}` })}`;
  }
  if (error.code === 'CONFIG_IN_USE') {
    const counts = inUseText(error.details, opts.t);
    if (counts) text += ` (${counts})`;
  }
  if (target) return { fields: [{ name: target, errors: [text] }], rest: [] };
  return { fields: [], rest: [text] };
}

import type { TSchema } from 'typebox';
import { Value } from 'typebox/value';
import { parseShanghai } from '../../shared/time.ts';
import type { CapacityConfig, ExamSettings, SittingConfig, SittingWindowConfig, SlotConfig, SubjectConfig } from './exam-configuration.schema.ts';

/**
 * What makes a configuration sensible beyond its schema (ADM-1): references that resolve,
 * windows and slots that end after they start, codes used once, an oral subject naming a written
 * one. Pure, so the data file (import, the seed loader) and the console's single edits run the
 * very same checks — each problem a JSON-pointer path and a reason, the path relative to what
 * was checked (`prefix` places it inside a whole file).
 */

export interface Problem { path: string; reason: string }

/** Schema problems of a value, one per path (a union reports each branch it tried; its last message sums them up). */
export function schemaProblems(schema: TSchema, value: unknown, prefix = ''): Problem[] {
  if (Value.Check(schema, value)) return [];
  const byPath = new Map<string, string>();
  for (const e of Value.Errors(schema, value)) byPath.set(`${prefix}${e.instancePath}` || '/', e.message);
  return [...byPath].slice(0, 50).map(([path, reason]) => ({ path, reason }));
}

/** "P-1D", "PT9H", "P10DT9H30M" (from `now`) or "2026-03-15 09:00:00" (Beijing), to the whole second; null when not a real time. */
export function resolveTime(when: string, now: Date): Date | null {
  let at: Date;
  if (when.startsWith('P')) {
    const m = /^P(-?)(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(when);
    if (!m) return null;
    const ms = ((Number(m[2] ?? 0) * 24 + Number(m[3] ?? 0)) * 60 + Number(m[4] ?? 0)) * 60_000;
    at = new Date(now.getTime() + (m[1] === '-' ? -ms : ms));
  } else {
    try {
      at = parseShanghai(when);
    } catch {
      return null;
    }
    // "2026-02-30 09:00:00" parses as 2026-03-02: a day that does not exist is refused, not moved.
    if (Number.isNaN(at.getTime()) || new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 10) !== when.slice(0, 10)) return null;
  }
  if (Number.isNaN(at.getTime())) return null;
  return new Date(Math.floor(at.getTime() / 1000) * 1000);
}

export function examSettingsProblems(e: ExamSettings, prefix = ''): Problem[] {
  const out: Problem[] = [];
  const p = e.passwordPolicy;
  if (p && p.maxLength !== null && p.maxLength < p.minLength) out.push({ path: `${prefix}/passwordPolicy/maxLength`, reason: `maxLength ${p.maxLength} is below minLength ${p.minLength}` });
  return out;
}

/** Two times in order: `end` strictly after `start`. */
function spanProblems(start: { path: string; when: string }, end: { path: string; when: string }, now: Date): Problem[] {
  const a = resolveTime(start.when, now);
  const b = resolveTime(end.when, now);
  const out: Problem[] = [];
  if (!a) out.push({ path: start.path, reason: `${start.when} is not a real time` });
  if (!b) out.push({ path: end.path, reason: `${end.when} is not a real time` });
  if (a && b && b.getTime() <= a.getTime()) out.push({ path: end.path, reason: `must be after ${start.when}` });
  return out;
}

/** REG-1: a window ends after it opens; SITE_MANAGEMENT windows (and only they) belong to a site of the sitting. */
export function windowProblems(w: SittingWindowConfig, ctx: { sites: ReadonlySet<string>; now: Date }, prefix = ''): Problem[] {
  const out: Problem[] = [];
  if (w.kind === 'SITE_MANAGEMENT' && w.site === undefined) out.push({ path: `${prefix}/site`, reason: 'a SITE_MANAGEMENT window names its site' });
  if (w.kind !== 'SITE_MANAGEMENT' && w.site !== undefined) out.push({ path: `${prefix}/site`, reason: 'only a SITE_MANAGEMENT window names a site' });
  if (w.site !== undefined && !ctx.sites.has(w.site)) out.push({ path: `${prefix}/site`, reason: `${w.site} is not a site of this sitting` });
  out.push(...spanProblems({ path: `${prefix}/opens`, when: w.opens }, { path: `${prefix}/closes`, when: w.closes }, ctx.now));
  return out;
}

export function slotProblems(s: SlotConfig, ctx: { now: Date }, prefix = ''): Problem[] {
  return spanProblems({ path: `${prefix}/starts`, when: s.starts }, { path: `${prefix}/ends`, when: s.ends }, ctx.now);
}

/**
 * REG-5: only an oral subject names a written subject, and that one is a written subject of the
 * same sitting. `others`: the sitting's other subjects by code, with their kinds; `namedBy`:
 * codes of the oral subjects that name this one as their written subject.
 */
export function subjectProblems(s: SubjectConfig, ctx: { others: ReadonlyMap<string, 'WRITTEN' | 'ORAL'>; namedBy?: readonly string[] }, prefix = ''): Problem[] {
  const out: Problem[] = [];
  const w = s.writtenSubject;
  if (w !== undefined) {
    if (s.kind !== 'ORAL') out.push({ path: `${prefix}/writtenSubject`, reason: 'only an oral subject names its written subject' });
    else if (w === s.code) out.push({ path: `${prefix}/writtenSubject`, reason: 'a subject cannot be its own written subject' });
    else if (!ctx.others.has(w)) out.push({ path: `${prefix}/writtenSubject`, reason: `${w} is not a subject of this sitting` });
    else if (ctx.others.get(w) !== 'WRITTEN') out.push({ path: `${prefix}/writtenSubject`, reason: `${w} is not a written subject` });
  }
  if (s.kind !== 'WRITTEN' && ctx.namedBy?.length) out.push({ path: `${prefix}/kind`, reason: `oral subjects ${ctx.namedBy.join(', ')} name it as their written subject` });
  return out;
}

export function capacityProblems(c: CapacityConfig, ctx: { sites: ReadonlySet<string>; slots: ReadonlySet<string>; subjects: ReadonlySet<string> }, prefix = ''): Problem[] {
  const out: Problem[] = [];
  if (!ctx.sites.has(c.site)) out.push({ path: `${prefix}/site`, reason: `${c.site} is not a site of this sitting` });
  if (!ctx.slots.has(c.slot)) out.push({ path: `${prefix}/slot`, reason: `${c.slot} is not a slot of this sitting` });
  if (!ctx.subjects.has(c.subject)) out.push({ path: `${prefix}/subject`, reason: `${c.subject} is not a subject of this sitting` });
  return out;
}

function duplicates(items: readonly { code: string }[], prefix: string): Problem[] {
  const seen = new Set<string>();
  const out: Problem[] = [];
  items.forEach((x, i) => {
    if (seen.has(x.code)) out.push({ path: `${prefix}/${i}/code`, reason: `code ${x.code} is used twice` });
    seen.add(x.code);
  });
  return out;
}

/** Every check of a whole sitting, as a data file holds it (`prefix` '/sitting' inside a file). */
export function sittingProblems(s: SittingConfig, now: Date, prefix = '/sitting'): Problem[] {
  const sites = new Set(s.sites.map((x) => x.code));
  const slots = new Set(s.slots.map((x) => x.code));
  const kinds = new Map(s.subjects.map((x) => [x.code, x.kind] as const));
  const out: Problem[] = [...duplicates(s.subjects, `${prefix}/subjects`), ...duplicates(s.sites, `${prefix}/sites`), ...duplicates(s.slots, `${prefix}/slots`)];
  s.subjects.forEach((x, i) => {
    const others = new Map([...kinds].filter(([code]) => code !== x.code));
    out.push(...subjectProblems(x, { others }, `${prefix}/subjects/${i}`));
  });
  s.windows.forEach((w, i) => out.push(...windowProblems(w, { sites, now }, `${prefix}/windows/${i}`)));
  s.slots.forEach((x, i) => out.push(...slotProblems(x, { now }, `${prefix}/slots/${i}`)));
  const pools = new Set<string>();
  s.capacity.forEach((c, i) => {
    out.push(...capacityProblems(c, { sites, slots, subjects: new Set(kinds.keys()) }, `${prefix}/capacity/${i}`));
    const key = `${c.site}/${c.slot}/${c.subject}`;
    if (pools.has(key)) out.push({ path: `${prefix}/capacity/${i}`, reason: `${key} is given twice` });
    pools.add(key);
  });
  return out;
}

import type { RouteTableEntry } from '../../src/http/app.ts';

/**
 * Which routes of the route table take an id — the routes the access-control suite must cover.
 * A route takes an id when its path has a parameter, or its query or body has a field that names
 * an object: called `id`, `…Id`, `…Ids`, `…No`, `…Nos` or `bill`, or shaped like one of our ids
 * (the IdString or BillNo pattern). Deliberately wide: a false positive costs one case; a false
 * negative is an endpoint nobody checked.
 */

const ID_NAME = /^(id|bill)$|(Id|Ids|No|Nos)$/;
/**
 * Fields shaped like ids that name nobody's object: a captcha is issued to the browser that asked
 * for it, bound to its visitor cookie and used once (ACC-4), so another caller cannot use it.
 */
const NOT_OBJECT_IDS = new Set(['captchaId']);
const ID_PATTERNS = new Set(['^[1-9]\\d{0,17}$', '^\\d{21}$']);

export interface RouteKey {
  method: string;
  url: string;
  /** Why it counts: the path parameters and id fields found. */
  ids: string[];
}

export const keyOf = (r: { method: string; url: string }) => `${r.method} ${r.url}`;

function idFields(schema: unknown, path: string, out: string[]): void {
  if (!schema || typeof schema !== 'object') return;
  const s = schema as { properties?: Record<string, unknown>; items?: unknown; pattern?: string; anyOf?: unknown[]; allOf?: unknown[]; oneOf?: unknown[] };
  for (const [name, prop] of Object.entries(s.properties ?? {})) {
    const p = prop as { pattern?: string; items?: { pattern?: string } };
    if (NOT_OBJECT_IDS.has(name)) continue;
    if (ID_NAME.test(name) || ID_PATTERNS.has(p.pattern ?? '') || ID_PATTERNS.has(p.items?.pattern ?? '')) out.push(`${path}.${name}`);
    idFields(prop, `${path}.${name}`, out);
  }
  if (s.items) idFields(s.items, `${path}[]`, out);
  for (const sub of [...(s.anyOf ?? []), ...(s.allOf ?? []), ...(s.oneOf ?? [])]) idFields(sub, path, out);
}

/** Every (method, url) of the table that takes an id, with the ids it takes. HEAD copies of GET are skipped. */
export function routesTakingIds(table: readonly RouteTableEntry[]): RouteKey[] {
  const out: RouteKey[] = [];
  for (const r of table) {
    // The built web app's files (src/http/web-app.ts): the same bytes for everyone, no one's data.
    if (r.url === '/assets/*') continue;
    const methods = (Array.isArray(r.method) ? r.method : [r.method]).filter((m) => m !== 'HEAD');
    const ids: string[] = [];
    for (const m of r.url.matchAll(/:([A-Za-z0-9_]+)|\*/g)) ids.push(`path.${m[1] ?? '*'}`);
    const schema = (r.schema ?? {}) as { querystring?: unknown; body?: unknown };
    idFields(schema.querystring, 'query', ids);
    idFields(schema.body, 'body', ids);
    if (ids.length) for (const method of methods) out.push({ method, url: r.url, ids: [...new Set(ids)] });
  }
  return out.sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
}

/** Routes with an id and no case: the suite fails on any. */
export function uncoveredRoutes(table: readonly RouteTableEntry[], caseKeys: Iterable<string>): RouteKey[] {
  const covered = new Set(caseKeys);
  return routesTakingIds(table).filter((r) => !covered.has(keyOf(r)));
}

/** Cases for routes that no longer exist (or no longer take ids): stale, so they fail too. */
export function staleCases(table: readonly RouteTableEntry[], caseKeys: Iterable<string>): string[] {
  const live = new Set(routesTakingIds(table).map(keyOf));
  return [...caseKeys].filter((k) => !live.has(k));
}

import type { FastifyInstance } from 'fastify';
import { routeTable as appRouteTable } from '../../src/http/app.ts';

export interface RouteEntry {
  method: string;
  /** Fastify's pattern, e.g. /api/v1/bills/:billNo/payments */
  url: string;
}

/**
 * Every route the app serves, one entry per method, from the table buildApp records through
 * Fastify's onRoute hook (src/http/app.ts), so tests that must cover "every endpoint" cannot
 * miss a new one.
 */
export function routeTable(app: FastifyInstance): RouteEntry[] {
  return appRouteTable(app).flatMap((r) => (Array.isArray(r.method) ? r.method : [r.method]).map((method) => ({ method, url: r.url })));
}

/** A concrete URL for a pattern: every parameter gets `value` (routing only, not a real object). */
export function concreteUrl(url: string, value = '1'): string {
  return url.replace(/:[A-Za-z]+/g, value).replace(/\*$/, 'x');
}

type JsonSchema = { type?: string | string[]; pattern?: string; properties?: Record<string, JsonSchema>; required?: string[]; items?: JsonSchema;
  minItems?: number; const?: unknown; enum?: unknown[]; anyOf?: JsonSchema[]; oneOf?: JsonSchema[]; minimum?: number; minLength?: number };

// Values tried, in order, for a string with a pattern: the first the pattern accepts is used.
const STRING_TRIES = ['1', 'alipay', 'DEMO', '202603150000000000001', '320010251102317', 'x', 'ABCD', 'a@b.cn'];

/** The smallest value a JSON schema accepts, as far as simple request bodies go. */
export function sampleFromSchema(s: JsonSchema): unknown {
  if (s.const !== undefined) return s.const;
  if (s.enum) return s.enum[0];
  const alt = s.anyOf ?? s.oneOf;
  if (alt) return sampleFromSchema(alt[0]!);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  switch (type) {
    case 'object': return Object.fromEntries((s.required ?? []).map((k) => [k, sampleFromSchema(s.properties?.[k] ?? {})]));
    case 'array': return Array.from({ length: s.minItems ?? 0 }, (_, i) => { const v = sampleFromSchema(s.items ?? {}); return typeof v === 'string' && /^\d+$/.test(v) ? String(Number(v) + i) : v; });
    case 'integer': case 'number': return s.minimum ?? 1;
    case 'boolean': return true;
    case 'string': return s.pattern ? (STRING_TRIES.find((x) => new RegExp(s.pattern!).test(x)) ?? 'x') : 'x'.repeat(Math.max(1, s.minLength ?? 1));
    default: return {};
  }
}

type OpenApi = { paths: Record<string, Record<string, {
  parameters?: { in: string; name: string; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
}>> };

/**
 * A request the route's own schema (from the OpenAPI document) accepts — path parameters, required
 * query parameters and body — so it gets past validation to whatever the route checks next.
 */
export function sampleRequest(openapi: OpenApi, method: string, url: string): { url: string; body: unknown } {
  const op = openapi.paths[url.replace(/:([A-Za-z]+)/g, '{$1}')]?.[method.toLowerCase()];
  const params = op?.parameters ?? [];
  const value = (name: string, where: string) => {
    const p = params.find((x) => x.in === where && x.name === name);
    return String(p?.schema ? sampleFromSchema(p.schema) : '1');
  };
  const path = url.replace(/:([A-Za-z]+)/g, (_m, name: string) => value(name, 'path')).replace(/\*$/, 'x');
  const query = params.filter((p) => p.in === 'query' && p.required).map((p) => `${p.name}=${encodeURIComponent(value(p.name, 'query'))}`);
  const schema = op?.requestBody?.content?.['application/json']?.schema;
  return { url: query.length ? `${path}?${query.join('&')}` : path, body: schema ? sampleFromSchema(schema) : undefined };
}

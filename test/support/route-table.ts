import type { FastifyInstance } from 'fastify';

export interface RouteEntry {
  method: string;
  /** Fastify's pattern, e.g. /api/v1/bills/:billNo/payments */
  url: string;
}

/**
 * Every route the app serves, read from Fastify's own route tree (printRoutes), so tests that
 * must cover "every endpoint" cannot miss a new one. The tree prints each node's path relative
 * to its parent, with its methods in brackets.
 */
export function routeTable(app: FastifyInstance): RouteEntry[] {
  const out: RouteEntry[] = [];
  const stack: string[] = [];
  for (const line of app.printRoutes({ commonPrefix: false }).split('\n')) {
    const m = /^((?:[│ ] {3})*)[└├]── (.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    const path = (stack[depth - 1] ?? '') + m[2]!;
    stack.push(path);
    for (const method of (m[3] ?? '').split(',').map((x) => x.trim()).filter(Boolean)) out.push({ method, url: path });
  }
  if (!out.some((r) => r.method === 'POST' && r.url === '/api/v1/session')) throw new Error('routeTable could not read the route tree; has printRoutes changed its format?');
  return out;
}

/** A concrete URL for a pattern: every parameter gets `value` (routing only, not a real object). */
export function concreteUrl(url: string, value = '1'): string {
  return url.replace(/:[A-Za-z]+/g, value).replace(/\*$/, 'x');
}

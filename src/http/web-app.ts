import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Where `npm run build:web` (vite) puts the React app. */
export const WEB_DIST = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/**
 * Paths the API and the channels own: an unknown one there is a JSON 404, never the app. Under
 * /pay only the channels' pages (/pay/form, /pay/return) are the server's; /pay itself is the
 * app's pay-by-payment-code page.
 */
const NOT_PAGES = /^\/(api|assets|notify|sandbox|pay\/(?:form|return)|dev|healthz|metrics)(\/|$)/;

/**
 * Serves the built web app: hashed assets cached for a year, and index.html (never cached, so a
 * new release is picked up at once) for every other GET a browser makes, so deep links, Back and
 * Refresh work on every page of the single-page app.
 */
export async function installWebApp(app: FastifyInstance): Promise<(req: FastifyRequest, reply: FastifyReply) => FastifyReply | undefined> {
  const index = `${WEB_DIST}index.html`;
  if (!fs.existsSync(index)) {
    app.log.warn('web/dist is missing: run `npm run build:web` (npm start and npm test do it for you)');
    return () => undefined;
  }
  await app.register(fastifyStatic, {
    root: `${WEB_DIST}assets`,
    prefix: '/assets/',
    wildcard: true,
    index: false,
    immutable: true,
    maxAge: '365d',
    schemaHide: true,
  });
  return (req, reply) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || NOT_PAGES.test(req.url)) return undefined;
    const accept = req.headers.accept ?? '';
    if (!accept.includes('text/html') && !accept.includes('*/*')) return undefined;
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(fs.readFileSync(index));
  };
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { handleNotification } from '../../../modules/payments/handle-notification.ts';
import { sendFailure } from '../../plugins/errors.ts';
import type { RouteDeps } from '../../route-deps.ts';

/**
 * Channel callbacks. In this scope every body is kept as raw bytes: signatures are computed
 * over exactly what the channel sent, so nothing may parse or re-encode it first.
 */
export function notifyRoutes({ ctx }: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 64 * 1024 }, (_req, body, done) => done(null, body));

    app.post('/notify/:channel', {
      schema: {
        tags: ['channel callbacks'],
        summary: 'Asynchronous payment notification from a channel',
        description: 'Body exactly as the channel sends it (Alipay: form-encoded, RSA2-signed). Answers what the channel expects: Alipay `success` once committed, anything else makes it retry.',
        params: Type.Object({ channel: Type.String({ pattern: '^[a-z]{2,16}$' }) }),
      },
    }, async (req, reply) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      const result = await handleNotification(ctx, { channel: req.params.channel, raw: { body: raw, headers: req.headers }, remoteAddr: req.ip });
      if (!result) return sendFailure(req, reply, { code: 'NOT_FOUND', details: { channel: req.params.channel } });
      return reply.code(result.answer.status).type(result.answer.contentType).send(result.answer.body);
    });
  };
}

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { sql } from 'kysely';
import { Type } from 'typebox';
import type { RouteDeps } from '../../route-deps.ts';
import { isValidBillNo } from '../../../shared/bill-number.ts';
import { billPagePath } from '../../../modules/billing/bill-page.ts';

export function systemRoutes({ ctx }: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.get('/healthz', {
      schema: {
        tags: ['system'], summary: 'Liveness and database check',
        response: { 200: Type.Object({ status: Type.Literal('ok'), database: Type.Literal('ok') }), 503: Type.Object({ status: Type.Literal('unavailable'), database: Type.String() }) },
      },
    }, async (_req, reply) => {
      try {
        await sql`SELECT 1`.execute(ctx.db);
        return { status: 'ok' as const, database: 'ok' as const };
      } catch (err) {
        return reply.code(503).send({ status: 'unavailable' as const, database: (err as Error).message.slice(0, 200) });
      }
    });

    // The browser comes back from the cashier here. It never settles anything (a return can be
    // forged or come before the money); the bill page asks the channel itself.
    app.get('/pay/return/:channel', {
      schema: {
        tags: ['channel callbacks'], summary: 'Browser return from a channel cashier: redirects to the bill page',
        params: Type.Object({ channel: Type.String({ pattern: '^[a-z]{2,16}$' }) }),
        querystring: Type.Object({ bill: Type.Optional(Type.String()) }, { additionalProperties: true }),
      },
    }, async (req, reply) => {
      const billNo = req.query.bill;
      return reply.redirect(billNo && isValidBillNo(billNo) ? await billPagePath(ctx.db, billNo) : '/', 303);
    });
  };
}

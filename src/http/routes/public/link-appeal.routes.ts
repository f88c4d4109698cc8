import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { consumeCaptcha } from '../../../modules/accounts/captcha.ts';
import { STATEMENT_MAX } from '../../../modules/appeals/candidate-appeals.ts';
import { fileLinkAppeal } from '../../../modules/appeals/link-appeals.ts';
import { sendFailure } from '../../plugins/errors.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { CaptchaFields, responses } from '../../schemas.ts';
import { AuthorityCode, EmailAddress, IdNumberField } from './account.routes.ts';
import { VISITOR_COOKIE } from './captcha.routes.ts';

/** The same answer whether a record matched or not: only the mailbox learns which (like sign-up). */
const LINK_APPEAL_SENT = {
  zh: '已提交。请查收邮件：如果姓名和证件信息与记录相符，申诉已转交您的学习中心（或考试机构）处理，处理结果会发送到您填写的邮箱。',
  en: 'Sent. Check your mailbox: if the name and ID document match a record, your appeal has gone to your institution (or the authority), and the decision will come to the address you gave.',
};

/** 关联申诉 (seed 000): filed without signing in, since the filer cannot sign in to the record. */
export function linkAppealRoutes({ ctx }: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    app.post('/api/v1/link-appeals', {
      schema: {
        tags: ['appeals'],
        summary: '关联申诉: my record (ID number) is held by an account that is not mine — ask my institution to give it back',
        description: 'Input errors are answered directly. Whether a record matched is told only by mail to the address given: the answer is the same 202 either way. An accepted appeal signs out whoever held the record, and mails a single-use link to set a new password to this address.',
        body: Type.Object({
          authority: AuthorityCode,
          name: Type.String({ minLength: 1, maxLength: 50, pattern: '\\S' }),
          idType: Type.Union([Type.Literal('RESIDENT_ID'), Type.Literal('PASSPORT'), Type.Literal('HK_MACAO_PERMIT'), Type.Literal('TAIWAN_PERMIT'), Type.Literal('HMT_RESIDENCE_PERMIT')]),
          idNumber: IdNumberField,
          email: EmailAddress,
          statement: Type.String({ minLength: 1, maxLength: STATEMENT_MAX, pattern: '\\S' }),
          ...CaptchaFields,
        }, { additionalProperties: false }),
        response: responses(202, Type.Object({ message: Type.Object({ zh: Type.String(), en: Type.String() }) }), [404]),
      },
    }, async (req, reply) => {
      const captcha = await consumeCaptcha(ctx.db, { captchaId: req.body.captchaId, answer: req.body.captchaAnswer, visitorToken: req.cookies[VISITOR_COOKIE], now: ctx.clock.now(), kind: 'TEXT' });
      if (!captcha.ok) return sendFailure(req, reply, captcha.error);
      const { authority, captchaId: _c, captchaAnswer: _a, ...rest } = req.body;
      const r = await fileLinkAppeal(ctx, { authorityCode: authority, ...rest, ip: req.ip });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return reply.code(202).send({ message: LINK_APPEAL_SENT });
    });
  };
}

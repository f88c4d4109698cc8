import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { recoverAccount } from '../../../modules/accounts/account-recovery.ts';
import { consumeCaptcha } from '../../../modules/accounts/captcha.ts';
import { EMAIL_PATTERN } from '../../../modules/accounts/email-address.ts';
import { signUpEmailAccount } from '../../../modules/accounts/email-sign-up.ts';
import { confirmEmail } from '../../../modules/accounts/email-verification.ts';
import { completePasswordReset, requestPasswordReset } from '../../../modules/accounts/password-reset.ts';
import { sendFailure } from '../../plugins/errors.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { CaptchaFields, responses } from '../../schemas.ts';
import { VISITOR_COOKIE } from './captcha.routes.ts';

export const AuthorityCode = Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$', description: 'Authority code' });
export const EmailAddress = Type.String({ maxLength: 254, pattern: EMAIL_PATTERN, description: 'E-mail address' });
export const IdNumberField = Type.String({ minLength: 5, maxLength: 32, pattern: '^[0-9A-Za-z()（）-]+$' });
const LinkToken = Type.String({ pattern: '^[A-Za-z0-9_-]{43}$', description: 'The token from the mailed link (after #token= in /verify-email or /reset)' });
const Bilingual = Type.Object({ zh: Type.String(), en: Type.String() });

/** The answers that must not differ between existing and missing accounts (ACC-5, ACC-6). */
const SIGN_UP_SENT = {
  zh: '请查收邮件：我们已向您填写的邮箱发送了一封邮件，按邮件中的说明完成注册（验证链接24小时内有效）。收不到请检查垃圾邮件箱。',
  en: 'Check your mailbox: we sent a message to the address you gave; follow it to finish (the verification link lasts 24 hours). Look in the spam folder if it does not arrive.',
};
const RESET_SENT = {
  zh: '如果该账号存在并留有邮箱，重置密码的链接已发送到预留邮箱，30分钟内有效，只能使用一次。收不到邮件请联系考试机构修改邮箱。',
  en: 'If that account exists and has an e-mail address on file, a reset link has been sent there. It lasts 30 minutes and works once. If no mail arrives, ask the authority to correct your address.',
};
const RECOVERY_GENERIC = {
  zh: '如果姓名和证件号码与某个账号一致，并且该账号留有邮箱，账号信息已发送到该邮箱。仍无法找回请联系考试机构。',
  en: 'If the name and ID number match an account that has an e-mail address on file, its details have been sent there. If you still cannot find it, contact the authority.',
};

/**
 * Anonymous account actions (ACC-1, ACC-5, ACC-6): 通行证 sign-up, the mailed verification and
 * reset links, 忘记密码 and 找回已报名账号. Each one that could be used to probe accounts needs a
 * captcha (ACC-4) and answers the same for every account.
 */
export function accountRoutes({ ctx }: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    const captchaOk = async (req: FastifyRequest<{ Body: { captchaId: string; captchaAnswer: string } }>, reply: FastifyReply): Promise<boolean> => {
      const r = await consumeCaptcha(ctx.db, { captchaId: req.body.captchaId, answer: req.body.captchaAnswer, visitorToken: req.cookies[VISITOR_COOKIE], now: ctx.clock.now(), kind: 'TEXT' });
      if (!r.ok) await sendFailure(req, reply, r.error);
      return r.ok;
    };

    app.post('/api/v1/accounts', {
      schema: {
        tags: ['accounts'],
        summary: '注册通行证: open an e-mail account (exams whose accounts are e-mail accounts)',
        description: 'Input errors are answered directly. Whether the address or the ID document already has an account is told only by mail to the address given: the answer is the same 202 either way. The account can sign in at once and register subjects after the mailed link verified the address.',
        body: Type.Object({
          authority: AuthorityCode,
          exam: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$', description: 'Exam code; by default the authority\'s first exam with e-mail accounts' })),
          email: EmailAddress,
          password: Type.String({ minLength: 1, maxLength: 128 }),
          name: Type.String({ minLength: 1, maxLength: 50, pattern: '\\S' }),
          idType: Type.Union([Type.Literal('RESIDENT_ID'), Type.Literal('PASSPORT'), Type.Literal('HK_MACAO_PERMIT'), Type.Literal('TAIWAN_PERMIT')]),
          idNumber: IdNumberField,
          ...CaptchaFields,
        }, { additionalProperties: false }),
        response: responses(202, Type.Object({ email: Type.String(), message: Bilingual }), [404]),
      },
    }, async (req, reply) => {
      if (!(await captchaOk(req, reply))) return reply;
      const { authority, exam, captchaId: _c, captchaAnswer: _a, ...rest } = req.body;
      const r = await signUpEmailAccount(ctx, { authorityCode: authority, ...(exam ? { examCode: exam } : {}), ...rest });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return reply.code(202).send({ email: r.value.email, message: SIGN_UP_SENT });
    });

    app.post('/api/v1/email-verifications', {
      schema: {
        tags: ['accounts'],
        summary: 'Use a mailed verification link (single use, 24 hours)',
        body: Type.Object({ token: LinkToken }, { additionalProperties: false }),
        response: responses(200, Type.Object({ email: Type.String(), verified: Type.Literal(true) }), [410]),
      },
    }, async (req, reply) => {
      const r = await confirmEmail(ctx, { token: req.body.token });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return { email: r.value.email, verified: true as const };
    });

    app.post('/api/v1/password-resets', {
      schema: {
        tags: ['accounts'],
        summary: '忘记密码: send a reset link to the e-mail on file (ACC-5)',
        description: 'The answer is the same 202 whether or not the account exists or has an e-mail address on file.',
        body: Type.Object({
          authority: AuthorityCode,
          identifier: Type.String({ minLength: 5, maxLength: 254, description: 'ID number, or the e-mail address of a 通行证' }),
          ...CaptchaFields,
        }, { additionalProperties: false }),
        response: responses(202, Type.Object({ message: Bilingual })),
      },
    }, async (req, reply) => {
      if (!(await captchaOk(req, reply))) return reply;
      await requestPasswordReset(ctx, { authorityCode: req.body.authority, identifier: req.body.identifier });
      return reply.code(202).send({ message: RESET_SENT });
    });

    app.post('/api/v1/password-resets/confirm', {
      schema: {
        tags: ['accounts'],
        summary: 'Set a new password with a mailed reset link (single use, 30 minutes); ends every session',
        body: Type.Object({ token: LinkToken, newPassword: Type.String({ minLength: 1, maxLength: 128 }) }, { additionalProperties: false }),
        response: responses(204, Type.Null(), [410]),
      },
    }, async (req, reply) => {
      const r = await completePasswordReset(ctx, { ...req.body, address: req.ip });
      if (!r.ok) return sendFailure(req, reply, r.error);
      return reply.code(204).send(null);
    });

    app.post('/api/v1/account-recoveries', {
      schema: {
        tags: ['accounts'],
        summary: '找回已报名账号: name + ID number → a reminder to the account\'s e-mail (ACC-6)',
        description: 'maskedEmail is given only when the name and the ID number both match an account with an e-mail address on file; every other case gets the same generic answer with maskedEmail null.',
        body: Type.Object({
          authority: AuthorityCode,
          name: Type.String({ minLength: 1, maxLength: 50, pattern: '\\S' }),
          idNumber: IdNumberField,
          ...CaptchaFields,
        }, { additionalProperties: false }),
        response: responses(200, Type.Object({ maskedEmail: Type.Union([Type.String(), Type.Null()]), message: Bilingual })),
      },
    }, async (req, reply) => {
      if (!(await captchaOk(req, reply))) return reply;
      const r = await recoverAccount(ctx, { authorityCode: req.body.authority, name: req.body.name, idNumber: req.body.idNumber });
      const message = r.maskedEmail
        ? { zh: `您的账号信息已发送到 ${r.maskedEmail}，请查收。`, en: `Your account details have been sent to ${r.maskedEmail}.` }
        : RECOVERY_GENERIC;
      return { maskedEmail: r.maskedEmail, message };
    });
  };
}

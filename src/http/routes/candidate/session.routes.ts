import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { consumeCaptcha } from '../../../modules/accounts/captcha.ts';
import { dummyPasswordHash } from '../../../modules/accounts/password.ts';
import { CHARACTER_CLASSES, DEFAULT_PASSWORD_POLICY, describePolicy, PASSWORD_PROBLEMS } from '../../../modules/accounts/password-policy.ts';
import { candidatePolicy, examPolicy, policyView } from '../../../modules/accounts/password-policy.queries.ts';
import { maskedIdentity } from '../../../modules/accounts/candidate-identity.ts';
import { createSession, destroySession } from '../../../modules/accounts/sessions.ts';
import { changePassword, signIn } from '../../../modules/accounts/sign-in.ts';
import { signInByEmail } from '../../../modules/accounts/email-sign-in.ts';
import { AuthorityCode, EmailAddress } from '../public/account.routes.ts';
import { currentCandidate, requireCandidate, SESSION_COOKIE } from '../../plugins/auth.ts';
import { sendFailure } from '../../plugins/errors.ts';
import type { Candidate } from '../../../db/schema.ts';
import type { RouteDeps } from '../../route-deps.ts';
import { CaptchaFields, responses } from '../../schemas.ts';
import { VISITOR_COOKIE } from '../public/captcha.routes.ts';

const Me = Type.Object({
  candidateId: Type.String(),
  name: Type.String(),
  idNumberMasked: Type.String({ description: 'ID number masked (OPS-6): 1101**********1234 for 15 or more characters, E1*****78 for 8–14', examples: ['1101**********1234'] }),
  phoneMasked: Type.Union([Type.String({ description: 'Phone masked: 138****8000', examples: ['138****8000'] }), Type.Null()]),
  mustChangePassword: Type.Boolean(),
  accountType: Type.Union([Type.Literal('ID_DOCUMENT'), Type.Literal('EMAIL')], { description: 'ID_DOCUMENT: signs in with the ID number; EMAIL: a 通行证 signing in with its e-mail address' }),
  email: Type.Union([Type.String(), Type.Null()], { description: 'The 通行证 login, or the contact address of an ID-document account' }),
  emailVerified: Type.Boolean({ description: 'A 通行证 registers subjects only once this is true' }),
});

const Code = Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' });

const Policy = Type.Object({
  minLength: Type.Integer(),
  maxLength: Type.Union([Type.Integer(), Type.Null()], { description: 'null: no maximum of the exam\'s own (64 still applies)' }),
  requiredClasses: Type.Array(Type.Union(CHARACTER_CLASSES.map((c) => Type.Literal(c)))),
  specialCharacters: Type.String({ description: 'The only non-alphanumeric characters allowed' }),
  caseSensitive: Type.Literal(true),
  rules: Type.Array(Type.Object({
    codes: Type.Array(Type.Union(PASSWORD_PROBLEMS.map((c) => Type.Literal(c))), { description: 'The problem codes of PASSWORD_POLICY this rule answers for' }),
    zh: Type.String(),
    en: Type.String(),
  })),
  summaryZh: Type.String(),
  summaryEn: Type.String(),
}, { title: 'PasswordPolicy' });

// Generated from the rules themselves, so the document cannot drift from what the server checks.
const DEFAULT_RULES = describePolicy(DEFAULT_PASSWORD_POLICY);
const CHANGE_PASSWORD_DESCRIPTION = [
  'The new password must satisfy the password policy of the candidate\'s exam (ACC-3): `GET /api/v1/me/password-policy` returns it, rule by rule, in Chinese and English.',
  `Where an exam sets nothing, the policy is: ${DEFAULT_RULES.summaryEn}`,
  `A refused password answers 400 \`PASSWORD_POLICY\` with \`details.problems\`, one code per broken rule: ${PASSWORD_PROBLEMS.map((p) => `\`${p}\``).join(', ')}, and \`details.messages\` saying each in both languages.`,
  'Until the forced first change is done, every other candidate request answers 403 `PASSWORD_CHANGE_REQUIRED`. A change ends the account\'s other sessions.',
].join('\n\n');


export function sessionRoutes({ ctx, config }: RouteDeps): FastifyPluginAsyncTypebox {
  return async (app) => {
    // The first missing-account sign-in must not be slower for computing the dummy hash.
    await dummyPasswordHash();
    const cookieOptions = { path: '/', httpOnly: true, sameSite: 'strict' as const, secure: config.secureCookies };

    app.post('/api/v1/session', {
      schema: {
        tags: ['candidate'],
        summary: 'Sign in with ID number and password, or with a 通行证 e-mail address and password',
        description: [
          'The ID number is checked before anything else: a 居民身份证 or 港澳台居民居住证 number must have a valid region, birth date and check character; 15-digit first-generation numbers are refused (`ID_NUMBER_15_DIGITS`); passports and travel permits must fit their formats. Each problem has its own code (`ID_NUMBER_FORMAT`, `ID_NUMBER_REGION`, `ID_NUMBER_BIRTH_DATE`, `ID_NUMBER_CHECK_DIGIT`).',
          'A wrong password and an unknown ID number answer the same `BAD_CREDENTIALS` (with `details.attemptsLeft`). Five failures within 15 minutes lock the ID number for 15 minutes (longer for repeats); many failures from one address lock the address. While locked the answer is 429 `ACCOUNT_LOCKED` or `SIGN_IN_THROTTLED` with `Retry-After` and `details.lockedUntil`, `lockedUntilShanghai`, `retryAfterSeconds`, whether the password is right or not.',
          'A 通行证 (exam with e-mail accounts) signs in with `email` instead of `idNumber`.',
        ].join('\n\n'),
        body: Type.Union([
          Type.Object({
            authority: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$', description: 'Authority code' }),
            idNumber: Type.String({ minLength: 1, maxLength: 40, description: 'ID document number as the person types it; full-width characters, spaces and hyphens are tolerated' }),
            password: Type.String({ minLength: 1, maxLength: 128 }),
            ...CaptchaFields,
          }, { additionalProperties: false, title: 'ID-document sign-in' }),
          Type.Object({
            authority: AuthorityCode,
            email: EmailAddress,
            password: Type.String({ minLength: 1, maxLength: 128 }),
            ...CaptchaFields,
          }, { additionalProperties: false, title: '通行证 (e-mail) sign-in' }),
        ]),
        response: responses(200, Me, [401, 429]),
      },
    }, async (req, reply) => {
      const captcha = await consumeCaptcha(ctx.db, { captchaId: req.body.captchaId, answer: req.body.captchaAnswer, visitorToken: req.cookies[VISITOR_COOKIE], now: ctx.clock.now(), kind: 'TEXT' });
      if (!captcha.ok) return sendFailure(req, reply, captcha.error);
      const body = req.body;
      const result = 'email' in body
        ? await signInByEmail(ctx, { authorityCode: body.authority, email: body.email, password: body.password, address: req.ip })
        : await signIn(ctx, { authorityCode: body.authority, idNumber: body.idNumber, password: body.password, address: req.ip });
      if (!result.ok) return sendFailure(req, reply, result.error);
      // A second sign-in in the same browser replaces the first (ACC-7, seed 004), and the
      // session id is always new (no fixation).
      const old = req.cookies[SESSION_COOKIE];
      if (old) await destroySession(ctx.db, old);
      const token = await createSession(ctx.db, result.value.id, ctx.clock.now(), config.session);
      reply.setCookie(SESSION_COOKIE, token, cookieOptions);
      return meView(ctx, result.value);
    });

    app.delete('/api/v1/session', {
      schema: { tags: ['candidate'], summary: 'Sign out (ends the session on the server)', response: responses(204, Type.Null()) },
    }, async (req, reply) => {
      const token = req.cookies[SESSION_COOKIE];
      if (token) await destroySession(ctx.db, token);
      reply.clearCookie(SESSION_COOKIE, cookieOptions);
      return reply.code(204).send(null);
    });

    app.get('/api/v1/me', {
      preHandler: requireCandidate(ctx, config.session, { allowBeforePasswordChange: true }),
      schema: { tags: ['candidate'], summary: 'The signed-in candidate', response: responses(200, Me, [401]) },
    }, async (req) => meView(ctx, currentCandidate(req)));

    app.post('/api/v1/me/password', {
      preHandler: requireCandidate(ctx, config.session, { allowBeforePasswordChange: true }),
      schema: {
        tags: ['candidate'],
        summary: 'Change password (forced at first sign-in)',
        description: CHANGE_PASSWORD_DESCRIPTION,
        body: Type.Object({
          currentPassword: Type.String({ minLength: 1, maxLength: 128 }),
          newPassword: Type.String({ minLength: 1, maxLength: 128 }),
        }, { additionalProperties: false }),
        response: responses(204, Type.Null(), [401]),
      },
    }, async (req, reply) => {
      const result = await changePassword(ctx, { candidate: currentCandidate(req), ...req.body, sessionToken: req.cookies[SESSION_COOKIE]!, address: req.ip });
      if (!result.ok) return sendFailure(req, reply, result.error);
      return reply.code(204).send(null);
    });

    app.get('/api/v1/me/password-policy', {
      preHandler: requireCandidate(ctx, config.session, { allowBeforePasswordChange: true }),
      schema: { tags: ['candidate'], summary: 'The password policy of the signed-in candidate\'s exam (ACC-3), rule by rule', response: responses(200, Policy, [401]) },
    }, async (req) => policyView(await candidatePolicy(ctx.db, currentCandidate(req).exam_id)));

    app.get('/api/v1/authorities/:authority/exams/:exam/password-policy', {
      schema: {
        tags: ['public'], summary: 'The password policy of an exam (ACC-3), for pages shown before sign-in',
        params: Type.Object({ authority: Code, exam: Code }), response: responses(200, Policy, [404]),
      },
    }, async (req, reply) => {
      const policy = await examPolicy(ctx.db, req.params.authority, req.params.exam);
      if (!policy) return sendFailure(req, reply, { code: 'EXAM_NOT_FOUND' });
      return policyView(policy);
    });
  };
}

/** The candidate as their own pages show them: name, masked ID number and phone (seed 001: 核对个人信息), account style. */
function meView(ctx: RouteDeps['ctx'], c: Candidate) {
  return {
    candidateId: String(c.id), name: c.name, ...maskedIdentity(ctx.personalData, c), mustChangePassword: c.must_change_password,
    accountType: c.login, email: c.email, emailVerified: c.email_verified_at !== null,
  };
}

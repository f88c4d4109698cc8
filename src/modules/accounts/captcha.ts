import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import svgCaptcha from 'svg-captcha';
import type { DbOrTrx } from '../../db/database.ts';
import { hashBearerToken, newBearerToken } from '../../shared/bearer-token.ts';
import { MINUTE } from '../../shared/clock.ts';
import { fail, ok, type Result } from '../../shared/errors.ts';

/**
 * Captchas (ACC-4): an image of text or of a sum (seed 003 asks "arithmetic"), required before
 * sign-in, password reset, account recovery and anonymous look-ups. Each one is bound to the
 * browser that asked for it (the visitor cookie), answers once — a wrong answer uses it up, so
 * an image cannot be guessed at — and expires after a few minutes.
 */
export type CaptchaKind = 'TEXT' | 'ARITHMETIC';

export const CAPTCHA_LIFETIME_MS = 5 * MINUTE;

// Letters and digits people do not confuse on a phone screen (no 0/O, 1/I/l, 2/Z, 5/S, 8/B).
const TEXT_ALPHABET = '34679ACDEFGHJKLMNPQRTUVWXY';
const TEXT_LENGTH = 4;

export interface CaptchaChallenge {
  /** What the image shows. */
  shown: string;
  /** What the person must type. */
  answer: string;
}

/** A new challenge from a CSPRNG (svg-captcha's own text uses Math.random). */
export function newChallenge(kind: CaptchaKind, random: (max: number) => number = randomInt): CaptchaChallenge {
  if (kind === 'ARITHMETIC') {
    const a = 1 + random(20);
    const b = 1 + random(9);
    // Subtraction only when it stays positive: a child's sum, not a trick question.
    return random(2) === 0 || a <= b ? { shown: `${a}+${b}=?`, answer: String(a + b) } : { shown: `${a}-${b}=?`, answer: String(a - b) };
  }
  let text = '';
  for (let i = 0; i < TEXT_LENGTH; i++) text += TEXT_ALPHABET[random(TEXT_ALPHABET.length)];
  return { shown: text, answer: text };
}

/** Case, spaces and full-width forms do not make an answer wrong. */
export function normaliseAnswer(answer: string): string {
  return answer.normalize('NFKC').replace(/\s+/g, '').toUpperCase();
}

// The package's function itself draws a given text; its type declarations omit that signature.
const drawText = svgCaptcha as unknown as (text: string, options: Parameters<typeof svgCaptcha.create>[0]) => string;

export function renderChallenge(challenge: CaptchaChallenge): string {
  return drawText(challenge.shown, { width: 150, height: 50, fontSize: 52, noise: 2, color: true, background: '#f4f6f8' });
}


export interface IssuedCaptcha {
  captchaId: string;
  kind: CaptchaKind;
  svg: string;
  expiresAt: Date;
  /** Only for tests, and only when the server runs with CAPTCHA_TEST_MODE. */
  answer: string;
}

export async function issueCaptcha(db: DbOrTrx, input: { kind: CaptchaKind; visitorToken: string; now: Date }): Promise<IssuedCaptcha> {
  const challenge = newChallenge(input.kind);
  const captchaId = newBearerToken(18);
  const expiresAt = new Date(input.now.getTime() + CAPTCHA_LIFETIME_MS);
  await db.insertInto('captcha').values({
    id_hash: hashBearerToken(captchaId),
    visitor: hashBearerToken(input.visitorToken),
    kind: input.kind,
    answer: challenge.answer,
    created_at: input.now,
    expires_at: expiresAt,
    used_at: null,
  }).execute();
  return { captchaId, kind: input.kind, svg: renderChallenge(challenge), expiresAt, answer: challenge.answer };
}

export interface CaptchaAnswer {
  captchaId: string;
  answer: string;
}

/**
 * Uses up the captcha and says whether the answer was right. One UPDATE marks it used and
 * returns it, so two requests racing with one captcha get one "right" between them.
 */
export async function consumeCaptcha(
  db: DbOrTrx,
  input: CaptchaAnswer & { visitorToken: string | undefined; now: Date; kind?: CaptchaKind },
): Promise<Result<true>> {
  if (!input.visitorToken) return fail('CAPTCHA_INVALID');
  const row = await db.updateTable('captcha').set({ used_at: input.now })
    .where('id_hash', '=', hashBearerToken(input.captchaId))
    .where('visitor', '=', hashBearerToken(input.visitorToken))
    .where('used_at', 'is', null)
    .returning(['answer', 'kind', 'expires_at'])
    .executeTakeFirst();
  if (!row) return fail('CAPTCHA_INVALID');
  if (input.now >= row.expires_at) return fail('CAPTCHA_EXPIRED');
  if (input.kind && row.kind !== input.kind) return fail('CAPTCHA_INVALID', { required: input.kind });
  if (normaliseAnswer(input.answer) !== row.answer) return fail('CAPTCHA_INVALID');
  return ok(true);
}

/** Housekeeping: captchas are worth nothing an hour after they expired. */
export async function purgeCaptchas(db: DbOrTrx, now: Date): Promise<number> {
  const r = await db.deleteFrom('captcha').where('expires_at', '<', sql<Date>`${now}::timestamptz - interval '1 hour'`).executeTakeFirst();
  return Number(r.numDeletedRows);
}

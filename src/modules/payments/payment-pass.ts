import { createHash, randomBytes } from 'node:crypto';
import type { DbOrTrx } from '../../db/database.ts';
import type { Candidate } from '../../db/schema.ts';
import { MINUTE } from '../../shared/clock.ts';
import { findCandidateByIdNumber } from '../accounts/candidate-lookup.ts';

/**
 * PAY-6, pay without signing in (seed 003: 考生姓名＋有效身份证件号码（或缴费码）). The person
 * proves they know the candidate's name and ID number, or name and the bill's number (the
 * 缴费码 on the bill page and in notices), and answers an arithmetic captcha. They get a pass:
 * a cookie good for 30 minutes — one bill timeout — that reaches the bill routes marked for it
 * (see, confirm, accept the agreement, pay, ask the status) for that one candidate, and nothing
 * else: no registrations, no profile, no password.
 */
export const PAYMENT_PASS_LIFETIME_MS = 30 * MINUTE;

const sha256 = (s: string): Buffer => createHash('sha256').update(s).digest();

/** Names compare as a person types them: width forms and spaces do not count. */
export function sameName(a: string, b: string): boolean {
  const norm = (s: string) => s.normalize('NFKC').replace(/\s+/g, '');
  return norm(a) === norm(b) && norm(a).length > 0;
}

export type PayerProof = { authorityCode: string; name: string } & ({ idNumber: string } | { billNo: string });

/** The candidate this proof names, or undefined. Name and the second fact must both match. */
export async function findPayer(db: DbOrTrx, proof: PayerProof): Promise<Candidate | undefined> {
  const found = 'idNumber' in proof
    ? await findCandidateByIdNumber(db, { authorityCode: proof.authorityCode, idNumber: proof.idNumber })
    : await db.selectFrom('candidate as c').innerJoin('authority as a', 'a.id', 'c.authority_id').selectAll('c').where('a.code', '=', proof.authorityCode)
      .where((eb) => eb.exists(eb.selectFrom('bill as b').select('b.id').whereRef('b.candidate_id', '=', 'c.id').where('b.bill_no', '=', proof.billNo))).executeTakeFirst();
  return found && sameName(found.name, proof.name) ? found : undefined;
}

export async function createPaymentPass(db: DbOrTrx, candidateId: bigint, now: Date): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + PAYMENT_PASS_LIFETIME_MS);
  await db.insertInto('payment_pass').values({ id_hash: sha256(token), candidate_id: candidateId, created_at: now, expires_at: expiresAt }).execute();
  return { token, expiresAt };
}

export async function resolvePaymentPass(db: DbOrTrx, token: string, now: Date): Promise<Candidate | undefined> {
  return db.selectFrom('payment_pass as p').innerJoin('candidate as c', 'c.id', 'p.candidate_id').selectAll('c')
    .where('p.id_hash', '=', sha256(token)).where('p.expires_at', '>', now).executeTakeFirst();
}

export async function endPaymentPass(db: DbOrTrx, token: string): Promise<void> {
  await db.deleteFrom('payment_pass').where('id_hash', '=', sha256(token)).execute();
}

/** "张三" → "张*", "欧阳娜娜" → "欧***": enough for the payer to recognise, not to harvest. */
export function maskName(name: string): string {
  const chars = [...name];
  return chars.length <= 1 ? '*' : chars[0] + '*'.repeat(chars.length - 1);
}

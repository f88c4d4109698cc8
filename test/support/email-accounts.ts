import type { Db } from '../../src/db/database.ts';
import { residentIdCheckChar } from '../../src/shared/resident-id.ts';
import { makeExam, type ExamFixture } from './fixtures.ts';
import type { Browser } from './http.ts';

let seq = 0;

/** An authority whose exam uses e-mail accounts (通行证), like CET (seed 002). */
export async function makeEmailExam(db: Db): Promise<ExamFixture> {
  const exam = await makeExam(db);
  await db.updateTable('exam').set({ account_style: 'EMAIL', code: 'CET' }).where('id', '=', exam.examId).execute();
  return exam;
}

/** A fresh 居民身份证 number with a real birth date and check character, different on every call. */
export function newResidentId(): string {
  const n = ++seq;
  const first17 = `4401061998${String(1 + (n % 12)).padStart(2, '0')}${String(1 + (Math.floor(n / 12) % 28)).padStart(2, '0')}${String(n % 1000).padStart(3, '0')}`;
  return first17 + residentIdCheckChar(first17);
}

export interface SignUp {
  authority: string;
  email: string;
  password: string;
  name: string;
  idType: 'RESIDENT_ID' | 'PASSPORT' | 'HK_MACAO_PERMIT' | 'TAIWAN_PERMIT';
  idNumber: string;
  exam?: string;
}

export function signUpData(authority: string, over: Partial<SignUp> = {}): SignUp {
  const n = ++seq;
  return { authority, email: `cand${n}.${process.pid}@example.cn`, password: 'Cet2026!pass', name: `考生${n}`, idType: 'RESIDENT_ID', idNumber: newResidentId(), ...over };
}

export async function signUp(b: Browser, data: SignUp) {
  return b.post('/api/v1/accounts', { ...data, ...(await b.captcha()) });
}

export async function signInByEmail(b: Browser, authority: string, email: string, password: string) {
  return b.post('/api/v1/session', { authority, email, password, ...(await b.captcha()) });
}

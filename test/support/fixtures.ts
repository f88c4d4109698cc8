import type { Db } from '../../src/db/database.ts';
import { sealCandidateIdentity } from '../../src/modules/accounts/candidate-identity.ts';
import { hashPassword } from '../../src/modules/accounts/password.ts';
import { residentIdCheckChar } from '../../src/shared/resident-id.ts';
import { TEST_PERSONAL_DATA } from './test-keys.ts';
import { recordSecret } from './test-log.ts';

let seq = 0;
let cachedHash: Promise<string> | undefined;

export interface ExamFixture {
  authorityId: bigint;
  authorityCode: string;
  examId: bigint;
  sittingId: bigint;
  subjectIds: bigint[];
  fees: bigint[];
}

/** An authority with one exam, sitting and subjects; each call makes new codes. */
export async function makeExam(db: Db, opts: { fees?: bigint[]; timeoutMinutes?: number; channels?: string[] } = {}): Promise<ExamFixture> {
  const n = ++seq;
  const fees = opts.fees ?? [8000n, 6500n];
  const authority = await db.insertInto('authority').values({ code: `A${n}${process.pid}`, name: `考试院${n}` }).returning(['id', 'code']).executeTakeFirstOrThrow();
  const exam = await db.insertInto('exam').values({
    authority_id: authority.id, code: 'TK', name: '网络教育统考', initial_password_rule: 'ID_LAST6', initial_password_fixed: null,
    bill_timeout_minutes: opts.timeoutMinutes ?? 30, channels: opts.channels ?? ['alipay'],
  }).returning('id').executeTakeFirstOrThrow();
  const sitting = await db.insertInto('sitting').values({ exam_id: exam.id, code: '2026-03', name: '2026年3月' }).returning('id').executeTakeFirstOrThrow();
  const subjects = await db.insertInto('subject').values(fees.map((fee, i) => ({ sitting_id: sitting.id, code: `S${i}`, name: `科目${i}`, fee_fen: fee }))).returning('id').execute();
  return { authorityId: authority.id, authorityCode: authority.code, examId: exam.id, sittingId: sitting.id, subjectIds: subjects.map((s) => s.id), fees };
}

export interface CandidateFixture {
  candidateId: bigint;
  idNumber: string;
  phone: string;
  password: string;
  registrationIds: bigint[];
}

/** A candidate registered for every subject of the exam (password already changed unless asked). */
/** Registrations are dated `at` — by default the start of the tests' ManualClock. */
export async function makeCandidate(db: Db, exam: ExamFixture, opts: { mustChangePassword?: boolean; owner?: 'CANDIDATE' | 'INSTITUTION'; at?: Date } = {}): Promise<CandidateFixture> {
  const n = ++seq;
  // A real birth date (1960-01-01 + n days, so 11–66 years old at the tests' clock) and a sequence number: valid and unique.
  const born = new Date(Date.UTC(1960, 0, 1) + (n % 20_000) * 86_400_000).toISOString().slice(0, 10).replaceAll('-', '');
  const first17 = `110105${born}${String(Math.floor(n / 20_000) % 1000).padStart(3, '0')}`;
  const idNumber = first17 + residentIdCheckChar(first17);
  const phone = `139${String(process.pid % 10_000).padStart(4, '0')}${String(n % 10_000).padStart(4, '0')}`;
  const password = opts.mustChangePassword ? idNumber.slice(-6) : 'Exam2026pass';
  // The run's log audit fails on any of these in a log line (test-log.ts).
  recordSecret('ID number', idNumber);
  recordSecret('phone', phone);
  recordSecret('password', password);
  cachedHash ??= hashPassword('Exam2026pass');
  const candidate = await db.insertInto('candidate').values({
    authority_id: exam.authorityId, exam_id: exam.examId, ...sealCandidateIdentity(TEST_PERSONAL_DATA, { idNumber, phone }), name: `考生${n}`,
    password_hash: opts.mustChangePassword ? await hashPassword(password) : await cachedHash,
    must_change_password: opts.mustChangePassword ?? false,
  }).returning('id').executeTakeFirstOrThrow();
  // An exam configured through the console may have no subjects given here: then no registrations.
  const regs = exam.subjectIds.length === 0 ? [] : await db.insertInto('registration').values(exam.subjectIds.map((s) => ({
    candidate_id: candidate.id, sitting_id: exam.sittingId, subject_id: s, created_at: opts.at ?? new Date('2026-03-15T01:00:00Z'), ...(opts.owner ? { owner: opts.owner } : {}),
  }))).returning('id').execute();
  return { candidateId: candidate.id, idNumber, phone, password, registrationIds: regs.map((r) => r.id) };
}

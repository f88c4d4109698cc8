import type { DbOrTrx } from '../../db/database.ts';
import { describePolicy, policyOfExam, type PasswordPolicy, type PolicyRule } from './password-policy.ts';

export interface PolicyView extends PasswordPolicy {
  caseSensitive: true;
  rules: PolicyRule[];
  summaryZh: string;
  summaryEn: string;
}

export function policyView(policy: PasswordPolicy): PolicyView {
  return { ...policy, caseSensitive: true, ...describePolicy(policy) };
}

const POLICY_COLUMNS = ['e.password_min_length', 'e.password_max_length', 'e.password_required_classes', 'e.password_special_characters'] as const;

/** The policy a page shows before anyone is signed in (first sign-in, a reset link). */
export async function examPolicy(db: DbOrTrx, authorityCode: string, examCode: string): Promise<PasswordPolicy | undefined> {
  const exam = await db.selectFrom('exam as e').innerJoin('authority as a', 'a.id', 'e.authority_id').select(POLICY_COLUMNS)
    .where('a.code', '=', authorityCode).where('e.code', '=', examCode).executeTakeFirst();
  return exam && policyOfExam(exam);
}

/** The policy of the exam whose rules a candidate's account follows. */
export async function candidatePolicy(db: DbOrTrx, examId: bigint): Promise<PasswordPolicy> {
  return policyOfExam(await db.selectFrom('exam as e').select(POLICY_COLUMNS).where('e.id', '=', examId).executeTakeFirstOrThrow());
}

import { CloseCircleFilled } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../../api/client.ts';
import { pick } from './shared.tsx';

/** The password policy (ACC-3) as the server states it, rule by rule, each with the problem codes it answers for. */
export interface Policy {
  rules: { codes: string[]; zh: string; en: string }[];
  summaryZh: string;
  summaryEn: string;
}

/** The problem codes of a PASSWORD_POLICY refusal (none for any other answer). */
export function brokenRules(error: unknown): string[] {
  return error instanceof ApiError && error.code === 'PASSWORD_POLICY' && Array.isArray(error.details.problems) ? (error.details.problems as string[]) : [];
}

/** The rules, with those a refused password broke marked in words, not only in colour. */
export function PolicyRules({ policy, broken }: { policy: Policy; broken: string[] }) {
  const { t, i18n } = useTranslation('account');
  return (
    <ul id="policy-rules" aria-live="polite" style={{ paddingLeft: '1.2em' }}>
      {policy.rules.map((r) => {
        const isBroken = r.codes.some((c) => broken.includes(c));
        return (
          <li key={r.codes.join(' ')} data-codes={r.codes.join(' ')} className={isBroken ? 'broken' : undefined}
            style={{ color: isBroken ? '#a8071a' : '#262626', fontWeight: isBroken ? 600 : 400, listStyle: isBroken ? 'none' : 'disc', marginBottom: 4 }}>
            {isBroken ? <CloseCircleFilled aria-hidden style={{ marginLeft: '-1.2em', marginRight: 6 }} /> : null}
            {pick(i18n.language, r)}
            {isBroken ? <span> {t('password.notMet')}</span> : null}
          </li>
        );
      })}
    </ul>
  );
}

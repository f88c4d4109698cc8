import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Skeleton, Typography } from 'antd';
import { CloseCircleFilled } from '@ant-design/icons';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { ApiError, get, post } from '../../../api/client.ts';
import { ErrorAlert } from '../../../components/ErrorAlert.tsx';
import { CandidatePage, ME_KEY, type Me } from '../../../session/candidate.tsx';
import { pick, RefusalAlert, safeNext, useSessionLossRedirect } from './shared.tsx';

/** GET /api/v1/me/password-policy: the exam's rules, each with the problem codes it answers for. */
interface Policy {
  rules: { codes: string[]; zh: string; en: string }[];
  summaryZh: string;
  summaryEn: string;
}

/** 修改密码: the forced first change (ACC-2) and a voluntary one, with the exam's rules from the server (ACC-3). */
export function PasswordPage() {
  return <CandidatePage>{(me) => <PasswordForm me={me} />}</CandidatePage>;
}

function PasswordForm({ me }: { me: Me }) {
  const { t, i18n } = useTranslation('account');
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const forced = me.mustChangePassword;
  const policy = useQuery({ queryKey: ['password-policy', me.candidateId], queryFn: () => get<Policy>('/api/v1/me/password-policy') });
  const [form] = Form.useForm<{ current: string; next: string; again: string }>();
  const [error, setError] = useState<unknown>(null);
  const [broken, setBroken] = useState<string[]>([]);
  const [changed, setChanged] = useState(false);
  const [busy, setBusy] = useState(false);

  useSessionLossRedirect(policy.error, error);

  const submit = async (v: { current: string; next: string }) => {
    setBusy(true);
    setError(null);
    setChanged(false);
    try {
      await post('/api/v1/me/password', { currentPassword: v.current, newPassword: v.next });
      setBroken([]);
      form.resetFields();
      await qc.invalidateQueries({ queryKey: ME_KEY });
      if (forced) navigate(safeNext(params.get('next')), { replace: true });
      else setChanged(true);
    } catch (e) {
      setBroken(e instanceof ApiError && e.code === 'PASSWORD_POLICY' && Array.isArray(e.details.problems) ? (e.details.problems as string[]) : []);
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{forced ? t('password.forcedTitle') : t('password.title')}</Typography.Title>
      {forced ? <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={t('password.forcedIntro')} /> : null}
      {changed ? <Alert type="success" showIcon role="status" style={{ marginBottom: 16 }} title={t('password.changed')} /> : null}
      <RefusalAlert error={error} />
      <Card>
        <Typography.Title level={2} style={{ fontSize: 17 }}>{t('password.rulesTitle')}</Typography.Title>
        {policy.isPending ? <Skeleton active paragraph={{ rows: 3 }} /> : null}
        {policy.isError ? <ErrorAlert error={policy.error} /> : null}
        {policy.data ? (
          <ul id="policy-rules" aria-live="polite" style={{ paddingLeft: '1.2em' }}>
            {policy.data.rules.map((r) => {
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
        ) : null}
        <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => void submit(v)}>
          <Form.Item name="current" label={forced ? t('password.currentInitial') : t('password.current')} rules={[{ required: true, message: t('fields.passwordRequired') }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Form.Item name="next" label={t('fields.newPassword')} rules={[{ required: true, message: t('fields.passwordRequired') }]}>
            <Input.Password autoComplete="new-password" aria-describedby="policy-rules" />
          </Form.Item>
          <Form.Item name="again" label={t('fields.again')} dependencies={['next']}
            rules={[{ required: true, message: t('fields.passwordRequired') },
              ({ getFieldValue }) => ({ validator: (_, value) => (!value || getFieldValue('next') === value ? Promise.resolve() : Promise.reject(new Error(t('fields.mismatch')))) })]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Button id="password-submit" type="primary" htmlType="submit" block size="large" loading={busy}>{t('password.submit')}</Button>
        </Form>
        {forced ? null : <p style={{ marginTop: 12, color: '#595959' }}>{t('password.othersSignedOut')}</p>}
      </Card>
    </>
  );
}

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Skeleton, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { get, post } from '../../../api/client.ts';
import { ErrorAlert } from '../../../components/ErrorAlert.tsx';
import { CandidatePage, ME_KEY, type Me } from '../../../session/candidate.tsx';
import { brokenRules, PolicyRules, type Policy } from './PolicyRules.tsx';
import { RefusalAlert, safeNext, useSessionLossRedirect } from './shared.tsx';


/** 修改密码: the forced first change (ACC-2) and a voluntary one, with the exam's rules from the server (ACC-3). */
export function PasswordPage() {
  return <CandidatePage>{(me) => <PasswordForm me={me} />}</CandidatePage>;
}

function PasswordForm({ me }: { me: Me }) {
  const { t } = useTranslation('account');
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
      setBroken(brokenRules(e));
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
        {policy.data ? <PolicyRules policy={policy.data} broken={broken} /> : null}
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

import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Form, Input, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { post } from '../../../api/client.ts';
import { CandidatePage, ME_KEY, type Me } from '../../../session/candidate.tsx';
import { RefusalAlert, StateTag, useSessionLossRedirect } from './shared.tsx';

/** 账户: who is signed in (masked, OPS-6), the account style and its e-mail (ACC-1, ACC-5). */
export function AccountPage() {
  return <CandidatePage>{(me) => <Account me={me} />}</CandidatePage>;
}

function Account({ me }: { me: Me }) {
  const { t } = useTranslation('account');
  const qc = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [sent, setSent] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ email: string; currentPassword: string }>();

  const run = async (action: () => Promise<{ email: string }>) => {
    setBusy(true);
    setError(null);
    setSent(null);
    try {
      setSent((await action()).email);
      form.resetFields();
      await qc.invalidateQueries({ queryKey: ME_KEY });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  useSessionLossRedirect(error);
  const emailState = me.email
    ? <>{me.email} {me.emailVerified ? <StateTag tone="success">{t('account.verified')}</StateTag> : <StateTag tone="warning">{t('account.unverified')}</StateTag>}</>
    : t('account.noEmail');

  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('account.title')}</Typography.Title>
      <Card>
        <Descriptions column={1} bordered size="small" items={[
          { key: 'name', label: t('fields.name'), children: me.name },
          { key: 'id', label: t('fields.idNumber'), children: me.idNumberMasked },
          ...(me.phoneMasked ? [{ key: 'phone', label: t('account.phone'), children: me.phoneMasked }] : []),
          { key: 'style', label: t('account.style'), children: me.accountType === 'EMAIL' ? t('account.styleEmail') : t('account.styleId') },
          { key: 'email', label: me.accountType === 'EMAIL' ? t('account.loginEmail') : t('account.contactEmail'), children: <span id="account-email">{emailState}</span> },
        ]} />
        <p style={{ marginTop: 16 }}><Link to="/account/password">{t('account.changePassword')}</Link></p>
      </Card>

      <Typography.Title level={2} style={{ fontSize: 18, marginTop: 24 }}>{me.accountType === 'EMAIL' ? t('account.verifyTitle') : t('account.contactTitle')}</Typography.Title>
      <RefusalAlert error={error} />
      {sent ? <Alert type="success" showIcon role="status" style={{ marginBottom: 16 }} title={me.accountType === 'EMAIL' ? t('account.resent', { email: sent }) : t('account.contactSent', { email: sent })} /> : null}
      <Card>
        {me.accountType === 'EMAIL' ? (
          me.emailVerified ? <p style={{ margin: 0 }}>{t('account.emailVerifiedText')}</p> : (
            <>
              <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={t('account.unverifiedText', { email: me.email ?? '' })} />
              <Button loading={busy} onClick={() => void run(() => post<{ email: string }>('/api/v1/me/email-verification', {}))}>{t('account.resend')}</Button>
            </>
          )
        ) : (
          <>
            <p style={{ marginTop: 0, color: '#434343' }}>{t('account.contactIntro')}</p>
            <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => void run(() => post<{ email: string }>('/api/v1/me/email', { email: v.email.trim(), currentPassword: v.currentPassword }))}>
              <Form.Item name="email" label={t('account.newContactEmail')} rules={[{ required: true, whitespace: true, message: t('fields.emailRequired') }]}>
                <Input type="email" autoComplete="email" inputMode="email" />
              </Form.Item>
              <Form.Item name="currentPassword" label={t('password.current')} rules={[{ required: true, message: t('fields.passwordRequired') }]}>
                <Input.Password autoComplete="current-password" />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={busy}>{t('account.sendConfirmation')}</Button>
            </Form>
          </>
        )}
      </Card>
    </>
  );
}

import { useQueryClient } from '@tanstack/react-query';
import { Button, Card, Form, Input, Result, Spin, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, post } from '../../../api/client.ts';
import { AppLayout } from '../../../layout/AppLayout.tsx';
import { ME_KEY } from '../../../session/candidate.tsx';
import { LinkButton, RefusalAlert, takeFragmentToken } from './shared.tsx';

const RESET_KEY = 'exampay.resetToken';

function Notice({ ok, title, text }: { ok: boolean; title: string; text: string }) {
  const { t } = useTranslation('account');
  return (
    <Result status={ok ? 'success' : 'warning'} title={<h2 id="notice-title" style={{ fontSize: 20, margin: 0 }}>{title}</h2>}
      subTitle={<p id="notice-text" style={{ color: '#434343' }}>{text}</p>}
      extra={<LinkButton to="/sign-in" type="primary">{t('notice.toSignIn')}</LinkButton>} />
  );
}

/**
 * /verify-email#token=… (ACC-1): the mailed verification link. The token is used at once, and
 * leaves the address bar before anything else happens.
 */
export function VerifyEmailPage() {
  const { t, i18n } = useTranslation('account');
  const [state, setState] = useState<{ kind: 'pending' } | { kind: 'ok'; email: string } | { kind: 'failed'; error: unknown } | { kind: 'none' }>({ kind: 'pending' });
  const started = useRef(false);
  const qc = useQueryClient();
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    const token = takeFragmentToken('exampay.verifyToken');
    // Single use: it must not be sent again on a Refresh.
    sessionStorage.removeItem('exampay.verifyToken');
    if (!token) { setState({ kind: 'none' }); return; }
    post<{ email: string }>('/api/v1/email-verifications', { token })
      .then((r) => {
        setState({ kind: 'ok', email: r.email });
        // A signed-in candidate's page must now show the address as verified.
        void qc.invalidateQueries({ queryKey: ME_KEY });
      }, (e: unknown) => setState({ kind: 'failed', error: e }));
  }, [qc]);
  return (
    <AppLayout>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('verify.title')}</Typography.Title>
      <Card>
        {state.kind === 'pending' ? <Spin aria-label={t('verify.checking')} /> : null}
        {state.kind === 'ok' ? <Notice ok title={t('verify.done')} text={t('verify.doneText', { email: state.email })} /> : null}
        {state.kind === 'failed' ? (
          <Notice ok={false} title={t('verify.failed')} text={state.error instanceof ApiError ? state.error.text(i18n.language) : String(state.error)} />
        ) : null}
        {state.kind === 'none' ? <Notice ok={false} title={t('verify.noLink')} text={t('verify.noLinkText')} /> : null}
      </Card>
    </AppLayout>
  );
}

/** /reset#token=… (ACC-5): choose a new password with the mailed link; every session ends. */
export function ResetPage() {
  const { t } = useTranslation('account');
  const [token] = useState(() => takeFragmentToken(RESET_KEY));
  const [form] = Form.useForm<{ password: string; again: string }>();
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const qc = useQueryClient();
  const submit = async (v: { password: string; again: string }) => {
    setBusy(true);
    setError(null);
    try {
      await post('/api/v1/password-resets/confirm', { token, newPassword: v.password });
      sessionStorage.removeItem(RESET_KEY);
      // Every session of the account ended with the reset: nothing signed-in stays in this tab.
      qc.clear();
      setDone(true);
    } catch (e) {
      if (e instanceof ApiError && (e.code === 'RESET_LINK_INVALID' || e.code === 'RESET_LINK_EXPIRED')) sessionStorage.removeItem(RESET_KEY);
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <AppLayout>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('reset.title')}</Typography.Title>
      {done ? <Card><Notice ok title={t('reset.done')} text={t('reset.doneText')} /></Card> : !token ? (
        <Card>
          <Result status="warning" title={<h2 style={{ fontSize: 20, margin: 0 }}>{t('reset.noLink')}</h2>} subTitle={t('reset.noLinkText')}
            extra={<LinkButton to="/forgot" type="primary">{t('forgot.link')}</LinkButton>} />
        </Card>
      ) : (
        <>
          <p style={{ color: '#434343' }}>{t('reset.intro')}</p>
          <RefusalAlert error={error} />
          <Card>
            <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => void submit(v)}>
              <Form.Item name="password" label={t('fields.newPassword')} rules={[{ required: true, message: t('fields.passwordRequired') }]}>
                <Input.Password autoComplete="new-password" />
              </Form.Item>
              <Form.Item name="again" label={t('fields.again')} dependencies={['password']}
                rules={[{ required: true, message: t('fields.passwordRequired') },
                  ({ getFieldValue }) => ({ validator: (_, value) => (!value || getFieldValue('password') === value ? Promise.resolve() : Promise.reject(new Error(t('fields.mismatch')))) })]}>
                <Input.Password autoComplete="new-password" />
              </Form.Item>
              <Button type="primary" htmlType="submit" block size="large" loading={busy}>{t('reset.submit')}</Button>
            </Form>
          </Card>
        </>
      )}
    </AppLayout>
  );
}

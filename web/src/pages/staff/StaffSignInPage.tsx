import { useQueryClient } from '@tanstack/react-query';
import { Button, Card, Form, Input, Typography } from 'antd';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useSearchParams } from 'react-router';
import { post } from '../../api/client.ts';
import { Captcha, type CaptchaHandle } from '../../components/Captcha.tsx';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { AppLayout } from '../../layout/AppLayout.tsx';
import { staffMeKey, type StaffMe, type StaffSurface } from '../../session/staff.tsx';

/** Only a path inside this console may be the way back after signing in (no open redirect). */
export function safeNext(next: string | null, base: string): string {
  return next && next.startsWith(`${base}`) && !next.startsWith('//') ? next : base;
}

/** Sign-in of the authority's console (/admin) or an institution's (/institution). */
export function StaffSignInPage({ surface }: { surface: StaffSurface }) {
  const { t } = useTranslation('staff');
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const qc = useQueryClient();
  const captcha = useRef<CaptchaHandle>(null);
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const onFinish = async (v: { authority: string; loginName: string; password: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      const me = await post<StaffMe>(`/api/v1/${surface}/session`, { ...v, authority: v.authority.trim(), loginName: v.loginName.trim(), ...captcha.current!.fields() });
      qc.setQueryData(staffMeKey(surface), me);
      navigate(safeNext(params.get('next'), `/${surface}`), { replace: true });
    } catch (e) {
      setError(e);
      captcha.current?.renew();
    } finally {
      setBusy(false);
    }
  };
  return (
    <AppLayout>
      <Card style={{ maxWidth: 440, margin: '0 auto' }}>
        <Typography.Title level={1} style={{ fontSize: 22 }}>{surface === 'admin' ? t('signIn.adminTitle') : t('signIn.institutionTitle')}</Typography.Title>
        <ErrorAlert error={error} />
        <Form layout="vertical" onFinish={(v) => void onFinish(v)} requiredMark={false}>
          <Form.Item name="authority" label={t('signIn.authority')} rules={[{ required: true, message: t('signIn.required') }]}>
            <Input id="staff-authority" autoComplete="organization" />
          </Form.Item>
          <Form.Item name="loginName" label={t('signIn.loginName')} rules={[{ required: true, message: t('signIn.required') }]}>
            <Input id="staff-login" autoComplete="username" />
          </Form.Item>
          <Form.Item name="password" label={t('signIn.password')} rules={[{ required: true, message: t('signIn.required') }]}>
            <Input.Password id="staff-password" autoComplete="current-password" />
          </Form.Item>
          <Form.Item>
            <Captcha ref={captcha} />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>{t('signIn.submit')}</Button>
        </Form>
      </Card>
    </AppLayout>
  );
}

/** The forced first change, and a voluntary one: the server's policy words come back as refusals. */
export function StaffPasswordPage({ surface }: { surface: StaffSurface }) {
  const { t } = useTranslation('staff');
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const qc = useQueryClient();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const onFinish = async (v: { currentPassword: string; newPassword: string; again: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      await post(`/api/v1/${surface}/me/password`, { currentPassword: v.currentPassword, newPassword: v.newPassword });
      // Other sessions ended; this one goes on, now without the forced change.
      qc.setQueryData<StaffMe | null>(staffMeKey(surface), (me) => (me ? { ...me, mustChangePassword: false } : me));
      await qc.invalidateQueries({ queryKey: staffMeKey(surface) });
      navigate(safeNext(params.get('next'), `/${surface}`), { replace: true });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <AppLayout>
      <Card style={{ maxWidth: 440, margin: '0 auto' }}>
        <Typography.Title level={1} style={{ fontSize: 22 }}>{t('password.title')}</Typography.Title>
        <Typography.Paragraph>{t('password.policy')}</Typography.Paragraph>
        <ErrorAlert error={error} />
        <Form layout="vertical" onFinish={(v) => void onFinish(v)} requiredMark={false}>
          <Form.Item name="currentPassword" label={t('password.current')} rules={[{ required: true, message: t('signIn.required') }]}>
            <Input.Password id="staff-current-password" autoComplete="current-password" />
          </Form.Item>
          <Form.Item name="newPassword" label={t('password.new')} rules={[{ required: true, message: t('signIn.required') }]}>
            <Input.Password id="staff-new-password" autoComplete="new-password" />
          </Form.Item>
          <Form.Item name="again" label={t('password.again')} dependencies={['newPassword']}
            rules={[{ required: true, message: t('signIn.required') }, ({ getFieldValue }) => ({ validator: (_, v) => (v === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error(t('password.mismatch')))) })]}>
            <Input.Password id="staff-new-password-again" autoComplete="new-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>{t('password.submit')}</Button>
        </Form>
      </Card>
    </AppLayout>
  );
}

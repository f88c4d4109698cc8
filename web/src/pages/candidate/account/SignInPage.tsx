import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Tabs, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { ApiError, post } from '../../../api/client.ts';
import { AppLayout } from '../../../layout/AppLayout.tsx';
import { ME_KEY, useMe, useSignOut, type Me } from '../../../session/candidate.tsx';
import { CaptchaField, initialAuthority, RefusalAlert, rememberAuthority, safeNext, useCaptcha } from './shared.tsx';

interface Lock { until: string; endsAt: number }

/** Seconds left until `endsAt`, ticking once a second while there is a lock. */
function useSecondsLeft(lock: Lock | null): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!lock) return undefined;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [lock]);
  return lock ? Math.max(0, Math.ceil((lock.endsAt - now) / 1000)) : 0;
}

/**
 * 考生登录 (ACC-1, ACC-4, ACC-7): the ID-document style (authority + ID number + password) and
 * the 通行证 style (authority + e-mail + password), both with the image captcha. The style is in
 * the address (?style=email), so Refresh and Back keep it; ?next= is where to go afterwards.
 */
export function SignInPage() {
  const { t } = useTranslation('account');
  const [params, setParams] = useSearchParams();
  const style = params.get('style') === 'email' ? 'email' : 'id';
  const next = safeNext(params.get('next'));
  const [form] = Form.useForm();
  const captcha = useCaptcha(form);
  const [error, setError] = useState<unknown>(null);
  const [attemptsLeft, setAttemptsLeft] = useState<number | null>(null);
  const [lock, setLock] = useState<Lock | null>(null);
  const [busy, setBusy] = useState(false);
  const secondsLeft = useSecondsLeft(lock);
  const locked = lock !== null && secondsLeft > 0;
  const qc = useQueryClient();
  const navigate = useNavigate();
  const me = useMe();
  const signOut = useSignOut();

  const submit = async (v: { authority: string; idNumber?: string; email?: string; password: string; captcha: string }) => {
    setBusy(true);
    setError(null);
    setAttemptsLeft(null);
    try {
      const who = style === 'email' ? { email: (v.email ?? '').trim() } : { idNumber: (v.idNumber ?? '').trim() };
      const signedIn = await post<Me>('/api/v1/session', { authority: v.authority.trim(), ...who, password: v.password, captchaId: captcha.id, captchaAnswer: v.captcha.trim() });
      rememberAuthority(v.authority.trim());
      // A new sign-in replaces whoever was signed in (ACC-7): nothing of theirs stays in the page.
      qc.clear();
      qc.setQueryData(ME_KEY, signedIn);
      navigate(signedIn.mustChangePassword ? `/account/password?next=${encodeURIComponent(next)}` : next, { replace: true });
    } catch (e) {
      await captcha.refresh();
      if (e instanceof ApiError && (e.code === 'ACCOUNT_LOCKED' || e.code === 'SIGN_IN_THROTTLED')) {
        setLock({ until: String(e.details.lockedUntilShanghai ?? ''), endsAt: Date.now() + Number(e.details.retryAfterSeconds ?? 0) * 1000 });
      }
      if (e instanceof ApiError && e.code === 'BAD_CREDENTIALS' && typeof e.details.attemptsLeft === 'number') setAttemptsLeft(e.details.attemptsLeft);
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const setStyle = (key: string) => {
    const p = new URLSearchParams(params);
    if (key === 'email') p.set('style', 'email'); else p.delete('style');
    setParams(p, { replace: true });
    setError(null);
  };

  const fields = (
    <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => void submit(v)} initialValues={{ authority: initialAuthority(params) }}>
      <Form.Item name="authority" label={t('fields.authority')} extra={t('fields.authorityHint')}
        rules={[{ required: true, whitespace: true, message: t('fields.authorityRequired') }]}>
        <Input autoComplete="organization" autoCapitalize="characters" />
      </Form.Item>
      {style === 'email' ? (
        <Form.Item name="email" label={t('fields.email')} rules={[{ required: true, whitespace: true, message: t('fields.emailRequired') }]}>
          <Input type="email" autoComplete="username" inputMode="email" />
        </Form.Item>
      ) : (
        <Form.Item name="idNumber" label={t('fields.idNumber')} extra={t('fields.idNumberHint')} rules={[{ required: true, whitespace: true, message: t('fields.idNumberRequired') }]}>
          <Input autoComplete="username" />
        </Form.Item>
      )}
      <Form.Item name="password" label={t('fields.password')} extra={style === 'id' ? t('signIn.initialPasswordHint') : undefined}
        rules={[{ required: true, message: t('fields.passwordRequired') }]}>
        <Input.Password autoComplete="current-password" />
      </Form.Item>
      <CaptchaField captcha={captcha} />
      {locked ? (
        <p id="lockout" role="status" style={{ color: '#a8071a', fontWeight: 600 }}>
          {t('signIn.lockout', { until: lock.until, min: Math.floor(secondsLeft / 60), sec: secondsLeft % 60 })}
        </p>
      ) : null}
      <Button id="signin-submit" type="primary" htmlType="submit" block size="large" loading={busy} disabled={locked}>{t('signIn.submit')}</Button>
    </Form>
  );

  return (
    <AppLayout>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('signIn.title')}</Typography.Title>
      {me.data ? (
        <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('signIn.alreadySignedIn', { name: me.data.name })}
          description={<><Link to={next}>{t('signIn.continue')}</Link> · <Button type="link" style={{ padding: 0 }} onClick={() => void signOut()}>{t('signIn.signOutFirst')}</Button></>} />
      ) : null}
      <RefusalAlert error={error} extra={attemptsLeft ? <div id="attempts-left">{t('signIn.attemptsLeft', { n: attemptsLeft })}</div> : undefined} />
      <Card>
        <Tabs activeKey={style} onChange={setStyle} items={[
          { key: 'id', label: t('signIn.styleId'), children: style === 'id' ? fields : null },
          { key: 'email', label: t('signIn.styleEmail'), children: style === 'email' ? <><p style={{ color: '#595959', marginTop: 0 }}>{t('signIn.emailHint')}</p>{fields}</> : null },
        ]} />
        <nav aria-label={t('signIn.moreLabel')} style={{ marginTop: 16, display: 'flex', flexWrap: 'wrap', gap: '8px 16px' }}>
          <Link to="/forgot">{t('forgot.link')}</Link>
          <Link to="/recover">{t('recover.link')}</Link>
          <Link to="/sign-up">{t('signUp.link')}</Link>
          <Link to="/link-appeal">{t('signIn.linkAppeal')}</Link>
        </nav>
      </Card>
    </AppLayout>
  );
}

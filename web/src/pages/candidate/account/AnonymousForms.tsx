import { useQuery } from '@tanstack/react-query';
import { Button, Card, Form, Input, Result, Select, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { get, post } from '../../../api/client.ts';
import { AppLayout } from '../../../layout/AppLayout.tsx';
import { brokenRules, PolicyRules, type Policy } from './PolicyRules.tsx';
import { CaptchaField, initialAuthority, LinkButton, pick, RefusalAlert, rememberAuthority, useCaptcha } from './shared.tsx';

type Bilingual = { zh: string; en: string };

/** What a sent form answered: the server's own words (which never say whether an account exists). */
function Sent({ title, text }: { title: string; text: string }) {
  const { t } = useTranslation('account');
  return (
    <Result status="success" title={<h2 id="notice-title" style={{ fontSize: 20, margin: 0 }}>{title}</h2>} subTitle={<p id="notice-text" style={{ color: '#434343' }}>{text}</p>}
      extra={<LinkButton to="/sign-in" type="primary">{t('notice.toSignIn')}</LinkButton>} />
  );
}

/**
 * One anonymous account form with the captcha (ACC-4): sends, then shows the server's answer in
 * place of the form. A refused answer used the captcha up, so a new one comes before the words.
 */
function useCaptchaForm<V extends { captcha: string }>(send: (values: V, captcha: { captchaId: string; captchaAnswer: string }) => Promise<Bilingual>) {
  const [form] = Form.useForm<V>();
  const captcha = useCaptcha(form);
  const [error, setError] = useState<unknown>(null);
  const [answer, setAnswer] = useState<Bilingual | null>(null);
  const [busy, setBusy] = useState(false);
  const onFinish = async (values: V) => {
    setBusy(true);
    setError(null);
    try {
      setAnswer(await send(values, { captchaId: captcha.id, captchaAnswer: values.captcha.trim() }));
    } catch (e) {
      await captcha.refresh();
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return { form, captcha, error, answer, busy, onFinish };
}

function Page({ title, intro, children }: { title: string; intro: string; children: React.ReactNode }) {
  return (
    <AppLayout>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{title}</Typography.Title>
      <p style={{ color: '#434343' }}>{intro}</p>
      {children}
    </AppLayout>
  );
}

function AuthorityField() {
  const { t } = useTranslation('account');
  return (
    <Form.Item name="authority" label={t('fields.authority')} extra={t('fields.authorityHint')} rules={[{ required: true, whitespace: true, message: t('fields.authorityRequired') }]}>
      <Input autoComplete="organization" />
    </Form.Item>
  );
}

function BackToSignIn() {
  const { t } = useTranslation('account');
  return <p style={{ marginTop: 16 }}><Link to="/sign-in">{t('notice.backToSignIn')}</Link></p>;
}

const ID_TYPES = ['RESIDENT_ID', 'PASSPORT', 'HK_MACAO_PERMIT', 'TAIWAN_PERMIT'] as const;

/** 注册通行证 (ACC-1, seed 002): an e-mail account, verified by the mailed link before subjects can be registered. */
export function SignUpPage() {
  const { t, i18n } = useTranslation('account');
  const [params] = useSearchParams();
  // A link from the exam's notice may name it (?authority=&exam=): then its own rules are shown before typing.
  const named = { authority: params.get('authority'), exam: params.get('exam') };
  const policy = useQuery({
    queryKey: ['exam-password-policy', named.authority, named.exam],
    queryFn: () => get<Policy>(`/api/v1/authorities/${encodeURIComponent(named.authority ?? '')}/exams/${encodeURIComponent(named.exam ?? '')}/password-policy`),
    enabled: Boolean(named.authority && named.exam),
  });
  const f = useCaptchaForm<{ authority: string; email: string; password: string; name: string; idType: string; idNumber: string; captcha: string }>(async (v, captcha) => {
    const r = await post<{ email: string; message: Bilingual }>('/api/v1/accounts', {
      authority: v.authority.trim(), ...(params.get('exam') ? { exam: params.get('exam') } : {}), email: v.email.trim(), password: v.password,
      name: v.name.trim(), idType: v.idType, idNumber: v.idNumber.trim(), ...captcha,
    });
    rememberAuthority(v.authority.trim());
    return { zh: `${r.email}：${r.message.zh}`, en: `${r.email}: ${r.message.en}` };
  });
  return (
    <Page title={t('signUp.title')} intro={t('signUp.intro')}>
      {f.answer ? <Sent title={t('notice.checkMail')} text={pick(i18n.language, f.answer)} /> : (
        <>
          <RefusalAlert error={f.error} />
          <Card>
            <Form form={f.form} layout="vertical" requiredMark={false} onFinish={(v) => void f.onFinish(v)} initialValues={{ authority: initialAuthority(params), idType: 'RESIDENT_ID' }}>
              <AuthorityField />
              <Form.Item name="email" label={t('fields.email')} extra={t('signUp.emailHint')} rules={[{ required: true, whitespace: true, message: t('fields.emailRequired') }]}>
                <Input type="email" autoComplete="email" inputMode="email" />
              </Form.Item>
              <Form.Item name="password" label={t('fields.password')} extra={policy.data ? undefined : t('signUp.passwordHint')} rules={[{ required: true, message: t('fields.passwordRequired') }]}>
                <Input.Password autoComplete="new-password" aria-describedby={policy.data ? 'policy-rules' : undefined} />
              </Form.Item>
              {policy.data ? <><div style={{ marginTop: -12 }}>{t('password.rulesTitle')}</div><PolicyRules policy={policy.data} broken={brokenRules(f.error)} /></> : null}
              <Form.Item name="name" label={t('fields.name')} rules={[{ required: true, whitespace: true, message: t('fields.nameRequired') }]}>
                <Input autoComplete="name" />
              </Form.Item>
              <Form.Item name="idType" label={t('fields.idType')}>
                <Select options={ID_TYPES.map((k) => ({ value: k, label: t(`idTypes.${k}`) }))} />
              </Form.Item>
              <Form.Item name="idNumber" label={t('fields.idNumber')} rules={[{ required: true, whitespace: true, message: t('fields.idNumberRequired') }]}>
                <Input autoComplete="off" />
              </Form.Item>
              <CaptchaField captcha={f.captcha} />
              <Button type="primary" htmlType="submit" block size="large" loading={f.busy}>{t('signUp.submit')}</Button>
            </Form>
          </Card>
          <BackToSignIn />
        </>
      )}
    </Page>
  );
}

/** 忘记密码 (ACC-5): a reset link to the e-mail on file; the answer is the same for every account. */
export function ForgotPage() {
  const { t, i18n } = useTranslation('account');
  const [params] = useSearchParams();
  const f = useCaptchaForm<{ authority: string; identifier: string; captcha: string }>(async (v, captcha) =>
    (await post<{ message: Bilingual }>('/api/v1/password-resets', { authority: v.authority.trim(), identifier: v.identifier.trim(), ...captcha })).message);
  return (
    <Page title={t('forgot.title')} intro={t('forgot.intro')}>
      {f.answer ? <Sent title={t('notice.checkMail')} text={pick(i18n.language, f.answer)} /> : (
        <>
          <RefusalAlert error={f.error} />
          <Card>
            <Form form={f.form} layout="vertical" requiredMark={false} onFinish={(v) => void f.onFinish(v)} initialValues={{ authority: initialAuthority(params) }}>
              <AuthorityField />
              <Form.Item name="identifier" label={t('fields.identifier')} rules={[{ required: true, whitespace: true, message: t('fields.idNumberRequired') }]}>
                <Input autoComplete="username" />
              </Form.Item>
              <CaptchaField captcha={f.captcha} />
              <Button type="primary" htmlType="submit" block size="large" loading={f.busy}>{t('forgot.submit')}</Button>
            </Form>
          </Card>
          <BackToSignIn />
        </>
      )}
    </Page>
  );
}

/** 找回已报名账号 (ACC-6): name + ID number → the account's details go to its e-mail. */
export function RecoverPage() {
  const { t, i18n } = useTranslation('account');
  const [params] = useSearchParams();
  const f = useCaptchaForm<{ authority: string; name: string; idNumber: string; captcha: string }>(async (v, captcha) =>
    (await post<{ message: Bilingual }>('/api/v1/account-recoveries', { authority: v.authority.trim(), name: v.name.trim(), idNumber: v.idNumber.trim(), ...captcha })).message);
  return (
    <Page title={t('recover.title')} intro={t('recover.intro')}>
      {f.answer ? <Sent title={t('recover.title')} text={pick(i18n.language, f.answer)} /> : (
        <>
          <RefusalAlert error={f.error} />
          <Card>
            <Form form={f.form} layout="vertical" requiredMark={false} onFinish={(v) => void f.onFinish(v)} initialValues={{ authority: initialAuthority(params) }}>
              <AuthorityField />
              <Form.Item name="name" label={t('fields.name')} rules={[{ required: true, whitespace: true, message: t('fields.nameRequired') }]}>
                <Input autoComplete="name" />
              </Form.Item>
              <Form.Item name="idNumber" label={t('fields.idNumber')} rules={[{ required: true, whitespace: true, message: t('fields.idNumberRequired') }]}>
                <Input autoComplete="off" />
              </Form.Item>
              <CaptchaField captcha={f.captcha} />
              <Button type="primary" htmlType="submit" block size="large" loading={f.busy}>{t('recover.submit')}</Button>
            </Form>
          </Card>
          <BackToSignIn />
        </>
      )}
    </Page>
  );
}

import { Button, Card, Form, Input, Result, Select, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { post } from '../../../api/client.ts';
import { AppLayout } from '../../../layout/AppLayout.tsx';
import { CaptchaField, initialAuthority, LinkButton, pick, RefusalAlert, useCaptcha } from '../account/shared.tsx';

type Bilingual = { zh: string; en: string };
interface Values { authority: string; name: string; idType: string; idNumber: string; email: string; statement: string; captcha: string }

const ID_TYPES = ['RESIDENT_ID', 'HMT_RESIDENCE_PERMIT', 'HK_MACAO_PERMIT', 'TAIWAN_PERMIT', 'PASSPORT'] as const;

/**
 * 关联申诉 (seed 000): the person whose record is held by an account that is not theirs cannot sign
 * in, so the appeal is filed here without signing in (captcha, ACC-4). The server answers the same
 * whether a record matched; the decision comes by mail to the address given.
 */
export function LinkAppealPage() {
  const { t, i18n } = useTranslation('appeals');
  const [params] = useSearchParams();
  const [form] = Form.useForm<Values>();
  const captcha = useCaptcha(form);
  const [error, setError] = useState<unknown>(null);
  const [answer, setAnswer] = useState<Bilingual | null>(null);
  const [busy, setBusy] = useState(false);
  const onFinish = async (v: Values) => {
    setBusy(true);
    setError(null);
    try {
      const r = await post<{ message: Bilingual }>('/api/v1/link-appeals', {
        authority: v.authority.trim(), name: v.name.trim(), idType: v.idType, idNumber: v.idNumber.trim(), email: v.email.trim(), statement: v.statement.trim(),
        captchaId: captcha.id, captchaAnswer: v.captcha.trim(),
      });
      setAnswer(r.message);
    } catch (e) {
      await captcha.refresh();
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <AppLayout>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('link.title')}</Typography.Title>
      <p style={{ color: '#434343' }}>{t('link.intro')}</p>
      {answer ? (
        <Result status="success" title={<h2 style={{ fontSize: 20, margin: 0 }}>{t('link.sentTitle')}</h2>} subTitle={<p id="link-appeal-answer" style={{ color: '#434343' }}>{pick(i18n.language, answer)}</p>}
          extra={<LinkButton to="/sign-in" type="primary">{t('link.toSignIn')}</LinkButton>} />
      ) : (
        <>
          <RefusalAlert error={error} />
          <Card>
            <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => void onFinish(v)} initialValues={{ authority: initialAuthority(params), idType: 'RESIDENT_ID' }}>
              <Form.Item name="authority" label={t('link.authority')} rules={[{ required: true, whitespace: true, message: t('link.required') }]}>
                <Input autoComplete="off" />
              </Form.Item>
              <Form.Item name="name" label={t('link.name')} rules={[{ required: true, whitespace: true, message: t('link.required') }]}>
                <Input autoComplete="name" />
              </Form.Item>
              <Form.Item name="idType" label={t('link.idType')}>
                <Select options={ID_TYPES.map((v) => ({ value: v, label: t(`link.idTypes.${v}`) }))} />
              </Form.Item>
              <Form.Item name="idNumber" label={t('link.idNumber')} rules={[{ required: true, whitespace: true, message: t('link.required') }]}>
                <Input autoComplete="off" />
              </Form.Item>
              <Form.Item name="email" label={t('link.email')} extra={t('link.emailHelp')} rules={[{ required: true, type: 'email', message: t('link.emailInvalid') }]}>
                <Input type="email" autoComplete="email" />
              </Form.Item>
              <Form.Item name="statement" label={t('link.statement')} extra={t('link.statementHelp')} rules={[{ required: true, whitespace: true, message: t('link.required') }]}>
                <Input.TextArea rows={3} maxLength={500} showCount />
              </Form.Item>
              <CaptchaField captcha={captcha} />
              <Button type="primary" htmlType="submit" block size="large" loading={busy}>{t('link.submit')}</Button>
            </Form>
          </Card>
        </>
      )}
    </AppLayout>
  );
}

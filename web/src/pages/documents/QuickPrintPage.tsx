import { Alert, Button, Card, Form, Input, Radio, Select, Space, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { ApiError, NETWORK_ERROR, type ErrorBody } from '../../api/client.ts';
import { Captcha, type CaptchaHandle } from '../../components/Captcha.tsx';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { AppLayout } from '../../layout/AppLayout.tsx';

const ID_TYPES = ['RESIDENT_ID', 'PASSPORT', 'HK_MACAO_PERMIT', 'TAIWAN_PERMIT', 'HMT_RESIDENCE_PERMIT'] as const;
type Kind = 'WRITTEN' | 'ORAL';
interface Fields { authority: string; name: string; idType: (typeof ID_TYPES)[number]; idNumber: string; kind: Kind }
interface Printed { url: string; kind: Kind }

/**
 * POST /api/v1/public/admission-tickets answers with the PDF itself, so this is not the JSON
 * client: the bytes become a blob this tab can open, and a refusal is still the server's body.
 */
async function fetchTickets(body: Fields & { captchaId: string; captchaAnswer: string }): Promise<Blob> {
  let res: Response;
  try {
    res = await fetch('/api/v1/public/admission-tickets', {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'X-ExamPay-Request': '1', 'content-type': 'application/json', accept: 'application/pdf, application/json' },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, { code: NETWORK_ERROR, message: 'network error', messageZh: '网络连接中断，请检查网络后重试。', messageEn: 'The connection failed. Check your network and try again.' });
  }
  if (res.ok) return res.blob();
  const err = ((await res.json().catch(() => undefined)) as ErrorBody | undefined)?.error;
  throw new ApiError(res.status, err ?? { code: `HTTP_${res.status}`, message: res.statusText, messageZh: `服务器返回 ${res.status}`, messageEn: `The server answered ${res.status}` });
}

/**
 * 快速打印准考证 (DOC-2, seed 002): name + ID document + captcha, no sign-in. The PDF stays in
 * this tab as an object URL (no pop-up); nothing typed here is kept after the page is left.
 */
export function QuickPrintPage() {
  const { t } = useTranslation('documents');
  const [params] = useSearchParams();
  const [form] = Form.useForm<Fields>();
  const captcha = useRef<CaptchaHandle>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [printed, setPrinted] = useState<Printed | null>(null);

  // An object URL holds the PDF in memory until revoked: one at a time, gone with the page.
  useEffect(() => () => { if (printed) URL.revokeObjectURL(printed.url); }, [printed]);

  const submit = async (v: Fields) => {
    setBusy(true);
    setError(null);
    setPrinted(null);
    try {
      const blob = await fetchTickets({ authority: v.authority.trim(), name: v.name.trim(), idType: v.idType, idNumber: v.idNumber.trim(), kind: v.kind, ...captcha.current!.fields() });
      setPrinted({ url: URL.createObjectURL(blob), kind: v.kind });
    } catch (e) {
      setError(e);
    } finally {
      // A captcha answers once, right or wrong.
      captcha.current?.renew();
      setBusy(false);
    }
  };

  const windows = error instanceof ApiError && Array.isArray(error.details.windows)
    ? (error.details.windows as { opensAt: string; closesAt: string }[])
    : [];

  return (
    <AppLayout>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('quick.title')}</Typography.Title>
      <Typography.Paragraph>{t('quick.intro')}</Typography.Paragraph>
      <div id="error" aria-live="polite">
        <ErrorAlert error={error} />
        {windows.length > 0 ? (
          <div id="print-windows" style={{ marginTop: -8, marginBottom: 16 }}>
            {t('quick.windows')}
            <ul style={{ margin: '4px 0 0', paddingLeft: '1.2em' }}>{windows.map((w) => <li key={w.opensAt}>{t('tickets.window', { opens: w.opensAt, closes: w.closesAt })}</li>)}</ul>
          </div>
        ) : null}
      </div>
      {printed ? (
        <div id="printed" role="status">
          <Alert type="success" showIcon style={{ marginBottom: 16 }} title={t('quick.ready')}
            description={(
              <>
                <Space wrap style={{ margin: '8px 0' }}>
                  <Button id="open-ticket" type="primary" href={printed.url}>{t('quick.open')}</Button>
                  <Button id="download-ticket" href={printed.url} download={`admission-ticket-${printed.kind.toLowerCase()}.pdf`}>{t('quick.download')}</Button>
                </Space>
                <div>{t('quick.readyHint')}</div>
              </>
            )} />
        </div>
      ) : null}
      <Card>
        <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => void submit(v)}
          initialValues={{ authority: params.get('authority') ?? '', idType: 'RESIDENT_ID', kind: params.get('kind') === 'ORAL' ? 'ORAL' : 'WRITTEN' }}>
          <Form.Item name="authority" label={t('quick.authority')} extra={t('quick.authorityHint')} rules={[{ required: true, whitespace: true, message: t('quick.authorityRequired') }]}>
            <Input autoComplete="organization" autoCapitalize="characters" />
          </Form.Item>
          <Form.Item name="name" label={t('quick.name')} rules={[{ required: true, whitespace: true, message: t('quick.nameRequired') }]}>
            <Input autoComplete="name" maxLength={64} />
          </Form.Item>
          <Form.Item name="idType" label={t('quick.idType')}>
            <Select options={ID_TYPES.map((k) => ({ value: k, label: t(`quick.idTypes.${k}`) }))} />
          </Form.Item>
          <Form.Item name="idNumber" label={t('quick.idNumber')} rules={[{ required: true, whitespace: true, message: t('quick.idNumberRequired') }]}>
            <Input autoComplete="off" maxLength={32} />
          </Form.Item>
          <Form.Item name="kind" label={t('quick.kind')}>
            <Radio.Group aria-label={t('quick.kind')} options={(['WRITTEN', 'ORAL'] as const).map((k) => ({ value: k, label: t(`quick.kinds.${k}`) }))} />
          </Form.Item>
          <div style={{ marginBottom: 24 }}><Captcha ref={captcha} kind="TEXT" /></div>
          <Button id="quick-submit" type="primary" htmlType="submit" block size="large" loading={busy}>{t('quick.submit')}</Button>
        </Form>
      </Card>
    </AppLayout>
  );
}

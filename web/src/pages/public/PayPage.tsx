import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, List, Radio, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { beijingTime, post, yuan } from '../../api/client.ts';
import { fetchCaptcha, type IssuedCaptcha } from '../../api/captcha.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { AppLayout } from '../../layout/AppLayout.tsx';
import { say, type BillSummary } from '../candidate/bills/billApi.ts';

interface Lookup { payerName: string; passExpiresAt: string; openBills: BillSummary[] }
interface Fields { authority: string; name: string; idNumber?: string; paymentCode?: string; captchaAnswer: string }

/**
 * PAY-6 (seed 003): pay without signing in. Name + ID number or payment code + an arithmetic
 * captcha → a payment pass (an HttpOnly cookie) → the open bills, each paid on its own bill page.
 * The look-up's answer lives only in this page: after a refresh the payer looks up again, and
 * the bill pages keep working with the pass.
 */
export function PayPage() {
  const { t, i18n } = useTranslation('bills');
  const [params] = useSearchParams();
  const [form] = Form.useForm<Fields>();
  const [by, setBy] = useState<'idNumber' | 'paymentCode'>(params.get('code') ? 'paymentCode' : 'idNumber');
  const [captcha, setCaptcha] = useState<IssuedCaptcha | null>(null);
  const qc = useQueryClient();
  const newCaptcha = useMutation({
    mutationFn: () => fetchCaptcha('ARITHMETIC'),
    onSuccess: (c) => { setCaptcha(c); form.setFieldValue('captchaAnswer', ''); },
  });
  // One captcha when the page opens; each answer uses it up and fetches the next.
  useEffect(() => { newCaptcha.mutate(); }, []);
  const lookup = useMutation({
    mutationFn: (f: Fields) => post<Lookup>('/api/v1/payer-lookups', {
      authority: f.authority.trim(), name: f.name.trim(), captchaId: captcha?.captchaId ?? '', captchaAnswer: f.captchaAnswer.trim(),
      ...(by === 'idNumber' ? { idNumber: (f.idNumber ?? '').trim() } : { paymentCode: (f.paymentCode ?? '').trim() }),
    }),
    // A captcha answers once, right or wrong.
    onSettled: () => newCaptcha.mutate(),
    onSuccess: () => { qc.removeQueries({ queryKey: ['bill'] }); qc.removeQueries({ queryKey: ['bills'] }); },
  });
  const found = lookup.data;
  const required = [{ required: true, whitespace: true, message: t('required') }];
  return (
    <AppLayout>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('payTitle')}</Typography.Title>
      <Card style={{ marginBottom: 16 }}>
        <Typography.Paragraph>{t('payIntro')}</Typography.Paragraph>
        <Form form={form} name="pay" layout="vertical" requiredMark={false} onFinish={(f) => lookup.mutate(f)}
          initialValues={{ authority: params.get('authority') ?? '', paymentCode: params.get('code') ?? '' }}>
          <Form.Item label={t('authority')} name="authority" rules={required}>
            <Input autoComplete="organization" />
          </Form.Item>
          <Form.Item label={t('name')} name="name" rules={required}>
            <Input autoComplete="name" />
          </Form.Item>
          <fieldset style={{ border: 0, padding: 0, margin: '0 0 16px' }}>
            <legend style={{ fontSize: 14, marginBottom: 8, border: 0, color: 'rgba(0, 0, 0, 0.88)' }}>{t('findBy')}</legend>
            <Radio.Group value={by} onChange={(e) => setBy(e.target.value as 'idNumber' | 'paymentCode')}
              options={[{ value: 'idNumber', label: t('byIdNumber') }, { value: 'paymentCode', label: t('byPaymentCode') }]} />
          </fieldset>
          {by === 'idNumber' ? (
            <Form.Item label={t('idNumber')} name="idNumber" rules={required}>
              <Input autoComplete="off" />
            </Form.Item>
          ) : (
            <Form.Item label={t('paymentCode')} name="paymentCode" rules={required}>
              <Input autoComplete="off" inputMode="numeric" />
            </Form.Item>
          )}
          <Form.Item label={t('captcha')} required>
            <Space wrap align="center">
              <Form.Item name="captchaAnswer" rules={required} noStyle>
                <Input id="captcha" autoComplete="off" inputMode="numeric" style={{ width: '8em' }} aria-label={t('captcha')} />
              </Form.Item>
              {captcha && <img id="captcha-img" src={captcha.image} alt={t('captchaAlt')} width={150} height={50} />}
              <Button onClick={() => newCaptcha.mutate()} loading={newCaptcha.isPending}>{t('newCaptcha')}</Button>
            </Space>
          </Form.Item>
          <ErrorAlert error={lookup.error ?? newCaptcha.error} />
          <Button type="primary" htmlType="submit" loading={lookup.isPending}>{t('find')}</Button>
        </Form>
      </Card>
      {found && (
        <Card>
          <section aria-labelledby="found-title" role="region">
            <Typography.Title level={2} id="found-title" style={{ fontSize: 18, marginTop: 0 }}>{t('listTitle')}</Typography.Title>
            {found.openBills.length === 0 ? (
              <Alert type="info" showIcon title={t('foundNone', { name: found.payerName })} />
            ) : (
              <>
                <p>{t('found', { name: found.payerName, time: beijingTime(found.passExpiresAt) })}</p>
                <List dataSource={found.openBills} rowKey="billNo" renderItem={(b) => (
                  <List.Item data-testid="open-bill" actions={[<Link key="pay" to={`/bills/${b.billNo}`} aria-label={`${t('payThis')} ${b.billNo}`}>{t('payThis')}</Link>]}>
                    <div>
                      <strong>{b.billNo}</strong>
                      <div>{say(b.stateLabel, i18n.language)} · {t('common:yuan', { amount: yuan(b.amountFen) })}</div>
                    </div>
                  </List.Item>
                )} />
              </>
            )}
          </section>
        </Card>
      )}
    </AppLayout>
  );
}

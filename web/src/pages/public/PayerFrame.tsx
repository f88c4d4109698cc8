import { useQueryClient } from '@tanstack/react-query';
import { Alert, Button } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { del } from '../../api/client.ts';
import { AppLayout } from '../../layout/AppLayout.tsx';

/** The frame of a payer who has not signed in (PAY-6): their pass, and the way to end it. */
export function PayerFrame({ children }: { children: ReactNode }) {
  const { t } = useTranslation('bills');
  const qc = useQueryClient();
  const navigate = useNavigate();
  const end = async () => {
    await del('/api/v1/payer-lookups/current').catch(() => undefined);
    qc.removeQueries({ queryKey: ['bill'] });
    qc.removeQueries({ queryKey: ['bills'] });
    navigate('/pay', { replace: true });
  };
  return (
    <AppLayout actions={<Button type="link" onClick={() => void end()}>{t('endPass')}</Button>}>
      <Alert type="info" showIcon style={{ marginBottom: 16 }} title={t('payerFrame')} description={t('payerNote')} />
      {children}
    </AppLayout>
  );
}

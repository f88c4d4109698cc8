import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Descriptions, Spin, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { ApiError, beijingTime, get, yuan } from '../../api/client.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { AppLayout } from '../../layout/AppLayout.tsx';

/** GET /api/v1/public/receipts/:code */
interface Verification {
  valid: true;
  billNumber: string;
  receiptNumber: string;
  issuer: string;
  exam: string;
  sitting: string;
  maskedName: string;
  amountFen: string;
  refundedFen: string;
  paidAt: string;
  status: 'PAID' | 'PARTLY_REFUNDED' | 'REFUNDED';
}

/**
 * 电子缴费凭证查验 (DOC-1): where a receipt's QR code leads, for anyone. The verdict is the
 * server's answer of now — a printout made before a refund verifies as refunded — and a refusal
 * (unknown code, too many tries) is shown in the server's words, never as "genuine".
 */
export function VerifyReceiptPage() {
  const { t } = useTranslation('documents');
  const { code = '' } = useParams();
  const q = useQuery({
    queryKey: ['receipt-verification', code],
    queryFn: () => get<Verification>(`/api/v1/public/receipts/${encodeURIComponent(code)}`),
    retry: false,
  });
  const v = q.data;
  const notFound = q.error instanceof ApiError && q.error.code === 'RECEIPT_NOT_FOUND';
  return (
    <AppLayout>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('verify.title')}</Typography.Title>
      <Typography.Paragraph>{t('verify.intro')}</Typography.Paragraph>
      {q.isPending ? <Spin aria-label={t('verify.checking')} /> : null}
      {q.isError ? (
        // Only "no such receipt" is a verdict; too many tries or a lost connection says nothing
        // about the receipt, so it reads as "could not check now", with a way to try again.
        notFound ? (
          <div id="verdict" data-verdict="refused">
            <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={<strong>{t('verify.notVerified')}</strong>} description={t('verify.notVerifiedHint')} />
            <ErrorAlert error={q.error} />
          </div>
        ) : (
          <div id="verdict" data-verdict="unknown">
            <Alert type="info" showIcon style={{ marginBottom: 16 }} title={<strong>{t('verify.couldNotCheck')}</strong>} />
            <ErrorAlert error={q.error} />
            <Button onClick={() => void q.refetch()}>{t('common:retry')}</Button>
          </div>
        )
      ) : null}
      {v ? (
        <>
          <div id="verdict" data-verdict="genuine" role="status">
            <Alert type="success" showIcon style={{ marginBottom: 16 }} title={<strong>{t('verify.genuine')}</strong>}
              description={v.status === 'REFUNDED' ? t('verify.genuineRefunded') : v.status === 'PARTLY_REFUNDED' ? t('verify.genuinePartly') : undefined} />
          </div>
          <Typography.Title level={2} style={{ fontSize: 18 }}>{t('verify.facts')}</Typography.Title>
          <Descriptions id="receipt-facts" bordered column={1} size="small" styles={{ label: { width: '10em', color: '#262626' } }}
            items={[
              { key: 'receipt', label: t('verify.receiptNumber'), children: <span id="receipt-number">{v.receiptNumber}</span> },
              { key: 'bill', label: t('verify.billNumber'), children: v.billNumber },
              { key: 'issuer', label: t('verify.issuer'), children: v.issuer },
              { key: 'exam', label: t('verify.exam'), children: v.exam },
              { key: 'sitting', label: t('verify.sitting'), children: v.sitting },
              { key: 'payer', label: t('verify.payer'), children: v.maskedName },
              { key: 'amount', label: t('verify.amount'), children: <span id="receipt-amount">¥{yuan(v.amountFen)}</span> },
              { key: 'refunded', label: t('verify.refunded'), children: `¥${yuan(v.refundedFen)}` },
              { key: 'paidAt', label: t('verify.paidAt'), children: beijingTime(v.paidAt) },
              { key: 'status', label: t('verify.status'), children: <strong id="receipt-status">{t(`verify.statuses.${v.status}`)}</strong> },
            ]} />
          <Typography.Paragraph style={{ marginTop: 16, color: '#595959' }}>{t('verify.notice')}</Typography.Paragraph>
        </>
      ) : null}
    </AppLayout>
  );
}

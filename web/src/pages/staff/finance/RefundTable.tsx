import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { beijingTime, post, yuan } from '../../../api/client.ts';
import { ErrorAlert } from '../../../components/ErrorAlert.tsx';
import type { StaffRefund } from './api.ts';
import { ScrollRegion, ToneTag } from './tones.tsx';

const STATE_TONES = { PENDING: 'blue', SUCCEEDED: 'green', FAILED: 'red' } as const;

/** A refund's progress in words (the state) and colour; the server's explanation goes beside it. */
export function RefundStateTag({ r }: { r: Pick<StaffRefund, 'state' | 'refundNo'> }) {
  const { t } = useTranslation('finance');
  return <ToneTag tone={STATE_TONES[r.state]} testId={`refund-state-${r.refundNo}`}>{t(`refundState.${r.state}`)}</ToneTag>;
}

/**
 * Refunds with their progress, and "send again" for a failed one (refund.retry): the same refund
 * number goes to the channel, so it never pays twice. The list refreshes from the server after.
 */
export function RefundTable({ refunds, loading, canRetry, showBill = true, empty, label }: { refunds: StaffRefund[]; loading: boolean; canRetry: boolean; showBill?: boolean; empty: string; label: string }) {
  const { t, i18n } = useTranslation('finance');
  const zh = i18n.language.startsWith('zh');
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [retrying, setRetrying] = useState<string>();
  const [error, setError] = useState<unknown>();
  const retry = async (r: StaffRefund) => {
    setError(undefined);
    setRetrying(r.refundNo);
    try {
      await post(`/api/v1/admin/refunds/${r.refundNo}/retry`);
      message.success(t('list.retried', { refundNo: r.refundNo }));
    } catch (e) {
      setError(e);
    } finally {
      setRetrying(undefined);
      await qc.invalidateQueries({ queryKey: ['finance'] });
    }
  };
  // An empty table is a sentence, not antd's grey placeholder row (too faint to read, and its hidden measure row trips screen readers).
  if (!loading && refunds.length === 0) return <><ErrorAlert error={error} /><Typography.Paragraph data-testid="refunds-empty">{empty}</Typography.Paragraph></>;
  return (
    <>
      <ErrorAlert error={error} />
      <ScrollRegion label={label} minWidth={1000}>
      <Table<StaffRefund> rowKey="refundNo" size="small" loading={loading} dataSource={refunds} pagination={false}
        columns={[
          { key: 'no', title: t('list.refundNo'), render: (_, r) => <><Typography.Text code>{r.refundNo}</Typography.Text><br /><Typography.Text type="secondary">{beijingTime(r.createdAt)}</Typography.Text></> },
          ...(showBill ? [{
            key: 'payer', title: t('list.payer'), render: (_: unknown, r: StaffRefund) => <>
              {r.candidateName ?? (r.institutionName ? t('list.institutionBill', { name: r.institutionName }) : '—')}<br />
              <Link to={`/admin/refunds/bills/${r.billNo}`}>{r.billNo}</Link>
            </>,
          }] : []),
          { key: 'subject', title: t('list.subject'), render: (_, r) => r.subjectName ?? '—' },
          { key: 'amount', title: t('list.amount'), align: 'right', render: (_, r) => `¥${yuan(r.amountFen)}` },
          { key: 'channel', title: t('list.channel'), render: (_, r) => (zh ? r.channelLabel.zh : r.channelLabel.en) },
          { key: 'reason', title: t('list.reason'), render: (_, r) => <>{t(`reason.${r.reason}`, { defaultValue: zh ? r.reasonLabel.zh : r.reasonLabel.en })}{r.note ? <><br /><Typography.Text type="secondary">{r.note}</Typography.Text></> : null}</> },
          {
            key: 'progress', title: t('list.progress'), render: (_, r) => <>
              <RefundStateTag r={r} />{r.flaggedAt ? <ToneTag tone="red">{t('list.flaggedTag')}</ToneTag> : null}
              <div style={{ maxWidth: 360 }}>{zh ? r.explanation.zh : r.explanation.en}</div>
              <Typography.Text type="secondary">
                {t('list.attempts', { n: r.attempts })}{r.succeededAt ? ` · ${t('list.succeededAt', { at: beijingTime(r.succeededAt) })}` : ''}{r.lastError ? ` · ${t('list.lastError', { error: r.lastError })}` : ''}
              </Typography.Text>
            </>,
          },
          {
            key: 'action', title: t('list.action'), render: (_, r) => (r.state === 'FAILED' && canRetry
              ? <Button size="small" type="primary" loading={retrying === r.refundNo} onClick={() => void retry(r)} aria-label={`${t('list.retry')} ${r.refundNo}`}>{t('list.retry')}</Button>
              : t('list.noRetry')),
          },
        ]} />
      </ScrollRegion>
    </>
  );
}

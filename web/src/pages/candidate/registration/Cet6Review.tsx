import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { beijingTime, get, post } from '../../../api/client.ts';
import { ErrorAlert } from '../../../components/ErrorAlert.tsx';
import { pick, RefusalAlert, StateTag, useSessionLossRedirect } from '../account/shared.tsx';
import { optionsKey, reviewsKey, type Review } from './api.ts';

const STATUS_TONE = { APPROVED: 'success', PENDING: 'info', REJECTED: 'error' } as const;

/**
 * CET6 资格复核 (REG-4, seed 002): file a CET4 ticket number, and see each review's outcome as
 * the server states it — approved at once, 未复核 (to the school), or rejected with the reason.
 */
export function Cet6Review({ sittingId, needed }: { sittingId: string; needed: boolean }) {
  const { t, i18n } = useTranslation('registration');
  const qc = useQueryClient();
  const reviews = useQuery({ queryKey: reviewsKey(sittingId), queryFn: () => get<Review[]>(`/api/v1/sittings/${sittingId}/cet6-review`) });
  const [form] = Form.useForm<{ ticketNo: string }>();
  const file = useMutation({
    mutationFn: (ticketNo: string) => post<{ status: Review['status']; statusLabel: { zh: string; en: string } }>(`/api/v1/sittings/${sittingId}/cet6-review`, { ticketNo }),
    onSuccess: async () => {
      form.resetFields();
      await Promise.all([qc.invalidateQueries({ queryKey: reviewsKey(sittingId) }), qc.invalidateQueries({ queryKey: optionsKey(sittingId) })]);
    },
  });
  useSessionLossRedirect(reviews.error, file.error);
  const list = reviews.data ?? [];
  if (!needed && list.length === 0) return null;
  const latest = list[0];
  const canFile = !latest || latest.status === 'REJECTED';
  return (
    <section aria-labelledby="cet6-title" id="cet6-review">
      <Typography.Title level={2} id="cet6-title" style={{ fontSize: 18, marginTop: 24 }}>{t('review.title')}</Typography.Title>
      <Card>
        <p style={{ marginTop: 0, color: '#434343' }}>{t('review.intro')}</p>
        {reviews.isError ? <ErrorAlert error={reviews.error} /> : null}
        {file.isSuccess ? (
          <Alert type={file.data.status === 'APPROVED' ? 'success' : file.data.status === 'PENDING' ? 'info' : 'error'} showIcon role="status" style={{ marginBottom: 12 }}
            title={t('review.filed', { status: pick(i18n.language, file.data.statusLabel) })} />
        ) : null}
        {list.length > 0 ? (
          <ul id="review-list" style={{ paddingLeft: 0, listStyle: 'none' }}>
            {list.map((r, i) => (
              <li key={r.reviewId} data-status={r.status} style={{ marginBottom: 8 }}>
                <StateTag tone={STATUS_TONE[r.status]}>{pick(i18n.language, r.statusLabel)}</StateTag>
                {t('review.ticket', { ticketNo: r.ticketNo })} · {t('review.filedAt', { at: beijingTime(r.createdAt) })}
                {r.decidedAt ? ` · ${t('review.decidedAt', { at: beijingTime(r.decidedAt) })}` : ''}
                {r.rejectReason ? <div style={{ color: '#a8071a' }}>{t('review.rejectReason', { reason: r.rejectReason })}</div> : null}
                {i === 0 && r.status === 'PENDING' ? <div style={{ color: '#434343' }}>{t('review.pendingNext')}</div> : null}
                {i === 0 && r.status === 'REJECTED' ? <div style={{ color: '#434343' }}>{t('review.rejectedNext')}</div> : null}
              </li>
            ))}
          </ul>
        ) : null}
        {canFile ? (
          <>
            <RefusalAlert error={file.error} />
            <Form form={form} layout="vertical" requiredMark={false} onFinish={(v) => file.mutate(v.ticketNo.trim())}>
              <Form.Item name="ticketNo" label={t('review.ticketLabel')} extra={t('review.ticketHint')} rules={[{ required: true, whitespace: true, message: t('review.ticketRequired') }]}>
                <Input inputMode="numeric" autoComplete="off" maxLength={15} style={{ maxWidth: 280 }} />
              </Form.Item>
              <Button htmlType="submit" type="primary" loading={file.isPending}>{t('review.submit')}</Button>
            </Form>
          </>
        ) : null}
      </Card>
    </section>
  );
}

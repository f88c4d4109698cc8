import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Empty, Input, Modal, Segmented, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { beijingTime, get, post } from '../../api/client.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { StaffPage, type StaffNavItem, type StaffSurface } from '../../session/staff.tsx';

/** GET /api/v1/{admin|institution}/reviews */
interface QueuedReview {
  reviewId: string;
  sittingCode: string;
  status: string;
  ticketNo: string;
  createdAt: string;
  decidedAt: string | null;
  rejectReason: string | null;
  decidedBy: string | null;
  candidate: { candidateId: string; name: string; idNumberMasked: string; institutionName: string | null };
  cet4Record: { name: string; idNumberMasked: string; score: number; sameIdNumber: boolean; sameName: boolean } | null;
}

const STATUSES = ['PENDING', 'APPROVED', 'REJECTED'] as const;

/**
 * REG-4 / ORG-2: the CET6 reviews waiting for a person (same name, different ID number), with the
 * CET4 record the decision rests on; approve, or reject with a reason the candidate reads.
 * The same page serves the authority (all schools) and a school (its own candidates).
 */
export function ReviewsPage({ surface, nav }: { surface: StaffSurface; nav: StaffNavItem[] }) {
  return <StaffPage surface={surface} nav={nav}>{(me) => <ReviewQueue surface={surface} canDecide={me.permissions.includes('review.decide')} />}</StaffPage>;
}

function ReviewQueue({ surface, canDecide }: { surface: StaffSurface; canDecide: boolean }) {
  const { t } = useTranslation('staff');
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [status, setStatus] = useState<(typeof STATUSES)[number]>('PENDING');
  const [rejecting, setRejecting] = useState<QueuedReview>();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>();
  const key = ['reviews', surface, status];
  const query = useQuery({ queryKey: key, queryFn: () => get<QueuedReview[]>(`/api/v1/${surface}/reviews?status=${status}&limit=200`), refetchInterval: 20_000 });
  const decide = async (r: QueuedReview, decision: 'APPROVE' | 'REJECT', why?: string) => {
    setError(undefined);
    try {
      await post(`/api/v1/${surface}/reviews/${r.reviewId}/decision`, why ? { decision, reason: why } : { decision });
      message.success(decision === 'APPROVE' ? t('reviews.approved') : t('reviews.rejected'));
      setRejecting(undefined);
      setReason('');
      await qc.invalidateQueries({ queryKey: ['reviews', surface] });
    } catch (e) {
      setError(e);
    }
  };
  const yesNo = (b: boolean) => (b ? <Tag color="green">{t('reviews.same')}</Tag> : <Tag color="red">{t('reviews.different')}</Tag>);
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('reviews.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('reviews.hint')}</Typography.Paragraph>
      <Segmented value={status} onChange={(v) => setStatus(v as typeof status)} style={{ marginBottom: 12 }}
        options={STATUSES.map((s) => ({ value: s, label: t(`reviews.status.${s}`) }))} />
      <ErrorAlert error={error ?? query.error} />
      <Table<QueuedReview> rowKey="reviewId" size="small" loading={query.isPending} dataSource={query.data ?? []} pagination={false} scroll={{ x: 900 }}
        locale={{ emptyText: <Empty description={t('reviews.empty')} /> }}
        columns={[
          { key: 'cand', title: t('reviews.candidate'), render: (_, r) => <>{r.candidate.name}<br /><Typography.Text type="secondary">{r.candidate.idNumberMasked}</Typography.Text></> },
          { key: 'school', title: t('reviews.school'), render: (_, r) => r.candidate.institutionName ?? '—' },
          { key: 'ticket', title: t('reviews.ticketNo'), dataIndex: 'ticketNo' },
          { key: 'record', title: t('reviews.record'), render: (_, r) => (r.cet4Record
            ? <Space direction="vertical" size={0}><span>{r.cet4Record.name} · {r.cet4Record.idNumberMasked} · {t('reviews.score', { score: r.cet4Record.score })}</span>
              <span>{t('reviews.name')} {yesNo(r.cet4Record.sameName)} {t('reviews.idNumber')} {yesNo(r.cet4Record.sameIdNumber)}</span></Space>
            : t('reviews.noRecord')) },
          { key: 'at', title: t('reviews.filedAt'), render: (_, r) => beijingTime(r.createdAt) },
          { key: 'outcome', title: t('reviews.outcome'), render: (_, r) => (r.status === 'PENDING'
            ? (canDecide ? <Space wrap>
                <Button type="primary" size="small" onClick={() => void decide(r, 'APPROVE')}>{t('reviews.approve')}</Button>
                <Button danger size="small" onClick={() => setRejecting(r)}>{t('reviews.reject')}</Button>
              </Space> : <Tag>{t('reviews.status.PENDING')}</Tag>)
            : <>{t(`reviews.status.${r.status}`)}{r.rejectReason ? `：${r.rejectReason}` : ''}<br /><Typography.Text type="secondary">{r.decidedBy} {beijingTime(r.decidedAt)}</Typography.Text></>) },
        ]} />
      <Modal open={rejecting !== undefined} title={t('reviews.rejectTitle', { name: rejecting?.candidate.name ?? '' })} okText={t('reviews.reject')} okButtonProps={{ danger: true, disabled: reason.trim().length === 0 }}
        onOk={() => rejecting && void decide(rejecting, 'REJECT', reason.trim())} onCancel={() => setRejecting(undefined)}>
        <label htmlFor="reject-reason">{t('reviews.reason')}</label>
        <Input.TextArea id="reject-reason" value={reason} maxLength={200} onChange={(e) => setReason(e.target.value)} rows={3} />
      </Modal>
    </>
  );
}

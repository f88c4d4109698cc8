import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Empty, Input, Modal, Segmented, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { beijingTime, get, post, yuan } from '../../api/client.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { StaffPage } from '../../session/staff.tsx';
import { ADMIN_NAV } from './nav.ts';

/** GET /api/v1/admin/reconciliation/mismatches */
interface Mismatch {
  mismatchId: string;
  channel: string;
  day: string;
  kind: string;
  reason: string;
  billNo: string;
  channelTradeNo: string;
  refundNo: string | null;
  ourAmountFen: number | null;
  theirAmountFen: number | null;
  at: string;
  resolution: string;
  autoRefundNo: string | null;
  detail: string;
  resolvedNote: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
}

const RESOLUTIONS = ['OPEN', 'AUTO_SETTLED', 'AUTO_REFUNDED', 'RESOLVED_BY_STAFF'] as const;
type Resolution = (typeof RESOLUTIONS)[number];

/**
 * PAY-10: the reconciliation's differences between our books and the channel's statement, open
 * ones first; a member of staff closes one with a note of what was done (who and when are kept).
 */
export function MismatchesPage() {
  return <StaffPage surface="admin" nav={ADMIN_NAV}>{(me) => <Mismatches canResolve={me.permissions.includes('reconciliation.resolve')} />}</StaffPage>;
}

function Mismatches({ canResolve }: { canResolve: boolean }) {
  const { t } = useTranslation('staff');
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const resolution = (RESOLUTIONS as readonly string[]).includes(params.get('resolution') ?? '') ? (params.get('resolution') as Resolution) : 'OPEN';
  const [resolving, setResolving] = useState<Mismatch>();
  const [note, setNote] = useState('');
  const [error, setError] = useState<unknown>();
  const query = useQuery({ queryKey: ['mismatches', resolution], queryFn: () => get<Mismatch[]>(`/api/v1/admin/reconciliation/mismatches?resolution=${resolution}&limit=200`), refetchInterval: 30_000 });
  const resolve = async () => {
    if (!resolving) return;
    setError(undefined);
    try {
      await post(`/api/v1/admin/reconciliation/mismatches/${resolving.mismatchId}/resolution`, { note: note.trim() });
      message.success(t('mismatches.resolved'));
      setResolving(undefined);
      setNote('');
      await qc.invalidateQueries({ queryKey: ['mismatches'] });
      await qc.invalidateQueries({ queryKey: ['admin-dashboard'] });
    } catch (e) {
      setError(e);
    }
  };
  const amount = (f: number | null) => (f === null ? '—' : `¥${yuan(f)}`);
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('mismatches.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('mismatches.hint')}</Typography.Paragraph>
      <Segmented value={resolution} style={{ marginBottom: 12 }} onChange={(v) => setParams(v === 'OPEN' ? {} : { resolution: String(v) }, { replace: true })}
        options={RESOLUTIONS.map((r) => ({ value: r, label: t(`mismatches.resolution.${r}`) }))} />
      <ErrorAlert error={resolving ? undefined : error ?? query.error} />
      <Table<Mismatch> rowKey="mismatchId" size="small" loading={query.isPending} dataSource={query.data ?? []} pagination={false} scroll={{ x: 1000 }}
        locale={{ emptyText: <Empty description={t('mismatches.empty')} /> }}
        columns={[
          { key: 'day', title: t('mismatches.day'), render: (_, m) => <>{m.day}<br /><Typography.Text type="secondary">{t(`dashboard.channel.${m.channel}`, { defaultValue: m.channel })}</Typography.Text></> },
          { key: 'kind', title: t('mismatches.kind'), render: (_, m) => <><Tag color={m.resolution === 'OPEN' ? 'red' : 'default'}>{t(`mismatches.kinds.${m.kind}`, { defaultValue: m.kind })}</Tag><br />{m.reason}</> },
          { key: 'bill', title: t('mismatches.bill'), render: (_, m) => <><Typography.Text code>{m.billNo || '—'}</Typography.Text><br /><Typography.Text type="secondary">{m.channelTradeNo}{m.refundNo ? ` · ${m.refundNo}` : ''}</Typography.Text></> },
          { key: 'ours', title: t('mismatches.ours'), align: 'right', render: (_, m) => amount(m.ourAmountFen) },
          { key: 'theirs', title: t('mismatches.theirs'), align: 'right', render: (_, m) => amount(m.theirAmountFen) },
          { key: 'detail', title: t('mismatches.detail'), render: (_, m) => <>{m.detail}<br /><Typography.Text type="secondary">{beijingTime(m.at)}</Typography.Text></> },
          { key: 'outcome', title: t('mismatches.outcome'), render: (_, m) => (m.resolution === 'OPEN'
            ? (canResolve ? <Button size="small" type="primary" onClick={() => { setResolving(m); setNote(''); setError(undefined); }} aria-label={`${t('mismatches.resolve')} ${m.billNo || m.channelTradeNo}`}>{t('mismatches.resolve')}</Button> : <Tag color="red">{t('mismatches.resolution.OPEN')}</Tag>)
            : <>{t(`mismatches.resolution.${m.resolution}`, { defaultValue: m.resolution })}{m.autoRefundNo ? ` · ${m.autoRefundNo}` : ''}{m.resolvedNote ? `：${m.resolvedNote}` : ''}<br />
              <Typography.Text type="secondary">{m.resolvedBy ?? ''} {m.resolvedAt ? beijingTime(m.resolvedAt) : ''}</Typography.Text></>) },
        ]} />
      <Modal open={resolving !== undefined} title={t('mismatches.resolveTitle', { billNo: resolving?.billNo || resolving?.channelTradeNo || '' })} okText={t('mismatches.resolve')}
        okButtonProps={{ disabled: note.trim().length === 0 }} onOk={() => void resolve()} onCancel={() => setResolving(undefined)}>
        <ErrorAlert error={resolving ? error : undefined} />
        <Typography.Paragraph>{resolving ? `${resolving.reason} ${resolving.detail}` : ''}</Typography.Paragraph>
        <label htmlFor="mismatch-note">{t('mismatches.note')}</label>
        <Input.TextArea id="mismatch-note" value={note} maxLength={500} onChange={(e) => setNote(e.target.value)} rows={3} />
      </Modal>
    </>
  );
}

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Empty, Input, Modal, Segmented, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { beijingTime, get, post } from '../../api/client.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { StaffPage, type StaffNavItem, type StaffSurface } from '../../session/staff.tsx';
import { StrongTag } from '../candidate/records/StrongTag.tsx';

/** GET /api/v1/{admin|institution}/appeals */
interface QueuedAppeal {
  appealId: string;
  kind: 'LINK' | 'SUBJECT';
  state: (typeof STATES)[number];
  candidate: { candidateId: string; name: string; idNumberMasked: string; login: string };
  institutionName: string | null;
  subject: { subjectId: string; code: string; name: string; sittingName: string } | null;
  registration: { registrationId: string; owner: string; status: string; paid: boolean } | null;
  statement: string;
  rejectReason: string | null;
  decidedBy: string | null;
  createdAt: string;
  decidedAt: string | null;
}

const STATES = ['PENDING', 'ACCEPTED', 'REJECTED', 'WITHDRAWN'] as const;

/**
 * ORG-2: candidates' appeals (关联申诉, 报考科目申诉) waiting for the institution — accept, or reject
 * with a reason the candidate reads. The same page serves the authority (every appeal) and an
 * institution (the appeals that went to it); the server decides the scope. The state shown is in
 * the address (?state=…), so Back and Refresh keep it.
 */
export function AppealsPage({ surface, nav }: { surface: StaffSurface; nav: StaffNavItem[] }) {
  return <StaffPage surface={surface} nav={nav}>{(me) => <AppealQueue surface={surface} canDecide={me.permissions.includes('appeal.decide')} />}</StaffPage>;
}

function AppealQueue({ surface, canDecide }: { surface: StaffSurface; canDecide: boolean }) {
  const { t } = useTranslation('appeals');
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [params, setParams] = useSearchParams();
  const state = (STATES as readonly string[]).includes(params.get('state') ?? '') ? params.get('state') as (typeof STATES)[number] : 'PENDING';
  const [rejecting, setRejecting] = useState<QueuedAppeal>();
  const [accepting, setAccepting] = useState<QueuedAppeal>();
  const [reason, setReason] = useState('');
  const [error, setError] = useState<unknown>();
  const query = useQuery({ queryKey: ['appeals', surface, state], queryFn: () => get<QueuedAppeal[]>(`/api/v1/${surface}/appeals?state=${state}&limit=200`), refetchInterval: 20_000 });

  const decide = async (a: QueuedAppeal, decision: 'ACCEPT' | 'REJECT', why?: string) => {
    setError(undefined);
    try {
      await post(`/api/v1/${surface}/appeals/${a.appealId}/decision`, why ? { decision, reason: why } : { decision });
      message.success(decision === 'ACCEPT' ? t('queue.accepted') : t('queue.rejected'));
      setRejecting(undefined);
      setAccepting(undefined);
      setReason('');
    } catch (e) {
      setError(e);
    }
    await qc.invalidateQueries({ queryKey: ['appeals', surface] });
  };

  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('queue.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('queue.hint')}</Typography.Paragraph>
      <Segmented value={state} onChange={(v) => setParams({ state: String(v) }, { replace: false })} style={{ marginBottom: 12 }}
        options={STATES.map((s) => ({ value: s, label: t(`queue.state.${s}`) }))} />
      <ErrorAlert error={error ?? query.error} />
      <Table<QueuedAppeal> rowKey="appealId" size="small" loading={query.isPending} dataSource={query.data ?? []} pagination={false} scroll={{ x: 900 }}
        onRow={(a) => ({ 'data-appeal': a.appealId } as React.HTMLAttributes<HTMLElement>)}
        locale={{ emptyText: <Empty description={t('queue.empty')} /> }}
        columns={[
          { key: 'cand', title: t('queue.candidate'), render: (_, a) => <>{a.candidate.name}<br /><Typography.Text type="secondary">{a.candidate.idNumberMasked}</Typography.Text>{a.institutionName ? <><br /><Typography.Text type="secondary">{a.institutionName}</Typography.Text></> : null}</> },
          { key: 'kind', title: t('queue.type'), render: (_, a) => <StrongTag tone={a.kind === 'LINK' ? 'purple' : 'blue'}>{t(`queue.kind.${a.kind}`)}</StrongTag> },
          { key: 'about', title: t('queue.about'), render: (_, a) => (a.subject
            ? <>{a.subject.name}（{a.subject.code}）<br /><Typography.Text type="secondary">{a.subject.sittingName}{a.registration
              ? ` · ${a.registration.owner === 'INSTITUTION' ? t('queue.institutionRegistration') : t('queue.candidateRegistration')}${a.registration.paid ? ` · ${t('queue.paid')}` : ''}` : ''}</Typography.Text></>
            : '—') },
          { key: 'statement', title: t('queue.statement'), render: (_, a) => <span style={{ whiteSpace: 'pre-wrap' }}>{a.statement}</span> },
          { key: 'at', title: t('queue.filedAt'), render: (_, a) => beijingTime(a.createdAt) },
          { key: 'outcome', title: t('queue.outcome'), render: (_, a) => (a.state === 'PENDING'
            ? (canDecide ? <Space wrap>
                <Button type="primary" size="small" onClick={() => (a.kind === 'LINK' ? setAccepting(a) : void decide(a, 'ACCEPT'))}>{t('queue.accept')}</Button>
                <Button danger size="small" style={{ color: '#a8071a', borderColor: '#a8071a' }} onClick={() => setRejecting(a)}>{t('queue.reject')}</Button>
              </Space> : <StrongTag tone="orange">{t('queue.state.PENDING')}</StrongTag>)
            : <>{t(`queue.state.${a.state}`)}{a.rejectReason ? `：${a.rejectReason}` : ''}<br /><Typography.Text type="secondary">{a.decidedBy} {beijingTime(a.decidedAt)}</Typography.Text></>) },
        ]} />
      <Modal open={rejecting !== undefined} title={t('queue.rejectTitle', { name: rejecting?.candidate.name ?? '' })} okText={t('queue.reject')} okButtonProps={{ danger: true, disabled: reason.trim().length === 0 }}
        onOk={() => rejecting && void decide(rejecting, 'REJECT', reason.trim())} onCancel={() => setRejecting(undefined)}>
        <label htmlFor="appeal-reject-reason">{t('queue.reason')}</label>
        <Input.TextArea id="appeal-reject-reason" value={reason} maxLength={200} onChange={(e) => setReason(e.target.value)} rows={3} />
      </Modal>
      <Modal open={accepting !== undefined} title={t('queue.acceptLinkTitle', { name: accepting?.candidate.name ?? '' })} okText={t('queue.accept')}
        onOk={() => accepting && void decide(accepting, 'ACCEPT')} onCancel={() => setAccepting(undefined)}>
        <p>{t('queue.acceptLinkBody')}</p>
      </Modal>
    </>
  );
}

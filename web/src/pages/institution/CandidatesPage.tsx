import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Checkbox, Empty, Space, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { beijingTime, del, get, post, yuan } from '../../api/client.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { StaffPage } from '../../session/staff.tsx';
import { label, type InstitutionCandidate, type InstitutionRegistration } from './api.ts';
import { INSTITUTION_NAV } from './nav.ts';

const PAGE = 50;
const STATUS_COLOR: Record<InstitutionRegistration['status'], string> = { UNPAID: 'orange', ON_BILL: 'blue', PAID: 'green', SEAT_RELEASED: 'red' };

interface Row extends InstitutionRegistration { candidateName: string; idNumberMasked: string; candidateId: string }

/**
 * ORG-1 / REG-8: every candidate of this institution with each registration's status, and the
 * unpaid registrations the institution made gathered into one batch bill. What may be selected
 * is what the server says is payable by the institution; the server checks it again.
 */
export function CandidatesPage() {
  return <StaffPage surface="institution" nav={INSTITUTION_NAV}>{(me) => <CandidatesTable canPay={me.permissions.includes('bill.pay')} canDelete={me.permissions.includes('registration.delete')} />}</StaffPage>;
}

function CandidatesTable({ canPay, canDelete }: { canPay: boolean; canDelete: boolean }) {
  const { t, i18n } = useTranslation('institution');
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { message, modal } = App.useApp();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const query = useInfiniteQuery({
    queryKey: ['institution', 'candidates'],
    initialPageParam: '',
    queryFn: ({ pageParam }) => get<InstitutionCandidate[]>(`/api/v1/institution/candidates?limit=${PAGE}${pageParam ? `&afterId=${pageParam}` : ''}`),
    getNextPageParam: (last) => (last.length === PAGE ? last[last.length - 1]!.candidateId : undefined),
    refetchInterval: 15_000,
  });
  const rows: Row[] = useMemo(() => (query.data?.pages ?? []).flat().flatMap((c) => c.registrations.map((r) => ({ ...r, candidateName: c.name, idNumberMasked: c.idNumberMasked, candidateId: c.candidateId }))), [query.data]);
  const chosen = rows.filter((r) => selected.has(r.registrationId) && r.payableByInstitution);
  const total = chosen.reduce((s, r) => s + BigInt(r.feeFen), 0n);
  const toggle = (id: string, on: boolean) => setSelected((s) => { const n = new Set(s); if (on) n.add(id); else n.delete(id); return n; });

  const createBill = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const bill = await post<{ billNo: string }>('/api/v1/institution/batch-bills', { registrationIds: chosen.map((r) => r.registrationId) });
      await qc.invalidateQueries({ queryKey: ['institution'] });
      navigate(`/institution/bills/${bill.billNo}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const remove = (r: Row) => modal.confirm({
    title: t('candidates.deleteConfirm'),
    onOk: async () => {
      try {
        await del(`/api/v1/institution/registrations/${r.registrationId}`);
        message.success(t('candidates.deleted'));
        await qc.invalidateQueries({ queryKey: ['institution', 'candidates'] });
      } catch (e) {
        setError(e);
      }
    },
  });

  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('candidates.title')}</Typography.Title>
      <ErrorAlert error={error ?? query.error} />
      {canPay ? (
        <Space wrap style={{ marginBottom: 12 }}>
          <Button type="primary" disabled={chosen.length === 0} loading={busy} onClick={() => void createBill()}>{t('candidates.createBill', { count: chosen.length })}</Button>
          <Typography.Text>{t('candidates.total', { amount: yuan(total) })}</Typography.Text>
        </Space>
      ) : null}
      <Table<Row>
        rowKey="registrationId" size="small" loading={query.isPending} dataSource={rows} pagination={false} scroll={{ x: 900 }}
        locale={{ emptyText: <Empty description={t('candidates.empty')} /> }}
        columns={[
          ...(canPay ? [{ key: 'select', title: t('candidates.select'), width: 64, render: (_: unknown, r: Row) => (
            <Checkbox aria-label={`${t('candidates.select')} ${r.candidateName} ${r.subjectName}`} disabled={!r.payableByInstitution} checked={selected.has(r.registrationId)} onChange={(e) => toggle(r.registrationId, e.target.checked)} />
          ) }] : []),
          { key: 'name', title: t('candidates.name'), dataIndex: 'candidateName' },
          { key: 'id', title: t('candidates.idNumber'), dataIndex: 'idNumberMasked' },
          { key: 'sitting', title: t('candidates.sitting'), dataIndex: 'sittingName' },
          { key: 'subject', title: t('candidates.subject'), render: (_, r) => <>{r.subjectName}{r.owner === 'CANDIDATE' ? <Tag style={{ marginInlineStart: 8 }}>{t('candidates.ownedByCandidate')}</Tag> : null}</> },
          { key: 'fee', title: t('candidates.fee'), align: 'right', render: (_, r) => yuan(r.feeFen) },
          { key: 'seat', title: t('candidates.seat'), render: (_, r) => (r.seat ? `${r.seat.siteName} · ${beijingTime(r.seat.startsAt)}` : '—') },
          { key: 'status', title: t('candidates.status'), render: (_, r) => (
            <Space direction="vertical" size={0}>
              <Tag color={STATUS_COLOR[r.status]}>{label(r.statusLabel, i18n.language)}</Tag>
              {r.seatReleased ? <Typography.Text type="secondary">{label(r.seatReleased, i18n.language)}</Typography.Text> : null}
              {r.bill ? <Button type="link" size="small" style={{ padding: 0 }} onClick={() => navigate(`/institution/bills/${r.bill!.billNo}`)}>{r.bill.billNo}</Button> : null}
            </Space>
          ) },
          ...(canDelete ? [{ key: 'delete', title: '', render: (_: unknown, r: Row) => (r.owner === 'INSTITUTION' && (r.status === 'UNPAID' || r.status === 'SEAT_RELEASED')
            ? <Button size="small" danger onClick={() => remove(r)}>{t('candidates.deleteRegistration')}</Button> : null) }] : []),
        ]}
      />
      {query.hasNextPage ? <Button style={{ marginTop: 12 }} onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>{t('candidates.more')}</Button> : null}
    </>
  );
}

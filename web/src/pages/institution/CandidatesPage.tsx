import { useInfiniteQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Checkbox, Empty, Space, Table, Tag, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { beijingTime, del, get, post, yuan } from '../../api/client.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { StaffPage } from '../../session/staff.tsx';
import { label, type InstitutionCandidate, type InstitutionRegistration } from './api.ts';
import { INSTITUTION_NAV } from './nav.ts';

const PAGE = 50;
/** Status colours dark enough to read on their tint (WCAG AA 4.5:1; antd's preset tags are lighter). */
const STATUS_STYLE: Record<InstitutionRegistration['status'], React.CSSProperties> = {
  UNPAID: { color: '#873800', background: '#fff7e6', borderColor: '#ffd591' },
  ON_BILL: { color: '#003a8c', background: '#e6f4ff', borderColor: '#91caff' },
  PAID: { color: '#135200', background: '#f6ffed', borderColor: '#b7eb8f' },
  SEAT_RELEASED: { color: '#820014', background: '#fff1f0', borderColor: '#ffa39e' },
};
const DANGER = { color: '#a8071a', borderColor: '#a8071a' };

/** One line per registration; a candidate with none still has a line ("未报考"). */
interface Row { key: string; candidateId: string; candidateName: string; idNumberMasked: string; reg: InstitutionRegistration | null }

/**
 * ORG-1 / REG-8: every candidate of this institution with each registration's status, and the
 * unpaid registrations the institution made gathered into one batch bill. What may be selected
 * is what the server says is payable by the institution; the server checks it again.
 */
export function CandidatesPage() {
  return (
    <StaffPage surface="institution" nav={INSTITUTION_NAV}>
      {(me) => <CandidatesTable canPay={me.permissions.includes('bill.pay')} canDelete={me.permissions.includes('registration.delete')} canRegister={me.permissions.includes('registration.create')} />}
    </StaffPage>
  );
}

function CandidatesTable({ canPay, canDelete, canRegister }: { canPay: boolean; canDelete: boolean; canRegister: boolean }) {
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
  const rows: Row[] = useMemo(() => (query.data?.pages ?? []).flat().flatMap((c): Row[] => {
    const who = { candidateId: c.candidateId, candidateName: c.name, idNumberMasked: c.idNumberMasked };
    return c.registrations.length === 0 ? [{ key: `c${c.candidateId}`, ...who, reg: null }] : c.registrations.map((r) => ({ key: r.registrationId, ...who, reg: r }));
  }), [query.data]);
  const chosen = rows.flatMap((r) => (r.reg && selected.has(r.reg.registrationId) && r.reg.payableByInstitution ? [r.reg] : []));
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
  const remove = (r: InstitutionRegistration) => modal.confirm({
    title: t('candidates.deleteConfirm'), okText: t('candidates.confirm'), cancelText: t('candidates.cancel'),
    onOk: async () => {
      setError(undefined);
      try {
        await del(`/api/v1/institution/registrations/${r.registrationId}`);
        message.success(t('candidates.deleted'));
        await qc.invalidateQueries({ queryKey: ['institution', 'candidates'] });
      } catch (e) {
        // The server's refusal in its own words (a candidate's own, paid, on a bill, window closed).
        setError(e);
      }
    },
  });

  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('candidates.title')}</Typography.Title>
      <Typography.Paragraph>{t('candidates.intro')}</Typography.Paragraph>
      {canRegister ? <p><Link to="/institution/import">{t('candidates.fromSheet')}</Link></p> : null}
      <ErrorAlert error={error ?? query.error} />
      {canPay ? (
        <Space wrap style={{ marginBottom: 12 }}>
          <Button type="primary" data-testid="create-bill" disabled={chosen.length === 0} loading={busy} onClick={() => void createBill()}>{t('candidates.createBill', { count: chosen.length })}</Button>
          <Typography.Text data-testid="selected-total">{t('candidates.total', { amount: yuan(total) })}</Typography.Text>
        </Space>
      ) : null}
      <Table<Row>
        rowKey="key" size="small" loading={query.isPending} dataSource={rows} pagination={false} scroll={{ x: 1000 }}
        locale={{ emptyText: <Empty description={t('candidates.empty')} /> }}
        columns={[
          ...(canPay ? [{ key: 'select', title: t('candidates.select'), width: 64, render: (_: unknown, r: Row) => (r.reg ? (
            <Checkbox aria-label={`${t('candidates.select')} ${r.candidateName} ${r.reg.subjectName}`} disabled={!r.reg.payableByInstitution} checked={selected.has(r.reg.registrationId)}
              onChange={(e) => toggle(r.reg!.registrationId, e.target.checked)} />
          ) : null) }] : []),
          { key: 'name', title: t('candidates.name'), dataIndex: 'candidateName' },
          { key: 'id', title: t('candidates.idNumber'), dataIndex: 'idNumberMasked' },
          { key: 'sitting', title: t('candidates.sitting'), render: (_, r) => r.reg?.sittingName ?? '—' },
          { key: 'subject', title: t('candidates.subject'), render: (_, r) => (r.reg ? <>{r.reg.subjectName}{r.reg.owner === 'CANDIDATE' ? <Tag style={{ marginInlineStart: 8 }}>{t('candidates.ownedByCandidate')}</Tag> : null}</> : '—') },
          { key: 'fee', title: t('candidates.fee'), align: 'right', render: (_, r) => (r.reg ? yuan(r.reg.feeFen) : '—') },
          { key: 'seat', title: t('candidates.seat'), render: (_, r) => (r.reg?.seat ? `${r.reg.seat.siteName} · ${beijingTime(r.reg.seat.startsAt)}` : '—') },
          { key: 'status', title: t('candidates.status'), render: (_, r) => (r.reg ? (
            <div data-testid="registration-status" style={{ display: 'flex', flexDirection: 'column', alignItems: 'flex-start' }}>
              <Tag style={STATUS_STYLE[r.reg.status]}>{label(r.reg.statusLabel, i18n.language)}</Tag>
              {r.reg.seatReleased ? <Typography.Text type="secondary">{label(r.reg.seatReleased, i18n.language)}</Typography.Text> : null}
              {r.reg.bill ? <Link to={`/institution/bills/${r.reg.bill.billNo}`}>{r.reg.bill.billNo}</Link> : null}
            </div>
          ) : <div data-testid="registration-status"><Tag>{t('candidates.notRegistered')}</Tag></div>) },
          { key: 'actions', title: t('candidates.actions'), render: (_, r) => (
            <Space orientation="vertical" size={4}>
              {canDelete && r.reg && r.reg.owner === 'INSTITUTION' && (r.reg.status === 'UNPAID' || r.reg.status === 'SEAT_RELEASED')
                ? <Button size="small" style={DANGER} onClick={() => remove(r.reg!)} aria-label={`${t('candidates.deleteRegistration')} ${r.candidateName} ${r.reg.subjectName}`}>{t('candidates.deleteRegistration')}</Button> : null}
              {r.reg?.owner === 'CANDIDATE' && r.reg.reason ? <Typography.Text type="secondary" style={{ fontSize: 12 }}>{label(r.reg.reason, i18n.language)}</Typography.Text> : null}
              {canRegister && (!r.reg || rows.find((x) => x.candidateId === r.candidateId) === r)
                ? <Link to={`/institution/register?candidateId=${r.candidateId}`} aria-label={`${t('candidates.registerOne')} ${r.candidateName}`}>{t('candidates.registerOne')}</Link> : null}
            </Space>
          ) },
        ]}
      />
      {query.hasNextPage ? <Button style={{ marginTop: 12 }} onClick={() => void query.fetchNextPage()} loading={query.isFetchingNextPage}>{t('candidates.more')}</Button> : null}
    </>
  );
}

import { useQuery } from '@tanstack/react-query';
import { Button, Descriptions, Form, Input, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { beijingTime, get, post, yuan } from '../../../api/client.ts';
import { ErrorAlert } from '../../../components/ErrorAlert.tsx';
import { StaffPage } from '../../../session/staff.tsx';
import { ADMIN_NAV } from '../nav.ts';
import { READABLE_LABELS } from './tones.tsx';
import { BILL_NO, type BillSummary, type CandidateDetail, type CandidateSummary } from './api.ts';

/**
 * Finding whom to refund: a name or a whole ID number (sent in a POST body, never in the URL —
 * the search text lives in the browser's history entry, so Back and Refresh keep it), or a bill
 * number, which opens that bill at once.
 */
export function FindPage() {
  return <StaffPage surface="admin" nav={ADMIN_NAV}>{() => <Find />}</StaffPage>;
}

function Find() {
  const { t } = useTranslation('finance');
  const location = useLocation();
  const navigate = useNavigate();
  const asked = (location.state as { q?: string } | null)?.q ?? '';
  const [text, setText] = useState(asked);
  const [missing, setMissing] = useState(false);
  const query = useQuery({
    queryKey: ['finance', 'search', asked], enabled: asked !== '',
    queryFn: () => post<CandidateSummary[]>('/api/v1/admin/candidates/search', { q: asked, limit: 50 }),
  });
  const submit = () => {
    const q = text.trim();
    setMissing(q === '');
    if (!q) return;
    if (BILL_NO.test(q)) navigate(`/admin/refunds/bills/${q}`);
    else navigate('/admin/refunds/find', { replace: true, state: { q } });
  };
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('find.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('find.hint')}</Typography.Paragraph>
      <Form layout="inline" onFinish={submit} style={{ marginBottom: 16, rowGap: 8 }}>
        <Form.Item label={t('find.label')} htmlFor="find-q" validateStatus={missing ? 'error' : undefined} help={missing ? t('find.required') : undefined}>
          <Input id="find-q" style={{ width: 280 }} value={text} placeholder={t('find.placeholder')} autoComplete="off" maxLength={64} onChange={(e) => setText(e.target.value)} />
        </Form.Item>
        <Form.Item><Button type="primary" htmlType="submit">{t('find.submit')}</Button></Form.Item>
      </Form>
      <ErrorAlert error={query.error} />
      {asked && query.isSuccess && query.data.length === 0 ? <Typography.Paragraph>{t('find.empty')}</Typography.Paragraph> : null}
      {asked && !(query.isSuccess && query.data.length === 0) ? (
        <Table<CandidateSummary> rowKey="candidateId" size="small" loading={query.isFetching} dataSource={query.data ?? []} pagination={false} scroll={{ x: 700 }} locale={{ emptyText: t('find.empty') }}
          columns={[
            { key: 'name', title: t('find.name'), render: (_, c) => <Link to={`/admin/refunds/candidates/${c.candidateId}`}>{c.name}</Link> },
            { key: 'id', title: t('find.idNumber'), render: (_, c) => <Typography.Text code>{c.idNumberMasked}</Typography.Text> },
            { key: 'exam', title: t('find.exam'), dataIndex: 'examCode' },
            { key: 'inst', title: t('find.institution'), render: (_, c) => c.institution?.name ?? '—' },
            { key: 'open', title: t('find.open'), render: (_, c) => <Link to={`/admin/refunds/candidates/${c.candidateId}`} aria-label={`${t('find.open')} ${c.name}`}>{t('find.open')}</Link> },
          ]} />
      ) : null}
      <Typography.Paragraph style={{ marginTop: 16 }}><Link to="/admin/refunds">{t('find.back')}</Link></Typography.Paragraph>
    </>
  );
}

/** One candidate's bills, each opening the bill page where its items are refunded. */
export function CandidateBillsPage() {
  return <StaffPage surface="admin" nav={ADMIN_NAV}>{() => <CandidateBills />}</StaffPage>;
}

function CandidateBills() {
  const { t, i18n } = useTranslation('finance');
  const zh = i18n.language.startsWith('zh');
  const { candidateId = '' } = useParams();
  const query = useQuery({ queryKey: ['finance', 'candidate', candidateId], queryFn: () => get<CandidateDetail>(`/api/v1/admin/candidates/${encodeURIComponent(candidateId)}`), refetchInterval: 10_000 });
  const c = query.data;
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('candidate.title', { name: c?.name ?? '' })}</Typography.Title>
      <ErrorAlert error={query.error} />
      {c ? (
        <>
          <Descriptions size="small" column={{ xs: 1, sm: 2 }} style={{ marginBottom: 16 }} styles={READABLE_LABELS} items={[
            { key: 'id', label: t('candidate.idNumber'), children: c.idNumberMasked },
            { key: 'exam', label: t('candidate.exam'), children: c.examName },
          ]} />
          <Typography.Title level={2} style={{ fontSize: 18 }}>{t('candidate.bills')}</Typography.Title>
          {c.bills.length === 0 ? <Typography.Paragraph>{t('candidate.noBills')}</Typography.Paragraph> : <Table<BillSummary> rowKey="billNo" size="small" dataSource={c.bills} pagination={false} scroll={{ x: 700 }} locale={{ emptyText: t('candidate.noBills') }}
            columns={[
              { key: 'no', title: t('candidate.billNo'), render: (_, b) => <Link to={`/admin/refunds/bills/${b.billNo}`}>{b.billNo}</Link> },
              { key: 'state', title: t('candidate.state'), render: (_, b) => <Tag>{zh ? b.stateLabel.zh : b.stateLabel.en}</Tag> },
              { key: 'amount', title: t('candidate.amount'), align: 'right', render: (_, b) => `¥${yuan(b.amountFen)}` },
              { key: 'channel', title: t('candidate.channel'), render: (_, b) => (b.channel ? t(`channel.${b.channel}`, { defaultValue: b.channel }) : '—') },
              { key: 'paid', title: t('candidate.paidAt'), render: (_, b) => beijingTime(b.paidAt) },
              { key: 'open', title: t('candidate.open'), render: (_, b) => <Link to={`/admin/refunds/bills/${b.billNo}`} aria-label={`${t('candidate.open')} ${b.billNo}`}>{t('candidate.open')}</Link> },
            ]} />}
        </>
      ) : null}
      <Typography.Paragraph style={{ marginTop: 16 }}><Link to="/admin/refunds/find">{t('candidate.back')}</Link></Typography.Paragraph>
    </>
  );
}

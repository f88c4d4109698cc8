import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Descriptions, Empty, Segmented, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { beijingTime, get, post, yuan } from '../../api/client.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { StaffPage } from '../../session/staff.tsx';
import { ADMIN_NAV } from './nav.ts';

/** GET /api/v1/admin/paying-bills */
interface PayingBill {
  billNo: string;
  owner: string;
  payerName: string | null;
  sittingName: string;
  amountFen: number | string;
  channel: string | null;
  payingSince: string;
  payingSinceShown: string;
  hoursPaying: number;
  pastFlag: boolean;
  flaggedAt: string | null;
  lastQueriedAt: string | null;
  openOrders: number;
}

/** POST /api/v1/admin/bills/:billNo/status-check (the parts this page shows) */
interface StatusCheck {
  billNo: string;
  state: string;
  stateLabel: { zh: string; en: string };
  explanation: { zh: string; en: string };
  channelAnswers: { outTradeNo: string; channel: string; answer: string }[];
}

/**
 * PAY-4: the bills in 缴费中, oldest first, those past 24 hours marked in words and colour, each
 * with "ask the channel now"; the answers and the bill's new state are shown under the list.
 */
export function PayingBillsPage() {
  return <StaffPage surface="admin" nav={ADMIN_NAV}>{(me) => <PayingBills canQuery={me.permissions.includes('bill.query')} />}</StaffPage>;
}

function PayingBills({ canQuery }: { canQuery: boolean }) {
  const { t, i18n } = useTranslation('staff');
  const zh = i18n.language.startsWith('zh');
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const stuck = params.get('stuck') === 'true';
  const [checking, setChecking] = useState<string>();
  const [result, setResult] = useState<StatusCheck>();
  const [error, setError] = useState<unknown>();
  const query = useQuery({ queryKey: ['paying-bills', stuck], queryFn: () => get<PayingBill[]>(`/api/v1/admin/paying-bills?stuck=${stuck}&limit=200`), refetchInterval: 15_000 });
  const check = async (b: PayingBill) => {
    setError(undefined);
    setChecking(b.billNo);
    try {
      setResult(await post<StatusCheck>(`/api/v1/admin/bills/${b.billNo}/status-check`));
      await qc.invalidateQueries({ queryKey: ['paying-bills'] });
      await qc.invalidateQueries({ queryKey: ['admin-dashboard'] });
    } catch (e) {
      setError(e);
    } finally {
      setChecking(undefined);
    }
  };
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('paying.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('paying.hint')}</Typography.Paragraph>
      <Segmented value={stuck ? 'stuck' : 'all'} style={{ marginBottom: 12 }} onChange={(v) => setParams(v === 'stuck' ? { stuck: 'true' } : {}, { replace: true })}
        options={[{ value: 'all', label: t('paying.all') }, { value: 'stuck', label: t('paying.onlyStuck') }]} />
      <ErrorAlert error={error ?? query.error} />
      {result ? (
        <section aria-labelledby="check-result" style={{ marginBottom: 16 }}>
          <Alert type={result.state === 'PAID' ? 'success' : 'info'} showIcon
            title={<Typography.Title level={2} id="check-result" style={{ fontSize: 16, margin: 0 }}>{t('paying.resultTitle', { billNo: result.billNo })}</Typography.Title>}
            description={<>
              <Descriptions column={1} size="small" items={[
                { key: 'state', label: t('paying.newState'), children: <span data-testid="check-state">{zh ? result.stateLabel.zh : result.stateLabel.en} ({result.state})</span> },
                { key: 'why', label: t('paying.explanation'), children: zh ? result.explanation.zh : result.explanation.en },
              ]} />
              <Table size="small" pagination={false} rowKey="outTradeNo" dataSource={result.channelAnswers} locale={{ emptyText: t('paying.noOrders') }}
                columns={[
                  { key: 'order', title: t('paying.outTradeNo'), dataIndex: 'outTradeNo' },
                  { key: 'channel', title: t('paying.channel'), render: (_, a) => t(`dashboard.channel.${a.channel}`, { defaultValue: a.channel }) },
                  { key: 'answer', title: t('paying.answer'), dataIndex: 'answer' },
                ]} />
            </>} />
        </section>
      ) : null}
      <div data-testid="paying-list">
      <Table<PayingBill> rowKey="billNo" size="small" loading={query.isPending} dataSource={query.data ?? []} pagination={false} scroll={{ x: 900 }}
        locale={{ emptyText: <Empty description={stuck ? t('paying.emptyStuck') : t('paying.empty')} /> }}
        rowClassName={(b) => (b.pastFlag ? 'paying-stuck' : '')}
        columns={[
          { key: 'bill', title: t('paying.billNo'), render: (_, b) => <><Typography.Text code>{b.billNo}</Typography.Text>{b.pastFlag ? <><br /><Tag color="red">{t('paying.stuckTag')}</Tag></> : null}</> },
          { key: 'payer', title: t('paying.payer'), render: (_, b) => <>{b.payerName ?? '—'}<br /><Typography.Text type="secondary">{b.sittingName}</Typography.Text></> },
          { key: 'amount', title: t('paying.amount'), align: 'right', render: (_, b) => `¥${yuan(b.amountFen)}` },
          { key: 'channel', title: t('paying.channel'), render: (_, b) => (b.channel ? t(`dashboard.channel.${b.channel}`, { defaultValue: b.channel }) : '—') },
          { key: 'since', title: t('paying.since'), render: (_, b) => <>{b.payingSinceShown}<br />
            {b.pastFlag ? <strong style={{ color: '#a8071a' }}>{t('paying.hours', { hours: b.hoursPaying })}</strong> : <Typography.Text type="secondary">{t('paying.hours', { hours: b.hoursPaying })}</Typography.Text>}</> },
          { key: 'queried', title: t('paying.lastQueried'), render: (_, b) => beijingTime(b.lastQueriedAt) },
          { key: 'orders', title: t('paying.openOrders'), dataIndex: 'openOrders', align: 'right' },
          { key: 'action', title: t('paying.action'), render: (_, b) => (canQuery
            ? <Button size="small" type={b.pastFlag ? 'primary' : 'default'} loading={checking === b.billNo} onClick={() => void check(b)}
              aria-label={`${t('paying.queryNow')} ${b.billNo}`}>{t('paying.queryNow')}</Button>
            : '—') },
        ]} />
      </div>
    </>
  );
}

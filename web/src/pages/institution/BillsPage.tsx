import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Empty, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { beijingTime, get, yuan } from '../../api/client.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { StaffPage } from '../../session/staff.tsx';
import { label, type BatchBillSummary } from './api.ts';
import { INSTITUTION_NAV } from './nav.ts';

/** The institution's batch bills, newest first. */
export function BillsPage() {
  const { t, i18n } = useTranslation('institution');
  const query = useInfiniteQuery({
    queryKey: ['institution', 'bills'],
    initialPageParam: '',
    queryFn: ({ pageParam }) => get<{ bills: BatchBillSummary[]; nextBeforeId: string | null }>(`/api/v1/institution/batch-bills${pageParam ? `?beforeId=${pageParam}` : ''}`),
    getNextPageParam: (last) => last.nextBeforeId ?? undefined,
    refetchInterval: 15_000,
  });
  const rows = (query.data?.pages ?? []).flatMap((p) => p.bills);
  return (
    <StaffPage surface="institution" nav={INSTITUTION_NAV}>
      {() => (
        <>
          <Typography.Title level={1} style={{ fontSize: 22 }}>{t('bills.title')}</Typography.Title>
          <ErrorAlert error={query.error} />
          <Table<BatchBillSummary> rowKey="billNo" size="small" loading={query.isPending} dataSource={rows} pagination={false} scroll={{ x: 700 }}
            locale={{ emptyText: <Empty description={t('bills.empty')} /> }}
            columns={[
              { key: 'no', title: t('bills.billNo'), render: (_, b) => <Link to={`/institution/bills/${b.billNo}`}>{b.billNo}</Link> },
              { key: 'state', title: t('bills.state'), render: (_, b) => <Tag>{label(b.stateLabel, i18n.language)}</Tag> },
              { key: 'amount', title: t('bills.amount'), align: 'right', render: (_, b) => yuan(b.amountFen) },
              { key: 'items', title: t('bills.items'), dataIndex: 'itemCount', align: 'right' },
              { key: 'created', title: t('bills.createdAt'), render: (_, b) => beijingTime(b.createdAt) },
            ]} />
          {query.hasNextPage ? <Button style={{ marginTop: 12 }} onClick={() => void query.fetchNextPage()}>{t('bills.more')}</Button> : null}
        </>
      )}
    </StaffPage>
  );
}

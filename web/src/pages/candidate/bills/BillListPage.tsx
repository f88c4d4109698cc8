import { Alert, Button, Card, List, Spin, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { beijingTime, yuan } from '../../../api/client.ts';
import { ErrorAlert } from '../../../components/ErrorAlert.tsx';
import { say, useBills } from './billApi.ts';

/** PAY-7: every bill of the candidate, newest first, with its state in the server's words. */
export function BillList() {
  const { t, i18n } = useTranslation('bills');
  const bills = useBills();
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('listTitle')}</Typography.Title>
      {bills.isPending && <Spin aria-label={t('common:loading')} />}
      {bills.isError && <><ErrorAlert error={bills.error} /><Button onClick={() => void bills.refetch()}>{t('common:retry')}</Button></>}
      {bills.data?.length === 0 && <Alert type="info" showIcon title={t('listEmpty')} description={<Link to="/sittings">{t('toRegistration')}</Link>} />}
      {bills.data && bills.data.length > 0 && (
        <Card>
          <List dataSource={bills.data} rowKey="billNo" renderItem={(b) => (
            <List.Item data-testid="bill-row" data-bill={b.billNo}>
              <div style={{ width: '100%' }}>
                <Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>
                  <Link to={`/bills/${b.billNo}`} aria-label={`${t('billTitle', { billNo: b.billNo })} ${say(b.stateLabel, i18n.language)}`}>{b.billNo}</Link>
                </Typography.Title>
                <p style={{ margin: '4px 0' }}>
                  <strong>{say(b.stateLabel, i18n.language)}</strong> · {t('common:yuan', { amount: yuan(b.amountFen) })} · {t('createdAt')} {b.shownTimes.createdAt ?? beijingTime(b.createdAt)}
                  {b.paidAt && <> · {t('paidAt')} {b.shownTimes.paidAt ?? beijingTime(b.paidAt)}</>}
                  {b.closedAt && <> · {t('closedAt')} {b.shownTimes.closedAt ?? beijingTime(b.closedAt)}</>}
                </p>
                <p style={{ margin: 0 }}>{say(b.explanation, i18n.language)}</p>
              </div>
            </List.Item>
          )} />
          <p style={{ marginTop: 12, marginBottom: 0 }}>{t('timesNote')}</p>
        </Card>
      )}
    </>
  );
}

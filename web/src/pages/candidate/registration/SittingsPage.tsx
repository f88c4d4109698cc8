import { useQueries, useQuery } from '@tanstack/react-query';
import { Card, Empty, Skeleton, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { LinkButton, useSessionLossRedirect } from '../account/shared.tsx';
import { get } from '../../../api/client.ts';
import { ErrorAlert } from '../../../components/ErrorAlert.tsx';
import { CandidatePage } from '../../../session/candidate.tsx';
import { fetchOptions, optionsKey, type Sitting } from './api.ts';
import { WindowList } from './WindowList.tsx';

/** 报名: the candidate's sittings with their windows, each opening its registration page. */
export function SittingsPage() {
  return <CandidatePage>{() => <Sittings />}</CandidatePage>;
}

function Sittings() {
  const { t } = useTranslation('registration');
  const sittings = useQuery({ queryKey: ['sittings'], queryFn: () => get<Sitting[]>('/api/v1/sittings') });
  const options = useQueries({ queries: (sittings.data ?? []).map((s) => ({ queryKey: optionsKey(s.sittingId), queryFn: () => fetchOptions(s.sittingId) })) });
  useSessionLossRedirect(sittings.error, ...options.map((o) => o.error));
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('sittings.title')}</Typography.Title>
      <p style={{ color: '#434343' }}>{t('sittings.intro')}</p>
      {sittings.isPending ? <Skeleton active /> : null}
      {sittings.isError ? <ErrorAlert error={sittings.error} /> : null}
      {sittings.data?.length === 0 ? <Empty description={t('sittings.none')} /> : null}
      {sittings.data?.map((s, i) => {
        const o = options[i];
        return (
          <Card key={s.sittingId} style={{ marginBottom: 16 }} data-sitting={s.sittingId}>
            <Typography.Title level={2} style={{ fontSize: 18, marginTop: 0 }}>{s.name} <small style={{ color: '#595959', fontWeight: 400 }}>{s.code}</small></Typography.Title>
            {o?.isPending ? <Skeleton active paragraph={{ rows: 2 }} /> : null}
            {o?.isError ? <ErrorAlert error={o.error} /> : null}
            {o?.data ? <WindowList options={o.data} /> : null}
            <LinkButton to={`/sittings/${s.sittingId}`} type="primary" style={{ marginTop: 12 }}>{t('sittings.open', { name: s.name })}</LinkButton>
          </Card>
        );
      })}
    </>
  );
}

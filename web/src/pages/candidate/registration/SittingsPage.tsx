import { useQueries, useQuery } from '@tanstack/react-query';
import { Card, Descriptions, Empty, Skeleton, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { LinkButton, useSessionLossRedirect } from '../account/shared.tsx';
import { get } from '../../../api/client.ts';
import { ErrorAlert } from '../../../components/ErrorAlert.tsx';
import { CandidatePage, type Me } from '../../../session/candidate.tsx';
import { fetchOptions, optionsKey, type Sitting } from './api.ts';
import { WindowList } from './WindowList.tsx';

/** 报名: the candidate's sittings with their windows, each opening its registration page. */
export function SittingsPage() {
  return <CandidatePage>{(me) => <Sittings me={me} />}</CandidatePage>;
}

/**
 * 请核对个人信息 (seed 001: 页面显示考生姓名、证件号、手机号等信息，请考生仔细核对): the server's masked
 * ID number and phone (OPS-6) — the page never receives them whole.
 */
function Who({ me }: { me: Me }) {
  const { t } = useTranslation('registration');
  return (
    <Card style={{ marginBottom: 16 }}>
      <section aria-labelledby="who-title" id="who">
        <Typography.Title level={2} id="who-title" style={{ fontSize: 18, marginTop: 0 }}>{t('who.title')}</Typography.Title>
        <p style={{ color: '#434343' }}>{t('who.intro')}</p>
        <Descriptions size="small" column={{ xs: 1, sm: 2 }} bordered
          items={[
            { key: 'name', label: t('who.name'), children: <span id="who-name">{me.name}</span> },
            { key: 'id', label: t('who.idNumber'), children: <span id="who-id">{me.idNumberMasked}</span> },
            ...(me.phoneMasked ? [{ key: 'phone', label: t('who.phone'), children: <span id="who-phone">{me.phoneMasked}</span> }] : []),
            ...(me.email ? [{ key: 'email', label: t('who.email'), children: <span id="who-email">{me.email}</span> }] : []),
          ]} />
      </section>
    </Card>
  );
}

function Sittings({ me }: { me: Me }) {
  const { t } = useTranslation('registration');
  const sittings = useQuery({ queryKey: ['sittings'], queryFn: () => get<Sitting[]>('/api/v1/sittings') });
  const options = useQueries({ queries: (sittings.data ?? []).map((s) => ({ queryKey: optionsKey(s.sittingId), queryFn: () => fetchOptions(s.sittingId) })) });
  useSessionLossRedirect(sittings.error, ...options.map((o) => o.error));
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('sittings.title')}</Typography.Title>
      <p style={{ color: '#434343' }}>{t('sittings.intro')}</p>
      <Who me={me} />
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

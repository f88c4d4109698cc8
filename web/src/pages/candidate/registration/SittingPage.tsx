import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Skeleton, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { del, post, yuan } from '../../../api/client.ts';
import { ErrorAlert } from '../../../components/ErrorAlert.tsx';
import { CandidatePage, type Me } from '../../../session/candidate.tsx';
import { RefusalAlert, useSessionLossRedirect } from '../account/shared.tsx';
import { fetchOptions, fetchRegistrations, optionsKey, REGISTRATIONS_KEY, selectable } from './api.ts';
import { Cet6Review } from './Cet6Review.tsx';
import { MyRegistrations } from './MyRegistrations.tsx';
import { SubjectCard } from './SubjectCard.tsx';
import { WindowList } from './WindowList.tsx';

/** 报名: one sitting — eligibility per subject, registering with site and slot, my registrations, CET6 review, 确认科目并缴费. */
export function SittingPage() {
  return <CandidatePage>{(me) => <Sitting me={me} />}</CandidatePage>;
}

const split = (choice: string | undefined) => {
  const [siteId, slotId] = choice ? choice.split(':') : [];
  return siteId && slotId ? { siteId, slotId } : {};
};

function Sitting({ me }: { me: Me }) {
  const { t } = useTranslation('registration');
  const { sittingId = '' } = useParams();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const options = useQuery({ queryKey: optionsKey(sittingId), queryFn: () => fetchOptions(sittingId) });
  const registrations = useQuery({ queryKey: REGISTRATIONS_KEY, queryFn: fetchRegistrations });
  const [selected, setSelected] = useState<string[]>([]);
  const [done, setDone] = useState<string | null>(null);
  const refresh = () => Promise.all([qc.invalidateQueries({ queryKey: optionsKey(sittingId) }), qc.invalidateQueries({ queryKey: REGISTRATIONS_KEY })]);

  // Each action reloads what the page shows from the server: the server is the truth (seats, verdicts).
  const action = useMutation({
    mutationFn: async (a: { kind: 'register'; subjectId: string; choice?: string } | { kind: 'slot'; registrationId: string; choice?: string } | { kind: 'delete'; registrationId: string }) => {
      if (a.kind === 'register') await post('/api/v1/registrations', { subjectId: a.subjectId, ...split(a.choice) });
      else if (a.kind === 'slot') await post(`/api/v1/registrations/${a.registrationId}/slot`, split(a.choice));
      else await del(`/api/v1/registrations/${a.registrationId}`);
      return a.kind;
    },
    onMutate: () => setDone(null),
    onSuccess: (kind) => setDone(kind),
    onSettled: refresh,
  });
  const confirm = useMutation({
    mutationFn: (ids: string[]) => post<{ billNo: string }>('/api/v1/bills', { registrationIds: ids }),
    onSuccess: async (bill) => {
      await refresh();
      navigate(`/bills/${bill.billNo}`);
    },
    onError: refresh,
  });

  useSessionLossRedirect(options.error, registrations.error, action.error, confirm.error);

  if (options.isPending) return <Skeleton active />;
  if (options.isError) return <><ErrorAlert error={options.error} /><Link to="/sittings">{t('sitting.backToList')}</Link></>;
  const o = options.data;
  const mine = (registrations.data ?? []).filter((r) => r.sittingId === sittingId);
  const chosen = selected.filter((id) => mine.some((r) => r.registrationId === id && selectable(r)));
  const total = mine.filter((r) => chosen.includes(r.registrationId)).reduce((sum, r) => sum + BigInt(r.feeFen), 0n);
  const busyId = action.isPending && action.variables.kind !== 'register' ? action.variables.registrationId : null;
  const registeringId = action.isPending && action.variables.kind === 'register' ? action.variables.subjectId : null;
  const reviewNeeded = o.subjects.some((s) => s.reason === 'REVIEW_REQUIRED');

  return (
    <>
      <p style={{ margin: '0 0 8px' }}><Link to="/sittings">{t('sitting.backToList')}</Link></p>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{o.name}</Typography.Title>
      <Card style={{ marginBottom: 16 }}><WindowList options={o} /></Card>
      {me.accountType === 'EMAIL' && !me.emailVerified ? (
        <Alert type="warning" showIcon style={{ marginBottom: 16 }} title={t('sitting.verifyEmail')} description={<Link to="/account">{t('sitting.toAccount')}</Link>} />
      ) : null}

      <div aria-live="polite">
        {done ? <Alert type="success" showIcon role="status" style={{ marginBottom: 16 }} title={t(`sitting.done.${done}`)} /> : null}
      </div>
      <RefusalAlert error={action.error} />

      <Typography.Title level={2} style={{ fontSize: 18 }}>{t('sitting.subjectsTitle')}</Typography.Title>
      <p style={{ color: '#434343' }}>{t('sitting.subjectsIntro')}</p>
      <div id="subjects">
        {o.subjects.map((s) => (
          <SubjectCard key={s.subjectId} subject={s} all={o.subjects} registrationOpen={o.registrationOpen} busy={registeringId === s.subjectId}
            onRegister={(subjectId, choice) => action.mutate({ kind: 'register', subjectId, choice })} />
        ))}
      </div>

      <Typography.Title level={2} style={{ fontSize: 18, marginTop: 24 }}>{t('sitting.mineTitle')}</Typography.Title>
      {registrations.isError ? <ErrorAlert error={registrations.error} /> : null}
      <MyRegistrations registrations={mine} subjects={o.subjects} selected={chosen} onSelect={setSelected} busyId={busyId}
        onChangeSlot={(registrationId, choice) => action.mutate({ kind: 'slot', registrationId, choice })}
        onDelete={(registrationId) => action.mutate({ kind: 'delete', registrationId })} />

      {mine.some(selectable) ? (
        <Card style={{ marginTop: 8 }}>
          <Typography.Title level={3} style={{ fontSize: 16, marginTop: 0 }}>{t('sitting.confirmTitle')}</Typography.Title>
          <p style={{ color: '#434343' }}>{t('sitting.confirmIntro')}</p>
          <RefusalAlert error={confirm.error} />
          <p id="confirm-total">{t('sitting.confirmTotal', { count: chosen.length, amount: yuan(total) })}</p>
          <Button id="confirm-bill" type="primary" size="large" disabled={chosen.length === 0} loading={confirm.isPending} onClick={() => confirm.mutate(chosen)}>
            {t('sitting.confirm')}
          </Button>
        </Card>
      ) : null}

      <Cet6Review sittingId={sittingId} needed={reviewNeeded} />
    </>
  );
}

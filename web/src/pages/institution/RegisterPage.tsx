import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Select, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { get, post, yuan } from '../../api/client.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { StaffPage } from '../../session/staff.tsx';
import { label, type InstitutionCandidate, type RegistrationOptions, type SittingRef } from './api.ts';
import { INSTITUTION_NAV } from './nav.ts';

type Subject = RegistrationOptions['subjects'][number];

/**
 * 报考 for one candidate of the institution (ORG-1, REG-8): what the server says the candidate
 * may register in the sitting, each subject's rule in its words, the sites and times with free
 * seats; the registration is the institution's. Candidate and sitting are in the address.
 */
export function RegisterPage() {
  return <StaffPage surface="institution" nav={INSTITUTION_NAV}>{() => <RegisterForm />}</StaffPage>;
}

function RegisterForm() {
  const { t, i18n } = useTranslation('institution');
  const [params, setParams] = useSearchParams();
  const candidateId = params.get('candidateId') ?? undefined;
  const sittingId = params.get('sittingId') ?? undefined;
  const set = (k: 'candidateId' | 'sittingId', v: string) => setParams((p) => { const n = new URLSearchParams(p); n.set(k, v); return n; }, { replace: true });
  const candidates = useQuery({ queryKey: ['institution', 'candidates', 'pick'], queryFn: () => get<InstitutionCandidate[]>('/api/v1/institution/candidates?limit=200') });
  const sittings = useQuery({ queryKey: ['institution', 'sittings'], queryFn: () => get<SittingRef[]>('/api/v1/institution/sittings') });
  const options = useQuery({
    queryKey: ['institution', 'options', candidateId, sittingId],
    enabled: Boolean(candidateId && sittingId),
    queryFn: () => get<RegistrationOptions>(`/api/v1/institution/candidates/${candidateId}/registration-options?sittingId=${sittingId}`),
  });
  const picked = candidates.data?.find((c) => c.candidateId === candidateId);

  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('register.title')}</Typography.Title>
      <Typography.Paragraph>{t('register.intro')}</Typography.Paragraph>
      <Card style={{ marginBottom: 16, maxWidth: 640 }}>
        <Form layout="vertical">
          <Form.Item label={t('register.candidate')} htmlFor="register-candidate">
            <Select id="register-candidate" showSearch optionFilterProp="label" placeholder={t('register.candidatePlaceholder')} loading={candidates.isPending}
              value={candidateId} onChange={(v: string) => set('candidateId', v)}
              options={(candidates.data ?? []).map((c) => ({ value: c.candidateId, label: `${c.name} ${c.idNumberMasked}` }))} />
          </Form.Item>
          <Form.Item label={t('register.sitting')} htmlFor="register-sitting" style={{ marginBottom: 0 }}>
            <Select id="register-sitting" placeholder={t('register.sittingPlaceholder')} loading={sittings.isPending} value={sittingId} onChange={(v: string) => set('sittingId', v)}
              options={(sittings.data ?? []).map((s) => ({ value: s.sittingId, label: `${s.examName} · ${s.name}` }))} />
          </Form.Item>
        </Form>
      </Card>
      <ErrorAlert error={candidates.error ?? sittings.error ?? options.error} />
      {!candidateId || !sittingId ? <p>{t('register.none')}</p> : null}
      {options.data ? (
        <section aria-labelledby="subjects-title">
          <Typography.Title level={2} id="subjects-title" style={{ fontSize: 18 }}>{picked ? `${picked.name} · ${options.data.name}` : options.data.name}</Typography.Title>
          {!options.data.registrationOpen ? <Alert type="warning" showIcon title={t('register.windowClosed')} style={{ marginBottom: 12 }} /> : null}
          <Table<Subject> rowKey="subjectId" size="small" pagination={false} dataSource={options.data.subjects} scroll={{ x: 700 }}
            columns={[
              { key: 'subject', title: t('register.subject'), render: (_, s) => `${s.name}（${s.code}）` },
              { key: 'fee', title: t('register.fee'), align: 'right', render: (_, s) => yuan(s.feeFen) },
              { key: 'action', title: t('register.action'), render: (_, s) => <SubjectAction candidateId={candidateId!} subject={s} lang={i18n.language} onDone={() => void options.refetch()} /> },
            ]} />
        </section>
      ) : null}
    </>
  );
}

function SubjectAction({ candidateId, subject, lang, onDone }: { candidateId: string; subject: Subject; lang: string; onDone: () => void }) {
  const { t } = useTranslation('institution');
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [choice, setChoice] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  if (!subject.canRegister) {
    return <><Tag>{t('register.cannot')}</Tag>{subject.reasonText ? <Typography.Text type="secondary">{label(subject.reasonText, lang)}</Typography.Text> : null}</>;
  }
  const needsSeat = subject.choices.length > 0;
  const submit = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const [siteId, slotId] = (choice ?? '').split(':');
      await post('/api/v1/institution/registrations', { candidateId, subjectId: subject.subjectId, ...(needsSeat ? { siteId, slotId } : {}) });
      message.success(t('register.done', { subject: subject.name }));
      await qc.invalidateQueries({ queryKey: ['institution', 'candidates'] });
      onDone();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  return (
    <div style={{ display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'center' }}>
      {needsSeat ? (
        <Select aria-label={`${t('register.choice')} ${subject.name}`} style={{ minWidth: 240 }} placeholder={t('register.choicePlaceholder')} value={choice} onChange={setChoice}
          options={subject.choices.map((c) => ({ value: `${c.siteId}:${c.slotId}`, label: `${c.siteName} · ${c.startsAt} · ${t('register.free', { free: c.free })}`, disabled: c.free === 0 }))} />
      ) : null}
      <Button type="primary" size="small" loading={busy} disabled={needsSeat && !choice} onClick={() => void submit()} aria-label={`${t('register.submit')} ${subject.name}`}>{t('register.submit')}</Button>
      <ErrorAlert error={error} style={{ marginBottom: 0, width: '100%' }} />
    </div>
  );
}

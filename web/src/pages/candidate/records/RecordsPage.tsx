import { Alert, Button, Card, Descriptions, Spin, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorAlert } from '../../../components/ErrorAlert.tsx';
import { useStudentRecord, type StudentRecord } from './api.ts';
import { StrongTag } from './StrongTag.tsx';

type SubjectRow = StudentRecord['sittings'][number]['subjects'][number];

/**
 * 学籍与报考资格 (issue 7 item 1, REG-2/REG-3): what the authority holds — the record, and per
 * sitting each subject's standing (可报考 / 已通过 / 免考), eligibility, registration and pending
 * appeal — read-only, from GET /api/v1/me/student-record. Whether a subject can be registered now
 * is the registration page's (the server's rules); this page states facts.
 */
export function RecordsPage() {
  const { t } = useTranslation('appeals');
  const record = useStudentRecord();
  if (record.isPending) return <Spin aria-label={t('common:loading')} />;
  if (record.isError) return <><ErrorAlert error={record.error} /><Button onClick={() => void record.refetch()}>{t('common:retry')}</Button></>;
  const { candidate, sittings } = record.data;
  const standingTag = (s: SubjectRow) => {
    const key = s.standing ?? 'NONE';
    const tone = ({ PASSED: 'green', EXEMPT: 'blue', ELIGIBLE: 'grey', NONE: 'grey' } as const)[key];
    return <StrongTag tone={tone} data-standing={key}>{t(`records.standings.${key}`)}</StrongTag>;
  };
  const registration = (s: SubjectRow) => (
    <>
      {s.registered ? <StrongTag tone="blue">{s.registeredBy === 'INSTITUTION' ? t('records.registeredByInstitution') : t('records.registered')}</StrongTag> : <span>{t('records.notRegistered')}</span>}
      {s.paid && <StrongTag tone="green">{t('records.paid')}</StrongTag>}
      {s.appealPending && <StrongTag tone="orange" data-testid="appeal-pending">{t('records.appealPending')}</StrongTag>}
      {s.cancelled && <StrongTag tone="grey">{t('records.cancelled')}</StrongTag>}
    </>
  );
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('records.title')}</Typography.Title>
      <Typography.Paragraph>{t('records.hint')}</Typography.Paragraph>
      <Card style={{ marginBottom: 16 }}>
        <Descriptions column={{ xs: 1, sm: 2 }} size="small" styles={{ label: { color: '#434343' } }} items={[
          { key: 'name', label: t('records.name'), children: candidate.name },
          { key: 'id', label: t('records.idNumber'), children: candidate.idNumberMasked },
          { key: 'exam', label: t('records.exam'), children: candidate.examName },
          { key: 'inst', label: t('records.institution'), children: candidate.institution?.name ?? t('records.noInstitution') },
        ]} />
      </Card>
      {sittings.length === 0 && <Alert type="info" showIcon title={t('records.empty')} />}
      {sittings.map((st) => (
        <Card key={st.sittingId} style={{ marginBottom: 16 }} data-testid="record-sitting">
          <Typography.Title level={2} style={{ fontSize: 18, marginTop: 0 }}>{st.examName} · {st.name}</Typography.Title>
          {st.rosterRestricted && <Alert type="info" showIcon style={{ marginBottom: 12 }} title={t('records.rosterRestricted')} />}
          <Table<SubjectRow> rowKey="subjectId" size="small" pagination={false} dataSource={st.subjects}
            onRow={(s) => ({ 'data-subject': s.code } as React.HTMLAttributes<HTMLElement>)}
            columns={[
              { key: 'subject', title: t('records.subject'), render: (_, s) => <>{s.name} <Typography.Text type="secondary">{s.code} · {s.kind === 'ORAL' ? t('records.oral') : t('records.written')}</Typography.Text></> },
              { key: 'standing', title: t('records.standing'), render: (_, s) => standingTag(s) },
              { key: 'roster', title: t('records.onRoster'), render: (_, s) => (s.onRoster ? t('records.eligible') : t('records.notEligible')) },
              { key: 'reg', title: t('records.registration'), render: (_, s) => registration(s) },
            ]} />
        </Card>
      ))}
      <p><Link to="/appeals">{t('records.toAppeals')}</Link></p>
    </>
  );
}

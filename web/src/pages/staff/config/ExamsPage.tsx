import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Empty, Form, Input, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { ApiError, get, post } from '../../../api/client.ts';
import { ErrorAlert } from '../../../components/ErrorAlert.tsx';
import { examsKey, reasonText, type ExamView, type Problem } from './api.ts';
import { ConfigPage, H1, H2, RefusalAlert } from './shared.tsx';

/** ADM-1: the authority's exams with their sittings, and the sitting file's import. */
export function ExamsPage() {
  return <ConfigPage>{(canEdit) => <Exams canEdit={canEdit} />}</ConfigPage>;
}

function Exams({ canEdit }: { canEdit: boolean }) {
  const { t } = useTranslation('config');
  const navigate = useNavigate();
  const exams = useQuery({ queryKey: examsKey, queryFn: () => get<ExamView[]>('/api/v1/admin/exams') });
  return (
    <>
      <H1>{t('exams.title')}</H1>
      <Typography.Paragraph type="secondary">{t('exams.hint')}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 12 }}>
        {canEdit ? <Button type="primary" onClick={() => navigate('/admin/config/exams/new')}>{t('exams.create')}</Button> : null}
        <Link to="/admin/config/institutions">{t('institutions.link')}</Link>
      </Space>
      <ErrorAlert error={exams.error} />
      <Table<ExamView> rowKey="examId" size="small" loading={exams.isPending} dataSource={exams.data ?? []} pagination={false} scroll={{ x: 760 }}
        locale={{ emptyText: <Empty description={t('exams.empty')} /> }}
        columns={[
          { key: 'code', title: t('exams.code'), render: (_, e) => <Link to={`/admin/config/exams/${e.examId}`} aria-label={`${t('exams.edit')} ${e.settings.name}`}>{e.settings.code}</Link> },
          { key: 'name', title: t('exams.name'), render: (_, e) => e.settings.name },
          { key: 'style', title: t('exams.accountStyle'), render: (_, e) => t(`exam.style.${e.settings.accountStyle}`) },
          { key: 'channels', title: t('exams.channels'), render: (_, e) => e.settings.channels.map((c) => <Tag key={c}>{t(`staff:dashboard.channel.${c}`)}</Tag>) },
          { key: 'sittings', title: t('exams.sittings'), render: (_, e) => (e.sittings.length === 0 ? t('exams.noSittings') : (
            <Space direction="vertical" size={0}>
              {e.sittings.map((s) => <Link key={s.sittingId} to={`/admin/config/sittings/${s.sittingId}`}>{s.name} ({s.code}){s.cancelledAt ? ` · ${t('exams.cancelled')}` : ''}</Link>)}
            </Space>
          )) },
        ]} />
      {canEdit ? <SittingImport /> : null}
    </>
  );
}

interface Imported { examId: string; examCreated: boolean; sittingId: string; subjects: number; sites: number; slots: number; windows: number; pools: number; seats: number }
interface SittingFile { exam?: { code?: string; name?: string }; sitting?: { code?: string; name?: string } & Record<string, unknown> }

/** The sitting file in, as a new sitting: the code and name may be changed first (the sitting must be new). */
function SittingImport() {
  const { t } = useTranslation('config');
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { message } = App.useApp();
  const [file, setFile] = useState<SittingFile>();
  const [fileError, setFileError] = useState<string>();
  const [code, setCode] = useState('');
  const [name, setName] = useState('');
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  const read = async (f: File | undefined) => {
    setFile(undefined);
    setError(undefined);
    setFileError(undefined);
    if (!f) return;
    try {
      const parsed = JSON.parse(await f.text()) as SittingFile;
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
      setFile(parsed);
      setCode(parsed.sitting?.code ?? '');
      setName(parsed.sitting?.name ?? '');
    } catch {
      setFileError(t('import.notJson'));
    }
  };
  const submit = async () => {
    if (!file) {
      setFileError(t('import.chooseFile'));
      return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const body = file.sitting ? { ...file, sitting: { ...file.sitting, code, name } } : file;
      const r = await post<Imported>('/api/v1/admin/sittings/import', body);
      message.success(t('import.done', { ...r }));
      await qc.invalidateQueries({ queryKey: ['config'] });
      navigate(`/admin/config/sittings/${r.sittingId}`);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const all = error instanceof ApiError && Array.isArray(error.details.problems) ? (error.details.problems as Problem[]) : [];
  // The new sitting's code and name are typed here: their problems show under those fields.
  const at = (path: string) => all.filter((p) => p.path === path).map((p) => reasonText(p.reason, t)).join(' ') || undefined;
  const problems = all.filter((p) => p.path !== '/sitting/code' && p.path !== '/sitting/name');
  return (
    <section aria-labelledby="import-title" style={{ marginTop: 24, maxWidth: 720 }}>
      <H2 id="import-title">{t('import.title')}</H2>
      <Typography.Paragraph type="secondary">{t('import.hint')}</Typography.Paragraph>
      <Form layout="vertical" onFinish={() => void submit()}>
        <Form.Item label={t('import.file')} htmlFor="import-file" validateStatus={fileError ? 'error' : undefined} help={fileError ?? (file ? t('import.fileRead', { exam: file.exam?.code ?? '?', sitting: file.sitting?.code ?? '?' }) : undefined)}>
          <input id="import-file" type="file" accept="application/json,.json" onChange={(e) => void read(e.target.files?.[0])} />
        </Form.Item>
        <Form.Item label={t('import.sittingCode')} htmlFor="import-code" validateStatus={at('/sitting/code') ? 'error' : undefined} help={at('/sitting/code')}>
          <Input id="import-code" value={code} onChange={(e) => setCode(e.target.value)} maxLength={32} />
        </Form.Item>
        <Form.Item label={t('import.sittingName')} htmlFor="import-name" validateStatus={at('/sitting/name') ? 'error' : undefined} help={at('/sitting/name')}>
          <Input id="import-name" value={name} onChange={(e) => setName(e.target.value)} maxLength={200} />
        </Form.Item>
        <RefusalAlert error={error} />
        {problems.length ? (
          <div role="region" aria-label={t('import.problems')} id="import-problems">
            <Typography.Paragraph strong>{t('import.problems')}</Typography.Paragraph>
            <ul>{problems.map((p) => <li key={p.path + p.reason}><code>{p.path}</code>: {reasonText(p.reason, t)}</li>)}</ul>
          </div>
        ) : null}
        <Button type="primary" htmlType="submit" loading={busy}>{t('import.submit')}</Button>
      </Form>
    </section>
  );
}

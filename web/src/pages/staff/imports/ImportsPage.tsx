import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Descriptions, Empty, Progress, Radio, Select, Space, Table, Tag, Typography } from 'antd';
import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { ApiError, beijingTime, get } from '../../../api/client.ts';
import { ErrorAlert } from '../../../components/ErrorAlert.tsx';
import { StaffPage, type StaffMe } from '../../../session/staff.tsx';
import { ADMIN_NAV } from '../nav.ts';
import { IMPORT_KINDS, importTarget, isFinished, uploadImport, type ExamSummary, type ImportKind, type ImportState, type ImportView } from './api.ts';

/** Solid tags, dark enough for white text (WCAG AA); the words say the state, the colour only repeats it. */
const STATE_COLOR: Record<ImportState, string> = { QUEUED: '#595959', RUNNING: '#0958d9', DONE: '#237804', REJECTED: '#a8071a', FAILED: '#a8071a' };

/**
 * ADM-2: upload a roster or a student-record / eligibility file, follow its import (the server's
 * percent, polled until it ends), fetch the error sheet of a rejected one, and see recent imports.
 * What is chosen and which import is shown live in the URL, so Back and Refresh are safe.
 */
export function ImportsPage() {
  return <StaffPage surface="admin" nav={ADMIN_NAV}>{(me) => <Imports me={me} />}</StaffPage>;
}

function Imports({ me }: { me: StaffMe }) {
  const { t } = useTranslation('imports');
  const [params, setParams] = useSearchParams();
  const canRun = me.permissions.includes('import.run');
  const exams = useQuery({ queryKey: ['admin-exams'], queryFn: () => get<ExamSummary[]>('/api/v1/admin/exams'), enabled: me.permissions.includes('exam.read') });
  const importId = params.get('import');
  const recent = useQuery({
    queryKey: ['imports'], queryFn: () => get<ImportView[]>('/api/v1/admin/imports?limit=20'),
    refetchInterval: (q) => (q.state.data?.some((j) => !isFinished(j.state)) ? 3_000 : false),
  });
  const targetName = (j: ImportView) => {
    if (importTarget(j.kind) === 'authority') return t('imports.authorityTarget');
    if (j.examId !== null) {
      const e = exams.data?.find((x) => x.examId === j.examId);
      return e ? `${e.settings.name}（${e.settings.code}）` : t('imports.unknownExam', { id: j.examId });
    }
    for (const e of exams.data ?? []) {
      const s = e.sittings.find((x) => x.sittingId === j.sittingId);
      if (s) return `${e.settings.name} · ${s.name}`;
    }
    return t('imports.unknownSitting', { id: j.sittingId });
  };
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('imports.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('imports.hint')}</Typography.Paragraph>
      {importId ? <ImportProgress importId={importId} targetName={targetName} onBack={() => setParams(withoutImport(params))} />
        : canRun ? <NewImport exams={exams.data ?? []} examsError={exams.error} onStarted={(j) => {
          const next = new URLSearchParams(params);
          next.set('import', j.importId);
          setParams(next);
        }} />
          : <Alert type="info" showIcon title={t('imports.noRights')} style={{ marginBottom: 16 }} />}
      <section aria-labelledby="recent-imports" style={{ marginTop: 24 }}>
        <Typography.Title level={2} id="recent-imports" style={{ fontSize: 18 }}>{t('imports.recentTitle')}</Typography.Title>
        <ErrorAlert error={recent.error} />
        <Table<ImportView> rowKey="importId" size="small" loading={recent.isPending} dataSource={recent.data ?? []} pagination={false}
          // An empty table scrolled sideways would be a scroll region with nothing to focus (axe).
          scroll={recent.data?.length ? { x: 900 } : undefined}
          locale={{ emptyText: <Empty description={t('imports.empty')} /> }} data-testid="recent-imports"
          columns={[
            { key: 'file', title: t('imports.fileName'), render: (_, j) => <>{j.fileName}<br /><Typography.Text type="secondary">#{j.importId} · {j.format}</Typography.Text></> },
            { key: 'kind', title: t('imports.kindCol'), render: (_, j) => t(`imports.kinds.${j.kind}`) },
            { key: 'target', title: t('imports.target'), render: (_, j) => targetName(j) },
            { key: 'state', title: t('imports.state'), render: (_, j) => <Tag color={STATE_COLOR[j.state]}>{t(`imports.states.${j.state}`)}</Tag> },
            { key: 'rows', title: t('imports.rowsTotal'), align: 'right', render: (_, j) => (j.rowsTotal ?? j.rowsRead).toLocaleString('en-US') },
            { key: 'errors', title: t('imports.errorCount'), align: 'right', render: (_, j) => j.errorCount.toLocaleString('en-US') },
            { key: 'created', title: t('imports.createdAt'), render: (_, j) => beijingTime(j.createdAt) },
            { key: 'finished', title: t('imports.finishedAt'), render: (_, j) => beijingTime(j.finishedAt) },
            { key: 'actions', title: t('imports.actions'), render: (_, j) => (
              <Space orientation="vertical" size={0}>
                <Link to={`?${withImport(params, j.importId).toString()}`} aria-label={`${t('imports.view')} #${j.importId}`}>{t('imports.view')}</Link>
                {j.errorSheetUrl ? <a href={j.errorSheetUrl} aria-label={`${t('imports.errorSheet')} #${j.importId}`}>{t('imports.errorSheet')}</a> : null}
              </Space>
            ) },
          ]} />
      </section>
    </>
  );
}

function withImport(params: URLSearchParams, id: string) {
  const next = new URLSearchParams(params);
  next.set('import', id);
  return next;
}
function withoutImport(params: URLSearchParams) {
  const next = new URLSearchParams(params);
  next.delete('import');
  return next;
}

const sizeText = (bytes: number) => (bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(bytes / 1024))} KB`);

function NewImport({ exams, examsError, onStarted }: { exams: ExamSummary[]; examsError: unknown; onStarted: (j: ImportView) => void }) {
  const { t } = useTranslation('imports');
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const kind: ImportKind = IMPORT_KINDS.find((k) => k === params.get('kind')) ?? 'ROSTER';
  const needs = importTarget(kind);
  const examId = params.get('examId') ?? undefined;
  const sittingId = params.get('sittingId') ?? undefined;
  const [file, setFile] = useState<File>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const [problem, setProblem] = useState<string>();
  const set = (key: string, value: string | undefined) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: true });
  };
  const sittings = exams.flatMap((e) => e.sittings.filter((s) => s.cancelledAt === null).map((s) => ({ value: s.sittingId, label: `${e.settings.name} · ${s.name}（${s.code}）` })));
  const target = needs === 'exam' ? examId : needs === 'sitting' ? sittingId : undefined;
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setError(undefined);
    setProblem(undefined);
    if (needs !== 'authority' && !target) return setProblem(t('imports.needTarget'));
    if (!file) return setProblem(t('imports.needFile'));
    setBusy(true);
    try {
      const q = new URLSearchParams({ kind, fileName: file.name, ...(needs === 'exam' ? { examId: target! } : needs === 'sitting' ? { sittingId: target! } : {}) });
      const job = await uploadImport(q, file);
      await qc.invalidateQueries({ queryKey: ['imports'] });
      onStarted(job);
    } catch (e) {
      setError(e instanceof ApiError ? e : String(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="new-import">
      <Typography.Title level={2} id="new-import" style={{ fontSize: 18 }}>{t('imports.newTitle')}</Typography.Title>
      <ErrorAlert error={error ?? examsError} />
      <form onSubmit={(e) => void submit(e)} noValidate style={{ maxWidth: 640 }}>
        <fieldset style={{ border: 0, padding: 0, margin: '0 0 12px' }}>
          <legend style={{ fontSize: 14, marginBottom: 8 }}>{t('imports.kind')}</legend>
          <Radio.Group value={kind} onChange={(e) => set('kind', e.target.value as string)}
            options={IMPORT_KINDS.map((k) => ({ value: k, label: t(`imports.kinds.${k}`) }))} />
          <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>{t(`imports.kindHint.${kind}`)}</Typography.Paragraph>
        </fieldset>
        <div style={{ marginBottom: 12 }}>
          {needs === 'authority' ? <Typography.Paragraph data-testid="import-target-authority">{t('imports.target')}：{t('imports.authorityTarget')}</Typography.Paragraph>
            : needs === 'exam' ? (<>
            <label htmlFor="import-exam" style={{ display: 'block', marginBottom: 4 }}>{t('imports.exam')}</label>
            <Select id="import-exam" style={{ width: '100%' }} value={examId} onChange={(v: string) => set('examId', v)}
              options={exams.map((e) => ({ value: e.examId, label: `${e.settings.name}（${e.settings.code}）` }))} />
          </>) : (<>
            <label htmlFor="import-sitting" style={{ display: 'block', marginBottom: 4 }}>{t('imports.sitting')}</label>
            <Select id="import-sitting" style={{ width: '100%' }} value={sittingId} onChange={(v: string) => set('sittingId', v)} options={sittings} />
          </>)}
        </div>
        <div style={{ marginBottom: 12 }}>
          <label htmlFor="import-file" style={{ display: 'block', marginBottom: 4 }}>{t('imports.file')}</label>
          <input id="import-file" name="file" type="file" accept=".xlsx,.csv,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            onChange={(e) => setFile(e.target.files?.[0])} style={{ maxWidth: '100%' }} />
          {file ? <Typography.Paragraph type="secondary" style={{ margin: '4px 0 0' }}>{t('imports.fileChosen', { name: file.name, size: sizeText(file.size) })}</Typography.Paragraph> : null}
        </div>
        <p><a href={`/api/v1/admin/imports/template.xlsx?kind=${kind}`}>{t('imports.template', { kind: t(`imports.kinds.${kind}`) })}</a></p>
        {problem ? <Alert type="warning" showIcon role="alert" title={problem} style={{ marginBottom: 12 }} /> : null}
        <Button type="primary" htmlType="submit" loading={busy}>{busy ? t('imports.uploading') : t('imports.submit')}</Button>
      </form>
    </section>
  );
}

function phaseOf(j: ImportView): 'reading' | 'checking' | 'writing' | 'finished' | null {
  if (isFinished(j.state)) return 'finished';
  if (j.state === 'QUEUED') return null;
  if (j.rowsTotal === null) return 'reading';
  return j.rowsWritten > 0 || (j.rowsValidated >= j.rowsTotal && j.rowsTotal > 0) ? 'writing' : 'checking';
}

function ImportProgress({ importId, targetName, onBack }: { importId: string; targetName: (j: ImportView) => string; onBack: () => void }) {
  const { t } = useTranslation('imports');
  const qc = useQueryClient();
  const job = useQuery({
    queryKey: ['import', importId],
    queryFn: async () => {
      const j = await get<ImportView>(`/api/v1/admin/imports/${encodeURIComponent(importId)}`);
      // The list below shows the end too, without waiting for its own round.
      if (isFinished(j.state)) void qc.invalidateQueries({ queryKey: ['imports'] });
      return j;
    },
    refetchInterval: (q) => (q.state.data && isFinished(q.state.data.state) ? false : 500),
    refetchIntervalInBackground: true,
  });
  if (job.isPending) return <section aria-busy="true"><Progress percent={0} aria-label={t('imports.progressLabel')} /></section>;
  if (job.isError) {
    return (<section aria-labelledby="import-progress">
      <Typography.Title level={2} id="import-progress" style={{ fontSize: 18 }}>{t('imports.notFound')}</Typography.Title>
      <ErrorAlert error={job.error} />
      <Button onClick={onBack}>{t('imports.back')}</Button>
    </section>);
  }
  const j = job.data;
  const phase = phaseOf(j);
  const status = j.state === 'DONE' ? 'success' : j.state === 'REJECTED' || j.state === 'FAILED' ? 'exception' : 'active';
  const help = t(`imports.stateHelp.${j.state}`, { rows: j.rowsWritten.toLocaleString('en-US'), count: j.errorCount.toLocaleString('en-US') });
  return (
    <section aria-labelledby="import-progress" data-testid="import-progress" data-state={j.state}>
      <Typography.Title level={2} id="import-progress" style={{ fontSize: 18 }}>{t('imports.progressTitle', { file: j.fileName })}</Typography.Title>
      <Progress percent={j.percent} status={status} aria-label={t('imports.progressLabel')} data-testid="import-percent" />
      <p style={{ marginTop: 8 }}>
        <Tag color={STATE_COLOR[j.state]} data-testid="import-state">{t(`imports.states.${j.state}`)}</Tag>
        <span aria-live="polite">{help}</span>
      </p>
      {j.state === 'REJECTED' && j.errorSheetUrl ? (
        <Alert type="error" showIcon style={{ marginBottom: 12 }} title={t('imports.states.REJECTED')}
          description={<>
            <div>{t('imports.errorCount')}: <strong data-testid="import-error-count">{j.errorCount.toLocaleString('en-US')}</strong></div>
            <a href={j.errorSheetUrl} data-testid="error-sheet-link">{t('imports.errorSheet')}</a>
          </>} />
      ) : null}
      {j.state === 'FAILED' && j.failure ? <Alert type="error" showIcon style={{ marginBottom: 12 }} title={t('imports.failure')} description={j.failure} /> : null}
      <Descriptions size="small" column={{ xs: 1, sm: 2, md: 3 }} bordered style={{ marginBottom: 12 }} items={[
        { key: 'kind', label: t('imports.kindCol'), children: t(`imports.kinds.${j.kind}`) },
        { key: 'target', label: t('imports.target'), children: targetName(j) },
        { key: 'phase', label: t('imports.phase'), children: phase ? t(`imports.phases.${phase}`) : '—' },
        { key: 'total', label: t('imports.rowsTotal'), children: j.rowsTotal === null ? '—' : j.rowsTotal.toLocaleString('en-US') },
        { key: 'read', label: t('imports.rowsRead'), children: <span data-testid="rows-read">{j.rowsRead.toLocaleString('en-US')}</span> },
        { key: 'validated', label: t('imports.rowsValidated'), children: <span data-testid="rows-validated">{j.rowsValidated.toLocaleString('en-US')}</span> },
        { key: 'written', label: t('imports.rowsWritten'), children: <span data-testid="rows-written">{j.rowsWritten.toLocaleString('en-US')}</span> },
        { key: 'errors', label: t('imports.errorCount'), children: j.errorCount.toLocaleString('en-US') },
        { key: 'created', label: t('imports.createdAt'), children: beijingTime(j.createdAt) },
      ]} />
      <Button onClick={onBack}>{t('imports.back')}</Button>
    </section>
  );
}

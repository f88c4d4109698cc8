import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Form, Select, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { ApiError, get } from '../../api/client.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { StaffPage } from '../../session/staff.tsx';
import { uploadRegistrations, type ImportDone, type ImportRejected, type SittingRef } from './api.ts';
import { INSTITUTION_NAV } from './nav.ts';

/**
 * 学习中心报考 from a spreadsheet (ORG-1): the file goes to the server, which registers every row
 * or none. A rejected file shows the server's reasons per row and its error sheet to download.
 * The sitting is in the address, so Refresh and Back keep it.
 */
export function ImportPage() {
  return <StaffPage surface="institution" nav={INSTITUTION_NAV}>{() => <ImportForm />}</StaffPage>;
}

function ImportForm() {
  const { t, i18n } = useTranslation('institution');
  const zh = i18n.language.startsWith('zh');
  const qc = useQueryClient();
  const [params, setParams] = useSearchParams();
  const sittingId = params.get('sittingId') ?? undefined;
  const sittings = useQuery({ queryKey: ['institution', 'sittings'], queryFn: () => get<SittingRef[]>('/api/v1/institution/sittings') });
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<ImportDone | null>(null);
  const [error, setError] = useState<unknown>();
  const rejected = error instanceof ApiError && error.code === 'IMPORT_ROWS_REJECTED' ? (error.details as unknown as ImportRejected) : null;

  const submit = async () => {
    if (!sittingId || !file) {
      setError(new Error(t('import.chooseFile')));
      return;
    }
    setBusy(true);
    setError(undefined);
    setDone(null);
    try {
      setDone(await uploadRegistrations(sittingId, file));
      await qc.invalidateQueries({ queryKey: ['institution', 'candidates'] });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('import.title')}</Typography.Title>
      <Typography.Paragraph>{t('import.intro')}</Typography.Paragraph>
      <Typography.Paragraph>{t('import.columns')}</Typography.Paragraph>
      <p><a href="/api/v1/institution/registration-imports/template.xlsx" download>{t('import.template')}</a></p>
      <Card style={{ marginBottom: 16, maxWidth: 640 }}>
        <Form layout="vertical" onFinish={() => void submit()}>
          <Form.Item label={t('import.sitting')} htmlFor="import-sitting" required>
            <Select id="import-sitting" placeholder={t('import.sittingPlaceholder')} loading={sittings.isPending} value={sittingId}
              onChange={(v: string) => setParams({ sittingId: v }, { replace: true })}
              options={(sittings.data ?? []).map((s) => ({ value: s.sittingId, label: `${s.examName} · ${s.name}` }))} />
          </Form.Item>
          <Form.Item label={t('import.file')} htmlFor="import-file" required>
            <input id="import-file" data-testid="import-file" type="file" accept=".xlsx,.csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,text/csv"
              onChange={(e) => { setFile(e.target.files?.[0] ?? null); setDone(null); setError(undefined); }} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={busy} data-testid="import-submit">{busy ? t('import.uploading') : t('import.upload')}</Button>
        </Form>
      </Card>
      <ErrorAlert error={sittings.error} />
      <div role="status" aria-live="polite">
        {done ? (
          <Alert type="success" showIcon data-testid="import-done" title={t('import.done', { count: done.registered })}
            description={<Link to="/institution">{t('import.toCandidates')}</Link>} />
        ) : null}
      </div>
      {rejected ? (
        <section aria-labelledby="rejected-title" data-testid="import-rejected">
          <Typography.Title level={2} id="rejected-title" style={{ fontSize: 18 }}>{t('import.rejectedTitle')}</Typography.Title>
          <ErrorAlert error={error} />
          <p><a href={rejected.errorSheetUrl} download data-testid="error-sheet">{t('import.errorSheet')}</a></p>
          <Table size="small" pagination={false} rowKey={(e) => `${e.row}:${e.column}:${e.reasonEn}`} dataSource={rejected.errors}
            columns={[
              { key: 'row', title: t('import.row'), dataIndex: 'row', width: 72 },
              { key: 'column', title: t('import.column'), dataIndex: 'column' },
              { key: 'value', title: t('import.value'), dataIndex: 'value' },
              { key: 'reason', title: t('import.reason'), render: (_, e) => (zh ? e.reasonZh : e.reasonEn) },
            ]} />
          {rejected.errorCount > rejected.errors.length ? <p>{t('import.moreErrors', { shown: rejected.errors.length })}</p> : null}
        </section>
      ) : <ErrorAlert error={error} />}
    </>
  );
}

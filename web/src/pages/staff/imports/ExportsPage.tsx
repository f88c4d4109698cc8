import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Col, Input, Radio, Row, Select, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { get } from '../../../api/client.ts';
import { ErrorAlert } from '../../../components/ErrorAlert.tsx';
import { StaffPage } from '../../../session/staff.tsx';
import { ADMIN_NAV } from '../nav.ts';
import { EXPORT_KINDS, EXPORT_STATES, takesSubjectAndSite, type ExportFilterOptions, type ExportKind } from './api.ts';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
/** The server's limit (exports.ts exportRange): from the first day's start to the day after the last, at most 367 days. */
const MAX_SPAN_MS = 366 * 86_400_000;

/**
 * ADM-2: registrations, bills, payments, refunds and reconciliation mismatches as xlsx, with the
 * filters the export routes take. The filters live in the URL and the download is a plain link to
 * the export route (an attachment: the page stays where it is, nothing pops up).
 */
export function ExportsPage() {
  return <StaffPage surface="admin" nav={ADMIN_NAV}>{() => <Exports />}</StaffPage>;
}

function Exports() {
  const { t } = useTranslation('imports');
  const [params, setParams] = useSearchParams();
  const kind: ExportKind = (EXPORT_KINDS as readonly string[]).includes(params.get('kind') ?? '') ? (params.get('kind') as ExportKind) : 'registrations';
  const options = useQuery({ queryKey: ['export-filters'], queryFn: () => get<ExportFilterOptions>('/api/v1/admin/exports/filters') });
  const sittings = options.data?.sittings ?? [];
  const sittingId = params.get('sittingId') ?? undefined;
  const sitting = sittings.find((s) => s.sittingId === sittingId);
  const subjectId = takesSubjectAndSite(kind) && sitting?.subjects.some((s) => s.subjectId === params.get('subjectId')) ? params.get('subjectId')! : undefined;
  const siteId = takesSubjectAndSite(kind) && sitting?.sites.some((s) => s.siteId === params.get('siteId')) ? params.get('siteId')! : undefined;
  const state = EXPORT_STATES[kind].includes(params.get('state') ?? '') ? params.get('state')! : undefined;
  const from = DAY.test(params.get('from') ?? '') ? params.get('from')! : undefined;
  const to = DAY.test(params.get('to') ?? '') ? params.get('to')! : undefined;
  // The server refuses the same (EXPORT_BAD_RANGE); said here so the link is never a refusal.
  const badRange = from !== undefined && to !== undefined && (to < from || Date.parse(to) - Date.parse(from) > MAX_SPAN_MS);

  const set = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) {
      if (v) next.set(k, v);
      else next.delete(k);
    }
    setParams(next, { replace: true });
  };
  const query = new URLSearchParams();
  if (sittingId && sitting) query.set('sittingId', sittingId);
  if (subjectId) query.set('subjectId', subjectId);
  if (siteId) query.set('siteId', siteId);
  if (state) query.set('state', state);
  if (from) query.set('from', from);
  if (to) query.set('to', to);
  const href = `/api/v1/admin/exports/${kind}.xlsx${query.size ? `?${query.toString()}` : ''}`;
  const kindName = t(`exports.kinds.${kind}`);
  const described = [
    sitting ? `${t('exports.sitting')} ${sitting.name}` : null,
    subjectId ? `${t('exports.subject')} ${sitting!.subjects.find((s) => s.subjectId === subjectId)!.name}` : null,
    siteId ? `${t('exports.site')} ${sitting!.sites.find((s) => s.siteId === siteId)!.name}` : null,
    state ? `${t('exports.state')} ${t(`exports.states.${state}`)}` : null,
    from || to ? t('exports.dates', { from: from ?? t('exports.open'), to: to ?? t('exports.open') }) : null,
  ].filter(Boolean).join('；');
  const label = (id: string, text: string) => <label htmlFor={id} style={{ display: 'block', marginBottom: 4 }}>{text}</label>;
  const any = { value: '', label: t('exports.any') };
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('exports.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('exports.hint')}</Typography.Paragraph>
      <ErrorAlert error={options.error} />
      <div style={{ maxWidth: 900 }}>
        <fieldset style={{ border: 0, padding: 0, margin: '0 0 12px' }}>
          <legend style={{ fontSize: 14, marginBottom: 8 }}>{t('exports.kind')}</legend>
          <Radio.Group value={kind} optionType="button" onChange={(e) => set({ kind: e.target.value as string, state: undefined })}
            options={EXPORT_KINDS.map((k) => ({ value: k, label: t(`exports.kinds.${k}`) }))} />
          <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>{t(`exports.kindHint.${kind}`)}</Typography.Paragraph>
        </fieldset>
        <Typography.Title level={2} id="export-filters" style={{ fontSize: 18 }}>{t('exports.filters')}</Typography.Title>
        <Row gutter={[16, 12]}>
          <Col xs={24} md={12}>
            {label('export-sitting', t('exports.sitting'))}
            <Select id="export-sitting" style={{ width: '100%' }} value={sitting ? sittingId : ''} loading={options.isPending}
              onChange={(v: string) => set({ sittingId: v || undefined, subjectId: undefined, siteId: undefined })}
              options={[any, ...sittings.map((s) => ({ value: s.sittingId, label: `${s.examName} · ${s.name}（${s.code}）` }))]} />
          </Col>
          <Col xs={24} md={12}>
            {label('export-state', t('exports.state'))}
            <Select id="export-state" style={{ width: '100%' }} value={state ?? ''} onChange={(v: string) => set({ state: v || undefined })}
              options={[any, ...EXPORT_STATES[kind].map((s) => ({ value: s, label: `${t(`exports.states.${s}`)}（${s}）` }))]} />
          </Col>
          {takesSubjectAndSite(kind) ? (<>
            <Col xs={24} md={12}>
              {label('export-subject', t('exports.subject'))}
              <Select id="export-subject" style={{ width: '100%' }} value={subjectId ?? ''} disabled={!sitting} onChange={(v: string) => set({ subjectId: v || undefined })}
                options={[any, ...(sitting?.subjects ?? []).map((s) => ({ value: s.subjectId, label: `${s.name}（${s.code}）` }))]} />
            </Col>
            <Col xs={24} md={12}>
              {label('export-site', t('exports.site'))}
              <Select id="export-site" style={{ width: '100%' }} value={siteId ?? ''} disabled={!sitting} onChange={(v: string) => set({ siteId: v || undefined })}
                options={[any, ...(sitting?.sites ?? []).map((s) => ({ value: s.siteId, label: `${s.name}（${s.code}）` }))]} />
            </Col>
            {!sitting ? <Col span={24}><Typography.Text type="secondary">{t('exports.needSitting')}</Typography.Text></Col> : null}
          </>) : null}
          <Col xs={24} md={12}>
            {label('export-from', t('exports.from'))}
            <Input id="export-from" type="date" value={from ?? ''} onChange={(e) => set({ from: e.target.value || undefined })} />
          </Col>
          <Col xs={24} md={12}>
            {label('export-to', t('exports.to'))}
            <Input id="export-to" type="date" value={to ?? ''} onChange={(e) => set({ to: e.target.value || undefined })} />
          </Col>
        </Row>
        <div style={{ marginTop: 16 }}>
          <Typography.Paragraph data-testid="export-summary">{t('exports.summary', { kind: kindName, filters: described || t('exports.noFilters') })}</Typography.Paragraph>
          {badRange ? <Alert type="warning" showIcon role="alert" title={t('exports.badRange')} style={{ marginBottom: 12 }} />
            : <Button type="primary" href={href} data-testid="export-download">{t('exports.download', { kind: kindName })}</Button>}
        </div>
      </div>
    </>
  );
}

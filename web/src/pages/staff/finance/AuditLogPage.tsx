import { useQuery } from '@tanstack/react-query';
import { Alert, Button, Flex, Form, Input, Select, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { get } from '../../../api/client.ts';
import { ErrorAlert } from '../../../components/ErrorAlert.tsx';
import { StaffPage } from '../../../session/staff.tsx';
import { ADMIN_NAV } from '../nav.ts';
import type { AuditEntry } from './api.ts';
import { ScrollRegion, ToneTag } from './tones.tsx';

const PAGE = 50;
const TEXT_FILTERS = ['actorId', 'action', 'objectType', 'objectId'] as const;
const KNOWN_ACTIONS = ['refund.personal', 'refund.retry', 'registration.cancel', 'registration.change', 'sitting.cancel', 'subject.cancel', 'repayment.decide', 'staff.sign_in',
  'staff.sign_out', 'staff.password_change', 'staff.create', 'staff.disable', 'review.decide', 'bill.query', 'reconciliation.resolve', 'candidate.sign_in', 'candidate.password_change'];

/** A datetime-local value read as Beijing time (the console's zone, whatever the computer's). */
const beijingIso = (local: string) => (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local) ? new Date(`${local}:00+08:00`).toISOString() : undefined);

/** The search as the API takes it, from the page's URL (filters in Beijing local time there). */
function apiQuery(params: URLSearchParams): URLSearchParams {
  const q = new URLSearchParams();
  for (const k of [...TEXT_FILTERS, 'actorType', 'outcome'] as const) {
    const v = params.get(k)?.trim();
    if (v) q.set(k, v);
  }
  const from = beijingIso(params.get('from') ?? '');
  const to = beijingIso(params.get('to') ?? '');
  if (from) q.set('from', from);
  if (to) q.set('to', to);
  return q;
}

/**
 * ADM-4: the audit log — who did what, when, to which object, with before and after — searched by
 * the API's filters, paged newest first, exported as CSV or xlsx with the same search. The page
 * offers nothing that changes an entry: the log is append-only and the server has no such route.
 */
export function AuditLogPage() {
  return <StaffPage surface="admin" nav={ADMIN_NAV}>{() => <AuditLog />}</StaffPage>;
}

function AuditLog() {
  const { t } = useTranslation('finance');
  const [params, setParams] = useSearchParams();
  const [draft, setDraft] = useState<Record<string, string>>(() => Object.fromEntries(['actorType', 'actorId', 'action', 'objectType', 'objectId', 'outcome', 'from', 'to'].map((k) => [k, params.get(k) ?? ''])));
  const beforeId = /^\d+$/.test(params.get('beforeId') ?? '') ? params.get('beforeId')! : '';
  const search = apiQuery(params);
  const listQs = new URLSearchParams(search);
  listQs.set('limit', String(PAGE));
  if (beforeId) listQs.set('beforeId', beforeId);
  const query = useQuery({ queryKey: ['finance', 'audit', listQs.toString()], queryFn: () => get<AuditEntry[]>(`/api/v1/admin/audit-log?${listQs}`) });
  const rows = query.data ?? [];
  const exportUrl = (format: 'csv' | 'xlsx') => `/api/v1/admin/audit-log/export?${new URLSearchParams([...search, ...(format === 'xlsx' ? [['format', 'xlsx']] : [])])}`;
  const apply = () => setParams(Object.fromEntries(Object.entries(draft).filter(([, v]) => v.trim() !== '').map(([k, v]) => [k, v.trim()])));
  const field = (k: string) => ({ id: `audit-${k}`, value: draft[k] ?? '', onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [k]: e.target.value }) });
  const page = (id: string) => {
    const next = new URLSearchParams(params);
    if (id) next.set('beforeId', id); else next.delete('beforeId');
    setParams(next);
  };
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('audit.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('audit.hint')}</Typography.Paragraph>
      <Form layout="vertical" onFinish={apply} style={{ marginBottom: 12 }}>
        <Flex wrap gap={12} align="end">
          <Form.Item label={t('audit.actorType')} htmlFor="audit-actorType" style={{ marginBottom: 0 }}>
            <Select id="audit-actorType" style={{ width: 140 }} value={draft.actorType ?? ''} onChange={(v: string) => setDraft({ ...draft, actorType: v })}
              options={[{ value: '', label: t('audit.any') }, ...['STAFF', 'CANDIDATE', 'SYSTEM'].map((a) => ({ value: a, label: t(`audit.actorTypes.${a}`) }))]} />
          </Form.Item>
          <Form.Item label={t('audit.actorId')} htmlFor="audit-actorId" style={{ marginBottom: 0 }}><Input {...field('actorId')} style={{ width: 120 }} inputMode="numeric" /></Form.Item>
          <Form.Item label={t('audit.action')} htmlFor="audit-action" style={{ marginBottom: 0 }}>
            <Input {...field('action')} style={{ width: 200 }} placeholder={t('audit.actionPlaceholder')} list="audit-actions" autoComplete="off" />
          </Form.Item>
          <Form.Item label={t('audit.objectType')} htmlFor="audit-objectType" style={{ marginBottom: 0 }}><Input {...field('objectType')} style={{ width: 180 }} placeholder={t('audit.objectTypePlaceholder')} /></Form.Item>
          <Form.Item label={t('audit.objectId')} htmlFor="audit-objectId" style={{ marginBottom: 0 }}><Input {...field('objectId')} style={{ width: 220 }} placeholder={t('audit.objectIdPlaceholder')} /></Form.Item>
          <Form.Item label={t('audit.outcome')} htmlFor="audit-outcome" style={{ marginBottom: 0 }}>
            <Select id="audit-outcome" style={{ width: 120 }} value={draft.outcome ?? ''} onChange={(v: string) => setDraft({ ...draft, outcome: v })}
              options={[{ value: '', label: t('audit.any') }, { value: 'SUCCESS', label: t('audit.outcomes.SUCCESS') }, { value: 'FAILURE', label: t('audit.outcomes.FAILURE') }]} />
          </Form.Item>
          <Form.Item label={t('audit.from')} htmlFor="audit-from" style={{ marginBottom: 0 }}><Input {...field('from')} type="datetime-local" style={{ width: 210 }} /></Form.Item>
          <Form.Item label={t('audit.to')} htmlFor="audit-to" style={{ marginBottom: 0 }}><Input {...field('to')} type="datetime-local" style={{ width: 210 }} /></Form.Item>
          <Space>
            <Button type="primary" htmlType="submit">{t('audit.search')}</Button>
            <Button onClick={() => { setDraft({}); setParams({}); }}>{t('audit.reset')}</Button>
          </Space>
        </Flex>
        <datalist id="audit-actions">{KNOWN_ACTIONS.map((a) => <option key={a} value={a}>{t(`audit.actions.${a.replace('.', '_')}`)}</option>)}</datalist>
      </Form>
      <Flex wrap gap={12} align="center" style={{ marginBottom: 12 }}>
        <a href={exportUrl('csv')} download data-testid="export-csv">{t('audit.exportCsv')}</a>
        <a href={exportUrl('xlsx')} download data-testid="export-xlsx">{t('audit.exportXlsx')}</a>
        <Typography.Text type="secondary">{t('audit.exportHint')}</Typography.Text>
      </Flex>
      <Alert type="info" showIcon title={t('audit.readOnly')} style={{ marginBottom: 12 }} />
      <ErrorAlert error={query.error} />
      {query.isSuccess && rows.length === 0 ? <Typography.Paragraph>{t('audit.empty')}</Typography.Paragraph> : null}
      {query.isSuccess && rows.length === 0 ? null : <ScrollRegion label={t('audit.title')} minWidth={1100}><Table<AuditEntry> rowKey="entryId" size="small" loading={query.isFetching} dataSource={rows} pagination={false}
        columns={[
          { key: 'at', title: t('audit.at'), render: (_, e) => <span style={{ whiteSpace: 'nowrap' }}>{e.atShown}</span> },
          {
            key: 'who', title: t('audit.who'), render: (_, e) => <>
              {e.actor.loginName ?? (e.actor.id ? `${t(`audit.actorTypes.${e.actor.type}`, { defaultValue: e.actor.type })} #${e.actor.id}` : t(`audit.actorTypes.${e.actor.type}`, { defaultValue: e.actor.type }))}
              <br /><Typography.Text type="secondary">{[e.actor.role, e.actor.id ? `#${e.actor.id}` : null].filter(Boolean).join(' · ')}</Typography.Text>
            </>,
          },
          { key: 'what', title: t('audit.what'), render: (_, e) => <>{t(`audit.actions.${e.action.replace('.', '_')}`, { defaultValue: e.action })}<br /><Typography.Text code>{e.action}</Typography.Text></> },
          { key: 'object', title: t('audit.object'), render: (_, e) => (e.object ? <>{e.object.type}<br /><Typography.Text code>{e.object.id}</Typography.Text></> : '—') },
          { key: 'outcome', title: t('audit.result'), render: (_, e) => <ToneTag tone={e.outcome === 'SUCCESS' ? 'green' : 'red'}>{t(`audit.outcomes.${e.outcome}`, { defaultValue: e.outcome })}</ToneTag> },
          { key: 'change', title: t('audit.change'), render: (_, e) => <Change summary={e.summary} /> },
          { key: 'details', title: t('audit.details'), render: (_, e) => <Details summary={e.summary} /> },
          { key: 'ip', title: t('audit.ip'), render: (_, e) => e.ip ?? '—' },
        ]} /></ScrollRegion>}
      <Flex justify="end" gap={8} style={{ marginTop: 12 }}>
        {beforeId ? <Button onClick={() => page('')}>{t('audit.first')}</Button> : null}
        {rows.length === PAGE ? <Button onClick={() => page(rows.at(-1)!.entryId)}>{t('audit.next')}</Button> : null}
      </Flex>
    </>
  );
}

const show = (v: unknown): string => (v === undefined ? '' : v === null ? '—' : typeof v === 'string' ? v : JSON.stringify(v));
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `before` and `after`, field by field: "field: old → new". */
function Change({ summary }: { summary: Record<string, unknown> }) {
  const { t } = useTranslation('finance');
  const { before, after } = summary;
  if (before === undefined && after === undefined) return <>—</>;
  if (!isRecord(before) && !isRecord(after)) return <span>{show(before) || t('audit.none')} → {show(after) || t('audit.none')}</span>;
  const b = isRecord(before) ? before : {};
  const a = isRecord(after) ? after : {};
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])];
  return (
    <ul style={{ margin: 0, paddingLeft: 16 }} data-testid="audit-change">
      {keys.map((k) => <li key={k}><Typography.Text type="secondary">{k}</Typography.Text>: {k in b ? show(b[k]) : t('audit.none')} → <strong>{k in a ? show(a[k]) : t('audit.none')}</strong></li>)}
    </ul>
  );
}

/** What else the entry records (refund numbers, amounts, ids), as "key: value". */
function Details({ summary }: { summary: Record<string, unknown> }) {
  const rest = Object.entries(summary).filter(([k]) => k !== 'before' && k !== 'after');
  if (rest.length === 0) return <>—</>;
  return <ul style={{ margin: 0, paddingLeft: 16, maxWidth: 360, wordBreak: 'break-all' }}>{rest.map(([k, v]) => <li key={k}><Typography.Text type="secondary">{k}</Typography.Text>: {show(v)}</li>)}</ul>;
}

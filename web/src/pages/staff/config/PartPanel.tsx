import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Empty, Form, Space, Table, Typography } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { useEffect, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { api } from '../../../api/client.ts';
import { placeErrors, sittingKey, type SittingView } from './api.ts';
import { H2, RefusalAlert, showRefusal } from './shared.tsx';

export type PartKey = 'windows' | 'subjects' | 'sites' | 'slots' | 'capacity';

/** One part of a sitting as the console edits it: its rows, its form, and how both map to the API. */
export interface PartSpec<Row extends object, V extends object> {
  part: PartKey;
  rows: (s: SittingView) => Row[];
  idOf: (r: Row) => string;
  labelOf: (r: Row) => string;
  columns: ColumnsType<Row>;
  initial: V;
  fromRow: (r: Row) => V;
  /** The request body; or the field whose text the API cannot take (only a format, never a rule). */
  toBody: (v: V) => { body: unknown } | { field: string; error: string };
  /** Fields a problem's path may name. */
  fields: string[][];
  rename?: Record<string, string>;
  codeField?: Record<string, string[]>;
  create: (sittingId: string) => { method: 'POST' | 'PUT'; url: string };
  update: (r: Row, sittingId: string) => { method: 'POST' | 'PUT'; url: string };
  remove: (r: Row) => string;
  form: (s: SittingView) => ReactNode;
  hint?: string;
  /** Why nothing can be added yet, if so. */
  blocked?: (s: SittingView) => string | null;
}

/**
 * A sitting's part: its table with edit and delete per row, and one form below that adds a new
 * one or, with `?edit=<id>` in the URL, changes that row (so Back and Refresh keep the place).
 * Every refusal is shown where it belongs: at the field, or next to the row it concerns.
 */
export function PartPanel<Row extends object, V extends object>({ spec, sitting, canEdit }: { spec: PartSpec<Row, V>; sitting: SittingView; canEdit: boolean }) {
  const { t, i18n } = useTranslation('config');
  const qc = useQueryClient();
  const { message, modal } = App.useApp();
  const [params, setParams] = useSearchParams();
  const [form] = Form.useForm<V>();
  const [error, setError] = useState<unknown>();
  const [rest, setRest] = useState<string[]>([]);
  const [rowError, setRowError] = useState<{ id: string; label: string; text: string }>();
  const [busy, setBusy] = useState(false);
  const rows = spec.rows(sitting);
  const editId = params.get('edit');
  const editing = editId ? rows.find((r) => spec.idOf(r) === editId) : undefined;
  const blocked = spec.blocked?.(sitting) ?? null;

  useEffect(() => {
    form.resetFields();
    form.setFieldsValue((editing ? spec.fromRow(editing) : spec.initial) as Parameters<typeof form.setFieldsValue>[0]);
    setError(undefined);
    setRest([]);
    // Only when another row is chosen: a refetch after a save must not wipe what is typed.
  }, [editId, editing === undefined]);

  const setEdit = (id: string | null) => {
    const next = new URLSearchParams(params);
    if (id) next.set('edit', id);
    else next.delete('edit');
    setParams(next);
  };
  const refresh = () => qc.invalidateQueries({ queryKey: sittingKey(sitting.sittingId) });

  const save = async (v: V) => {
    setError(undefined);
    setRest([]);
    const made = spec.toBody(v);
    if ('field' in made) {
      form.setFields([{ name: made.field as never, errors: [made.error] }]);
      return;
    }
    setBusy(true);
    try {
      const target = editing ? spec.update(editing, sitting.sittingId) : spec.create(sitting.sittingId);
      await api(target.method, target.url, made.body);
      message.success(editing ? t('part.saved') : t('part.created'));
      await refresh();
      form.resetFields();
      form.setFieldsValue(spec.initial as Parameters<typeof form.setFieldsValue>[0]);
      if (editing) setEdit(null);
    } catch (e) {
      const rest = showRefusal(form, e, { t, lang: i18n.language, fields: spec.fields, rename: spec.rename, codeField: spec.codeField });
      setRest(rest ?? []);
      setError(rest === null ? undefined : e);
    } finally {
      setBusy(false);
    }
  };
  const remove = (r: Row) => modal.confirm({
    title: t('part.deleteConfirm', { item: spec.labelOf(r) }),
    okButtonProps: { danger: true },
    okText: t('part.delete'),
    onOk: async () => {
      setRowError(undefined);
      try {
        await api('DELETE', spec.remove(r));
        message.success(t('part.deleted'));
        if (editId === spec.idOf(r)) setEdit(null);
        await refresh();
      } catch (e) {
        const placed = placeErrors(e, { t, lang: i18n.language, fields: [] });
        setRowError({ id: spec.idOf(r), label: spec.labelOf(r), text: placed.rest.join(' ') });
      }
    },
  });

  const columns: ColumnsType<Row> = [
    ...spec.columns,
    ...(canEdit ? [{
      key: 'actions', title: t('part.actions'), render: (_: unknown, r: Row) => (
        <Space wrap size={4}>
          <Button size="small" aria-label={t('part.editItem', { item: spec.labelOf(r) })} onClick={() => setEdit(spec.idOf(r))}>{t('part.edit')}</Button>
          <Button size="small" danger aria-label={t('part.deleteItem', { item: spec.labelOf(r) })} onClick={() => remove(r)}>{t('part.delete')}</Button>
        </Space>
      ),
    }] : []),
  ];
  return (
    <section aria-labelledby={`${spec.part}-title`} data-part={spec.part}>
      <H2 id={`${spec.part}-title`}>{t(`sitting.parts.${spec.part}`)}</H2>
      {spec.hint ? <Typography.Paragraph type="secondary">{spec.hint}</Typography.Paragraph> : null}
      {rowError ? (
        <Alert type="error" showIcon role="alert" style={{ marginBottom: 12 }} data-testid="row-error" closable onClose={() => setRowError(undefined)}
          title={`${t('part.deleteFailed', { item: rowError.label })}${rowError.text}`} />
      ) : null}
      <Table<Row> rowKey={spec.idOf} size="small" dataSource={rows} columns={columns} pagination={false} scroll={{ x: 720 }}
        rowClassName={(r) => (rowError?.id === spec.idOf(r) || editId === spec.idOf(r) ? 'ant-table-row-selected' : '')}
        locale={{ emptyText: <Empty description={t('part.empty')} /> }} />
      {canEdit ? (
        <div style={{ marginTop: 16, maxWidth: 960, padding: 12, border: '1px solid #f0f0f0', borderRadius: 8 }}>
          <Typography.Paragraph strong>{editing ? t('part.editing', { item: spec.labelOf(editing) }) : t('part.adding')}</Typography.Paragraph>
          {editId && !editing ? <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('part.notFound')} /> : null}
          {blocked && !editing ? <Alert type="info" showIcon style={{ marginBottom: 12 }} title={blocked} /> : (
            <Form<V> form={form} name={spec.part} layout="vertical" onFinish={(v) => void save(v)} initialValues={spec.initial}>
              {spec.form(sitting)}
              <RefusalAlert error={error} rest={rest} />
              <Space wrap>
                <Button type="primary" htmlType="submit" loading={busy} id={`${spec.part}-submit`}>{editing ? t('part.save') : t('part.create')}</Button>
                {editing ? <Button onClick={() => setEdit(null)}>{t('part.cancelEdit')}</Button> : null}
              </Space>
            </Form>
          )}
        </div>
      ) : null}
    </section>
  );
}

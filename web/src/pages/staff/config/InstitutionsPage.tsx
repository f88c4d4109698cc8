import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Col, Empty, Form, Input, Radio, Row, Space, Table, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { api, get } from '../../../api/client.ts';
import { ErrorAlert } from '../../../components/ErrorAlert.tsx';
import { placeErrors } from './api.ts';
import { ConfigPage, H1, RefusalAlert, showRefusal } from './shared.tsx';

interface InstitutionRow { institutionId: string; code: string; name: string; kind: 'LEARNING_CENTRE' | 'SCHOOL' }
type Values = Omit<InstitutionRow, 'institutionId'>;
const KINDS = ['LEARNING_CENTRE', 'SCHOOL'] as const;
const INITIAL: Values = { code: '', name: '', kind: 'LEARNING_CENTRE' };
const key = ['config', 'institutions'] as const;

/** The authority's learning centres and schools (seeds 000, 002; ORG-1, ORG-2): add, rename, delete one nothing names. */
export function InstitutionsPage() {
  return <ConfigPage>{(canEdit) => <Institutions canEdit={canEdit} />}</ConfigPage>;
}

function Institutions({ canEdit }: { canEdit: boolean }) {
  const { t, i18n } = useTranslation('config');
  const qc = useQueryClient();
  const { message, modal } = App.useApp();
  const [params, setParams] = useSearchParams();
  const [form] = Form.useForm<Values>();
  const [error, setError] = useState<unknown>();
  const [rest, setRest] = useState<string[]>([]);
  const [rowError, setRowError] = useState<string>();
  const list = useQuery({ queryKey: key, queryFn: () => get<InstitutionRow[]>('/api/v1/admin/institutions') });
  const editId = params.get('edit');
  const editing = list.data?.find((r) => r.institutionId === editId);
  useEffect(() => {
    form.resetFields();
    form.setFieldsValue(editing ? { code: editing.code, name: editing.name, kind: editing.kind } : INITIAL);
  }, [editId, editing === undefined]);
  const label = (r: InstitutionRow) => `${r.name} (${r.code})`;
  const setEdit = (id: string | null) => setParams(id ? { edit: id } : {});
  const save = async (v: Values) => {
    setError(undefined);
    setRest([]);
    try {
      await api(editing ? 'PUT' : 'POST', editing ? `/api/v1/admin/institutions/${editing.institutionId}` : '/api/v1/admin/institutions', { code: v.code.trim(), name: v.name.trim(), kind: v.kind });
      message.success(editing ? t('part.saved') : t('part.created'));
      await qc.invalidateQueries({ queryKey: key });
      form.resetFields();
      if (editing) setEdit(null);
    } catch (e) {
      const rest = showRefusal(form, e, { t, lang: i18n.language, fields: [['code'], ['name'], ['kind']], codeField: { CONFIG_CODE_TAKEN: ['code'] } });
      setRest(rest ?? []);
      setError(rest === null ? undefined : e);
    }
  };
  const remove = (r: InstitutionRow) => modal.confirm({
    title: t('part.deleteConfirm', { item: label(r) }), okButtonProps: { danger: true }, okText: t('part.delete'),
    onOk: async () => {
      setRowError(undefined);
      try {
        await api('DELETE', `/api/v1/admin/institutions/${r.institutionId}`);
        message.success(t('part.deleted'));
        await qc.invalidateQueries({ queryKey: key });
      } catch (e) {
        setRowError(`${t('part.deleteFailed', { item: label(r) })}${placeErrors(e, { t, lang: i18n.language, fields: [] }).rest.join(' ')}`);
      }
    },
  });
  return (
    <>
      <Link to="/admin/config">{t('exam.back')}</Link>
      <H1>{t('institutions.title')}</H1>
      <Typography.Paragraph type="secondary">{t('institutions.hint')}</Typography.Paragraph>
      <ErrorAlert error={list.error} />
      {rowError ? <Alert type="error" showIcon role="alert" closable onClose={() => setRowError(undefined)} style={{ marginBottom: 12 }} data-testid="row-error" title={rowError} /> : null}
      <Table<InstitutionRow> rowKey="institutionId" size="small" loading={list.isPending} dataSource={list.data ?? []} pagination={false} scroll={{ x: 600 }}
        locale={{ emptyText: <Empty description={t('part.empty')} /> }}
        columns={[
          { key: 'code', title: t('institutions.code'), dataIndex: 'code' },
          { key: 'name', title: t('institutions.name'), dataIndex: 'name' },
          { key: 'kind', title: t('institutions.kind'), render: (_, r) => t(`institutions.kinds.${r.kind}`) },
          ...(canEdit ? [{ key: 'actions', title: t('part.actions'), render: (_: unknown, r: InstitutionRow) => (
            <Space wrap size={4}>
              <Button size="small" aria-label={t('part.editItem', { item: label(r) })} onClick={() => setEdit(r.institutionId)}>{t('part.edit')}</Button>
              <Button size="small" danger aria-label={t('part.deleteItem', { item: label(r) })} onClick={() => remove(r)}>{t('part.delete')}</Button>
            </Space>
          ) }] : []),
        ]} />
      {canEdit ? (
        <div style={{ marginTop: 16, maxWidth: 960, padding: 12, border: '1px solid #f0f0f0', borderRadius: 8 }}>
          <Typography.Paragraph strong>{editing ? t('part.editing', { item: label(editing) }) : t('part.adding')}</Typography.Paragraph>
          <Form<Values> form={form} name="institutions" layout="vertical" initialValues={INITIAL} onFinish={(v) => void save(v)}>
            <Row gutter={16}>
              <Col xs={24} md={8}><Form.Item name="code" label={t('institutions.code')} rules={[{ required: true, message: t('staff:signIn.required') }]}><Input maxLength={32} autoComplete="off" /></Form.Item></Col>
              <Col xs={24} md={16}><Form.Item name="name" label={t('institutions.name')} rules={[{ required: true, message: t('staff:signIn.required') }]}><Input maxLength={200} /></Form.Item></Col>
            </Row>
            <Form.Item name="kind" label={t('institutions.kind')}><Radio.Group options={KINDS.map((k) => ({ value: k, label: t(`institutions.kinds.${k}`) }))} /></Form.Item>
            <RefusalAlert error={error} rest={rest} />
            <Space wrap>
              <Button type="primary" htmlType="submit" id="institutions-submit">{editing ? t('part.save') : t('part.create')}</Button>
              {editing ? <Button onClick={() => setEdit(null)}>{t('part.cancelEdit')}</Button> : null}
            </Space>
          </Form>
        </div>
      ) : null}
    </>
  );
}

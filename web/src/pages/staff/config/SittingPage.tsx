import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Col, Form, Input, Row, Space, Spin, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { del, get, put } from '../../../api/client.ts';
import { ErrorAlert } from '../../../components/ErrorAlert.tsx';
import { sittingKey, type SittingView } from './api.ts';
import { PartPanel, type PartKey } from './PartPanel.tsx';
import { capacitySpec, sitesSpec, slotsSpec, subjectsSpec, windowsSpec } from './parts.tsx';
import { ConfigPage, H1, H2, RefusalAlert, showRefusal } from './shared.tsx';

const PARTS: PartKey[] = ['windows', 'sites', 'slots', 'subjects', 'capacity'];

/** ADM-1: one sitting — its code and name, export, and its windows, sites, slots, subjects and capacity, one tab each (`?part=`). */
export function SittingPage() {
  return <ConfigPage>{(canEdit) => <Sitting canEdit={canEdit} />}</ConfigPage>;
}

function Sitting({ canEdit }: { canEdit: boolean }) {
  const { sittingId = '' } = useParams();
  const { t } = useTranslation('config');
  const [params] = useSearchParams();
  const query = useQuery({ queryKey: sittingKey(sittingId), queryFn: () => get<SittingView>(`/api/v1/admin/sittings/${sittingId}`) });
  if (query.isPending) return <Spin aria-label={t('common:loading')} />;
  if (query.error) return <><ErrorAlert error={query.error} /><Link to="/admin/config">{t('exam.back')}</Link></>;
  const s = query.data;
  const editable = canEdit && !s.cancelledAt;
  const part = (PARTS as string[]).includes(params.get('part') ?? '') ? (params.get('part') as PartKey) : 'windows';
  const spec = { windows: windowsSpec(t), sites: sitesSpec(t), slots: slotsSpec(t), subjects: subjectsSpec(t), capacity: capacitySpec(t, s) };
  return (
    <>
      <Link to={`/admin/config/exams/${s.examId}`}>{t('sitting.back')}</Link>
      <H1>{t('sitting.title', { name: s.name })}</H1>
      <Typography.Paragraph type="secondary">{t('sitting.exam', { exam: s.examCode })} · {s.code}</Typography.Paragraph>
      {s.cancelledAt ? <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={t('sitting.cancelled')} /> : null}
      <SittingHeader sitting={s} canEdit={editable} />
      {/* Links, not tabs: each part has its own address (Back and Refresh keep it), and a wrapped row stays reachable at 375 px. */}
      <nav aria-label={t('sitting.partsNav')} style={{ marginTop: 16, borderBottom: '1px solid #f0f0f0' }}>
        <ul style={{ display: 'flex', flexWrap: 'wrap', gap: '4px 20px', listStyle: 'none', margin: 0, padding: 0 }}>
          {PARTS.map((p) => (
            <li key={p}>
              <Link to={`?part=${p}`} aria-current={p === part ? 'page' : undefined} data-part-link={p}
                style={{ display: 'inline-block', padding: '8px 0', color: '#1456a0', fontWeight: p === part ? 600 : 400, borderBottom: p === part ? '2px solid #1456a0' : '2px solid transparent' }}>
                {t(`sitting.parts.${p}`)} ({s[p].length})
              </Link>
            </li>
          ))}
        </ul>
      </nav>
      <div style={{ marginTop: 8 }}>{renderPart(part, spec, s, editable)}</div>
    </>
  );
}

function renderPart(p: PartKey, spec: { [K in PartKey]: unknown }, s: SittingView, canEdit: boolean) {
  // Each spec has its own row and value types; the panel is generic over them.
  switch (p) {
    case 'windows': return <PartPanel key={p} spec={spec.windows as ReturnType<typeof windowsSpec>} sitting={s} canEdit={canEdit} />;
    case 'sites': return <PartPanel key={p} spec={spec.sites as ReturnType<typeof sitesSpec>} sitting={s} canEdit={canEdit} />;
    case 'slots': return <PartPanel key={p} spec={spec.slots as ReturnType<typeof slotsSpec>} sitting={s} canEdit={canEdit} />;
    case 'subjects': return <PartPanel key={p} spec={spec.subjects as ReturnType<typeof subjectsSpec>} sitting={s} canEdit={canEdit} />;
    case 'capacity': return <PartPanel key={p} spec={spec.capacity as ReturnType<typeof capacitySpec>} sitting={s} canEdit={canEdit} />;
  }
}

/** Code and name, the data file's export, and deleting a sitting nothing hangs on. */
function SittingHeader({ sitting, canEdit }: { sitting: SittingView; canEdit: boolean }) {
  const { t, i18n } = useTranslation('config');
  const [form] = Form.useForm<{ code: string; name: string }>();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { message, modal } = App.useApp();
  const [error, setError] = useState<unknown>();
  const [rest, setRest] = useState<string[]>([]);
  useEffect(() => { form.setFieldsValue({ code: sitting.code, name: sitting.name }); }, [sitting.code, sitting.name, form]);
  const save = async (v: { code: string; name: string }) => {
    setError(undefined);
    try {
      await put(`/api/v1/admin/sittings/${sitting.sittingId}`, { code: v.code.trim(), name: v.name.trim() });
      message.success(t('sitting.saved'));
      await qc.invalidateQueries({ queryKey: ['config'] });
    } catch (e) {
      const rest = showRefusal(form, e, { t, lang: i18n.language, fields: [['code'], ['name']], codeField: { CONFIG_CODE_TAKEN: ['code'] } });
      setRest(rest ?? []);
      setError(rest === null ? undefined : e);
    }
  };
  const remove = () => modal.confirm({
    title: t('sitting.deleteConfirm', { name: sitting.name }),
    okButtonProps: { danger: true },
    okText: t('sitting.delete'),
    onOk: async () => {
      setError(undefined);
      try {
        await del(`/api/v1/admin/sittings/${sitting.sittingId}`);
        message.success(t('sitting.deleted'));
        await qc.invalidateQueries({ queryKey: ['config'] });
        navigate(`/admin/config/exams/${sitting.examId}`, { replace: true });
      } catch (e) {
        const rest = showRefusal(form, e, { t, lang: i18n.language, fields: [] });
        setRest(rest ?? []);
        setError(rest === null ? undefined : e);
      }
    },
  });
  return (
    <section aria-labelledby="sitting-basics">
      <H2 id="sitting-basics">{t('sitting.basics')}</H2>
      <Form form={form} name="sitting" layout="vertical" disabled={!canEdit} onFinish={(v) => void save(v)} initialValues={{ code: sitting.code, name: sitting.name }} style={{ maxWidth: 960 }}>
        <Row gutter={16}>
          <Col xs={24} md={8}><Form.Item name="code" label={t('sitting.code')} rules={[{ required: true, message: t('staff:signIn.required') }]}><Input maxLength={32} autoComplete="off" /></Form.Item></Col>
          <Col xs={24} md={16}><Form.Item name="name" label={t('sitting.name')} rules={[{ required: true, message: t('staff:signIn.required') }]}><Input maxLength={200} /></Form.Item></Col>
        </Row>
        <RefusalAlert error={error} rest={rest} />
        <Space wrap>
          {canEdit ? <Button type="primary" htmlType="submit">{t('sitting.save')}</Button> : null}
          {/* A plain download: the server names the file (content-disposition). */}
          <Button href={`/api/v1/admin/sittings/${sitting.sittingId}/export`} download={`${sitting.examCode}-${sitting.code}.json`} disabled={false} data-testid="export">{t('sitting.export')}</Button>
          {canEdit ? <Button danger onClick={remove}>{t('sitting.delete')}</Button> : null}
        </Space>
        <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>{t('sitting.exportHint')}</Typography.Paragraph>
      </Form>
    </section>
  );
}

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, Modal, Select, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { beijingTime, get, post } from '../../../api/client.ts';
import { ErrorAlert } from '../../../components/ErrorAlert.tsx';
import { StaffPage } from '../../../session/staff.tsx';
import { ADMIN_NAV } from '../nav.ts';
import type { StaffRow } from './api.ts';
import { DANGER_SOLID, DANGER_STYLE, ToneTag } from './tones.tsx';

const ROLES = ['AUTHORITY_ADMIN', 'FINANCE', 'READ_ONLY', 'INSTITUTION_STAFF'] as const;
type Created = StaffRow & { initialPassword: string };

/**
 * ADM-5: the authority's staff accounts — list for those who may read them, create and disable
 * for the administrator. The initial password is shown once, as the server hands it out.
 */
export function StaffAccountsPage() {
  return <StaffPage surface="admin" nav={ADMIN_NAV}>{(me) => <StaffAccounts canManage={me.permissions.includes('staff.manage')} selfId={me.staffId} />}</StaffPage>;
}

function StaffAccounts({ canManage, selfId }: { canManage: boolean; selfId: string }) {
  const { t, i18n } = useTranslation('finance');
  const zh = i18n.language.startsWith('zh');
  const qc = useQueryClient();
  const { message } = App.useApp();
  const list = useQuery({ queryKey: ['finance', 'staff'], queryFn: () => get<StaffRow[]>('/api/v1/admin/staff') });
  const institutions = useQuery({ queryKey: ['finance', 'institutions'], enabled: canManage, queryFn: () => get<{ institutionId: string; name: string }[]>('/api/v1/admin/institutions') });
  const [form, setForm] = useState({ loginName: '', displayName: '', role: 'FINANCE' as (typeof ROLES)[number], institutionId: '' });
  const [created, setCreated] = useState<Created>();
  const [error, setError] = useState<unknown>();
  const [disabling, setDisabling] = useState<StaffRow>();
  const create = async () => {
    setError(undefined);
    setCreated(undefined);
    try {
      const body = { loginName: form.loginName.trim(), displayName: form.displayName.trim(), role: form.role, ...(form.role === 'INSTITUTION_STAFF' && form.institutionId ? { institutionId: form.institutionId } : {}) };
      const made = await post<Created>('/api/v1/admin/staff', body);
      setCreated(made);
      message.success(t('staffPage.created', { loginName: made.loginName }));
      setForm({ loginName: '', displayName: '', role: 'FINANCE', institutionId: '' });
    } catch (e) {
      setError(e);
    }
    await qc.invalidateQueries({ queryKey: ['finance', 'staff'] });
  };
  const disable = async () => {
    if (!disabling) return;
    setError(undefined);
    try {
      await post(`/api/v1/admin/staff/${disabling.staffId}/disable`);
      message.success(t('staffPage.disabledDone', { loginName: disabling.loginName }));
    } catch (e) {
      setError(e);
    }
    setDisabling(undefined);
    await qc.invalidateQueries({ queryKey: ['finance', 'staff'] });
  };
  const instName = (id: string | null) => (id ? institutions.data?.find((i) => i.institutionId === id)?.name ?? `#${id}` : '—');
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('staffPage.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('staffPage.hint')}</Typography.Paragraph>
      <ErrorAlert error={error ?? list.error} />
      {created ? (
        <Alert type="success" showIcon style={{ marginBottom: 16 }} title={t('staffPage.created', { loginName: created.loginName })}
          description={<>{t('staffPage.initialPassword')} <Typography.Text code copyable data-testid="initial-password">{created.initialPassword}</Typography.Text></>} />
      ) : null}
      {canManage ? (
        <Card size="small" style={{ marginBottom: 16 }} title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>{t('staffPage.create')}</Typography.Title>}>
          <Form layout="inline" onFinish={() => void create()} style={{ rowGap: 8 }}>
            <Form.Item label={t('staffPage.loginName')} htmlFor="staff-new-login" tooltip={t('staffPage.loginNameHint')}>
              <Input id="staff-new-login" value={form.loginName} maxLength={32} autoComplete="off" onChange={(e) => setForm({ ...form, loginName: e.target.value })} />
            </Form.Item>
            <Form.Item label={t('staffPage.displayName')} htmlFor="staff-new-name">
              <Input id="staff-new-name" value={form.displayName} maxLength={64} autoComplete="off" onChange={(e) => setForm({ ...form, displayName: e.target.value })} />
            </Form.Item>
            <Form.Item label={t('staffPage.role')} htmlFor="staff-new-role">
              <Select id="staff-new-role" style={{ width: 200 }} value={form.role} onChange={(v: (typeof ROLES)[number]) => setForm({ ...form, role: v })}
                options={ROLES.map((r) => ({ value: r, label: t(`staffPage.roles.${r}`) }))} />
            </Form.Item>
            {form.role === 'INSTITUTION_STAFF' ? (
              <Form.Item label={t('staffPage.institution')} htmlFor="staff-new-inst">
                <Select id="staff-new-inst" style={{ width: 220 }} value={form.institutionId || undefined} placeholder={t('staffPage.chooseInstitution')} onChange={(v: string) => setForm({ ...form, institutionId: v })}
                  options={(institutions.data ?? []).map((i) => ({ value: i.institutionId, label: i.name }))} />
              </Form.Item>
            ) : null}
            <Form.Item><Button type="primary" htmlType="submit">{t('staffPage.createSubmit')}</Button></Form.Item>
          </Form>
        </Card>
      ) : null}
      <Table<StaffRow> rowKey="staffId" size="small" loading={list.isPending} dataSource={list.data ?? []} pagination={false} scroll={{ x: 900 }} locale={{ emptyText: t('staffPage.empty') }}
        columns={[
          { key: 'login', title: t('staffPage.loginName'), render: (_, s) => <Typography.Text code>{s.loginName}</Typography.Text> },
          { key: 'name', title: t('staffPage.displayName'), dataIndex: 'displayName' },
          { key: 'role', title: t('staffPage.role'), render: (_, s) => (zh ? s.roleLabel.zh : s.roleLabel.en) },
          { key: 'inst', title: t('staffPage.institution'), render: (_, s) => instName(s.institutionId) },
          {
            key: 'status', title: t('staffPage.status'), render: (_, s) => (s.disabledAt
              ? <ToneTag tone="red">{t('staffPage.disabled', { at: beijingTime(s.disabledAt) })}</ToneTag>
              : <><ToneTag tone="green">{t('staffPage.active')}</ToneTag>{s.mustChangePassword ? <Tag>{t('staffPage.mustChange')}</Tag> : null}</>),
          },
          { key: 'created', title: t('staffPage.createdAt'), render: (_, s) => beijingTime(s.createdAt) },
          ...(canManage ? [{
            key: 'action', title: t('staffPage.action'), render: (_: unknown, s: StaffRow) => (s.disabledAt || s.staffId === selfId ? '—'
              : <Button size="small" style={DANGER_STYLE} onClick={() => setDisabling(s)} aria-label={`${t('staffPage.disable')} ${s.loginName}`}>{t('staffPage.disable')}</Button>),
          }] : []),
        ]} />
      <Modal open={disabling !== undefined} title={t('staffPage.disableTitle', { loginName: disabling?.loginName ?? '' })} okText={t('staffPage.disable')} cancelText={t('staffPage.cancel')}
        okButtonProps={{ style: DANGER_SOLID }} onOk={() => void disable()} onCancel={() => setDisabling(undefined)}>
        <Typography.Paragraph>{t('staffPage.disableText')}</Typography.Paragraph>
      </Modal>
    </>
  );
}

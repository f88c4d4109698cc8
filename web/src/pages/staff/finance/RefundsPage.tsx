import { useQuery } from '@tanstack/react-query';
import { Button, Checkbox, Flex, Form, Input, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { beijingTime, get } from '../../../api/client.ts';
import { ErrorAlert } from '../../../components/ErrorAlert.tsx';
import { StaffPage } from '../../../session/staff.tsx';
import { ADMIN_NAV } from '../nav.ts';
import { BILL_NO, type StaffRefund } from './api.ts';
import { RefundTable } from './RefundTable.tsx';

const STATES = ['PENDING', 'SUCCEEDED', 'FAILED'] as const;
const REASONS = ['PERSONAL', 'AUTHORITY_CANCEL', 'AUTHORITY_CHANGE', 'DUPLICATE_PAYMENT', 'LATE_PAYMENT'] as const;
const PAGE = 50;

/**
 * REF-4: every refund of the authority with its progress — the ones staff made and the ones the
 * system made itself (cancelled sitting, subject or registration; duplicate or late payments) —
 * filtered by state, reason, bill or "needs a person"; the filters and page live in the URL.
 */
export function RefundsPage() {
  return <StaffPage surface="admin" nav={ADMIN_NAV}>{(me) => <Refunds canRetry={me.permissions.includes('refund.retry')} canRefund={me.permissions.includes('refund.personal')} />}</StaffPage>;
}

function Refunds({ canRetry, canRefund }: { canRetry: boolean; canRefund: boolean }) {
  const { t } = useTranslation('finance');
  const [params, setParams] = useSearchParams();
  const state = (STATES as readonly string[]).includes(params.get('state') ?? '') ? params.get('state')! : '';
  const reason = (REASONS as readonly string[]).includes(params.get('reason') ?? '') ? params.get('reason')! : '';
  const billNo = BILL_NO.test(params.get('billNo') ?? '') ? params.get('billNo')! : '';
  const flagged = params.get('flagged') === 'true';
  const beforeId = /^\d+$/.test(params.get('beforeId') ?? '') ? params.get('beforeId')! : '';
  const [billInput, setBillInput] = useState(billNo);
  const qs = new URLSearchParams({ limit: String(PAGE), ...(state ? { state } : {}), ...(reason ? { reason } : {}), ...(billNo ? { billNo } : {}), ...(flagged ? { flagged: 'true' } : {}), ...(beforeId ? { beforeId } : {}) });
  const query = useQuery({ queryKey: ['finance', 'refunds', qs.toString()], queryFn: () => get<StaffRefund[]>(`/api/v1/admin/refunds?${qs}`), refetchInterval: 5_000 });
  const set = (patch: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) if (v) next.set(k, v); else next.delete(k);
    if (!('beforeId' in patch)) next.delete('beforeId');
    setParams(next);
  };
  const rows = query.data ?? [];
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('list.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('list.hint')}</Typography.Paragraph>
      {canRefund ? <Typography.Paragraph><Link to="/admin/refunds/find">{t('list.find')}</Link></Typography.Paragraph> : null}
      <Form layout="inline" style={{ marginBottom: 12, rowGap: 8 }} onFinish={() => set({ billNo: BILL_NO.test(billInput.trim()) ? billInput.trim() : '' })}>
        <Form.Item label={t('list.state')} htmlFor="refund-state">
          <Select id="refund-state" style={{ width: 140 }} value={state} onChange={(v: string) => set({ state: v })}
            options={[{ value: '', label: t('list.all') }, ...STATES.map((s) => ({ value: s, label: t(`refundState.${s}`) }))]} />
        </Form.Item>
        <Form.Item label={t('list.reason')} htmlFor="refund-reason">
          <Select id="refund-reason" style={{ width: 220 }} value={reason} onChange={(v: string) => set({ reason: v })}
            options={[{ value: '', label: t('list.all') }, ...REASONS.map((r) => ({ value: r, label: t(`reason.${r}`) }))]} />
        </Form.Item>
        <Form.Item>
          <Checkbox checked={flagged} onChange={(e) => set({ flagged: e.target.checked ? 'true' : '' })}>{t('list.flagged')}</Checkbox>
        </Form.Item>
        <Form.Item label={t('list.billNo')} htmlFor="refund-bill">
          <Input id="refund-bill" style={{ width: 220 }} value={billInput} placeholder={t('list.billNoPlaceholder')} inputMode="numeric" maxLength={21} onChange={(e) => setBillInput(e.target.value)} />
        </Form.Item>
        <Form.Item>
          <Space>
            <Button htmlType="submit">{t('list.search')}</Button>
            <Button onClick={() => { setBillInput(''); setParams({}); }}>{t('list.reset')}</Button>
          </Space>
        </Form.Item>
      </Form>
      <ErrorAlert error={query.error} />
      <RefundTable refunds={rows} loading={query.isPending} canRetry={canRetry} empty={t('list.empty')} label={t('list.title')} />
      <Flex gap={8} justify="space-between" wrap style={{ marginTop: 12 }}>
        <Typography.Text type="secondary">{query.dataUpdatedAt ? t('list.updated', { at: beijingTime(new Date(query.dataUpdatedAt).toISOString()) }) : ''}</Typography.Text>
        <Space>
          {beforeId ? <Button onClick={() => set({ beforeId: '' })}>{t('list.first')}</Button> : null}
          {rows.length === PAGE && rows.at(-1)?.id ? <Button onClick={() => set({ beforeId: rows.at(-1)!.id! })}>{t('list.next')}</Button> : null}
        </Space>
      </Flex>
    </>
  );
}

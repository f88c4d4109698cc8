import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Form, Input, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError, beijingTime, get, post, yuan } from '../../../api/client.ts';
import { ErrorAlert } from '../../../components/ErrorAlert.tsx';
import { StaffPage } from '../../../session/staff.tsx';
import { ADMIN_NAV } from '../nav.ts';
import { fenFromYuan, type LedgerEntry, type PersonalRefundMade, type StaffBill, type StaffRefund } from './api.ts';
import { RefundTable } from './RefundTable.tsx';
import { READABLE_LABELS, ScrollRegion } from './tones.tsx';

type Item = StaffBill['items'][number];
type Outcome = { subject: string; made?: PersonalRefundMade; error?: unknown };
const left = (i: Item) => BigInt(i.amountFen) - BigInt(i.refundedFen);

/**
 * One bill for finance (REF-1, REF-4, PAY-11): its items with what is left to refund, a refund
 * of some or all of them through the original channel with a reason, the bill's refunds with
 * their progress (updating by themselves), and the ledger lines that book every movement. The
 * exam's refund policy is the server's: a refusal is shown in its own words.
 */
export function BillRefundPage() {
  return <StaffPage surface="admin" nav={ADMIN_NAV}>{(me) => <BillRefund canRefund={me.permissions.includes('refund.personal')} canRetry={me.permissions.includes('refund.retry')} />}</StaffPage>;
}

function BillRefund({ canRefund, canRetry }: { canRefund: boolean; canRetry: boolean }) {
  const { t, i18n } = useTranslation('finance');
  const zh = i18n.language.startsWith('zh');
  const { billNo = '' } = useParams();
  const qc = useQueryClient();
  const bill = useQuery({ queryKey: ['finance', 'bill', billNo], queryFn: () => get<StaffBill>(`/api/v1/admin/bills/${encodeURIComponent(billNo)}`), refetchInterval: 3_000 });
  const refunds = useQuery({
    queryKey: ['finance', 'bill-refunds', billNo], enabled: bill.isSuccess,
    queryFn: () => get<(StaffRefund & { id: string })[]>(`/api/v1/admin/refunds?billNo=${encodeURIComponent(billNo)}&limit=200`), refetchInterval: 3_000,
  });
  const [selected, setSelected] = useState<string[]>([]);
  const [reason, setReason] = useState('');
  const [amount, setAmount] = useState('');
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [outcomes, setOutcomes] = useState<Outcome[]>([]);

  if (bill.isError) {
    return (
      <>
        <Typography.Title level={1} style={{ fontSize: 22, overflowWrap: 'anywhere' }}>{t('bill.title', { billNo })}</Typography.Title>
        <ErrorAlert error={bill.error} />
        {bill.error instanceof ApiError && bill.error.status === 404 ? <Typography.Paragraph>{t('bill.notFound')}</Typography.Paragraph> : null}
        <Link to="/admin/refunds">{t('bill.back')}</Link>
      </>
    );
  }
  const b = bill.data;
  const submit = async () => {
    if (!b) return;
    const items = b.items.filter((i) => selected.includes(i.registrationId));
    const fen = amount.trim() ? fenFromYuan(amount) : undefined;
    if (items.length === 0) return setProblem(t('bill.chooseItems'));
    if (!reason.trim()) return setProblem(t('bill.reasonRequired'));
    if (amount.trim() && (fen === undefined || items.length !== 1)) return setProblem(t('bill.amountInvalid'));
    setProblem(undefined);
    setBusy(true);
    const results: Outcome[] = [];
    // One personal refund per item (the server's unit, REF-4); each answered on its own, the policy checked by the server each time.
    for (const i of items) {
      try {
        const made = await post<PersonalRefundMade>(`/api/v1/admin/registrations/${i.registrationId}/personal-refund`, { reason: reason.trim(), ...(fen !== undefined ? { amountFen: fen } : {}) });
        results.push({ subject: i.subjectName, made });
      } catch (e) {
        results.push({ subject: i.subjectName, error: e });
      }
    }
    setOutcomes(results);
    setBusy(false);
    if (results.some((r) => r.made)) {
      setSelected([]);
      setAmount('');
      setReason('');
    }
    await qc.invalidateQueries({ queryKey: ['finance'] });
  };
  const sign = (p: LedgerEntry['postings'][number], side: 'debit' | 'credit') => ((side === 'debit' ? p.amountFen > 0 : p.amountFen < 0) ? `¥${yuan(Math.abs(p.amountFen))}` : '');
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22, overflowWrap: 'anywhere' }}>{t('bill.title', { billNo })}</Typography.Title>
      {!b ? null : (
        <>
          <Descriptions size="small" column={{ xs: 1, sm: 2 }} style={{ marginBottom: 8 }} styles={READABLE_LABELS} items={[
            { key: 'state', label: t('bill.state'), children: <span data-testid="bill-state">{zh ? b.stateLabel.zh : b.stateLabel.en}</span> },
            { key: 'amount', label: t('bill.amount'), children: `¥${yuan(b.amountFen)}` },
            { key: 'channel', label: t('bill.channel'), children: b.channel ? t(`channel.${b.channel}`, { defaultValue: b.channel }) : '—' },
            { key: 'trade', label: t('bill.tradeNo'), children: b.channelTradeNo ?? '—' },
            { key: 'paid', label: t('bill.paidAt'), children: beijingTime(b.paidAt) },
            {
              key: 'payer', label: t('bill.payer'),
              children: b.candidateId ? <Link to={`/admin/refunds/candidates/${b.candidateId}`}>{t('bill.candidateLink')}</Link> : t('bill.institution'),
            },
          ]} />
          <Typography.Paragraph type="secondary">{zh ? b.explanation.zh : b.explanation.en}</Typography.Paragraph>

          <Typography.Title level={2} style={{ fontSize: 18 }}>{t('bill.items')}</Typography.Title>
          <Table<Item> rowKey="registrationId" size="small" dataSource={b.items} pagination={false}
            rowSelection={canRefund ? {
              selectedRowKeys: selected, onChange: (keys) => setSelected(keys.map(String)),
              getCheckboxProps: (i) => ({ disabled: left(i) <= 0n, 'aria-label': t('bill.select', { subject: i.subjectName }) }),
            } : undefined}
            columns={[
              { key: 'subject', title: t('bill.subject'), render: (_, i) => <>{i.subjectName} <Typography.Text type="secondary">{i.subjectCode}</Typography.Text></> },
              { key: 'fee', title: t('bill.fee'), align: 'right', render: (_, i) => `¥${yuan(i.amountFen)}` },
              { key: 'refunded', title: t('bill.refunded'), align: 'right', render: (_, i) => `¥${yuan(i.refundedFen)}` },
              { key: 'left', title: t('bill.left'), align: 'right', render: (_, i) => (left(i) > 0n ? `¥${yuan(left(i))}` : t('bill.nothingLeft')) },
            ]} />

          {canRefund ? (
            <Card size="small" style={{ marginTop: 16 }} title={<Typography.Title level={2} style={{ fontSize: 16, margin: 0 }}>{t('bill.refundTitle')}</Typography.Title>}>
              <Typography.Paragraph type="secondary">{t('bill.refundHint')}</Typography.Paragraph>
              <Form layout="vertical" onFinish={() => void submit()}>
                <Form.Item label={t('bill.reason')} htmlFor="refund-reason-text">
                  <Input.TextArea id="refund-reason-text" rows={2} maxLength={500} value={reason} onChange={(e) => setReason(e.target.value)} />
                </Form.Item>
                <Form.Item label={t('bill.refundAmount')} htmlFor="refund-amount" extra={t('bill.amountHint')}>
                  <Input id="refund-amount" style={{ maxWidth: 200 }} inputMode="decimal" value={amount} disabled={selected.length > 1} onChange={(e) => setAmount(e.target.value)} />
                </Form.Item>
                {problem ? <Alert type="warning" showIcon role="alert" title={problem} style={{ marginBottom: 12 }} /> : null}
                <Button type="primary" htmlType="submit" loading={busy}>{t('bill.submit')}</Button>
              </Form>
              <div aria-live="polite" data-testid="refund-outcomes">
                {outcomes.map((o) => (o.made
                  ? <Alert key={o.made.refundNo} type="success" showIcon style={{ marginTop: 12 }}
                    title={t('bill.made', { subject: o.subject, refundNo: o.made.refundNo, amount: yuan(o.made.amountFen), channel: t(`channel.${o.made.channel}`, { defaultValue: o.made.channel }) })} />
                  : <div key={o.subject} style={{ marginTop: 12 }}><Typography.Text strong>{t('bill.refused', { subject: o.subject })}</Typography.Text><ErrorAlert error={o.error} /></div>))}
              </div>
            </Card>
          ) : <Alert type="info" showIcon style={{ marginTop: 16 }} title={t('bill.noPermission')} />}

          <Typography.Title level={2} style={{ fontSize: 18, marginTop: 24 }}>{t('bill.refunds')}</Typography.Title>
          <ErrorAlert error={refunds.error} />
          <RefundTable refunds={refunds.data ?? []} loading={refunds.isPending} canRetry={canRetry} showBill={false} empty={t('bill.noRefunds')} label={t('bill.refunds')} />

          <Typography.Title level={2} style={{ fontSize: 18, marginTop: 24 }}>{t('bill.ledger')}</Typography.Title>
          <div data-testid="ledger">
          <ScrollRegion label={t('bill.ledger')} minWidth={700}>
          <Table<LedgerEntry & { key: string }> size="small" pagination={false} locale={{ emptyText: t('bill.noLedger') }}
            dataSource={b.ledger.flatMap((e) => e.postings.map((p, n) => ({ ...e, postings: [p], key: `${e.entryId}-${n}` })))} rowKey="key"
            columns={[
              { key: 'entry', title: t('bill.entry'), render: (_, e) => <>{t(`bill.ledgerKind.${e.kind}`, { defaultValue: e.kind })}{e.refundNo ? <> <Typography.Text code>{e.refundNo}</Typography.Text></> : null}<br /><Typography.Text type="secondary">{beijingTime(e.at)}</Typography.Text></> },
              { key: 'account', title: t('bill.account'), render: (_, e) => <Typography.Text code>{e.postings[0]!.account}</Typography.Text> },
              { key: 'debit', title: t('bill.debit'), align: 'right', render: (_, e) => sign(e.postings[0]!, 'debit') },
              { key: 'credit', title: t('bill.credit'), align: 'right', render: (_, e) => sign(e.postings[0]!, 'credit') },
            ]} />
          </ScrollRegion>
          </div>

          <Typography.Title level={2} style={{ fontSize: 18, marginTop: 24 }}>{t('bill.payments')}</Typography.Title>
          <ScrollRegion label={t('bill.payments')} minWidth={600}>
          <Table size="small" pagination={false} rowKey="channelTradeNo" dataSource={b.payments} locale={{ emptyText: t('bill.noPayments') }}
            columns={[
              { key: 'trade', title: t('bill.tradeNo'), render: (_, p) => <Typography.Text code>{p.channelTradeNo}</Typography.Text> },
              { key: 'channel', title: t('bill.channel'), render: (_, p) => t(`channel.${p.channel}`, { defaultValue: p.channel }) },
              { key: 'amount', title: t('bill.amount'), align: 'right', render: (_, p) => `¥${yuan(p.amountFen)}` },
              { key: 'outcome', title: t('bill.outcome'), render: (_, p) => <Tag>{t(`bill.outcomeKind.${p.outcome}`, { defaultValue: p.outcome })}</Tag> },
              { key: 'at', title: t('bill.paidAt'), render: (_, p) => beijingTime(p.paidAt) },
            ]} />
          </ScrollRegion>

          <Typography.Title level={2} style={{ fontSize: 18, marginTop: 24 }}>{t('bill.history')}</Typography.Title>
          <ScrollRegion label={t('bill.history')} minWidth={600}>
          <Table size="small" pagination={false} rowKey={(h) => `${h.at}-${h.to}`} dataSource={b.transitions}
            columns={[
              { key: 'at', title: t('bill.at'), render: (_, h) => beijingTime(h.at) },
              { key: 'from', title: t('bill.from'), render: (_, h) => t(`billState.${h.from}`, { defaultValue: h.from }) },
              { key: 'to', title: t('bill.to'), render: (_, h) => t(`billState.${h.to}`, { defaultValue: h.to }) },
              { key: 'cause', title: t('bill.cause'), dataIndex: 'cause' },
              { key: 'actor', title: t('bill.actor'), dataIndex: 'actor' },
            ]} />
          </ScrollRegion>
        </>
      )}
      <Typography.Paragraph style={{ marginTop: 16 }}><Link to="/admin/refunds">{t('bill.back')}</Link></Typography.Paragraph>
    </>
  );
}

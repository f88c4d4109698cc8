import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Checkbox, Descriptions, Flex, Space, Spin, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { ApiError, beijingTime, get, post, yuan } from '../../api/client.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import { StaffPage } from '../../session/staff.tsx';
import { isOpen, LIVE_POLL_MS, say, stillMoving } from '../candidate/bills/billApi.ts';
import { go, isRedirect, OpenOrder, openOrder, useChannelName } from '../candidate/bills/OpenOrder.tsx';
import type { BatchBillDetail } from './api.ts';
import { INSTITUTION_NAV } from './nav.ts';

const billKey = (billNo: string) => ['institution', 'bill', billNo] as const;
const api = (billNo: string) => `/api/v1/institution/batch-bills/${encodeURIComponent(billNo)}`;

/**
 * /institution/bills/:billNo — one batch bill (ORG-1) as the server has it now: who pays, the
 * candidates and subjects, the agreement, the channels the exam offers institutions, the QR or
 * the bank's page in this window, its status updating by itself, 确认缴费状态, close, and once
 * paid the receipt. The number is in the address: Back, Refresh and the channel's return land here.
 */
export function BillPage() {
  const { billNo = '' } = useParams();
  return <StaffPage surface="institution" nav={INSTITUTION_NAV}>{(me) => <BatchBill billNo={billNo} canPay={me.permissions.includes('bill.pay')} />}</StaffPage>;
}


function BatchBill({ billNo, canPay }: { billNo: string; canPay: boolean }) {
  const { t, i18n } = useTranslation('institution');
  const bill = useQuery({
    queryKey: billKey(billNo),
    queryFn: () => get<BatchBillDetail>(api(billNo)),
    // The channel's notify, the poll and timeout jobs change the bill: the page asks again by itself.
    refetchInterval: (q) => (stillMoving(q.state.data) ? LIVE_POLL_MS : false),
    refetchIntervalInBackground: true,
  });
  if (bill.isPending) return <Spin aria-label={t('common:loading')} />;
  if (bill.isError) {
    return (
      <>
        <Typography.Title level={1} style={{ fontSize: 22 }}>{t('bill.title', { billNo })}</Typography.Title>
        <ErrorAlert error={bill.error} />
        {bill.error instanceof ApiError && bill.error.code === 'BILL_NOT_FOUND' ? <p>{t('bill.notFound')}</p> : null}
        <Space wrap>
          <Button onClick={() => void bill.refetch()}>{t('bill.retry')}</Button>
          <Link to="/institution/bills">{t('bill.back')}</Link>
        </Space>
      </>
    );
  }
  const b = bill.data;
  const lang = i18n.language;
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('bill.title', { billNo: b.billNo })}</Typography.Title>
      <Status b={b} updatedAt={bill.dataUpdatedAt} lang={lang} canPay={canPay} />
      {isOpen(b.state) && canPay ? <OpenOrder billNo={b.billNo} billPath={api(b.billNo)} orders={b.orders} /> : null}
      <Items b={b} />
      {isOpen(b.state) && canPay ? <PaySteps b={b} lang={lang} /> : null}
      {b.state === 'CLOSED' ? (
        <Card style={{ marginBottom: 16 }}><p style={{ margin: 0 }}>{t('bill.closedNext')} <Link to="/institution" style={{ textDecoration: 'underline' }}>{t('bill.toCandidates')}</Link></p></Card>
      ) : null}
      {b.state === 'PAID' || b.state === 'PARTIALLY_REFUNDED' || b.state === 'REFUNDED' ? (
        <Card style={{ marginBottom: 16 }}>
          <section aria-labelledby="receipt-title" data-testid="receipt">
            <Typography.Title level={2} id="receipt-title" style={{ fontSize: 18, marginTop: 0 }}>{t('bill.receiptTitle')}</Typography.Title>
            <p>{t('bill.receiptHint')}</p>
            <a href={`${api(b.billNo)}/receipt.pdf`} download={`${b.billNo}.pdf`} data-testid="receipt-link">{t('bill.downloadReceipt')}</a>
          </section>
        </Card>
      ) : null}
      <History b={b} />
      <p style={{ marginTop: 24 }}><Link to="/institution/bills">{t('bill.back')}</Link></p>
    </>
  );
}

function Status({ b, updatedAt, lang, canPay }: { b: BatchBillDetail; updatedAt: number; lang: string; canPay: boolean }) {
  const { t } = useTranslation('institution');
  const qc = useQueryClient();
  const { modal } = App.useApp();
  const channelName = useChannelName();
  const [answers, setAnswers] = useState<string | null>(null);
  const check = useMutation({
    mutationFn: () => post<BatchBillDetail & { channelAnswers: { channel: string; answer: string }[] }>(`${api(b.billNo)}/status-check`),
    onSuccess: ({ channelAnswers, ...detail }) => {
      qc.setQueryData(billKey(b.billNo), detail);
      setAnswers(channelAnswers.map((a) => `${channelName(a.channel)} ${a.answer}`).join('；') || null);
    },
  });
  const close = useMutation({
    mutationFn: () => post<BatchBillDetail>(`${api(b.billNo)}/close`),
    onSuccess: (after) => {
      qc.setQueryData(billKey(b.billNo), after);
      void qc.invalidateQueries({ queryKey: ['institution', 'candidates'] });
    },
  });
  const tone = b.state === 'CLOSED' ? 'warning' : isOpen(b.state) ? 'info' : 'success';
  const times = b.shownTimes;
  return (
    <Card style={{ marginBottom: 16 }}>
      <section aria-labelledby="bill-status-title">
        <Typography.Title level={2} id="bill-status-title" style={{ fontSize: 18, marginTop: 0 }}>{t('bill.liveTitle')}</Typography.Title>
        <div role="status" aria-live="polite" aria-atomic="true">
          <Alert type={tone} showIcon style={{ marginBottom: 12 }}
            title={<span data-testid="bill-state" style={{ fontSize: 18, fontWeight: 600 }}>{say(b.stateLabel, lang)}</span>}
            description={<span data-testid="bill-explanation">{say(b.explanation, lang)}</span>} />
        </div>
        <Descriptions size="small" column={{ xs: 1, sm: 2 }} bordered
          items={[
            { key: 'no', label: t('bill.billNo'), children: <span data-testid="bill-no">{b.billNo}</span> },
            { key: 'amount', label: t('bill.amount'), children: <strong data-testid="bill-amount">¥{yuan(b.amountFen)}</strong> },
            { key: 'payer', label: t('bill.payer'), children: <span data-testid="bill-payer">{b.payer.name}</span> },
            { key: 'sitting', label: t('bill.sitting'), children: `${b.examName} · ${b.sittingName}` },
            { key: 'created', label: t('bill.createdAt'), children: times.createdAt ?? beijingTime(b.createdAt) },
            ...(isOpen(b.state) ? [{ key: 'expires', label: t('bill.expiresAt'), children: times.expiresAt ?? beijingTime(b.expiresAt) }] : []),
            ...(b.paidAt ? [{ key: 'paid', label: t('bill.paidAt'), children: times.paidAt ?? beijingTime(b.paidAt) }] : []),
            ...(b.closedAt ? [{ key: 'closed', label: t('bill.closedAt'), children: times.closedAt ?? beijingTime(b.closedAt) }] : []),
            ...(b.channel ? [{ key: 'channel', label: t('bill.channel'), children: channelName(b.channel) }] : []),
            ...(b.channelTradeNo ? [{ key: 'trade', label: t('bill.channelTradeNo'), children: <span data-testid="channel-trade-no">{b.channelTradeNo}</span> }] : []),
          ]} />
        <p style={{ marginTop: 8 }}>{t('bill.lastChecked', { time: beijingTime(new Date(updatedAt).toISOString()) })}</p>
        <ErrorAlert error={check.error ?? close.error} />
        {answers ? <p role="status">{t('bill.channelAnswers', { answers })}</p> : null}
        {canPay ? (
          <>
            <Space wrap>
              <Button type={b.state === 'PAYING' ? 'primary' : 'default'} loading={check.isPending} onClick={() => { setAnswers(null); check.mutate(); }} aria-describedby="check-hint">{t('bill.checkStatus')}</Button>
              {b.state === 'UNPAID' ? (
                <Button loading={close.isPending}
                  onClick={() => modal.confirm({ title: t('bill.close'), content: t('bill.closeConfirm', { billNo: b.billNo }), okText: t('candidates.confirm'), cancelText: t('candidates.cancel'), onOk: () => close.mutateAsync() })}>
                  {t('bill.close')}
                </Button>
              ) : null}
            </Space>
            <p id="check-hint" style={{ marginTop: 8, marginBottom: 0 }}>{t('bill.checkHint')}</p>
          </>
        ) : null}
      </section>
    </Card>
  );
}

function Items({ b }: { b: BatchBillDetail }) {
  const { t } = useTranslation('institution');
  const rows = b.items.map((i, n) => ({ ...i, who: b.candidates.find((c) => c.registrationId === i.registrationId) ?? b.candidates[n] }));
  return (
    <Card style={{ marginBottom: 16 }}>
      <section aria-labelledby="bill-items-title">
        <Typography.Title level={2} id="bill-items-title" style={{ fontSize: 18, marginTop: 0 }}>{t('bill.itemsTitle')}</Typography.Title>
        <div data-testid="bill-items">
        <Table size="small" pagination={false} rowKey="registrationId" dataSource={rows}
          columns={[
            { title: t('bill.candidate'), key: 'candidate', render: (_, i) => i.who?.candidateName ?? '—' },
            { title: t('bill.idNumber'), key: 'id', render: (_, i) => i.who?.idNumberMasked ?? '—' },
            { title: t('bill.subject'), dataIndex: 'subjectName', key: 'subject' },
            { title: t('bill.fee'), key: 'fee', align: 'right', render: (_, i) => `¥${yuan(i.amountFen)}` },
          ]}
          summary={() => (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0} colSpan={3}><strong>{t('bill.total')}（{b.items.length}）</strong></Table.Summary.Cell>
              <Table.Summary.Cell index={1} align="right"><strong>¥{yuan(b.amountFen)}</strong></Table.Summary.Cell>
            </Table.Summary.Row>
          )} />
        </div>
      </section>
    </Card>
  );
}

/** The agreement (accepted with the first payment, PAY-2), then a channel the exam offers institutions. */
function PaySteps({ b, lang }: { b: BatchBillDetail; lang: string }) {
  const { t } = useTranslation('institution');
  const qc = useQueryClient();
  const channelName = useChannelName();
  const accepted = b.agreementAcceptedAt !== null;
  const [agreed, setAgreed] = useState(accepted);
  const [leaving, setLeaving] = useState(false);
  const pay = useMutation({
    mutationFn: (channel: string) => post<{ payUrl: string; qrContent: string; channel: string }>(`${api(b.billNo)}/payments`, { channel, agreementAccepted: true }),
    onSuccess: async (started) => {
      if (isRedirect(started)) {
        setLeaving(true);
        go(started.payUrl);
        return;
      }
      await qc.invalidateQueries({ queryKey: billKey(b.billNo) });
    },
  });
  const order = openOrder(b.orders);
  return (
    <>
      <Card style={{ marginBottom: 16 }}>
        <section aria-labelledby="agreement-title">
          <Typography.Title level={2} id="agreement-title" style={{ fontSize: 18, marginTop: 0 }}>{t('bill.agreementTitle')}</Typography.Title>
          <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{b.agreementText}</Typography.Paragraph>
          <Checkbox data-testid="agree" checked={agreed || accepted} disabled={accepted} onChange={(e) => setAgreed(e.target.checked)}>{t('bill.agreementCheck')}</Checkbox>
          {accepted ? <p style={{ marginTop: 8, marginBottom: 0 }}>{t('bill.agreementAccepted', { time: beijingTime(b.agreementAcceptedAt) })}</p> : null}
        </section>
      </Card>
      <Card style={{ marginBottom: 16 }}>
        <section aria-labelledby="channel-title">
          <Typography.Title level={2} id="channel-title" style={{ fontSize: 18, marginTop: 0 }}>{t('bill.chooseChannel')}</Typography.Title>
          {b.channels.length === 0 ? <Alert type="warning" showIcon title={t('bill.noChannel')} /> : <p>{t('bill.chooseChannelHint')}</p>}
          {!agreed && !accepted ? <p id="agree-first">{t('bill.agreementFirst')}</p> : null}
          <Flex wrap gap={8}>
            {b.channels.map((c) => (
              <Button key={c} data-channel={c} size="large" type={order?.channel === c ? 'primary' : 'default'} aria-describedby={!agreed && !accepted ? 'agree-first' : undefined}
                loading={pay.isPending && pay.variables === c} disabled={leaving || !(agreed || accepted)} onClick={() => pay.mutate(c)}>
                {t('bill.payWith', { channel: channelName(c) })}
              </Button>
            ))}
          </Flex>
          {pay.error instanceof ApiError ? <Alert type="error" showIcon role="alert" style={{ marginTop: 12 }} title={pay.error.text(lang)} description={<small>{pay.error.code}</small>} /> : <ErrorAlert error={pay.error} style={{ marginTop: 12 }} />}
          {leaving ? <p role="status">{t('bill.redirecting')}</p> : null}
        </section>
      </Card>
    </>
  );
}

function History({ b }: { b: BatchBillDetail }) {
  const { t } = useTranslation('institution');
  const channelName = useChannelName();
  if (b.history.length === 0 && b.payments.length === 0) return null;
  return (
    <Card style={{ marginBottom: 16 }}>
      {b.payments.length > 0 ? (
        <section aria-labelledby="payments-title">
          <Typography.Title level={2} id="payments-title" style={{ fontSize: 18, marginTop: 0 }}>{t('bill.paymentsTitle')}</Typography.Title>
          <ul style={{ paddingLeft: 20 }}>
            {b.payments.map((p) => <li key={p.channelTradeNo}>{channelName(p.channel)} · ¥{yuan(p.amountFen)} · {beijingTime(p.paidAt)} · {t('bill.channelTradeNo')} {p.channelTradeNo}</li>)}
          </ul>
        </section>
      ) : null}
      {b.history.length > 0 ? (
        <section aria-labelledby="history-title">
          <Typography.Title level={2} id="history-title" style={{ fontSize: 18, marginTop: 0 }}>{t('bill.historyTitle')}</Typography.Title>
          <ol style={{ paddingLeft: 20, margin: 0 }}>
            {b.history.map((h) => <li key={`${h.at}${h.to}`}>{beijingTime(h.at)} · {t(`bills:states.${h.from}`, { defaultValue: h.from })} → {t(`bills:states.${h.to}`, { defaultValue: h.to })} · {t(`bills:causes.${h.cause}`, { defaultValue: h.cause })}</li>)}
          </ol>
        </section>
      ) : null}
    </Card>
  );
}

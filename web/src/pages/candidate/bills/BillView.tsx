import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Checkbox, Descriptions, Flex, List, Space, Spin, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ApiError, beijingTime, post, yuan } from '../../../api/client.ts';
import { ErrorAlert } from '../../../components/ErrorAlert.tsx';
import { go, isRedirect, OpenOrder, openOrder, useChannelName } from './OpenOrder.tsx';
import { BILLS_KEY, billKey, isOpen, say, stillMoving, useBill, type BillDetail, type StartedPayment } from './billApi.ts';

/**
 * One bill, as the server has it now: items, agreement, channels, QR or bank page, live status,
 * "确认缴费状态", cancel, why it closed and what next, refunds and history. Used signed in and
 * by a payer with a payment pass (PAY-6: no cancel, no links into the signed-in pages).
 */
export function BillView({ billNo, payer = false }: { billNo: string; payer?: boolean }) {
  const { t, i18n } = useTranslation('bills');
  const lang = i18n.language;
  const bill = useBill(billNo);
  if (bill.isPending) return <Spin aria-label={t('common:loading')} />;
  if (bill.isError) {
    return (
      <>
        <Typography.Title level={1} style={{ fontSize: 22 }}>{t('billTitle', { billNo })}</Typography.Title>
        <ErrorAlert error={bill.error} />
        {bill.error instanceof ApiError && bill.error.code === 'BILL_NOT_FOUND' && <p>{t('notFound')}</p>}
        <Space wrap>
          <Button onClick={() => void bill.refetch()}>{t('common:retry')}</Button>
          {!payer && <Link to="/bills">{t('allBills')}</Link>}
        </Space>
      </>
    );
  }
  const b = bill.data;
  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('billTitle', { billNo: b.billNo })}</Typography.Title>
      <StatusCard b={b} updatedAt={bill.dataUpdatedAt} lang={lang} payer={payer} />
      {isOpen(b.state) && <OpenOrder billNo={b.billNo} billPath={`/api/v1/bills/${b.billNo}`} orders={b.orders} />}
      <Items b={b} />
      {isOpen(b.state) && <PaySteps b={b} />}
      {b.state === 'CLOSED' && <ClosedNext b={b} lang={lang} payer={payer} />}
      {(b.state === 'PAID' || b.state === 'PARTIALLY_REFUNDED' || b.state === 'REFUNDED') && <Receipt billNo={b.billNo} />}
      <Refunds b={b} lang={lang} />
      <Payments b={b} />
      <History b={b} />
      {!payer && (
        <p style={{ marginTop: 24, display: 'flex', flexWrap: 'wrap', gap: '8px 16px' }}>
          <Link to="/bills">{t('allBills')}</Link>
          {/* A closed bill says where to go next itself; after paying, more subjects (an oral one) may wait. */}
          {b.state !== 'CLOSED' && <Link to="/sittings">{t('toRegistration')}</Link>}
        </p>
      )}
    </>
  );
}

function StatusCard({ b, updatedAt, lang, payer }: { b: BillDetail; updatedAt: number; lang: string; payer: boolean }) {
  const { t } = useTranslation('bills');
  const qc = useQueryClient();
  const { modal } = App.useApp();
  const channelName = useChannelName();
  const [answers, setAnswers] = useState<string | null>(null);
  const check = useMutation({
    mutationFn: () => post<BillDetail & { channelAnswers: { channel: string; answer: string }[] }>(`/api/v1/bills/${b.billNo}/status-check`),
    onSuccess: (after) => {
      const { channelAnswers, ...detail } = after;
      qc.setQueryData(billKey(b.billNo), detail);
      void qc.invalidateQueries({ queryKey: BILLS_KEY });
      setAnswers(channelAnswers.map((a) => `${channelName(a.channel)} ${a.answer}`).join('；') || null);
    },
  });
  const cancel = useMutation({
    mutationFn: () => post<BillDetail>(`/api/v1/bills/${b.billNo}/cancel`),
    onSuccess: (after) => {
      qc.setQueryData(billKey(b.billNo), after);
      void qc.invalidateQueries({ queryKey: BILLS_KEY });
    },
  });
  const tone = b.state === 'PAID' ? 'success' : b.state === 'CLOSED' ? 'warning' : b.state === 'PAYING' ? 'info' : b.state === 'UNPAID' ? 'info' : 'success';
  const times = b.shownTimes;
  return (
    <Card style={{ marginBottom: 16 }}>
      <section aria-labelledby="bill-status-title">
        <Typography.Title level={2} id="bill-status-title" style={{ fontSize: 18, marginTop: 0 }}>{t('liveTitle')}</Typography.Title>
        {/* Read out when it changes by itself: the page is live. */}
        <div role="status" aria-live="polite" aria-atomic="true">
          <Alert type={tone} showIcon style={{ marginBottom: 12 }}
            title={<span data-testid="bill-state" style={{ fontSize: 18, fontWeight: 600 }}>{say(b.stateLabel, lang)}</span>}
            description={<span data-testid="bill-explanation">{say(b.explanation, lang)}{b.flaggedForStaff ? ` ${t('flagged')}` : ''}</span>} />
        </div>
        <Descriptions size="small" column={{ xs: 1, sm: 2 }} bordered
          items={[
            { key: 'no', label: t('billNo'), children: <span data-testid="bill-no">{b.billNo}</span> },
            { key: 'amount', label: t('amount'), children: <strong data-testid="bill-amount">{t('common:yuan', { amount: yuan(b.amountFen) })}</strong> },
            { key: 'created', label: t('createdAt'), children: times.createdAt ?? beijingTime(b.createdAt) },
            ...(isOpen(b.state) ? [{ key: 'expires', label: t('expiresAt'), children: times.expiresAt ?? beijingTime(b.expiresAt) }] : []),
            ...(b.paidAt ? [{ key: 'paid', label: t('paidAt'), children: times.paidAt ?? beijingTime(b.paidAt) }] : []),
            ...(b.closedAt ? [{ key: 'closed', label: t('closedAt'), children: times.closedAt ?? beijingTime(b.closedAt) }] : []),
            ...(b.channel ? [{ key: 'channel', label: t('channel'), children: channelName(b.channel) }] : []),
            ...(b.channelTradeNo ? [{ key: 'trade', label: t('channelTradeNo'), children: <span data-testid="channel-trade-no">{b.channelTradeNo}</span> }] : []),
          ]} />
        <p style={{ marginTop: 8 }}>{t('timesNote')} {t('lastChecked', { time: beijingTime(new Date(updatedAt).toISOString()) })}</p>
        {stillMoving(b) && <p>{t('liveNote')}</p>}
        <ErrorAlert error={check.error ?? cancel.error} />
        {answers && <p role="status">{t('channelAnswers', { answers })}</p>}
        <Space wrap>
          <Button type={b.state === 'PAYING' ? 'primary' : 'default'} loading={check.isPending} onClick={() => { setAnswers(null); check.mutate(); }}
            aria-describedby="check-hint">{t('checkStatus')}</Button>
          {b.state === 'UNPAID' && !payer && (
            <Button loading={cancel.isPending}
              onClick={() => modal.confirm({ title: t('cancelBill'), content: t('cancelConfirm', { billNo: b.billNo }), okText: t('common:confirm'), cancelText: t('common:cancel'), onOk: () => cancel.mutateAsync() })}>
              {t('cancelBill')}
            </Button>
          )}
        </Space>
        <p id="check-hint" style={{ marginTop: 8, marginBottom: 0 }}>{t('checkStatusHint')}</p>
      </section>
    </Card>
  );
}

function Items({ b }: { b: BillDetail }) {
  const { t } = useTranslation('bills');
  return (
    <Card style={{ marginBottom: 16 }}>
      <section aria-labelledby="bill-items-title">
        <Typography.Title level={2} id="bill-items-title" style={{ fontSize: 18, marginTop: 0 }}>{t('items')}</Typography.Title>
        <Table size="small" pagination={false} rowKey="registrationId" dataSource={b.items}
          columns={[
            { title: t('subject'), dataIndex: 'subjectName', key: 'subject' },
            {
              title: t('fee'), key: 'fee', align: 'right',
              render: (_, i) => <>{t('common:yuan', { amount: yuan(i.amountFen) })}{i.refundedFen > 0 && <div>{t('refunded', { amount: yuan(i.refundedFen) })}</div>}</>,
            },
          ]}
          summary={() => (
            <Table.Summary.Row>
              <Table.Summary.Cell index={0}><strong>{t('total')}</strong></Table.Summary.Cell>
              <Table.Summary.Cell index={1} align="right"><strong>{t('common:yuan', { amount: yuan(b.amountFen) })}</strong></Table.Summary.Cell>
            </Table.Summary.Row>
          )} />
      </section>
    </Card>
  );
}

/** Agreement, then a channel among those the server offers, then the QR or the bank's page. */
function PaySteps({ b }: { b: BillDetail }) {
  const { t, i18n } = useTranslation('bills');
  const qc = useQueryClient();
  const channelName = useChannelName();
  const [leaving, setLeaving] = useState(false);
  const agree = useMutation({
    mutationFn: () => post<{ agreementAcceptedAt: string }>(`/api/v1/bills/${b.billNo}/agreement`, { accepted: true }),
    onSuccess: () => qc.invalidateQueries({ queryKey: billKey(b.billNo) }),
  });
  const pay = useMutation({
    mutationFn: (channel: string) => post<StartedPayment>(`/api/v1/bills/${b.billNo}/payments`, { channel }),
    onSuccess: async (started) => {
      if (isRedirect(started)) {
        setLeaving(true);
        go(started.payUrl);
        return;
      }
      await qc.invalidateQueries({ queryKey: billKey(b.billNo) });
      void qc.invalidateQueries({ queryKey: BILLS_KEY });
    },
  });
  const order = openOrder(b.orders);
  const accepted = b.agreementAcceptedAt !== null;
  return (
    <>
      <Card style={{ marginBottom: 16 }}>
        <section aria-labelledby="agreement-title">
          <Typography.Title level={2} id="agreement-title" style={{ fontSize: 18, marginTop: 0 }}>{t('agreementTitle')}</Typography.Title>
          {/* The authority's own agreement for this exam when it has one; ExamPay's general words otherwise. */}
          <Typography.Paragraph data-testid="agreement-text" style={{ whiteSpace: 'pre-wrap' }}>{b.agreementText.trim() || t('agreementText')}</Typography.Paragraph>
          {b.agreementText.trim() ? <p style={{ color: '#595959', fontSize: 13 }}>{t('agreementByAuthority')}</p> : null}
          <Checkbox data-testid="agree" checked={accepted || agree.isPending} disabled={accepted || agree.isPending}
            onChange={(e) => { if (e.target.checked) agree.mutate(); }}>
            {t('agreementCheck')}
          </Checkbox>
          {accepted && <p style={{ marginTop: 8, marginBottom: 0 }}>{t('agreementAccepted', { time: beijingTime(b.agreementAcceptedAt) })}</p>}
          <ErrorAlert error={agree.error} style={{ marginTop: 12 }} />
        </section>
      </Card>
      <Card style={{ marginBottom: 16 }}>
        <section aria-labelledby="channel-title">
          <Typography.Title level={2} id="channel-title" style={{ fontSize: 18, marginTop: 0 }}>{t('chooseChannel')}</Typography.Title>
          {b.channels.length === 0 ? <Alert type="warning" showIcon title={t('noChannel')} /> : <p>{t('chooseChannelHint')}</p>}
          <Flex wrap gap={8}>
            {b.channels.map((c) => (
              <Button key={c} data-channel={c} size="large" type={order?.channel === c ? 'primary' : 'default'}
                loading={pay.isPending && pay.variables === c} disabled={leaving || agree.isPending}
                onClick={() => pay.mutate(c)}>
                {t('payWith', { channel: channelName(c) })}
              </Button>
            ))}
          </Flex>
          {pay.error instanceof ApiError ? <RefusalAlert error={pay.error} lang={i18n.language} /> : <ErrorAlert error={pay.error} style={{ marginTop: 12 }} />}
          {leaving && <p role="status">{t('redirecting')}</p>}
        </section>
      </Card>
    </>
  );
}

/** A refusal with its details where they say what to do: the windows when paying is open. */
function RefusalAlert({ error, lang }: { error: ApiError; lang: string }) {
  const { t } = useTranslation('bills');
  const windows = Array.isArray(error.details.windows) ? (error.details.windows as { kind: string; opensAt: string; closesAt: string }[]) : [];
  return (
    <Alert type="error" showIcon role="alert" style={{ marginTop: 12 }} title={<span data-testid="pay-error">{error.text(lang)}</span>}
      description={
        <>
          {windows.length > 0 && (
            <ul style={{ paddingLeft: 20, margin: '4px 0' }} data-testid="windows">
              {windows.map((w) => <li key={`${w.kind}${w.opensAt}`}>{t('windowLine', { kind: t(`windowKinds.${w.kind}`, { defaultValue: w.kind }), opens: w.opensAt, closes: w.closesAt })}</li>)}
            </ul>
          )}
          <small>{error.code}</small>
        </>
      } />
  );
}

function ClosedNext({ b, lang, payer }: { b: BillDetail; lang: string; payer: boolean }) {
  const { t } = useTranslation('bills');
  return (
    <Card style={{ marginBottom: 16 }}>
      <section aria-labelledby="next-title">
        <Typography.Title level={2} id="next-title" style={{ fontSize: 18, marginTop: 0 }}>{t('nextStepTitle')}</Typography.Title>
        <p data-testid="closed-reason">{say(b.explanation, lang)}</p>
        <p>{t('nextStepClosed')}</p>
        {payer ? <Link to={`/sign-in?next=${encodeURIComponent('/sittings')}`}>{t('signInInstead')}</Link> : <Link to="/sittings">{t('toRegistration')}</Link>}
      </section>
    </Card>
  );
}

/*
 * ─── Electronic receipt (DOC-1) ───────────────────────────────────────────────────────────────
 * GET /api/v1/bills/:billNo/receipt.pdf is built on another branch; the link works once it is
 * merged. A plain link: the PDF opens in this window (or downloads), no pop-up.
 */
function Receipt({ billNo }: { billNo: string }) {
  const { t } = useTranslation('bills');
  return (
    <Card style={{ marginBottom: 16 }}>
      <section aria-labelledby="receipt-title" data-testid="receipt">
        <Typography.Title level={2} id="receipt-title" style={{ fontSize: 18, marginTop: 0 }}>{t('receiptTitle')}</Typography.Title>
        <a href={`/api/v1/bills/${billNo}/receipt.pdf`} download={`${billNo}.pdf`} data-testid="receipt-link">{t('downloadReceipt')}</a>
      </section>
    </Card>
  );
}

function Refunds({ b, lang }: { b: BillDetail; lang: string }) {
  const { t } = useTranslation('bills');
  if (b.refunds.length === 0) return null;
  return (
    <Card style={{ marginBottom: 16 }}>
      <section aria-labelledby="refunds-title">
        <Typography.Title level={2} id="refunds-title" style={{ fontSize: 18, marginTop: 0 }}>{t('refundsTitle')}</Typography.Title>
        <List dataSource={b.refunds} rowKey="refundNo" renderItem={(r) => (
          <List.Item data-testid="refund" data-refund-state={r.state}>
            <div style={{ width: '100%' }}>
              <p style={{ margin: 0 }}><strong data-testid="refund-state">{say(r.stateLabel, lang)}</strong> · {t('common:yuan', { amount: yuan(r.amountFen) })} · {say(r.reasonLabel, lang)}</p>
              <p style={{ margin: '4px 0' }}>{say(r.explanation, lang)}</p>
              <Descriptions size="small" column={{ xs: 1, sm: 2 }} styles={{ label: { color: 'rgba(0, 0, 0, 0.88)' } }}
                items={[
                  { key: 'no', label: t('refundNo'), children: r.refundNo },
                  { key: 'subject', label: t('refundSubject'), children: r.subjectName ?? t('wholeBill') },
                  { key: 'channel', label: t('refundChannel'), children: say(r.channelLabel, lang) },
                  { key: 'created', label: t('refundCreated'), children: beijingTime(r.createdAt) },
                  ...(r.succeededAt ? [{ key: 'done', label: t('refundDone'), children: beijingTime(r.succeededAt) }] : []),
                  ...(r.note ? [{ key: 'note', label: t('refundReason'), children: r.note }] : []),
                ]} />
            </div>
          </List.Item>
        )} />
      </section>
    </Card>
  );
}

function Payments({ b }: { b: BillDetail }) {
  const { t } = useTranslation('bills');
  const channelName = useChannelName();
  if (b.payments.length === 0) return null;
  return (
    <Card style={{ marginBottom: 16 }}>
      <section aria-labelledby="payments-title">
        <Typography.Title level={2} id="payments-title" style={{ fontSize: 18, marginTop: 0 }}>{t('paymentsTitle')}</Typography.Title>
        <List dataSource={b.payments} rowKey="channelTradeNo" renderItem={(p) => (
          <List.Item>
            <div>
              {channelName(p.channel)} · {t('common:yuan', { amount: yuan(p.amountFen) })} · {beijingTime(p.paidAt)}
              <div>{t(`paymentOutcome.${p.outcome}`, { defaultValue: t('paymentOutcome.other') })} · {t('channelTradeNo')} {p.channelTradeNo}</div>
            </div>
          </List.Item>
        )} />
      </section>
    </Card>
  );
}

function History({ b }: { b: BillDetail }) {
  const { t } = useTranslation('bills');
  if (b.history.length === 0) return null;
  const state = (s: string) => t(`states.${s}`, { defaultValue: s });
  return (
    <Card style={{ marginBottom: 16 }}>
      <section aria-labelledby="history-title">
        <Typography.Title level={2} id="history-title" style={{ fontSize: 18, marginTop: 0 }}>{t('historyTitle')}</Typography.Title>
        <ol style={{ paddingLeft: 20, margin: 0 }}>
          {b.history.map((h) => (
            <li key={`${h.at}${h.to}`} style={{ marginBottom: 4 }}>
              {beijingTime(h.at)} · {state(h.from)} → {state(h.to)} · {t(`causes.${h.cause}`, { defaultValue: h.cause })}
            </li>
          ))}
        </ol>
      </section>
    </Card>
  );
}

import { useQuery } from '@tanstack/react-query';
import { Card, Col, Row, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import type { EChartsCoreOption } from 'echarts/core';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { beijingTime, get, yuan } from '../../api/client.ts';
import { ErrorAlert } from '../../components/ErrorAlert.tsx';
import type { StaffMe } from '../../session/staff.tsx';
import { DashboardChart } from './DashboardChart.tsx';

/** GET /api/v1/admin/dashboard */
export interface DashboardData {
  generatedAt: string;
  registrationsByDay: { day: string; registrations: number; paid: number }[];
  paymentsByDay: { day: string; channel: string; payments: number; amountFen: string }[];
  byChannel: { channel: string; payments: number; amountFen: string; refundedFen: string }[];
  bySubject: { subjectId: string; subjectName: string; active: number; paid: number }[];
  bySite: { siteId: string; siteName: string; active: number; paid: number }[];
  seatsBySlot: { slotId: string; slotCode: string; startsAt: string; startsAtShown: string; free: number; held: number; sold: number }[];
  payingByAge: { bucket: string; bills: number; amountFen: string; flagged: boolean }[];
  refundsInFlight: { state: string; refunds: number; amountFen: string }[];
  openMismatches: { channel: string; mismatches: number }[];
}

/** ADM-3: the figures refresh by themselves every 15 seconds; the page never reloads. */
const REFRESH_MS = 15_000;

/** Renders a yuan amount from fen text without floats. */
const money = (fen: string) => `¥${yuan(fen)}`;

function Panel({ id, title, chart, table }: { id: string; title: string; chart: ReactNode; table: ReactNode }) {
  return (
    <Col xs={24} xl={12}>
      <Card size="small" style={{ height: '100%' }}
        title={<Typography.Title level={2} id={`${id}-title`} style={{ fontSize: 16, margin: 0 }}>{title}</Typography.Title>}>
        <section data-panel={id} aria-labelledby={`${id}-title`}>
          {chart}
          {table}
        </section>
      </Card>
    </Col>
  );
}

/**
 * The authority's overview (ADM-3): registrations and payments over time, by channel, subject and
 * site, seats per slot, bills in 缴费中 by age (PAY-4's 24-hour bucket marked), refunds in flight
 * and open reconciliation mismatches — each as a chart and, under it, the table of the same numbers.
 */
export function Dashboard({ me }: { me: StaffMe }) {
  const { t, i18n } = useTranslation('staff');
  const zh = i18n.language.startsWith('zh');
  const query = useQuery({ queryKey: ['admin-dashboard'], queryFn: () => get<DashboardData>('/api/v1/admin/dashboard?days=30'), refetchInterval: REFRESH_MS, refetchIntervalInBackground: false });
  const d = query.data;
  const who = (
    <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }} data-testid="signed-in-as">
      {t('dashboard.signedInAs', { name: `${me.displayName} (${me.loginName})`, role: zh ? me.roleLabel.zh : me.roleLabel.en, authority: me.authority.name })}
    </Typography.Paragraph>
  );
  const head = (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('dashboard.title', { authority: me.authority.name })}</Typography.Title>
      {who}
      <Typography.Paragraph type="secondary" aria-live="polite">
        {d ? t('dashboard.updated', { at: beijingTime(d.generatedAt) }) : t('dashboard.loading')}
      </Typography.Paragraph>
      <ErrorAlert error={query.error} />
    </>
  );
  if (!d) return head;

  const channel = (c: string) => t(`dashboard.channel.${c}`, { defaultValue: c });
  const days = [...new Set([...d.registrationsByDay.map((r) => r.day), ...d.paymentsByDay.map((r) => r.day)])].sort();
  const channels = [...new Set(d.paymentsByDay.map((r) => r.channel))].sort();
  const payOn = (day: string, ch: string) => d.paymentsByDay.find((r) => r.day === day && r.channel === ch)?.payments ?? 0;
  const regOn = (day: string) => d.registrationsByDay.find((r) => r.day === day);
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const bar = (categories: string[], series: { name: string; data: number[]; stack?: string; color?: string }[], horizontal = false): EChartsCoreOption => ({
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    [horizontal ? 'yAxis' : 'xAxis']: { type: 'category', data: categories },
    [horizontal ? 'xAxis' : 'yAxis']: { type: 'value', minInterval: 1 },
    series: series.map((s) => ({ type: 'bar', name: s.name, data: s.data, stack: s.stack, itemStyle: s.color ? { color: s.color } : undefined })),
  });
  const small = { size: 'small' as const, pagination: false as const, scroll: { x: 'max-content' as const }, style: { marginTop: 8 } };

  // Over time: registrations and paid registrations, and payments per channel, per day.
  const timeOption: EChartsCoreOption = {
    animation: false,
    tooltip: { trigger: 'axis' },
    legend: { top: 0 },
    grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
    xAxis: { type: 'category', data: days },
    yAxis: { type: 'value', minInterval: 1 },
    series: [
      { type: 'line', name: t('dashboard.registrations'), data: days.map((x) => regOn(x)?.registrations ?? 0) },
      { type: 'line', name: t('dashboard.paidRegistrations'), data: days.map((x) => regOn(x)?.paid ?? 0) },
      ...channels.map((ch) => ({ type: 'bar', stack: 'pay', name: `${t('dashboard.payments')} · ${channel(ch)}`, data: days.map((x) => payOn(x, ch)) })),
    ],
  };
  const totalRegs = sum(d.registrationsByDay.map((r) => r.registrations));
  const totalPays = sum(d.paymentsByDay.map((r) => r.payments));
  type DayRow = { day: string; registrations: number; paid: number } & Record<string, number | string>;
  const dayRows: DayRow[] = days.map((day) => ({ day, registrations: regOn(day)?.registrations ?? 0, paid: regOn(day)?.paid ?? 0, ...Object.fromEntries(channels.map((ch) => [`pay_${ch}`, payOn(day, ch)])) }));
  const dayColumns: TableColumnsType<DayRow> = [
    { key: 'day', title: t('dashboard.day'), dataIndex: 'day' },
    { key: 'registrations', title: t('dashboard.registrations'), dataIndex: 'registrations', align: 'right' },
    { key: 'paid', title: t('dashboard.paidRegistrations'), dataIndex: 'paid', align: 'right' },
    ...channels.map((ch) => ({ key: `pay_${ch}`, title: `${t('dashboard.payments')} · ${channel(ch)}`, dataIndex: `pay_${ch}`, align: 'right' as const })),
  ];

  const held = sum(d.seatsBySlot.map((s) => s.held));
  const sold = sum(d.seatsBySlot.map((s) => s.sold));
  const free = sum(d.seatsBySlot.map((s) => s.free));
  const stuck = d.payingByAge.filter((b) => b.flagged).reduce((a, b) => a + b.bills, 0);
  const paying = sum(d.payingByAge.map((b) => b.bills));
  const refunds = sum(d.refundsInFlight.map((r) => r.refunds));
  const mismatches = sum(d.openMismatches.map((m) => m.mismatches));

  return (
    <>
      {head}
      <Row gutter={[16, 16]}>
        <Panel id="over-time" title={t('dashboard.overTime')}
          chart={<DashboardChart option={timeOption} summary={t('dashboard.overTimeSummary', { days: days.length, registrations: totalRegs, payments: totalPays })} />}
          table={<Table<DayRow> {...small} rowKey="day" dataSource={dayRows} columns={dayColumns} data-table="over-time" />} />

        <Panel id="by-channel" title={t('dashboard.byChannel')}
          chart={<DashboardChart option={bar(d.byChannel.map((r) => channel(r.channel)), [{ name: t('dashboard.payments'), data: d.byChannel.map((r) => r.payments) }])}
            summary={t('dashboard.byChannelSummary', { list: d.byChannel.map((r) => `${channel(r.channel)} ${r.payments}`).join('、') || '—' })} />}
          table={<Table {...small} rowKey="channel" dataSource={d.byChannel} data-table="by-channel" columns={[
            { key: 'channel', title: t('dashboard.channelName'), render: (_, r) => channel(r.channel) },
            { key: 'payments', title: t('dashboard.payments'), dataIndex: 'payments', align: 'right' },
            { key: 'amount', title: t('dashboard.amount'), align: 'right', render: (_, r) => money(r.amountFen) },
            { key: 'refunded', title: t('dashboard.refunded'), align: 'right', render: (_, r) => money(r.refundedFen) },
          ]} />} />

        <Panel id="by-subject" title={t('dashboard.bySubject')}
          chart={<DashboardChart option={bar(d.bySubject.map((r) => r.subjectName), [{ name: t('dashboard.active'), data: d.bySubject.map((r) => r.active) }, { name: t('dashboard.paid'), data: d.bySubject.map((r) => r.paid) }], true)}
            summary={t('dashboard.bySubjectSummary', { list: d.bySubject.map((r) => `${r.subjectName} ${r.active}/${r.paid}`).join('、') || '—' })} />}
          table={<Table {...small} rowKey="subjectId" dataSource={d.bySubject} data-table="by-subject" columns={[
            { key: 'name', title: t('dashboard.subject'), dataIndex: 'subjectName' },
            { key: 'active', title: t('dashboard.active'), dataIndex: 'active', align: 'right' },
            { key: 'paid', title: t('dashboard.paid'), dataIndex: 'paid', align: 'right' },
          ]} />} />

        <Panel id="by-site" title={t('dashboard.bySite')}
          chart={<DashboardChart option={bar(d.bySite.map((r) => r.siteName), [{ name: t('dashboard.active'), data: d.bySite.map((r) => r.active) }, { name: t('dashboard.paid'), data: d.bySite.map((r) => r.paid) }], true)}
            summary={t('dashboard.bySiteSummary', { list: d.bySite.map((r) => `${r.siteName} ${r.active}/${r.paid}`).join('、') || '—' })} />}
          table={<Table {...small} rowKey="siteId" dataSource={d.bySite} data-table="by-site" columns={[
            { key: 'name', title: t('dashboard.site'), dataIndex: 'siteName' },
            { key: 'active', title: t('dashboard.active'), dataIndex: 'active', align: 'right' },
            { key: 'paid', title: t('dashboard.paid'), dataIndex: 'paid', align: 'right' },
          ]} />} />

        <Panel id="seats" title={t('dashboard.seats')}
          chart={<DashboardChart height={Math.max(200, 40 + d.seatsBySlot.length * 28)} option={bar(d.seatsBySlot.map((s) => s.slotCode), [
            { name: t('dashboard.sold'), data: d.seatsBySlot.map((s) => s.sold), stack: 'seats', color: '#1677ff' },
            { name: t('dashboard.held'), data: d.seatsBySlot.map((s) => s.held), stack: 'seats', color: '#faad14' },
            { name: t('dashboard.free'), data: d.seatsBySlot.map((s) => s.free), stack: 'seats', color: '#d9d9d9' },
          ], true)} summary={t('dashboard.seatsSummary', { slots: d.seatsBySlot.length, sold, held, free })} />}
          table={<Table {...small} rowKey="slotId" dataSource={d.seatsBySlot} data-table="seats" columns={[
            { key: 'slot', title: t('dashboard.slot'), render: (_, s) => <>{s.slotCode}<br /><Typography.Text type="secondary">{s.startsAtShown}</Typography.Text></> },
            { key: 'sold', title: t('dashboard.sold'), dataIndex: 'sold', align: 'right' },
            { key: 'held', title: t('dashboard.held'), dataIndex: 'held', align: 'right' },
            { key: 'free', title: t('dashboard.free'), dataIndex: 'free', align: 'right' },
          ]} />} />

        <Panel id="paying" title={t('dashboard.paying')}
          chart={<DashboardChart option={{
            animation: false, tooltip: { trigger: 'axis' }, grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
            xAxis: { type: 'category', data: d.payingByAge.map((b) => b.bucket) }, yAxis: { type: 'value', minInterval: 1 },
            series: [{ type: 'bar', name: t('dashboard.bills'), data: d.payingByAge.map((b) => ({ value: b.bills, itemStyle: { color: b.flagged ? '#cf1322' : '#1677ff' } })) }],
          }} summary={t('dashboard.payingSummary', { bills: paying, stuck })} />}
          table={<Table {...small} rowKey="bucket" dataSource={d.payingByAge} data-table="paying" columns={[
            { key: 'bucket', title: t('dashboard.age'), render: (_, b) => <>{b.bucket} {b.flagged ? <Tag color="red">{t('dashboard.flagged')}</Tag> : null}</> },
            { key: 'bills', title: t('dashboard.bills'), dataIndex: 'bills', align: 'right' },
            { key: 'amount', title: t('dashboard.amount'), align: 'right', render: (_, b) => money(b.amountFen) },
          ]} />} />

        <Panel id="refunds" title={t('dashboard.refunds')}
          chart={<DashboardChart height={200} option={bar(d.refundsInFlight.map((r) => r.state), [{ name: t('dashboard.refundCount'), data: d.refundsInFlight.map((r) => r.refunds) }])}
            summary={t('dashboard.refundsSummary', { refunds })} />}
          table={<Table {...small} rowKey="state" dataSource={d.refundsInFlight} data-table="refunds" locale={{ emptyText: t('dashboard.none') }} columns={[
            { key: 'state', title: t('dashboard.state'), dataIndex: 'state' },
            { key: 'refunds', title: t('dashboard.refundCount'), dataIndex: 'refunds', align: 'right' },
            { key: 'amount', title: t('dashboard.amount'), align: 'right', render: (_, r) => money(r.amountFen) },
          ]} />} />

        <Panel id="mismatches" title={t('dashboard.mismatches')}
          chart={<DashboardChart height={200} option={bar(d.openMismatches.map((m) => channel(m.channel)), [{ name: t('dashboard.mismatchCount'), data: d.openMismatches.map((m) => m.mismatches), color: '#cf1322' }])}
            summary={t('dashboard.mismatchesSummary', { mismatches })} />}
          table={<Table {...small} rowKey="channel" dataSource={d.openMismatches} data-table="mismatches" locale={{ emptyText: t('dashboard.none') }} columns={[
            { key: 'channel', title: t('dashboard.channelName'), render: (_, m) => channel(m.channel) },
            { key: 'mismatches', title: t('dashboard.mismatchCount'), dataIndex: 'mismatches', align: 'right' },
          ]} />} />
      </Row>
    </>
  );
}

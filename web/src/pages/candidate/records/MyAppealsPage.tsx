import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Form, Input, List, Select, Spin, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { beijingTime, post } from '../../../api/client.ts';
import { ErrorAlert } from '../../../components/ErrorAlert.tsx';
import { say, useMyAppeals, useStudentRecord, type MyAppeal } from './api.ts';
import { StrongTag, type Tone } from './StrongTag.tsx';

const STATE_TONE: Record<MyAppeal['state'], Tone> = { PENDING: 'orange', ACCEPTED: 'green', REJECTED: 'red', WITHDRAWN: 'grey' };

/**
 * 我的申诉 (seed 000, ORG-2): file a 报考科目申诉 about a subject, see every appeal with its outcome
 * in the server's words (and the reason of a rejection), withdraw a pending one. The subject can
 * be preselected from the address (?subject=ID), so Back and Refresh keep it.
 */
export function MyAppealsPage() {
  const { t, i18n } = useTranslation('appeals');
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [params, setParams] = useSearchParams();
  const record = useStudentRecord();
  const appeals = useMyAppeals();
  const [form] = Form.useForm<{ subjectId: string; statement: string }>();
  const [error, setError] = useState<unknown>();
  const [busy, setBusy] = useState(false);
  // Everything: the registration options' verdicts change with an appeal too.
  const refresh = () => qc.invalidateQueries();

  const file = async (v: { subjectId: string; statement: string }) => {
    setBusy(true);
    setError(undefined);
    try {
      await post('/api/v1/appeals', { subjectId: v.subjectId, statement: v.statement.trim() });
      message.success(t('mine.filed'));
      form.resetFields(['statement']);
      setParams({}, { replace: true });
      await refresh();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const withdraw = async (a: MyAppeal) => {
    setError(undefined);
    try {
      await post(`/api/v1/appeals/${a.appealId}/withdraw`);
      message.success(t('mine.withdrawn'));
      await refresh();
    } catch (e) {
      setError(e);
    }
  };

  const options = (record.data?.sittings ?? []).map((st) => ({
    label: `${st.examName} · ${st.name}`,
    title: st.name,
    options: st.subjects.map((s) => ({ value: s.subjectId, label: `${s.name}（${s.code}）` })),
  }));
  const preselected = params.get('subject') ?? undefined;

  return (
    <>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('mine.title')}</Typography.Title>
      <Typography.Paragraph>{t('mine.hint')}</Typography.Paragraph>
      <ErrorAlert error={error} />
      <Card style={{ marginBottom: 16 }}>
        <Typography.Title level={2} style={{ fontSize: 18, marginTop: 0 }}>{t('mine.fileTitle')}</Typography.Title>
        {record.isPending ? <Spin aria-label={t('common:loading')} /> : (
          <Form form={form} layout="vertical" onFinish={(v) => void file(v)} initialValues={{ subjectId: preselected }} requiredMark={false}>
            <Form.Item name="subjectId" label={t('mine.subject')} rules={[{ required: true, message: t('mine.chooseSubject') }]}>
              <Select options={options} showSearch optionFilterProp="label" />
            </Form.Item>
            <Form.Item name="statement" label={t('mine.statement')} extra={t('mine.statementHelp')} rules={[{ required: true, whitespace: true, message: t('mine.statementHelp') }]}>
              <Input.TextArea rows={3} maxLength={500} showCount />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={busy}>{t('mine.submit')}</Button>
          </Form>
        )}
      </Card>
      <Typography.Title level={2} style={{ fontSize: 18 }}>{t('mine.listTitle')}</Typography.Title>
      {appeals.isPending && <Spin aria-label={t('common:loading')} />}
      {appeals.isError && <ErrorAlert error={appeals.error} />}
      {appeals.data?.length === 0 && <Alert type="info" showIcon title={t('mine.empty')} />}
      {appeals.data && appeals.data.length > 0 && (
        <Card>
          <List dataSource={appeals.data} rowKey="appealId" renderItem={(a) => (
            <List.Item data-testid="appeal-row" data-appeal={a.appealId} data-state={a.state}>
              <div style={{ width: '100%' }}>
                <Typography.Title level={3} style={{ fontSize: 16, margin: 0 }}>
                  {t(`mine.kind.${a.kind}`)}{a.subject ? `：${a.subject.name}（${a.subject.sittingName}）` : ''}
                </Typography.Title>
                <p style={{ margin: '4px 0' }}>
                  <StrongTag tone={STATE_TONE[a.state]} className="appeal-state">{say(a.stateLabel, i18n.language)}</StrongTag>
                  {t('mine.filedAt')} {beijingTime(a.createdAt)}
                  {a.decidedAt && <> · {t('mine.decidedAt')} {beijingTime(a.decidedAt)}</>}
                  {' · '}{t('mine.decidedBy')} {a.institutionName ?? t('mine.authority')}
                </p>
                <p style={{ margin: '4px 0', whiteSpace: 'pre-wrap' }}>{a.statement}</p>
                {a.rejectReason && <Alert type="warning" showIcon className="appeal-reason" title={t('mine.reason', { reason: a.rejectReason })} />}
                {a.state === 'ACCEPTED' && a.kind === 'SUBJECT' && <Alert type="success" showIcon title={t('mine.acceptedNote')} />}
                {a.state === 'PENDING' && <Button style={{ marginTop: 8 }} onClick={() => void withdraw(a)}>{t('mine.withdraw')}</Button>}
              </div>
            </List.Item>
          )} />
        </Card>
      )}
      <Typography.Paragraph type="secondary" style={{ marginTop: 16 }}>{t('mine.linkNote')} <Link to="/link-appeal">{t('link.title')}</Link></Typography.Paragraph>
    </>
  );
}

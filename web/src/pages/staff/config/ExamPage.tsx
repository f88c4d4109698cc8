import { useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Checkbox, Col, Form, Input, InputNumber, Radio, Row, Space, Spin, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { del, get, post, put } from '../../../api/client.ts';
import { ErrorAlert } from '../../../components/ErrorAlert.tsx';
import { CHANNELS, CLASSES, examsKey, type Channel, type ExamSettings, type ExamView, type SittingSummary } from './api.ts';
import { ConfigPage, H1, H2, RefusalAlert, showRefusal } from './shared.tsx';

/** The exam form's values: ExamSettings, with the optional parts made explicit. */
interface Values {
  code: string; name: string; accountStyle: ExamSettings['accountStyle'];
  initialPassword: { rule: 'ID_LAST6' | 'FIXED'; password?: string };
  billTimeoutMinutes: number; channels: Channel[]; institutionSame: boolean; institutionChannels: Channel[];
  bankCardOnly: boolean; agreementText: string; releaseSeatsOnBillExpiry: boolean; payWithoutSignIn: boolean; seatHoldMinutes: number;
  rosterRestricted: boolean; auditRequired: boolean; unpaidRegistrationTtlHours: number | null; cet6ReviewThreshold: number | null;
  refundPolicy: ExamSettings['refundPolicy']; repaymentNeedsApproval: boolean;
  passwordPolicy: NonNullable<ExamSettings['passwordPolicy']>;
}

const DEFAULTS: Values = {
  code: '', name: '', accountStyle: 'ID_DOCUMENT', initialPassword: { rule: 'ID_LAST6' }, billTimeoutMinutes: 30, channels: ['alipay'], institutionSame: true, institutionChannels: [],
  bankCardOnly: false, agreementText: '', releaseSeatsOnBillExpiry: true, payWithoutSignIn: false, seatHoldMinutes: 1440, rosterRestricted: false, auditRequired: false,
  unpaidRegistrationTtlHours: null, cet6ReviewThreshold: null, refundPolicy: 'STAFF_DECIDES', repaymentNeedsApproval: false,
  passwordPolicy: { minLength: 8, maxLength: 16, requiredClasses: ['LETTER', 'DIGIT'], specialCharacters: '!@#$%^&*_-' },
};

const valuesOf = (s: ExamSettings): Values => ({
  ...DEFAULTS, ...s,
  initialPassword: s.initialPassword.rule === 'FIXED' ? { rule: 'FIXED', password: s.initialPassword.password } : { rule: 'ID_LAST6' },
  institutionSame: !s.institutionChannels, institutionChannels: s.institutionChannels ?? [],
  payWithoutSignIn: s.payWithoutSignIn ?? false, seatHoldMinutes: s.seatHoldMinutes ?? 1440, repaymentNeedsApproval: s.repaymentNeedsApproval ?? false,
  passwordPolicy: s.passwordPolicy ?? DEFAULTS.passwordPolicy,
});

function settingsOf(v: Values): ExamSettings {
  const { institutionSame, institutionChannels, initialPassword, ...rest } = v;
  return {
    ...rest,
    initialPassword: initialPassword.rule === 'FIXED' ? { rule: 'FIXED', password: initialPassword.password ?? '' } : { rule: 'ID_LAST6' },
    ...(institutionSame ? {} : { institutionChannels }),
    passwordPolicy: { ...v.passwordPolicy, maxLength: v.passwordPolicy.maxLength ?? null },
  };
}

/** Every field a problem's path can name (JSON pointers into ExamSettings). */
const FIELDS = [
  ['code'], ['name'], ['accountStyle'], ['initialPassword', 'password'], ['initialPassword', 'rule'], ['initialPassword'], ['billTimeoutMinutes'], ['channels'], ['institutionChannels'],
  ['agreementText'], ['seatHoldMinutes'], ['unpaidRegistrationTtlHours'], ['cet6ReviewThreshold'], ['refundPolicy'],
  ['passwordPolicy', 'minLength'], ['passwordPolicy', 'maxLength'], ['passwordPolicy', 'requiredClasses'], ['passwordPolicy', 'specialCharacters'],
];

/** ADM-1: one exam's settings (account style, passwords, channels, refund policy, …) and its sittings; `/admin/config/exams/new` makes one. */
export function ExamPage() {
  return <ConfigPage>{(canEdit) => <ExamEditor canEdit={canEdit} />}</ConfigPage>;
}

function ExamEditor({ canEdit }: { canEdit: boolean }) {
  const { examId } = useParams();
  const isNew = examId === 'new';
  const { t } = useTranslation('config');
  const exam = useQuery({ queryKey: ['config', 'exam', examId], queryFn: () => get<ExamView>(`/api/v1/admin/exams/${examId}`), enabled: !isNew });
  if (!isNew && exam.isPending) return <Spin aria-label={t('common:loading')} />;
  if (!isNew && exam.error) return <><ErrorAlert error={exam.error} /><Link to="/admin/config">{t('exam.back')}</Link></>;
  return (
    <>
      <Link to="/admin/config">{t('exam.back')}</Link>
      <H1>{isNew ? t('exam.newTitle') : t('exam.editTitle', { name: exam.data!.settings.name })}</H1>
      <ExamForm key={examId} exam={isNew ? undefined : exam.data} canEdit={canEdit} />
      {exam.data ? <Sittings exam={exam.data} canEdit={canEdit} /> : null}
    </>
  );
}

function ExamForm({ exam, canEdit }: { exam?: ExamView; canEdit: boolean }) {
  const { t, i18n } = useTranslation('config');
  const [form] = Form.useForm<Values>();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { message, modal } = App.useApp();
  const [error, setError] = useState<unknown>();
  const [rest, setRest] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const rule = Form.useWatch(['initialPassword', 'rule'], form);
  const same = Form.useWatch('institutionSame', form);
  useEffect(() => { form.setFieldsValue(exam ? valuesOf(exam.settings) : DEFAULTS); }, [exam, form]);

  const save = async (v: Values) => {
    setBusy(true);
    setError(undefined);
    setRest([]);
    try {
      const settings = settingsOf(v);
      if (exam) {
        await put<ExamView>(`/api/v1/admin/exams/${exam.examId}`, settings);
        message.success(t('exam.saved'));
        await qc.invalidateQueries({ queryKey: ['config'] });
      } else {
        const created = await post<ExamView>('/api/v1/admin/exams', settings);
        message.success(t('exam.created'));
        await qc.invalidateQueries({ queryKey: examsKey });
        navigate(`/admin/config/exams/${created.examId}`, { replace: true });
      }
    } catch (e) {
      const rest = showRefusal(form, e, { t, lang: i18n.language, fields: FIELDS, codeField: { CONFIG_CODE_TAKEN: ['code'] } });
      setRest(rest ?? []);
      setError(rest === null ? undefined : e);
    } finally {
      setBusy(false);
    }
  };
  const remove = () => exam && modal.confirm({
    title: t('exam.deleteConfirm', { name: exam.settings.name }),
    okButtonProps: { danger: true },
    onOk: async () => {
      try {
        await del(`/api/v1/admin/exams/${exam.examId}`);
        message.success(t('exam.deleted'));
        await qc.invalidateQueries({ queryKey: ['config'] });
        navigate('/admin/config', { replace: true });
      } catch (e) {
        const rest = showRefusal(form, e, { t, lang: i18n.language, fields: [] });
        setRest(rest ?? []);
        setError(rest === null ? undefined : e);
      }
    },
  });
  const channelOptions = CHANNELS.map((c) => ({ value: c, label: t(`staff:dashboard.channel.${c}`) }));
  const check = (name: keyof Values, label: string) => <Form.Item name={name} valuePropName="checked" style={{ marginBottom: 8 }}><Checkbox>{label}</Checkbox></Form.Item>;
  return (
    <Form form={form} name="exam" layout="vertical" disabled={!canEdit} onFinish={(v) => void save(v)} initialValues={exam ? valuesOf(exam.settings) : DEFAULTS} style={{ maxWidth: 960 }}>
      <H2>{t('exam.basics')}</H2>
      <Row gutter={16}>
        <Col xs={24} md={8}><Form.Item name="code" label={t('exam.code')} rules={[{ required: true, message: t('staff:signIn.required') }]}><Input maxLength={32} autoComplete="off" /></Form.Item></Col>
        <Col xs={24} md={16}><Form.Item name="name" label={t('exam.name')} rules={[{ required: true, message: t('staff:signIn.required') }]}><Input maxLength={200} /></Form.Item></Col>
      </Row>
      <H2>{t('exam.accounts')}</H2>
      <Form.Item name="accountStyle" label={t('exam.accountStyle')}>
        <Radio.Group options={(['ID_DOCUMENT', 'EMAIL'] as const).map((s) => ({ value: s, label: t(`exam.style.${s}`) }))} />
      </Form.Item>
      <Form.Item name={['initialPassword', 'rule']} label={t('exam.initialRule')}>
        <Radio.Group options={(['ID_LAST6', 'FIXED'] as const).map((s) => ({ value: s, label: t(`exam.rule.${s}`) }))} />
      </Form.Item>
      {rule === 'FIXED' ? <Form.Item name={['initialPassword', 'password']} label={t('exam.fixedPassword')}><Input maxLength={32} autoComplete="off" /></Form.Item> : null}
      <Row gutter={16}>
        <Col xs={12} md={6}><Form.Item name={['passwordPolicy', 'minLength']} label={t('exam.minLength')}><InputNumber min={6} max={64} style={{ width: '100%' }} /></Form.Item></Col>
        <Col xs={12} md={6}><Form.Item name={['passwordPolicy', 'maxLength']} label={t('exam.maxLength')}><InputNumber min={6} max={64} style={{ width: '100%' }} /></Form.Item></Col>
        <Col xs={24} md={12}><Form.Item name={['passwordPolicy', 'specialCharacters']} label={t('exam.specialCharacters')}><Input maxLength={40} autoComplete="off" /></Form.Item></Col>
      </Row>
      <Form.Item name={['passwordPolicy', 'requiredClasses']} label={t('exam.requiredClasses')} extra={t('exam.policyNote')}>
        <Checkbox.Group options={CLASSES.map((c) => ({ value: c, label: t(`exam.classes.${c}`) }))} />
      </Form.Item>
      <H2>{t('exam.payment')}</H2>
      <Form.Item name="channels" label={t('exam.channels')}><Checkbox.Group options={channelOptions} /></Form.Item>
      {check('institutionSame', t('exam.institutionSame'))}
      {same === false ? <Form.Item name="institutionChannels" label={t('exam.institutionChannels')}><Checkbox.Group options={channelOptions} /></Form.Item> : null}
      <Form.Item name="billTimeoutMinutes" label={t('exam.billTimeout')}><InputNumber min={1} max={1440} style={{ width: 200, maxWidth: '100%' }} /></Form.Item>
      {check('bankCardOnly', t('exam.bankCardOnly'))}
      {check('payWithoutSignIn', t('exam.payWithoutSignIn'))}
      {check('releaseSeatsOnBillExpiry', t('exam.releaseSeats'))}
      <H2>{t('exam.registration')}</H2>
      {check('rosterRestricted', t('exam.rosterRestricted'))}
      {check('auditRequired', t('exam.auditRequired'))}
      <Row gutter={16}>
        <Col xs={24} md={8}><Form.Item name="seatHoldMinutes" label={t('exam.seatHold')}><InputNumber min={5} max={43200} style={{ width: '100%' }} /></Form.Item></Col>
        <Col xs={24} md={8}><Form.Item name="unpaidRegistrationTtlHours" label={t('exam.unpaidTtl')}><InputNumber min={1} max={720} style={{ width: '100%' }} /></Form.Item></Col>
        <Col xs={24} md={8}><Form.Item name="cet6ReviewThreshold" label={t('exam.cet6Threshold')}><InputNumber min={0} max={710} style={{ width: '100%' }} /></Form.Item></Col>
      </Row>
      <H2>{t('exam.refunds')}</H2>
      <Form.Item name="refundPolicy" label={t('exam.refundPolicy')}>
        <Radio.Group options={(['STAFF_DECIDES', 'NO_PERSONAL_REFUNDS'] as const).map((s) => ({ value: s, label: t(`exam.refund.${s}`) }))} />
      </Form.Item>
      {check('repaymentNeedsApproval', t('exam.repaymentApproval'))}
      <H2>{t('exam.agreement')}</H2>
      <Form.Item name="agreementText" label={t('exam.agreementText')}><Input.TextArea rows={5} /></Form.Item>
      <RefusalAlert error={error} rest={rest} />
      {canEdit ? (
        <Space wrap>
          <Button type="primary" htmlType="submit" loading={busy} id="exam-save">{exam ? t('exam.save') : t('exam.createSubmit')}</Button>
          {exam ? <Button danger onClick={remove}>{t('exam.delete')}</Button> : null}
        </Space>
      ) : null}
    </Form>
  );
}

/** The exam's sittings, each a link to its own page, and a new one (code and name; the rest on its page). */
function Sittings({ exam, canEdit }: { exam: ExamView; canEdit: boolean }) {
  const { t, i18n } = useTranslation('config');
  const [form] = Form.useForm<{ code: string; name: string }>();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const [error, setError] = useState<unknown>();
  const [rest, setRest] = useState<string[]>([]);
  const create = async (v: { code: string; name: string }) => {
    setError(undefined);
    try {
      const s = await post<{ sittingId: string }>(`/api/v1/admin/exams/${exam.examId}/sittings`, v);
      message.success(t('exam.sittingCreated'));
      await qc.invalidateQueries({ queryKey: ['config'] });
      navigate(`/admin/config/sittings/${s.sittingId}`);
    } catch (e) {
      const rest = showRefusal(form, e, { t, lang: i18n.language, fields: [['code'], ['name']], codeField: { CONFIG_CODE_TAKEN: ['code'] } });
      setRest(rest ?? []);
      setError(rest === null ? undefined : e);
    }
  };
  return (
    <section aria-labelledby="sittings-title" style={{ marginTop: 24 }}>
      <H2 id="sittings-title">{t('exam.sittingsTitle')}</H2>
      {exam.sittings.length === 0 ? <Typography.Paragraph>{t('exams.noSittings')}</Typography.Paragraph> : (
        <ul>{exam.sittings.map((s: SittingSummary) => (
          <li key={s.sittingId}><Link to={`/admin/config/sittings/${s.sittingId}`} aria-label={t('exam.open', { name: s.name })}>{s.name} ({s.code})</Link>{s.cancelledAt ? ` · ${t('exams.cancelled')}` : ''}</li>
        ))}</ul>
      )}
      {canEdit ? (
        <Form form={form} name="newSitting" layout="vertical" onFinish={(v) => void create(v)} style={{ maxWidth: 720 }}>
          <Typography.Paragraph strong>{t('exam.newSitting')}</Typography.Paragraph>
          <Row gutter={16}>
            <Col xs={24} md={8}><Form.Item name="code" label={t('exam.sittingCode')} rules={[{ required: true, message: t('staff:signIn.required') }]}><Input maxLength={32} autoComplete="off" /></Form.Item></Col>
            <Col xs={24} md={16}><Form.Item name="name" label={t('exam.sittingName')} rules={[{ required: true, message: t('staff:signIn.required') }]}><Input maxLength={200} /></Form.Item></Col>
          </Row>
          <RefusalAlert error={error} rest={rest} />
          <Button htmlType="submit" type="primary" id="sitting-create">{t('exam.createSitting')}</Button>
        </Form>
      ) : null}
    </section>
  );
}

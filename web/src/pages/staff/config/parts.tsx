import { Checkbox, Col, Form, Input, InputNumber, Radio, Row, Select, Tag } from 'antd';
import { yuan } from '../../../api/client.ts';
import { fenFromYuan, type Tr, type CapacityRow, type SittingView, type SiteRow, type SlotRow, type SubjectRow, type WindowRow } from './api.ts';
import type { PartSpec } from './PartPanel.tsx';

/** The five parts of a sitting (REG-1, REG-3, REG-5, REG-6): their tables, forms and API calls. */

const req = (t: Tr) => [{ required: true, message: t('staff:signIn.required') }];
const A = '/api/v1/admin';
const WINDOW_KINDS = ['REGISTRATION', 'PAYMENT', 'SITE_MANAGEMENT', 'PRINT'] as const;

interface WindowValues { kind: WindowRow['kind']; site?: string; opens: string; closes: string }
export function windowsSpec(t: Tr): PartSpec<WindowRow, WindowValues> {
  return {
    part: 'windows', rows: (s) => s.windows, idOf: (r) => r.windowId,
    labelOf: (r) => `${t(`windows.kinds.${r.kind}`)}${r.site ? ` ${r.site}` : ''} ${r.opens}`,
    hint: t('windows.hint'),
    columns: [
      { key: 'kind', title: t('windows.kind'), render: (_, r) => t(`windows.kinds.${r.kind}`) },
      { key: 'site', title: t('windows.site'), render: (_, r) => r.site ?? '—' },
      { key: 'opens', title: t('windows.opens'), dataIndex: 'opens' },
      { key: 'closes', title: t('windows.closes'), dataIndex: 'closes' },
    ],
    initial: { kind: 'REGISTRATION', site: undefined, opens: '', closes: '' },
    fromRow: (r) => ({ kind: r.kind, site: r.site ?? undefined, opens: r.opens, closes: r.closes }),
    toBody: (v) => ({ body: { kind: v.kind, opens: v.opens.trim(), closes: v.closes.trim(), ...(v.site ? { site: v.site } : {}) } }),
    fields: [['kind'], ['site'], ['opens'], ['closes']],
    create: (id) => ({ method: 'POST', url: `${A}/sittings/${id}/windows` }),
    update: (r) => ({ method: 'PUT', url: `${A}/windows/${r.windowId}` }),
    remove: (r) => `${A}/windows/${r.windowId}`,
    form: (s) => (
      <>
        <Form.Item name="kind" label={t('windows.kind')}><Radio.Group options={WINDOW_KINDS.map((k) => ({ value: k, label: t(`windows.kinds.${k}`) }))} /></Form.Item>
        <Form.Item name="site" label={t('windows.site')}>
          <Select allowClear placeholder={t('windows.noSite')} style={{ maxWidth: 360 }} options={s.sites.map((x) => ({ value: x.code, label: `${x.name} (${x.code})` }))} />
        </Form.Item>
        <Row gutter={16}>
          <Col xs={24} md={12}><Form.Item name="opens" label={t('windows.opens')} rules={req(t)}><Input placeholder="yyyy-MM-dd HH:mm:ss" autoComplete="off" /></Form.Item></Col>
          <Col xs={24} md={12}><Form.Item name="closes" label={t('windows.closes')} rules={req(t)}><Input placeholder="yyyy-MM-dd HH:mm:ss" autoComplete="off" /></Form.Item></Col>
        </Row>
      </>
    ),
  };
}

interface SubjectValues { code: string; name: string; kind: SubjectRow['kind']; feeYuan: string; writtenSubject?: string; exclusionGroup?: string; requiresReview: boolean }
export function subjectsSpec(t: Tr): PartSpec<SubjectRow, SubjectValues> {
  return {
    part: 'subjects', rows: (s) => s.subjects, idOf: (r) => r.subjectId, labelOf: (r) => `${r.name} (${r.code})`,
    hint: t('subjects.hint'),
    columns: [
      { key: 'code', title: t('subjects.code'), dataIndex: 'code' },
      { key: 'name', title: t('subjects.name'), dataIndex: 'name' },
      { key: 'kind', title: t('subjects.kind'), render: (_, r) => t(`subjects.kinds.${r.kind}`) },
      { key: 'fee', title: t('subjects.fee'), align: 'right', render: (_, r) => yuan(r.feeFen) },
      { key: 'written', title: t('subjects.writtenCol'), render: (_, r) => r.writtenSubject ?? '—' },
      { key: 'group', title: t('subjects.groupCol'), render: (_, r) => r.exclusionGroup ?? '—' },
      { key: 'regs', title: t('subjects.registrations'), align: 'right', dataIndex: 'registrations' },
      { key: 'state', title: '', render: (_, r) => <>
        {r.feeLocked ? <Tag>{t('subjects.feeLocked')}</Tag> : null}
        {r.requiresReview ? <Tag>{t('subjects.review')}</Tag> : null}
        {r.cancelledAt ? <Tag>{t('subjects.cancelledTag')}</Tag> : null}
      </> },
    ],
    initial: { code: '', name: '', kind: 'WRITTEN', feeYuan: '', writtenSubject: undefined, exclusionGroup: '', requiresReview: false },
    fromRow: (r) => ({ code: r.code, name: r.name, kind: r.kind, feeYuan: yuan(r.feeFen), writtenSubject: r.writtenSubject ?? undefined, exclusionGroup: r.exclusionGroup ?? '', requiresReview: r.requiresReview }),
    toBody: (v) => {
      const feeFen = fenFromYuan(v.feeYuan ?? '');
      if (feeFen === null) return { field: 'feeYuan', error: t('subjects.feeFormat') };
      const group = v.exclusionGroup?.trim();
      return { body: { code: v.code.trim(), name: v.name.trim(), kind: v.kind, feeFen, ...(v.writtenSubject ? { writtenSubject: v.writtenSubject } : {}), ...(group ? { exclusionGroup: group } : {}), requiresReview: v.requiresReview } };
    },
    fields: [['code'], ['name'], ['kind'], ['feeYuan'], ['writtenSubject'], ['exclusionGroup'], ['requiresReview']],
    rename: { feeFen: 'feeYuan' },
    codeField: { SUBJECT_FEE_LOCKED: ['feeYuan'], CONFIG_CODE_TAKEN: ['code'] },
    create: (id) => ({ method: 'POST', url: `${A}/sittings/${id}/subjects` }),
    update: (r) => ({ method: 'PUT', url: `${A}/subjects/${r.subjectId}` }),
    remove: (r) => `${A}/subjects/${r.subjectId}`,
    form: (s) => (
      <>
        <Row gutter={16}>
          <Col xs={24} md={6}><Form.Item name="code" label={t('subjects.code')} rules={req(t)}><Input maxLength={32} autoComplete="off" /></Form.Item></Col>
          <Col xs={24} md={12}><Form.Item name="name" label={t('subjects.name')} rules={req(t)}><Input maxLength={200} /></Form.Item></Col>
          <Col xs={24} md={6}><Form.Item name="feeYuan" label={t('subjects.fee')} rules={req(t)}><Input inputMode="decimal" placeholder="70.00" autoComplete="off" /></Form.Item></Col>
        </Row>
        <Form.Item name="kind" label={t('subjects.kind')}><Radio.Group options={(['WRITTEN', 'ORAL'] as const).map((k) => ({ value: k, label: t(`subjects.kinds.${k}`) }))} /></Form.Item>
        <Row gutter={16}>
          <Col xs={24} md={12}><Form.Item name="writtenSubject" label={t('subjects.writtenSubject')}>
            <Select allowClear placeholder={t('subjects.noWritten')} options={s.subjects.filter((x) => x.kind === 'WRITTEN').map((x) => ({ value: x.code, label: `${x.name} (${x.code})` }))} />
          </Form.Item></Col>
          <Col xs={24} md={12}><Form.Item name="exclusionGroup" label={t('subjects.exclusionGroup')}><Input maxLength={100} /></Form.Item></Col>
        </Row>
        <Form.Item name="requiresReview" valuePropName="checked"><Checkbox>{t('subjects.requiresReview')}</Checkbox></Form.Item>
      </>
    ),
  };
}

interface SiteValues { code: string; name: string }
export function sitesSpec(t: Tr): PartSpec<SiteRow, SiteValues> {
  return {
    part: 'sites', rows: (s) => s.sites, idOf: (r) => r.siteId, labelOf: (r) => `${r.name} (${r.code})`,
    columns: [{ key: 'code', title: t('sites.code'), dataIndex: 'code' }, { key: 'name', title: t('sites.name'), dataIndex: 'name' }],
    initial: { code: '', name: '' },
    fromRow: (r) => ({ code: r.code, name: r.name }),
    toBody: (v) => ({ body: { code: v.code.trim(), name: v.name.trim() } }),
    fields: [['code'], ['name']],
    codeField: { CONFIG_CODE_TAKEN: ['code'] },
    create: (id) => ({ method: 'POST', url: `${A}/sittings/${id}/sites` }),
    update: (r) => ({ method: 'PUT', url: `${A}/sites/${r.siteId}` }),
    remove: (r) => `${A}/sites/${r.siteId}`,
    form: () => (
      <Row gutter={16}>
        <Col xs={24} md={8}><Form.Item name="code" label={t('sites.code')} rules={req(t)}><Input maxLength={32} autoComplete="off" /></Form.Item></Col>
        <Col xs={24} md={16}><Form.Item name="name" label={t('sites.name')} rules={req(t)}><Input maxLength={200} /></Form.Item></Col>
      </Row>
    ),
  };
}

interface SlotValues { code: string; starts: string; ends: string }
export function slotsSpec(t: Tr): PartSpec<SlotRow, SlotValues> {
  return {
    part: 'slots', rows: (s) => s.slots, idOf: (r) => r.slotId, labelOf: (r) => `${r.code} ${r.starts}`,
    hint: t('slots.hint'),
    columns: [{ key: 'code', title: t('slots.code'), dataIndex: 'code' }, { key: 'starts', title: t('slots.starts'), dataIndex: 'starts' }, { key: 'ends', title: t('slots.ends'), dataIndex: 'ends' }],
    initial: { code: '', starts: '', ends: '' },
    fromRow: (r) => ({ code: r.code, starts: r.starts, ends: r.ends }),
    toBody: (v) => ({ body: { code: v.code.trim(), starts: v.starts.trim(), ends: v.ends.trim() } }),
    fields: [['code'], ['starts'], ['ends']],
    codeField: { CONFIG_CODE_TAKEN: ['code'] },
    create: (id) => ({ method: 'POST', url: `${A}/sittings/${id}/slots` }),
    update: (r) => ({ method: 'PUT', url: `${A}/slots/${r.slotId}` }),
    remove: (r) => `${A}/slots/${r.slotId}`,
    form: () => (
      <Row gutter={16}>
        <Col xs={24} md={6}><Form.Item name="code" label={t('slots.code')} rules={req(t)}><Input maxLength={32} autoComplete="off" /></Form.Item></Col>
        <Col xs={24} md={9}><Form.Item name="starts" label={t('slots.starts')} rules={req(t)}><Input placeholder="yyyy-MM-dd HH:mm:ss" autoComplete="off" /></Form.Item></Col>
        <Col xs={24} md={9}><Form.Item name="ends" label={t('slots.ends')} rules={req(t)}><Input placeholder="yyyy-MM-dd HH:mm:ss" autoComplete="off" /></Form.Item></Col>
      </Row>
    ),
  };
}

interface CapacityValues { site?: string; slot?: string; subject?: string; seats: number | null }
const nameOf = (list: { code: string; name?: string }[], code: string) => {
  const x = list.find((i) => i.code === code);
  return x?.name ? `${x.name} (${code})` : code;
};
export function capacitySpec(t: Tr, s: SittingView): PartSpec<CapacityRow, CapacityValues> {
  const slotLabel = (code: string) => {
    const x = s.slots.find((i) => i.code === code);
    return x ? `${code} ${x.starts}` : code;
  };
  return {
    part: 'capacity', rows: (v) => v.capacity, idOf: (r) => r.poolId,
    labelOf: (r) => `${nameOf(s.sites, r.site)} × ${r.slot} × ${nameOf(s.subjects, r.subject)}`,
    hint: t('capacity.hint'),
    blocked: (v) => (v.sites.length && v.slots.length && v.subjects.length ? null : t('capacity.needParts')),
    columns: [
      { key: 'site', title: t('capacity.site'), render: (_, r) => nameOf(s.sites, r.site) },
      { key: 'slot', title: t('capacity.slot'), render: (_, r) => slotLabel(r.slot) },
      { key: 'subject', title: t('capacity.subject'), render: (_, r) => nameOf(s.subjects, r.subject) },
      { key: 'seats', title: t('capacity.seats'), align: 'right', dataIndex: 'seats' },
      { key: 'held', title: t('capacity.held'), align: 'right', dataIndex: 'held' },
      { key: 'sold', title: t('capacity.sold'), align: 'right', dataIndex: 'sold' },
      { key: 'free', title: t('capacity.free'), align: 'right', dataIndex: 'free' },
    ],
    initial: { site: undefined, slot: undefined, subject: undefined, seats: null },
    fromRow: (r) => ({ site: r.site, slot: r.slot, subject: r.subject, seats: r.seats }),
    toBody: (v) => ({ body: { site: v.site ?? '', slot: v.slot ?? '', subject: v.subject ?? '', seats: v.seats ?? -1 } }),
    fields: [['site'], ['slot'], ['subject'], ['seats']],
    codeField: { CAPACITY_BELOW_TAKEN: ['seats'] },
    // One address for both: the seats of site × slot × subject are set, made if new.
    create: (id) => ({ method: 'PUT', url: `${A}/sittings/${id}/capacity` }),
    update: (_r, id) => ({ method: 'PUT', url: `${A}/sittings/${id}/capacity` }),
    remove: (r) => `${A}/seat-pools/${r.poolId}`,
    form: (v) => (
      <Row gutter={16}>
        <Col xs={24} md={7}><Form.Item name="site" label={t('capacity.site')} rules={req(t)}>
          <Select placeholder={t('capacity.choose')} options={v.sites.map((x) => ({ value: x.code, label: `${x.name} (${x.code})` }))} />
        </Form.Item></Col>
        <Col xs={24} md={7}><Form.Item name="slot" label={t('capacity.slot')} rules={req(t)}>
          <Select placeholder={t('capacity.choose')} options={v.slots.map((x) => ({ value: x.code, label: `${x.code} ${x.starts}` }))} />
        </Form.Item></Col>
        <Col xs={24} md={6}><Form.Item name="subject" label={t('capacity.subject')} rules={req(t)}>
          <Select placeholder={t('capacity.choose')} options={v.subjects.filter((x) => !x.cancelledAt).map((x) => ({ value: x.code, label: `${x.name} (${x.code})` }))} />
        </Form.Item></Col>
        <Col xs={24} md={4}><Form.Item name="seats" label={t('capacity.seats')} rules={req(t)}><InputNumber min={0} max={100000} style={{ width: '100%' }} /></Form.Item></Col>
      </Row>
    ),
  };
}

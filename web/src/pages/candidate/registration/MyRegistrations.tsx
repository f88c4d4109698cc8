import { DeleteOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Checkbox, Popconfirm, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { yuan } from '../../../api/client.ts';
import { pick, StateTag } from '../account/shared.tsx';
import { selectable, type Registration, type SubjectOption } from './api.ts';
import { SlotPicker } from './SubjectCard.tsx';

/** The registration's state in words, from the server's fields (PAY-3 states, REG-8 owner). */
function StatusTag({ r }: { r: Registration }) {
  const { t } = useTranslation('registration');
  if (r.paid) return <StateTag tone="success">{t('mine.paid')}</StateTag>;
  if (r.billNo) return <StateTag tone={r.billState === 'PAYING' ? 'info' : 'warning'}>{r.billState === 'PAYING' ? t('mine.paying') : t('mine.onBill')}</StateTag>;
  if (r.owner === 'INSTITUTION') return <StateTag tone="neutral">{t('mine.institution')}</StateTag>;
  return <StateTag tone="warning">{t('mine.unpaid')}</StateTag>;
}

/**
 * Why an unpaid registration cannot be paid yet, in the server's words (the bill confirmation's
 * verdict), with the subject it points at and the payment windows where those are the reason.
 */
function PayBlock({ block, subjects }: { block: NonNullable<Registration['payBlock']>; subjects: SubjectOption[] }) {
  const { t, i18n } = useTranslation('registration');
  const zh = i18n.language.startsWith('zh');
  const windows = Array.isArray(block.details.windows) ? (block.details.windows as { kind: string; opensAt: string; closesAt: string }[]) : [];
  const related = typeof block.details.subjectId === 'string' ? subjects.find((s) => s.subjectId === block.details.subjectId)?.name : undefined;
  return (
    <Alert type="info" showIcon className="pay-block" data-reason={block.code} style={{ margin: '8px 0' }}
      title={`${t('mine.cannotPayYet')}${related ? `（${related}）` : ''}`}
      description={
        <>
          <span>{zh ? block.messageZh : block.messageEn}</span>
          {typeof block.details.auditStatus === 'string' ? (
            <><br /><span className="audit-status" data-status={block.details.auditStatus}>
              {t('mine.auditStatus', { status: t(`mine.auditStatuses.${block.details.auditStatus}`, { defaultValue: block.details.auditStatus }) })}
            </span></>
          ) : null}
          {windows.length > 0 ? (
            <>
              <br />{t('mine.payWindows')}
              <ul style={{ paddingLeft: '1.2em', margin: '4px 0 0' }}>
                {windows.map((w) => <li key={`${w.kind}${w.opensAt}`}>{t('mine.payWindowLine', { kind: t(`window.kinds.${w.kind}`, { defaultValue: w.kind }), opens: w.opensAt, closes: w.closesAt })}</li>)}
              </ul>
            </>
          ) : null}
        </>
      } />
  );
}

/**
 * 我的报考 for one sitting: seat, state, why a seat was released and what to do (REG-6, REG-7),
 * 修改考试时间 and 删除 for unpaid ones, and the choice of subjects to confirm into a bill (PAY-1).
 */
export function MyRegistrations({ registrations, subjects, selected, onSelect, busyId, onChangeSlot, onDelete }: {
  registrations: Registration[]; subjects: SubjectOption[]; selected: string[]; onSelect: (ids: string[]) => void; busyId: string | null;
  onChangeSlot: (registrationId: string, choice: string | undefined) => void; onDelete: (registrationId: string) => void;
}) {
  const { t, i18n } = useTranslation('registration');
  const [editing, setEditing] = useState<string | null>(null);
  const [choice, setChoice] = useState<string | undefined>();
  if (registrations.length === 0) return <p style={{ color: '#434343' }}>{t('mine.none')}</p>;
  return (
    <div id="my-registrations">
      {registrations.map((r) => {
        const subject = subjects.find((s) => s.code === r.subjectCode);
        const changeable = !r.paid && !r.billNo && r.owner === 'CANDIDATE';
        const showPicker = changeable && subject && subject.choices.length > 0 && (editing === r.registrationId || (r.seatReleased !== null && r.seat === null));
        return (
          <Card key={r.registrationId} size="small" style={{ marginBottom: 12 }} data-registration={r.subjectCode}>
            <Typography.Title level={3} style={{ fontSize: 16, margin: 0 }}>{r.subjectName} <StatusTag r={r} /></Typography.Title>
            {selectable(r) ? (
              <Checkbox className="select-for-bill" checked={selected.includes(r.registrationId)} style={{ margin: '6px 0' }}
                onChange={(e) => onSelect(e.target.checked ? [...selected, r.registrationId] : selected.filter((x) => x !== r.registrationId))}>
                {t('mine.select', { subject: r.subjectName })}
              </Checkbox>
            ) : null}
            <p style={{ margin: '4px 0', color: '#434343' }}>
              {r.kind === 'ORAL' ? t('subject.oral') : t('subject.written')} · {t('subject.fee', { amount: yuan(r.feeFen) })}
              {r.seat ? <> · <span className="seat">{t('mine.seat', { site: r.seat.siteName, time: r.seat.startsAt, seat: r.seat.seatNo })}</span></> : null}
            </p>
            {r.billNo ? <p style={{ margin: '4px 0' }}><Link to={`/bills/${r.billNo}`}>{t('mine.openBill', { billNo: r.billNo })}</Link></p> : null}
            {r.owner === 'INSTITUTION' && !r.paid ? <p style={{ margin: '4px 0', color: '#434343' }}>{t('mine.institutionHint')}</p> : null}
            {r.payBlock && r.payBlock.code !== 'SEAT_RELEASED' ? <PayBlock block={r.payBlock} subjects={subjects} /> : null}
            {r.seatReleased ? (
              <Alert type="warning" showIcon className="seat-released" data-reason={r.seatReleased.reason} style={{ margin: '8px 0' }}
                title={t('mine.seatReleased')} description={pick(i18n.language, r.seatReleased)} />
            ) : null}
            {showPicker && subject ? (
              <>
                <SlotPicker name={`change-${r.registrationId}`} label={t('mine.chooseSlot', { subject: r.subjectName })} choices={subject.choices} value={choice} onChange={setChoice} />
                <Button type="primary" loading={busyId === r.registrationId} onClick={() => { onChangeSlot(r.registrationId, choice); setEditing(null); }}>
                  {t('mine.saveSlot')}
                </Button>{' '}
              </>
            ) : null}
            {changeable ? (
              <div style={{ display: 'flex', flexWrap: 'wrap', gap: 8, marginTop: 8 }}>
                {subject && subject.choices.length > 0 && !showPicker ? (
                  <Button onClick={() => { setEditing(r.registrationId); setChoice(r.seat ? `${r.seat.siteId}:${r.seat.slotId}` : undefined); }}>
                    {t('mine.changeSlot', { subject: r.subjectName })}
                  </Button>
                ) : null}
                <Popconfirm title={t('mine.deleteConfirm', { subject: r.subjectName })} okText={t('mine.deleteOk')} cancelText={t('mine.keep')} onConfirm={() => onDelete(r.registrationId)}>
                  <Button icon={<DeleteOutlined aria-hidden />} loading={busyId === r.registrationId}>{t('mine.delete', { subject: r.subjectName })}</Button>
                </Popconfirm>
              </div>
            ) : null}
          </Card>
        );
      })}
    </div>
  );
}

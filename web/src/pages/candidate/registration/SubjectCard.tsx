import { Alert, Button, Card, Radio, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { yuan } from '../../../api/client.ts';
import { StateTag } from '../account/shared.tsx';
import type { SlotChoice, SubjectOption } from './api.ts';

/** "第一考点 · 2026-04-11 09:00:00—11:00:00 · 余 4 / 5 座" */
export function ChoiceLabel({ c }: { c: SlotChoice }) {
  const { t } = useTranslation('registration');
  return <>{c.siteName} · {c.startsAt} — {c.endsAt.slice(11)} · {c.free > 0 ? t('subject.free', { free: c.free, capacity: c.capacity }) : t('subject.full')}</>;
}

/** Radio buttons (arrow keys move, Space picks) of the site × slot choices with free seats (REG-6). */
export function SlotPicker({ name, label, choices, value, onChange }: { name: string; label: string; choices: SlotChoice[]; value: string | undefined; onChange: (v: string) => void }) {
  return (
    <fieldset style={{ margin: '8px 0', padding: 0, border: 'none' }}>
      <legend style={{ fontWeight: 600, marginBottom: 4, fontSize: 14 }}>{label}</legend>
      <Radio.Group name={name} value={value} onChange={(e) => onChange(String(e.target.value))} style={{ display: 'flex', flexDirection: 'column', gap: 6 }}>
        {choices.map((c) => (
          <Radio key={`${c.siteId}:${c.slotId}`} value={`${c.siteId}:${c.slotId}`} disabled={c.free <= 0}><ChoiceLabel c={c} /></Radio>
        ))}
      </Radio.Group>
    </fieldset>
  );
}

/** The verdict in words: the rule the server applied, naming the subject it points at. */
export function reasonText(t: (k: string, o?: Record<string, unknown>) => string, s: SubjectOption, all: SubjectOption[]): string {
  const related = all.find((x) => x.subjectId === s.relatedSubjectId)?.name ?? '';
  return t(`reasons.${s.reason ?? 'UNKNOWN'}`, { subject: related, defaultValue: t('reasons.UNKNOWN', { code: s.reason }) });
}

/**
 * One subject of the sitting with the server's verdict (REG-3, REG-4, REG-5): registrable with
 * its slot choice and a 报考 button, or why not — never hidden.
 */
export function SubjectCard({ subject, all, registrationOpen, busy, onRegister }: {
  subject: SubjectOption; all: SubjectOption[]; registrationOpen: boolean; busy: boolean;
  onRegister: (subjectId: string, choice: string | undefined) => void;
}) {
  const { t } = useTranslation('registration');
  const [choice, setChoice] = useState<string | undefined>();
  const kind = subject.kind === 'ORAL' ? t('subject.oral') : t('subject.written');
  return (
    <Card size="small" style={{ marginBottom: 12 }} data-subject={subject.code}>
      <Typography.Title level={3} style={{ fontSize: 16, margin: 0 }}>
        {subject.name} <StateTag tone="neutral">{kind}</StateTag>
      </Typography.Title>
      <p style={{ margin: '4px 0', color: '#434343' }}>{subject.code} · {t('subject.fee', { amount: yuan(subject.feeFen) })}</p>
      {subject.canRegister ? (
        registrationOpen ? (
          <>
            {subject.choices.length > 0
              ? <SlotPicker name={`slot-${subject.subjectId}`} label={t('subject.chooseSlot', { subject: subject.name })} choices={subject.choices} value={choice} onChange={setChoice} />
              : null}
            <Button type="primary" className="register" loading={busy} onClick={() => onRegister(subject.subjectId, choice)} aria-label={t('subject.registerNamed', { subject: subject.name })}>
              {t('subject.register')}
            </Button>
          </>
        ) : <Alert type="info" showIcon className="reason" title={t('subject.windowClosed')} />
      ) : (
        <Alert type={subject.reason === 'SUBJECT_ALREADY_REGISTERED' ? 'success' : 'warning'} showIcon className="reason" data-reason={subject.reason ?? ''} title={reasonText(t, subject, all)} />
      )}
    </Card>
  );
}

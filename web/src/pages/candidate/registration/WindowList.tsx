import { StateTag } from '../account/shared.tsx';
import { useTranslation } from 'react-i18next';
import type { RegistrationOptions } from './api.ts';

/** A sitting's dated windows (REG-1) as the server gives them, in Beijing time. */
export function WindowList({ options }: { options: RegistrationOptions }) {
  const { t } = useTranslation('registration');
  const siteName = (siteId: string | null) => options.subjects.flatMap((s) => s.choices).find((c) => c.siteId === siteId)?.siteName ?? siteId;
  return (
    <div>
      <p style={{ margin: '0 0 8px' }}>
        {options.registrationOpen
          ? <StateTag tone="success" className="registration-open">{t('window.registrationOpen')}</StateTag>
          : <StateTag tone="neutral" className="registration-closed">{t('window.registrationClosed')}</StateTag>}
      </p>
      {options.windows.length === 0 ? <p style={{ color: '#595959', margin: 0 }}>{t('window.none')}</p> : (
        <ul style={{ paddingLeft: '1.2em', margin: 0 }}>
          {options.windows.map((w, i) => (
            <li key={i}>
              <strong>{t(`window.kinds.${w.kind}`, { defaultValue: w.kind })}</strong>
              {w.siteId ? `（${siteName(w.siteId)}）` : ''}：{w.opensAt} — {w.closesAt} <span style={{ color: '#595959' }}>{t('window.beijing')}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

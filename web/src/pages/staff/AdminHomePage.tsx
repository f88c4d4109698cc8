import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { StaffPage } from '../../session/staff.tsx';
import { Dashboard } from './DashboardPage.tsx';
import { ADMIN_NAV } from './nav.ts';

/** The console's first page: the overview (ADM-3) for roles that may read it; else who is signed in. */
export function AdminHomePage() {
  const { t, i18n } = useTranslation('staff');
  return (
    <StaffPage surface="admin" nav={ADMIN_NAV}>
      {(me) => (me.permissions.includes('dashboard.read') ? <Dashboard me={me} /> : (
        <>
          <Typography.Title level={1} style={{ fontSize: 22 }}>{me.authority.name}</Typography.Title>
          <Typography.Paragraph type="secondary" data-testid="signed-in-as">
            {t('dashboard.signedInAs', { name: `${me.displayName} (${me.loginName})`, role: i18n.language.startsWith('zh') ? me.roleLabel.zh : me.roleLabel.en, authority: me.authority.name })}
          </Typography.Paragraph>
        </>
      ))}
    </StaffPage>
  );
}

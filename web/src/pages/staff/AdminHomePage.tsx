import { Descriptions, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { StaffPage } from '../../session/staff.tsx';
import { ADMIN_NAV } from './nav.ts';

/** The console's first page: who is signed in, in which authority, allowed to do what. */
export function AdminHomePage() {
  const { t, i18n } = useTranslation('staff');
  return (
    <StaffPage surface="admin" nav={ADMIN_NAV}>
      {(me) => (
        <>
          <Typography.Title level={1} style={{ fontSize: 22 }}>{me.authority.name}</Typography.Title>
          <Descriptions column={1} bordered size="small" items={[
            { key: 'who', label: t('home.who'), children: `${me.displayName} (${me.loginName})` },
            { key: 'role', label: t('home.role'), children: i18n.language.startsWith('zh') ? me.roleLabel.zh : me.roleLabel.en },
            { key: 'may', label: t('home.permissions'), children: me.permissions.join(', ') },
          ]} />
        </>
      )}
    </StaffPage>
  );
}

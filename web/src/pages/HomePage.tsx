import { Card, List, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { AppLayout } from '../layout/AppLayout.tsx';

/** Until the areas land, the home page lists where to go. */
export function HomePage() {
  const { t } = useTranslation();
  const links = [
    { to: '/sign-in', label: t('signIn') },
    { to: '/pay', label: t('nav.payByCode') },
    { to: '/tickets/quick-print', label: t('nav.quickPrint') },
    { to: '/admin', label: t('nav.console') },
  ];
  return (
    <AppLayout>
      <Typography.Title level={1} style={{ fontSize: 22 }}>{t('appName')}</Typography.Title>
      <Card>
        <List dataSource={links} renderItem={(l) => <List.Item><Link to={l.to}>{l.label}</Link></List.Item>} />
      </Card>
    </AppLayout>
  );
}

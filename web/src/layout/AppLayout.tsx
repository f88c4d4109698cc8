import { Button, Layout, Space, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { setLang } from '../i18n/index.ts';

/**
 * The frame of every page: a header with the product name, the language switch and the
 * caller's own actions (sign out, …), and a centred column that fits a 375-px phone.
 */
export function AppLayout({ actions, children, wide }: { actions?: ReactNode; children: ReactNode; /** consoles: tables need the width */ wide?: boolean }) {
  const { t, i18n } = useTranslation();
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <Layout.Header style={{ display: 'flex', alignItems: 'center', gap: 12, paddingInline: 16, background: '#fff', borderBottom: '1px solid #f0f0f0', height: 'auto', minHeight: 56, flexWrap: 'wrap' }}>
        <Link to="/" style={{ flex: '1 1 auto' }}>
          <Typography.Text strong style={{ fontSize: 16 }}>{t('appName')}</Typography.Text>
        </Link>
        <Space wrap size={4}>
          {actions}
          <Button type="link" lang={i18n.language.startsWith('zh') ? 'en' : 'zh-CN'} onClick={() => setLang(i18n.language.startsWith('zh') ? 'en' : 'zh-CN')}>
            {t('language')}
          </Button>
        </Space>
      </Layout.Header>
      <Layout.Content style={{ width: '100%', maxWidth: wide ? 1440 : 960, margin: '0 auto', padding: '16px 12px 48px' }}>
        <main>{children}</main>
      </Layout.Content>
    </Layout>
  );
}

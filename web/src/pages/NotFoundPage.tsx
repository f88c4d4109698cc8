import { Button, Result } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { AppLayout } from '../layout/AppLayout.tsx';

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <AppLayout>
      <Result status="404" title={<h1 style={{ fontSize: 24 }}>{t('notFound')}</h1>} subTitle={t('notFoundHint')} extra={<Link to="/"><Button type="primary">{t('home')}</Button></Link>} />
    </AppLayout>
  );
}

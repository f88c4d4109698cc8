import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Menu, Spin } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { ApiError, del, get } from '../api/client.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { AppLayout } from '../layout/AppLayout.tsx';

/** GET /api/v1/me */
export interface Me {
  candidateId: string;
  name: string;
  idNumberMasked: string;
  phoneMasked: string | null;
  mustChangePassword: boolean;
  accountType: 'ID_DOCUMENT' | 'EMAIL';
  email: string | null;
  emailVerified: boolean;
}

export const ME_KEY = ['me'] as const;

/** The signed-in candidate, or null when nobody is (401). */
export function useMe() {
  return useQuery({
    queryKey: ME_KEY,
    queryFn: async () => {
      try {
        return await get<Me>('/api/v1/me');
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) return null;
        throw e;
      }
    },
    staleTime: 30_000,
  });
}

export function useSignOut() {
  const qc = useQueryClient();
  const navigate = useNavigate();
  return async () => {
    await del('/api/v1/session').catch(() => undefined);
    qc.clear();
    navigate('/sign-in', { replace: true });
  };
}

const NAV = [
  { key: '/sittings', label: 'nav.sittings' },
  { key: '/bills', label: 'nav.bills' },
  { key: '/tickets', label: 'nav.tickets' },
  { key: '/records', label: 'appeals:nav.records' },
  { key: '/appeals', label: 'appeals:nav.appeals' },
  { key: '/account', label: 'nav.account' },
] as const;

/**
 * The frame of every signed-in candidate page. Nobody signed in → the sign-in page, coming back
 * here afterwards; a forced password change (ACC-3) → the change page first, as the server
 * refuses everything else until then.
 */
export function CandidatePage({ children }: { children: (me: Me) => ReactNode }) {
  const { t } = useTranslation();
  const me = useMe();
  const location = useLocation();
  const navigate = useNavigate();
  const signOut = useSignOut();
  if (me.isPending) return <AppLayout><Spin aria-label={t('loading')} /></AppLayout>;
  if (me.isError) return <AppLayout><ErrorAlert error={me.error} /><Button onClick={() => void me.refetch()}>{t('retry')}</Button></AppLayout>;
  const next = encodeURIComponent(location.pathname + location.search);
  if (!me.data) return <Navigate to={`/sign-in?next=${next}`} replace />;
  if (me.data.mustChangePassword && location.pathname !== '/account/password') return <Navigate to={`/account/password?next=${next}`} replace />;
  const selected = NAV.find((n) => location.pathname.startsWith(n.key))?.key;
  return (
    <AppLayout actions={<Button type="link" onClick={() => void signOut()}>{t('signOut')}</Button>}>
      <nav aria-label={t('appName')}>
        <Menu mode="horizontal" selectedKeys={selected ? [selected] : []} style={{ marginBottom: 16 }} onClick={(e) => navigate(e.key)}
          items={NAV.map((n) => ({ key: n.key, label: t(n.label) }))} />
      </nav>
      {children(me.data)}
    </AppLayout>
  );
}

import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Button, Menu, Spin, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, useLocation, useNavigate } from 'react-router';
import { ApiError, del, get } from '../api/client.ts';
import { ErrorAlert } from '../components/ErrorAlert.tsx';
import { AppLayout } from '../layout/AppLayout.tsx';

export type StaffSurface = 'admin' | 'institution';
export type StaffRole = 'AUTHORITY_ADMIN' | 'FINANCE' | 'INSTITUTION_STAFF' | 'READ_ONLY';

/** GET /api/v1/{admin|institution}/me */
export interface StaffMe {
  staffId: string;
  loginName: string;
  displayName: string;
  role: StaffRole;
  roleLabel: { zh: string; en: string };
  authority: { code: string; name: string };
  institution: { institutionId: string; code: string; name: string } | null;
  mustChangePassword: boolean;
  /** The actions this role may perform: the page offers only these (the server checks them all). */
  permissions: string[];
}

export const staffMeKey = (surface: StaffSurface) => ['staff-me', surface] as const;

export function useStaffMe(surface: StaffSurface) {
  return useQuery({
    queryKey: staffMeKey(surface),
    queryFn: async () => {
      try {
        return await get<StaffMe>(`/api/v1/${surface}/me`);
      } catch (e) {
        if (e instanceof ApiError && (e.status === 401 || e.status === 403)) return null;
        throw e;
      }
    },
    staleTime: 30_000,
  });
}

export interface StaffNavItem {
  path: string;
  /** i18n key in the staff or institution namespace */
  label: string;
  /** Shown only to roles holding this action (any of them, when a list). */
  action?: string | string[];
}

/**
 * The frame of every console page: a signed-in member of staff of the right surface (else the
 * console's sign-in page, coming back afterwards), the forced password change first, and the
 * navigation filtered by the role's permissions.
 */
export function StaffPage({ surface, nav, children }: { surface: StaffSurface; nav: StaffNavItem[]; children: (me: StaffMe) => ReactNode }) {
  const ns = surface === 'admin' ? 'staff' : 'institution';
  const { t, i18n } = useTranslation([ns, 'common']);
  const me = useStaffMe(surface);
  const location = useLocation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const base = `/${surface}`;
  if (me.isPending) return <AppLayout><Spin aria-label={t('common:loading')} /></AppLayout>;
  if (me.isError) return <AppLayout><ErrorAlert error={me.error} /><Button onClick={() => void me.refetch()}>{t('common:retry')}</Button></AppLayout>;
  const next = encodeURIComponent(location.pathname + location.search);
  if (!me.data) return <Navigate to={`${base}/sign-in?next=${next}`} replace />;
  if (me.data.mustChangePassword && location.pathname !== `${base}/password`) return <Navigate to={`${base}/password?next=${next}`} replace />;
  const may = (a?: string | string[]) => !a || (Array.isArray(a) ? a : [a]).some((x) => me.data!.permissions.includes(x));
  const items = nav.filter((n) => may(n.action));
  const selected = [...items].sort((a, b) => b.path.length - a.path.length).find((n) => location.pathname === n.path || location.pathname.startsWith(`${n.path}/`))?.path;
  const signOut = async () => {
    await del(`/api/v1/${surface}/session`).catch(() => undefined);
    qc.clear();
    navigate(`${base}/sign-in`, { replace: true });
  };
  const zh = i18n.language.startsWith('zh');
  return (
    <AppLayout wide actions={<>
      <Typography.Text type="secondary">{me.data.displayName} · {zh ? me.data.roleLabel.zh : me.data.roleLabel.en}{me.data.institution ? ` · ${me.data.institution.name}` : ''}</Typography.Text>
      <Button type="link" onClick={() => void signOut()}>{t('common:signOut')}</Button>
    </>}>
      <nav aria-label={t('common:nav.console')}>
        <Menu mode="horizontal" selectedKeys={selected ? [selected] : []} style={{ marginBottom: 16 }} onClick={(e) => navigate(e.key)}
          items={items.map((n) => ({ key: n.path, label: t(n.label) }))} />
      </nav>
      {children(me.data)}
    </AppLayout>
  );
}

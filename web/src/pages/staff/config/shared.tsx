import { Alert, ConfigProvider, Typography, type FormInstance } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../../api/client.ts';
import { StaffPage, type StaffMe } from '../../../session/staff.tsx';
import { ADMIN_NAV } from '../nav.ts';
import { placeErrors } from './api.ts';

/** Every configuration page: the console frame; `canEdit` from the role's permissions (the server checks again). */
export function ConfigPage({ children }: { children: (canEdit: boolean, me: StaffMe) => ReactNode }) {
  return (
    <StaffPage surface="admin" nav={ADMIN_NAV}>
      {/* A darker red and placeholder than antd's: the words under a refused field and a select's "none" must be legible (WCAG 1.4.3). */}
      {(me) => <ConfigProvider theme={{ token: { colorError: '#b3171a', colorTextPlaceholder: 'rgba(0, 0, 0, 0.6)' } }}>{children(me.permissions.includes('exam.configure'), me)}</ConfigProvider>}
    </StaffPage>
  );
}

export const H1 = ({ children }: { children: ReactNode }) => <Typography.Title level={1} style={{ fontSize: 22 }}>{children}</Typography.Title>;
export const H2 = ({ children, id }: { children: ReactNode; id?: string }) => <Typography.Title level={2} id={id} style={{ fontSize: 18, marginTop: 16 }}>{children}</Typography.Title>;

/** A refusal that no field holds: the server's words and code, and the problems without a field of their own. */
export function RefusalAlert({ error, rest, title }: { error: unknown; rest?: string[]; title?: string }) {
  const { t, i18n } = useTranslation('config');
  if (!error) return null;
  const api = error instanceof ApiError ? error : undefined;
  const fieldsOnly = api?.code === 'CONFIGURATION_INVALID' && (rest?.length ?? 0) === 0;
  return (
    <Alert type="error" showIcon role="alert" style={{ marginBottom: 16 }}
      title={`${title ?? t('errors.general')}${api ? api.text(i18n.language) : String(error)}${fieldsOnly ? ` ${t('errors.problemsBelow')}` : ''}`}
      description={<>
        {rest?.length ? <ul style={{ margin: 0, paddingInlineStart: 20 }}>{rest.map((r) => <li key={r}>{r}</li>)}</ul> : null}
        {api ? <small>{api.code}</small> : null}
      </>} />
  );
}

/**
 * Shows a refusal where it belongs: at the fields it names (the form's own error text under each).
 * Returns what no field holds, for the alert above the form — or null when a coded refusal sits
 * at its field entirely and an alert would only repeat it.
 */
export function showRefusal<T>(form: FormInstance<T>, error: unknown, opts: Omit<Parameters<typeof placeErrors>[1], 'fields'> & { fields: string[][] }): string[] | null {
  const placed = placeErrors(error, opts);
  form.setFields(placed.fields as Parameters<typeof form.setFields>[0]);
  const coded = error instanceof ApiError && error.code !== 'CONFIGURATION_INVALID';
  return coded && placed.fields.length > 0 && placed.rest.length === 0 ? null : placed.rest;
}

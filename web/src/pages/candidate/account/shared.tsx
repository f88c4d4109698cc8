import { Alert, Button, Flex, Form, Input, Spin, Tag, type FormInstance } from 'antd';
import { ReloadOutlined } from '@ant-design/icons';
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { ME_KEY } from '../../../session/candidate.tsx';
import { fetchCaptcha } from '../../../api/captcha.ts';
import { ApiError } from '../../../api/client.ts';

/** A server text given in both languages ({zh, en}), shown in the page's. */
export function pick(lang: string, text: { zh: string; en: string }): string {
  return lang.startsWith('zh') ? text.zh : text.en;
}

/** Only a path of this site may be the way back after signing in (no open redirect). */
export function safeNext(next: string | null, fallback = '/sittings'): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : fallback;
}

const AUTHORITY_KEY = 'exampay.authority';
/** The authority code: from the link (?authority=), else the one this browser used last. Not a secret. */
export function initialAuthority(params: URLSearchParams): string {
  return params.get('authority') ?? localStorage.getItem(AUTHORITY_KEY) ?? '';
}
export function rememberAuthority(code: string): void {
  localStorage.setItem(AUTHORITY_KEY, code);
}

/**
 * Mailed links carry their token after '#' (never in a server log). It is read once and the
 * address bar is cleaned at once; the token is kept in this tab's sessionStorage only so that a
 * Refresh before the form is sent still works.
 */
export function takeFragmentToken(storageKey: string): string | null {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token');
  if (fromHash) {
    sessionStorage.setItem(storageKey, fromHash);
    history.replaceState(history.state, '', location.pathname + location.search);
    return fromHash;
  }
  return sessionStorage.getItem(storageKey);
}

interface Captcha { captchaId: string; image: string }

/**
 * The image captcha (ACC-4): one-time and bound to this browser, so after every answer the
 * server has used it up and a new one is fetched before the page says what went wrong.
 */
export function useCaptcha(form: FormInstance) {
  const [captcha, setCaptcha] = useState<Captcha | null>(null);
  const [error, setError] = useState<unknown>(null);
  const refresh = useCallback(async () => {
    form.setFieldValue('captcha', '');
    try {
      const c = await fetchCaptcha();
      setCaptcha({ captchaId: c.captchaId, image: c.image });
      setError(null);
    } catch (e) {
      setError(e);
    }
  }, [form]);
  useEffect(() => { void refresh(); }, [refresh]);
  return { id: captcha?.captchaId ?? '', image: captcha?.image, refresh, error };
}

export function CaptchaField({ captcha }: { captcha: ReturnType<typeof useCaptcha> }) {
  const { t, i18n } = useTranslation('account');
  return (
    <Form.Item label={t('captcha.label')} htmlFor="captcha" required>
      <Flex gap={8} wrap align="center">
        <Form.Item name="captcha" noStyle rules={[{ required: true, whitespace: true, message: t('captcha.required') }]}>
          <Input id="captcha" autoComplete="off" maxLength={8} style={{ width: '9em' }} aria-describedby="captcha-hint" />
        </Form.Item>
        {captcha.image
          ? <img id="captcha-img" src={captcha.image} alt={t('captcha.image')} width={150} height={50} style={{ border: '1px solid #d9d9d9', borderRadius: 6 }} />
          : <Spin aria-label={t('captcha.loading')} />}
        <Button icon={<ReloadOutlined aria-hidden />} onClick={() => void captcha.refresh()}>{t('captcha.refresh')}</Button>
      </Flex>
      <div id="captcha-hint" style={{ fontSize: 13, color: '#595959', marginTop: 4 }}>{t('captcha.hint')}</div>
      {captcha.error instanceof ApiError ? <Alert type="error" showIcon title={captcha.error.text(i18n.language)} style={{ marginTop: 8 }} /> : null}
    </Form.Item>
  );
}

/** The server's refusal with the rule-by-rule words it gave (details.messages), in a live region. */
export function RefusalAlert({ error, extra }: { error: unknown; extra?: React.ReactNode }) {
  const { i18n } = useTranslation();
  if (!error) return null;
  const zh = i18n.language.startsWith('zh');
  const messages = error instanceof ApiError && Array.isArray(error.details.messages)
    ? (error.details.messages as { messageZh: string; messageEn: string }[]).map((m) => (zh ? m.messageZh : m.messageEn))
    : [];
  const title = error instanceof ApiError ? error.text(i18n.language) : error instanceof Error ? error.message : String(error);
  return (
    <div id="error" style={{ marginBottom: 16 }}>
      <Alert type="error" showIcon title={title}
        description={(messages.length > 0 || extra || error instanceof ApiError) ? (
          <>
            {messages.length > 0 ? <ul style={{ margin: 0, paddingLeft: '1.2em' }}>{messages.map((m) => <li key={m}>{m}</li>)}</ul> : null}
            {extra}
            {error instanceof ApiError ? <div><small>{error.code}</small></div> : null}
          </>
        ) : undefined} />
    </div>
  );
}

/** A link that looks like a button (an <a>, not a button inside a link) and navigates inside the app. */
export function LinkButton({ to, children, type, id, style }: { to: string; children: React.ReactNode; type?: 'primary' | 'default'; id?: string; style?: React.CSSProperties }) {
  const navigate = useNavigate();
  return (
    <Button id={id} type={type} href={to} style={style}
      onClick={(e) => { if (!e.metaKey && !e.ctrlKey && !e.shiftKey) { e.preventDefault(); navigate(to); } }}>
      {children}
    </Button>
  );
}

const TONES = {
  success: { color: '#135200', background: '#f6ffed', borderColor: '#b7eb8f' },
  warning: { color: '#873800', background: '#fff7e6', borderColor: '#ffd591' },
  error: { color: '#820014', background: '#fff1f0', borderColor: '#ffa39e' },
  info: { color: '#003a8c', background: '#e6f4ff', borderColor: '#91caff' },
  neutral: { color: '#262626', background: '#fafafa', borderColor: '#d9d9d9' },
} as const;
export type Tone = keyof typeof TONES;

/** A state label whose text keeps WCAG AA contrast (antd's coloured tags do not). */
export function StateTag({ tone, children, className }: { tone: Tone; children: React.ReactNode; className?: string }) {
  return <Tag className={className} style={{ ...TONES[tone], marginInlineEnd: 6 }}>{children}</Tag>;
}

/**
 * A request refused because the session ended (idle, signed out elsewhere, replaced by another
 * sign-in): forget who the page thought was signed in, so the candidate frame sends them to
 * sign in and back here — never "log out and in again". A forced password change likewise.
 */
export function useSessionLossRedirect(...errors: unknown[]) {
  const qc = useQueryClient();
  const code = errors.map((e) => (e instanceof ApiError ? e.code : '')).find((c) => SESSION_LOST.has(c)) ?? '';
  useEffect(() => {
    if (code === 'PASSWORD_CHANGE_REQUIRED') void qc.invalidateQueries({ queryKey: ME_KEY });
    else if (code) qc.setQueryData(ME_KEY, null);
  }, [code, qc]);
}
const SESSION_LOST = new Set(['NOT_SIGNED_IN', 'SESSION_EXPIRED', 'PASSWORD_CHANGE_REQUIRED']);

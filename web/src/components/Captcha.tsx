import { ReloadOutlined } from '@ant-design/icons';
import { Button, Input, Space } from 'antd';
import { forwardRef, useCallback, useEffect, useImperativeHandle, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { fetchCaptcha, type IssuedCaptcha as Issued } from '../api/captcha.ts';

export interface CaptchaHandle {
  /** The fields the server wants with the form (captchaId, captchaAnswer). */
  fields(): { captchaId: string; captchaAnswer: string };
  /** A captcha answers once, right or wrong: after every submit the form asks for a new one. */
  renew(): void;
}

/**
 * The image (or arithmetic) captcha of ACC-4: fetched from the server, bound to this browser by
 * its cookie, renewed after every use and on request. The answer is never known to the page.
 */
export const Captcha = forwardRef<CaptchaHandle, { kind?: 'TEXT' | 'ARITHMETIC' }>(function Captcha({ kind = 'TEXT' }, ref) {
  const { t } = useTranslation();
  const [issued, setIssued] = useState<Issued>();
  const [answer, setAnswer] = useState('');
  const renew = useCallback(() => {
    setAnswer('');
    void fetchCaptcha(kind).then(setIssued, () => setIssued(undefined));
  }, [kind]);
  useEffect(renew, [renew]);
  useImperativeHandle(ref, () => ({ fields: () => ({ captchaId: issued?.captchaId ?? '', captchaAnswer: answer.trim() }), renew }), [issued, answer, renew]);
  const label = kind === 'ARITHMETIC' ? t('captcha.arithmetic') : t('captcha.text');
  return (
    <div>
      <label htmlFor="captcha" style={{ display: 'block', marginBottom: 4 }}>{label}</label>
      <Space wrap>
        <Input id="captcha" name="captcha" value={answer} onChange={(e) => setAnswer(e.target.value)} autoComplete="off" inputMode={kind === 'ARITHMETIC' ? 'numeric' : 'text'} maxLength={16} style={{ width: 140 }} required aria-required />
        {issued ? <img id="captcha-img" src={issued.image} alt={t('captcha.imageAlt')} height={44} style={{ border: '1px solid #d9d9d9', borderRadius: 6 }} /> : null}
        <Button icon={<ReloadOutlined />} onClick={renew} aria-label={t('captcha.renew')}>{t('captcha.renew')}</Button>
      </Space>
    </div>
  );
});

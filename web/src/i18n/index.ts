import i18n from 'i18next';
import { initReactI18next } from 'react-i18next';
import { account } from './account.ts';
import { bills } from './bills.ts';
import { common } from './common.ts';
import { config } from './config.ts';
import { documents } from './documents.ts';
import { finance } from './finance.ts';
import { imports } from './imports.ts';
import { institution } from './institution.ts';
import { registration } from './registration.ts';
import { staff } from './staff.ts';
import { appeals, registrationReasonExtras } from './appeals.ts';

/** One namespace per area, so pages built side by side do not edit the same file. */
export const NAMESPACES = { common, account, registration, bills, documents, staff, institution, appeals, config, finance, imports } as const;
export type Lang = 'zh-CN' | 'en';

const STORAGE_KEY = 'exampay.lang';

export function initialLang(): Lang {
  const saved = typeof localStorage === 'undefined' ? null : localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'zh-CN') return saved;
  // Chinese by default: English only when asked for (?lang=en) or chosen before.
  return new URLSearchParams(location.search).get('lang') === 'en' ? 'en' : 'zh-CN';
}

export function setLang(lang: Lang): void {
  localStorage.setItem(STORAGE_KEY, lang);
  document.documentElement.lang = lang;
  void i18n.changeLanguage(lang);
}

const resources = {
  'zh-CN': Object.fromEntries(Object.entries(NAMESPACES).map(([ns, v]) => [ns, v.zh])),
  en: Object.fromEntries(Object.entries(NAMESPACES).map(([ns, v]) => [ns, v.en])),
};

void i18n.use(initReactI18next).init({
  resources,
  lng: initialLang(),
  fallbackLng: false,
  ns: Object.keys(NAMESPACES),
  defaultNS: 'common',
  interpolation: { escapeValue: false },
  returnNull: false,
});
for (const [lng, words] of [['zh-CN', registrationReasonExtras.zh], ['en', registrationReasonExtras.en]] as const) i18n.addResourceBundle(lng, 'registration', words, true, false);
document.documentElement.lang = i18n.language;

export default i18n;

/** Words of the account pages. Every key exists in both languages (web/src/i18n/i18n.test.ts). */
export const account = {
  zh: {},
  en: {},
};

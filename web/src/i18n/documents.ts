/** Words of the documents pages. Every key exists in both languages (web/src/i18n/i18n.test.ts). */
export const documents = {
  zh: {},
  en: {},
};

import { describe, expect, it } from 'vitest';
import { keyPaths } from '../web/src/i18n/completeness.ts';
import { account } from '../web/src/i18n/account.ts';
import { bills } from '../web/src/i18n/bills.ts';
import { common } from '../web/src/i18n/common.ts';
import { config } from '../web/src/i18n/config.ts';
import { documents } from '../web/src/i18n/documents.ts';
import { finance } from '../web/src/i18n/finance.ts';
import { imports } from '../web/src/i18n/imports.ts';
import { institution } from '../web/src/i18n/institution.ts';
import { registration } from '../web/src/i18n/registration.ts';
import { staff } from '../web/src/i18n/staff.ts';
import { appeals, registrationReasonExtras } from '../web/src/i18n/appeals.ts';

// The web app is Chinese first with a complete English translation: a word missing in either
// language would show its key on the page.
describe('web app words', () => {
  for (const [ns, words] of Object.entries({ common, account, registration, bills, documents, staff, institution, appeals, registrationReasonExtras, config, finance, imports })) {
    it(`${ns}: both languages have the same keys and no empty text`, () => {
      expect(keyPaths(words.en).sort()).toEqual(keyPaths(words.zh).sort());
      for (const lang of [words.zh, words.en]) {
        for (const path of keyPaths(lang)) {
          const value = path.split('.').reduce<unknown>((o, k) => (o as Record<string, unknown>)[k], lang);
          expect(typeof value === 'string' && value.trim().length > 0, `${ns}.${path}`).toBe(true);
        }
      }
    });
  }
  it('the key walk sees nested keys (so the comparison above can fail)', () => {
    expect(keyPaths({ a: { b: 'x', c: 'y' }, d: 'z' })).toEqual(['a.b', 'a.c', 'd']);
  });
});

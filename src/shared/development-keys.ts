import fs from 'node:fs';
import path from 'node:path';
import { generatePersonalDataKeyText, parsePersonalDataKeys, type PersonalDataKeys } from './personal-data.ts';

export const DEVELOPMENT_KEYS_FILE = 'personal-data-keys.development.json';

/**
 * `npm start` with nothing configured still encrypts personal data (OPS-6): with random keys
 * made at the first start and kept beside the embedded database in DATA_DIR, readable by the
 * owner only. Live mode never gets here: loadConfig refuses it without PERSONAL_DATA_KEYS.
 * Losing this file makes the ID numbers in that database unreadable; main.ts checks at start
 * that the keys open the data there.
 */
export function developmentPersonalDataKeys(dataDir: string): { keys: PersonalDataKeys; file: string; created: boolean } {
  const file = path.join(dataDir, DEVELOPMENT_KEYS_FILE);
  let created = false;
  if (!fs.existsSync(file)) {
    const text = generatePersonalDataKeyText();
    fs.mkdirSync(dataDir, { recursive: true });
    const content = JSON.stringify({
      purpose: 'Development keys of ID numbers and phones in this data directory, made by npm start. Not for production: PAYMENT_MODE=live requires PERSONAL_DATA_KEYS and PERSONAL_DATA_HASH_KEY.',
      PERSONAL_DATA_KEYS: text.encryption,
      PERSONAL_DATA_HASH_KEY: text.hash,
    }, null, 2);
    try {
      // 'wx': of two processes starting at once on a fresh directory, one writes and both read it.
      fs.writeFileSync(file, `${content}\n`, { mode: 0o600, flag: 'wx' });
      created = true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
  }
  if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
  let stored: { PERSONAL_DATA_KEYS?: unknown; PERSONAL_DATA_HASH_KEY?: unknown };
  try {
    stored = JSON.parse(fs.readFileSync(file, 'utf8')) as typeof stored;
  } catch (e) {
    throw new Error(`${file} is not readable JSON (${(e as Error).message}); restore it from a backup, or delete it together with ${path.join(dataDir, 'postgres')} to start afresh`, { cause: e });
  }
  if (typeof stored.PERSONAL_DATA_KEYS !== 'string' || typeof stored.PERSONAL_DATA_HASH_KEY !== 'string') {
    throw new Error(`${file} lacks PERSONAL_DATA_KEYS or PERSONAL_DATA_HASH_KEY`);
  }
  return { keys: parsePersonalDataKeys(stored.PERSONAL_DATA_KEYS, stored.PERSONAL_DATA_HASH_KEY), file, created };
}

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEVELOPMENT_KEYS_FILE, developmentPersonalDataKeys } from './development-keys.ts';
import { openPersonal, sealPersonal } from './personal-data.ts';

const dirs: string[] = [];
const tmp = () => { const d = fs.mkdtempSync(path.join(os.tmpdir(), 'exampay-devkeys-')); dirs.push(d); return path.join(d, 'data'); };
afterEach(() => { for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true }); });

describe('development keys for npm start on embedded defaults', () => {
  it('are made once, owner-only (0600), and the same keys come back at the next start', () => {
    const dir = tmp();
    const first = developmentPersonalDataKeys(dir);
    expect(first.created).toBe(true);
    expect(fs.statSync(first.file).mode & 0o777).toBe(0o600);
    const second = developmentPersonalDataKeys(dir);
    expect(second.created).toBe(false);
    expect(openPersonal(second.keys, 'id-number', sealPersonal(first.keys, 'id-number', '110105199003071239'))).toBe('110105199003071239');
    expect(second.keys.hash.equals(first.keys.hash)).toBe(true);
  });

  it('a key file others can read is made owner-only again', () => {
    const dir = tmp();
    const { file } = developmentPersonalDataKeys(dir);
    fs.chmodSync(file, 0o644);
    developmentPersonalDataKeys(dir);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('a damaged key file stops the start with what to do', () => {
    const dir = tmp();
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, DEVELOPMENT_KEYS_FILE), '{not json');
    expect(() => developmentPersonalDataKeys(dir)).toThrow(/is not readable JSON.*restore it from a backup, or delete it together with/);
  });
});

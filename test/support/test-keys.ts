import { parsePersonalDataKeys } from '../../src/shared/personal-data.ts';

/** The tests' personal-data keys (OPS-6): fixed, so every file seals and hashes alike; never used outside tests. */
export const TEST_PERSONAL_DATA = parsePersonalDataKeys(
  `1:${Buffer.alloc(32, 0x11).toString('base64')}`,
  Buffer.alloc(32, 0x22).toString('base64'),
);

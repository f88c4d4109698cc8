import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readConfiguration, seedConfigurationFiles } from '../src/demo/seed-configurations.ts';
import { ConfigurationError, loadConfiguration, parseConfiguration } from '../src/modules/exams/load-configuration.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';
import { TEST_PERSONAL_DATA } from './support/test-keys.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());

const file = (prefix: string) => seedConfigurationFiles().find((f) => f.includes(`/${prefix}-`))!;

describe('institutions in exam configurations (REG-8, ORG-2)', () => {
  it('seed 002 puts every CET candidate in its school; seed 000 splits them over two learning centres', async () => {
    const now = new Date('2026-03-15T01:00:00Z');
    for (const [prefix, expected] of [['002', { 王思雨: 'U01', 刘洋: 'U01', 赵敏: 'U01', 周子豪: 'U01' }], ['000', { 张伟: 'BJ-HD', 李娜: 'BJ-HD', 王强: 'GZ-TH', 陈静: 'GZ-TH' }]] as const) {
      const loaded = await loadConfiguration({ db: t.db, personalData: TEST_PERSONAL_DATA }, readConfiguration(file(prefix)), now);
      const rows = await t.db.selectFrom('candidate as c').innerJoin('institution as i', 'i.id', 'c.institution_id').select(['c.name', 'i.code', 'i.authority_id'])
        .where('c.exam_id', '=', loaded!.examId).execute();
      expect(Object.fromEntries(rows.map((r) => [r.name, r.code]))).toEqual(expected);
    }
  });

  it('a candidate naming an institution the file does not define is refused, and nothing is created', async () => {
    const config = readConfiguration(file('002'));
    const bad = { ...config, authority: { ...config.authority, code: 'CETBAD' }, candidates: [{ ...config.candidates[0]!, institution: 'NOPE' }] };
    await expect(loadConfiguration({ db: t.db, personalData: TEST_PERSONAL_DATA }, bad, new Date())).rejects.toThrow(ConfigurationError);
    await expect(loadConfiguration({ db: t.db, personalData: TEST_PERSONAL_DATA }, bad, new Date())).rejects.toThrow('institution NOPE is not defined');
    expect(await t.db.selectFrom('authority').select('id').where('code', '=', 'CETBAD').execute()).toEqual([]);
  });
  it('ORG-1: the channels offered to institutions are configuration — by default the exam\'s own, or a list of their own', async () => {
    const config = readConfiguration(file('000'));
    const own = await loadConfiguration({ db: t.db, personalData: TEST_PERSONAL_DATA }, { ...config, authority: { ...config.authority, code: 'TKORG1' } }, new Date());
    const asConfigured = await loadConfiguration({ db: t.db, personalData: TEST_PERSONAL_DATA },
      { ...config, authority: { ...config.authority, code: 'TKORG2' }, exam: { ...config.exam, institutionChannels: ['unionpay', 'alipay'] } }, new Date());
    const channels = (examId: bigint) => t.db.selectFrom('exam').select(['channels', 'institution_channels']).where('id', '=', examId).executeTakeFirstOrThrow();
    expect(await channels(own!.examId)).toEqual({ channels: config.exam.channels, institution_channels: null });
    expect((await channels(asConfigured!.examId)).institution_channels).toEqual(['unionpay', 'alipay']);
    for (const bad of [[], ['cash'], ['alipay', 'alipay']]) {
      expect(() => parseConfiguration({ ...config, exam: { ...config.exam, institutionChannels: bad } })).toThrow(/institutionChannels/);
    }
  });
});

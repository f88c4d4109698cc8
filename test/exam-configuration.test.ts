import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigurationError, loadConfiguration, parseConfiguration, resolveWhen } from '../src/modules/exams/load-configuration.ts';
import type { ExamConfiguration } from '../src/modules/exams/exam-configuration.schema.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';
import { TEST_PERSONAL_DATA } from './support/test-keys.ts';

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => t.drop());
const load = (config: ExamConfiguration) => loadConfiguration({ db: t.db, personalData: TEST_PERSONAL_DATA }, config, now);

const now = new Date('2026-03-15T01:00:00Z'); // 09:00 Beijing

export const SMALL: ExamConfiguration = {
  seed: 'inline test',
  authority: { code: 'CFG1', name: '测试考试院' },
  exam: {
    code: 'TK', name: '统考', accountStyle: 'ID_DOCUMENT', initialPassword: { rule: 'ID_LAST6' }, billTimeoutMinutes: 30,
    channels: ['alipay'], bankCardOnly: false, agreementText: '协议', releaseSeatsOnBillExpiry: true, rosterRestricted: false,
    auditRequired: false, unpaidRegistrationTtlHours: null, cet6ReviewThreshold: null, refundPolicy: 'NO_PERSONAL_REFUNDS',
  },
  sitting: {
    code: '2026-03', name: '2026年3月',
    windows: [{ kind: 'REGISTRATION', opens: 'P-1D', closes: 'P10DT8H' }, { kind: 'PRINT', opens: '2026-04-01 09:00:00', closes: '2026-04-11 09:00:00' }],
    subjects: [
      { code: 'ENG-A', name: '大学英语A', kind: 'WRITTEN', feeFen: 8000, exclusionGroup: 'ENGLISH' },
      { code: 'ENG-B', name: '大学英语B', kind: 'WRITTEN', feeFen: 8000, exclusionGroup: 'ENGLISH' },
      { code: 'ORAL', name: '口语', kind: 'ORAL', feeFen: 5000, writtenSubject: 'ENG-B' },
    ],
    sites: [{ code: 'S1', name: '考点一' }],
    slots: [{ code: 'AM', starts: 'P27DT0H', ends: 'P27DT2H' }],
    capacity: [{ site: 'S1', slot: 'AM', subject: 'ENG-B', seats: 30 }],
  },
  candidates: [{ idNumber: '110105199003071239', name: '张三', standing: { 'ENG-A': 'PASSED' } }],
};

describe('exam configurations as data (REG-1, ADM-1)', () => {
  it('times are relative durations from load time, or Beijing times', () => {
    expect(resolveWhen('P-1D', now).toISOString()).toBe('2026-03-14T01:00:00.000Z');
    expect(resolveWhen('P10DT8H', now).toISOString()).toBe('2026-03-25T09:00:00.000Z');
    expect(resolveWhen('PT90M', now).toISOString()).toBe('2026-03-15T02:30:00.000Z');
    expect(resolveWhen('2026-04-01 09:00:00', now).toISOString()).toBe('2026-04-01T01:00:00.000Z');
  });

  it('an invalid configuration is refused with each problem named, and nothing is created', async () => {
    const bad = structuredClone(SMALL) as unknown as { exam: { channels: string[]; billTimeoutMinutes: number } };
    bad.exam.channels = ['bitcoin'];
    bad.exam.billTimeoutMinutes = 0;
    expect(() => parseConfiguration(bad)).toThrow(ConfigurationError);
    expect(() => parseConfiguration(bad)).toThrow(/\/exam\/channels\/0: must match a schema in anyOf/);
    expect(() => parseConfiguration(bad)).toThrow(/\/exam\/billTimeoutMinutes: must be >= 1/);
    const dangling = structuredClone(SMALL);
    dangling.authority.code = 'CFG2';
    dangling.sitting.capacity = [{ site: 'S9', slot: 'AM', subject: 'ENG-B', seats: 1 }];
    await expect(load(parseConfiguration(dangling))).rejects.toThrow(/\/sitting\/capacity\/0\/site: S9 is not a site of this sitting/);
    const badId = structuredClone(SMALL);
    badId.authority.code = 'CFG3';
    badId.candidates[0]!.idNumber = '110105199003071230';
    await expect(load(parseConfiguration(badId))).rejects.toThrow(/not a valid 居民身份证 number/);
    expect(await t.db.selectFrom('authority').select('id').where('code', '=', 'CFG3').executeTakeFirst()).toBeUndefined();
    expect(await t.db.selectFrom('authority').select('id').where('code', '=', 'CFG2').executeTakeFirst()).toBeUndefined();
  });

  it('loads everything once; loading again changes nothing', async () => {
    const loaded = await load(parseConfiguration(structuredClone(SMALL)));
    expect(loaded?.accounts).toEqual([{ name: '张三', idNumber: '110105199003071239', password: '071239' }]);
    const subjects = await t.db.selectFrom('subject').select(['code', 'written_subject_id', 'exclusion_group']).where('sitting_id', '=', loaded!.sittingId).orderBy('id').execute();
    expect(subjects.map((s) => s.code)).toEqual(['ENG-A', 'ENG-B', 'ORAL']);
    expect(subjects[2]!.written_subject_id).not.toBeNull();
    expect(await t.db.selectFrom('seat').select('id').where('state', '=', 'FREE').execute()).toHaveLength(30);
    const windows = await t.db.selectFrom('sitting_window').select(['kind', 'opens_at']).where('sitting_id', '=', loaded!.sittingId).orderBy('id').execute();
    expect(windows[0]).toEqual({ kind: 'REGISTRATION', opens_at: new Date('2026-03-14T01:00:00Z') });
    const standing = await t.db.selectFrom('candidate_subject_standing').select('status').execute();
    expect(standing.map((x) => x.status)).toEqual(['PASSED']);
    expect(await load(parseConfiguration(structuredClone(SMALL)))).toBeUndefined();
    expect(await t.db.selectFrom('exam').select('id').execute()).toHaveLength(1);
  });
});

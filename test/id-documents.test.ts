import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedConfigurations } from '../src/demo/seed-configurations.ts';
import { seedDemo } from '../src/demo/seed-demo.ts';
import { loadConfiguration, parseConfiguration } from '../src/modules/exams/load-configuration.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { validateIdNumber, recogniseIdNumber, type IdType } from '../src/shared/id-document.ts';
import { residentIdCheckChar } from '../src/shared/resident-id.ts';
import { makeExam, type ExamFixture } from './support/fixtures.ts';
import { Browser } from './support/http.ts';
import { buildTestApp } from './support/test-app.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';

let t: TestDatabase;
let app: FastifyInstance;
let exam: ExamFixture;
const clock = new ManualClock('2026-03-15T01:00:00Z');
const id = (first17: string) => first17 + residentIdCheckChar(first17);

beforeAll(async () => {
  t = await createTestDatabase();
  ({ app } = await buildTestApp(t, { clock }));
  exam = await makeExam(t.db);
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

/** A small roster configuration with the given people (the exam's other settings are irrelevant here). */
function roster(code: string, candidates: { idNumber: string; idType?: IdType; name: string }[]) {
  return parseConfiguration({
    seed: 'test', authority: { code, name: '证件测试考试院' },
    exam: { code: 'IDS', name: '证件测试', accountStyle: 'ID_DOCUMENT', initialPassword: { rule: 'FIXED', password: 'Start2026' }, billTimeoutMinutes: 30, channels: ['alipay'], bankCardOnly: false,
      agreementText: '', releaseSeatsOnBillExpiry: false, rosterRestricted: false, auditRequired: false, unpaidRegistrationTtlHours: null, cet6ReviewThreshold: null, refundPolicy: 'STAFF_DECIDES' },
    sitting: { code: 'S1', name: '第一次', windows: [], subjects: [{ code: 'A', name: '科目A', kind: 'WRITTEN', feeFen: 100 }], sites: [], slots: [], capacity: [] },
    candidates,
  });
}

describe('ID numbers at sign-in (ACC-1)', () => {
  it('a bad number gets its own coded, bilingual answer — which part is wrong — before any account is looked up or counted', async () => {
    const b = new Browser(app, { remoteAddress: '10.3.0.1' });
    const cases: [string, string, RegExp][] = [
      ['110105194912310021', 'ID_NUMBER_CHECK_DIGIT', /校验码/],
      [id('11010519490230002'), 'ID_NUMBER_BIRTH_DATE', /出生日期/],
      [id('11010520300101002'), 'ID_NUMBER_BIRTH_DATE', /出生日期/],
      [id('99010519900307123'), 'ID_NUMBER_REGION', /地区代码/],
      ['110105491231002', 'ID_NUMBER_15_DIGITS', /15位/],
      ['11010519491231002', 'ID_NUMBER_FORMAT', /18位/],
      ['张三', 'ID_NUMBER_FORMAT', /格式不正确/],
    ];
    for (const [number, code, zh] of cases) {
      const r = await b.signIn(exam.authorityCode, number, 'Whatever2026');
      expect(r.status, number).toBe(400);
      expect(r.body.error.code, number).toBe(code);
      expect(r.body.error.messageZh).toMatch(zh);
      expect(r.body.error.messageEn).toMatch(/[A-Za-z]{4}/);
      expect(r.body.error.messageZh + r.body.error.messageEn).not.toMatch(/[{}]/);
    }
    expect(await t.db.selectFrom('sign_in_throttle').selectAll().execute()).toEqual([]);
  });

  it('the number may be typed with full-width digits, spaces or a lower-case x', async () => {
    const loaded = (await loadConfiguration(t.db, roster('IDT0', [{ idNumber: '11010519491231002X', name: '赵一' }]), clock.now()))!;
    const b = new Browser(app);
    expect((await b.signIn(loaded.authorityCode, '１１０１０５ １９４９１２３１ ００２x', 'Start2026')).status).toBe(200);
  });
});

describe('ID numbers on a roster (ACC-1)', () => {
  it('passports, both travel permits and the 港澳台居民居住证 are accepted by their formats, stored normalised, and sign in', async () => {
    const people = [
      { idType: 'PASSPORT' as const, idNumber: 'e12345678', name: 'Anna Müller' },
      { idType: 'HK_MACAO_PERMIT' as const, idNumber: 'H12345678', name: '陈大文' },
      { idType: 'TAIWAN_PERMIT' as const, idNumber: '87654321', name: '林小美' },
      { idType: 'HMT_RESIDENCE_PERMIT' as const, idNumber: id('83000019950101002'), name: '王台生' },
    ];
    const loaded = (await loadConfiguration(t.db, roster('IDT1', people), clock.now()))!;
    const rows = await t.db.selectFrom('candidate').select(['id_type', 'id_number']).where('authority_id', '=', (await t.db.selectFrom('authority').select('id').where('code', '=', 'IDT1').executeTakeFirstOrThrow()).id).orderBy('id').execute();
    expect(rows).toEqual(people.map((p) => ({ id_type: p.idType, id_number: p.idNumber.toUpperCase() })));
    for (const p of people) {
      const r = await new Browser(app).signIn(loaded.authorityCode, p.idNumber, 'Start2026');
      expect(r.status, p.idType).toBe(200);
    }
  });

  it('a roster with a bad number is refused whole, naming the row, the problem and never the full number', async () => {
    const cases: [IdType, string, RegExp][] = [
      ['RESIDENT_ID', '110105199003071230', /ID_NUMBER_CHECK_DIGIT/],
      ['RESIDENT_ID', id('11010519900230123'), /ID_NUMBER_BIRTH_DATE/],
      ['RESIDENT_ID', id('83000019950101002'), /ID_NUMBER_WRONG_TYPE/],
      ['HK_MACAO_PERMIT', 'K12345678', /ID_NUMBER_FORMAT.*H or M followed by 8 digits/],
      ['TAIWAN_PERMIT', '123456789', /ID_NUMBER_FORMAT/],
      ['PASSPORT', 'ABCDEFG', /ID_NUMBER_FORMAT/],
    ];
    let n = 0;
    for (const [idType, idNumber, message] of cases) {
      const code = `IDB${++n}`;
      const config = roster(code, [{ idNumber: id('11010519800101001'), name: '好人' }, { idType, idNumber, name: '坏号码' }]);
      const error = await loadConfiguration(t.db, config, clock.now()).then(() => null, (e: Error) => e);
      expect(error?.message, `${idType} ${idNumber}`).toMatch(message);
      expect(error?.message).toContain('candidate 坏号码');
      if (idNumber.length > 8) expect(error?.message).not.toContain(idNumber);
      expect(await t.db.selectFrom('authority').select('id').where('code', '=', code).executeTakeFirst()).toBeUndefined();
    }
  });
});

describe('the demo and the five seed systems', () => {
  it('hold only valid ID numbers, each of the type it is stored as (candidates and CET4 results)', async () => {
    const fresh = await createTestDatabase();
    const db = fresh.db;
    try {
      await seedDemo(db, clock.now());
      await seedConfigurations(db, clock.now());
      const candidates = await db.selectFrom('candidate').select(['id_type', 'id_number']).execute();
      expect(candidates.length).toBeGreaterThanOrEqual(20);
      for (const c of candidates) expect(validateIdNumber(c.id_type, c.id_number, clock.now()), c.id_number.slice(0, 6)).toMatchObject({ ok: true, value: { number: c.id_number } });
      const scores = await db.selectFrom('cet4_score').select('id_number').execute();
      expect(scores.length).toBeGreaterThan(0);
      for (const s of scores) expect(recogniseIdNumber(s.id_number, clock.now()).ok).toBe(true);
    } finally {
      await fresh.drop();
    }
  });
});

/**
 * The configuration console's API (ADM-1) and the audit log's search and export (ADM-4), over
 * HTTP as signed-in staff: every bad input gets its stable code, a fitting status, Chinese and
 * English, and changes nothing (not even the audit log); the sitting file round-trips; roles
 * other than the authority's administrators change nothing. Who else is refused per route is the
 * access-control suite's (test/access-control.test.ts).
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { routeTable } from '../src/http/app.ts';
import { MINUTE, type ManualClock } from '../src/shared/clock.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';
import { buildTestApp } from './support/test-app.ts';
import { makeCandidate, makeExam } from './support/fixtures.ts';
import { Browser } from './support/http.ts';
import { makeStaff, staffBrowser } from './support/staff-fixtures.ts';

let t: TestDatabase;
let app: FastifyInstance;
let clock: ManualClock;
let admin: Browser;
let finance: Browser;
let readOnly: Browser;
let adminId: bigint;
const A = '/api/v1/admin';
type Res = { status: number; body: any; text: string; headers: Record<string, unknown> }; // eslint-disable-line @typescript-eslint/no-explicit-any

const EXAM = {
  code: 'CFG', name: '控制台考试', accountStyle: 'ID_DOCUMENT', initialPassword: { rule: 'ID_LAST6' }, billTimeoutMinutes: 30,
  channels: ['alipay', 'wechatpay'], bankCardOnly: false, agreementText: '缴费协议', releaseSeatsOnBillExpiry: false,
  rosterRestricted: false, auditRequired: false, unpaidRegistrationTtlHours: 24, cet6ReviewThreshold: null, refundPolicy: 'STAFF_DECIDES',
};
/** The configured world: exam CFG, sitting S1 (site A, slot AM, written W with 3 seats and its oral O), a candidate holding a seat of W on an unpaid bill. */
const W = { exam: '', sitting: '', site: '', slot: '', written: '', oral: '', window: '', pool: '' };

async function expectOk(p: Promise<Res>, status: number) {
  const r = await p;
  expect(r.status, r.text).toBe(status);
  return r.body;
}

/** Everything a configuration request could change, the audit log included. */
async function snapshot(): Promise<string> {
  const tables = ['exam', 'sitting', 'subject', 'site', 'slot', 'seat_pool', 'seat', 'sitting_window', 'registration', 'audit_log'];
  const parts = await Promise.all(tables.map(async (tbl) =>
    (await sql<{ d: string | null }>`SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) AS d FROM ${sql.table(tbl)} x`.execute(t.db)).rows[0]!.d ?? ''));
  return parts.join(' ');
}

beforeAll(async () => {
  t = await createTestDatabase();
  ({ app, clock } = await buildTestApp(t));
  const home = await makeExam(t.db);
  const a = await makeStaff(t.db, home, 'AUTHORITY_ADMIN');
  adminId = a.staffId;
  admin = await staffBrowser(app, a);
  finance = await staffBrowser(app, await makeStaff(t.db, home, 'FINANCE'));
  readOnly = await staffBrowser(app, await makeStaff(t.db, home, 'READ_ONLY'));

  W.exam = (await expectOk(admin.post(`${A}/exams`, EXAM), 201)).examId;
  W.sitting = (await expectOk(admin.post(`${A}/exams/${W.exam}/sittings`, { code: 'S1', name: '第一次' }), 201)).sittingId;
  const S = `${A}/sittings/${W.sitting}`;
  W.site = (await expectOk(admin.post(`${S}/sites`, { code: 'A', name: '甲考点' }), 201)).siteId;
  W.slot = (await expectOk(admin.post(`${S}/slots`, { code: 'AM', starts: '2026-04-11 09:00:00', ends: '2026-04-11 11:00:00' }), 201)).slotId;
  W.written = (await expectOk(admin.post(`${S}/subjects`, { code: 'W', name: '笔试', kind: 'WRITTEN', feeFen: '7000' }), 201)).subjectId;
  W.oral = (await expectOk(admin.post(`${S}/subjects`, { code: 'O', name: '口试', kind: 'ORAL', feeFen: '5000', writtenSubject: 'W' }), 201)).subjectId;
  W.window = (await expectOk(admin.post(`${S}/windows`, { kind: 'REGISTRATION', opens: 'P-1D', closes: 'P10D' }), 201)).windowId;
  W.pool = (await expectOk(admin.put(`${S}/capacity`, { site: 'A', slot: 'AM', subject: 'W', seats: 3 }), 200)).poolId;
  const c = await makeCandidate(t.db, { authorityId: home.authorityId, authorityCode: home.authorityCode, examId: BigInt(W.exam), sittingId: BigInt(W.sitting), subjectIds: [], fees: [] });
  const candidate = new Browser(app);
  expect((await candidate.signIn(home.authorityCode, c.idNumber, c.password)).status).toBe(200);
  const reg = await expectOk(candidate.post('/api/v1/registrations', { subjectId: W.written, siteId: W.site, slotId: W.slot }), 201);
  await expectOk(candidate.post('/api/v1/bills', { registrationIds: [reg.registrationId] }), 201);
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

const S = () => `${A}/sittings/${W.sitting}`;
const subject = (over: Record<string, unknown> = {}) => ({ code: 'N', name: '新科目', kind: 'WRITTEN', feeFen: '1000', ...over });

describe('bad input: a stable code, zh + en, a fitting status, and nothing changed (OPS-5)', () => {
  const cases: [string, () => Promise<Res>, number, string, string?][] = [
    ['an unknown channel', () => admin.post(`${A}/exams`, { ...EXAM, code: 'X1', channels: ['bitcoin'] }), 400, 'VALIDATION_FAILED'],
    ['a password maximum below its minimum', () => admin.post(`${A}/exams`, { ...EXAM, code: 'X2', passwordPolicy: { minLength: 10, maxLength: 8, requiredClasses: [], specialCharacters: '' } }), 422, 'CONFIGURATION_INVALID', '/passwordPolicy/maxLength'],
    ['an exam code in use', () => admin.post(`${A}/exams`, EXAM), 409, 'CONFIG_CODE_TAKEN'],
    ['another account style once there are candidates', () => admin.put(`${A}/exams/${W.exam}`, { ...EXAM, accountStyle: 'EMAIL' }), 422, 'CONFIGURATION_INVALID', '/accountStyle'],
    ['a sitting code in use', () => admin.post(`${A}/exams/${W.exam}/sittings`, { code: 'S1', name: '重复' }), 409, 'CONFIG_CODE_TAKEN'],
    ['a window closing before it opens', () => admin.post(`${S()}/windows`, { kind: 'PAYMENT', opens: '2026-03-20 09:00:00', closes: '2026-03-20 08:00:00' }), 422, 'CONFIGURATION_INVALID', '/closes'],
    ['a window closing as it opens', () => admin.put(`${A}/windows/${W.window}`, { kind: 'REGISTRATION', opens: 'P1D', closes: 'P1D' }), 422, 'CONFIGURATION_INVALID', '/closes'],
    ['a site-management window without its site', () => admin.post(`${S()}/windows`, { kind: 'SITE_MANAGEMENT', opens: 'P1D', closes: 'P2D' }), 422, 'CONFIGURATION_INVALID', '/site'],
    ['a registration window with a site', () => admin.post(`${S()}/windows`, { kind: 'REGISTRATION', site: 'A', opens: 'P1D', closes: 'P2D' }), 422, 'CONFIGURATION_INVALID', '/site'],
    ['a window at an unknown site', () => admin.post(`${S()}/windows`, { kind: 'SITE_MANAGEMENT', site: 'NOPE', opens: 'P1D', closes: 'P2D' }), 422, 'CONFIGURATION_INVALID', '/site'],
    ['a day that does not exist', () => admin.post(`${S()}/windows`, { kind: 'PRINT', opens: '2026-02-30 09:00:00', closes: '2026-03-30 09:00:00' }), 422, 'CONFIGURATION_INVALID', '/opens'],
    ['a time in no known form', () => admin.post(`${S()}/windows`, { kind: 'PRINT', opens: 'tomorrow', closes: 'P2D' }), 400, 'VALIDATION_FAILED'],
    ['a slot ending as it starts', () => admin.post(`${S()}/slots`, { code: 'PM', starts: '2026-04-11 14:00:00', ends: '2026-04-11 14:00:00' }), 422, 'CONFIGURATION_INVALID', '/ends'],
    ['a slot code in use', () => admin.post(`${S()}/slots`, { code: 'AM', starts: '2026-04-12 09:00:00', ends: '2026-04-12 11:00:00' }), 409, 'CONFIG_CODE_TAKEN'],
    ['a site code in use', () => admin.post(`${S()}/sites`, { code: 'A', name: '又一个甲' }), 409, 'CONFIG_CODE_TAKEN'],
    ['a fee in yuan', () => admin.post(`${S()}/subjects`, subject({ feeFen: '12.5' })), 400, 'VALIDATION_FAILED'],
    ['a fee as a JSON number', () => admin.post(`${S()}/subjects`, subject({ feeFen: 1000 })), 400, 'VALIDATION_FAILED'],
    ['a fee above the file\'s maximum', () => admin.post(`${S()}/subjects`, subject({ feeFen: '100000001' })), 422, 'CONFIGURATION_INVALID', '/feeFen'],
    ['an oral subject naming an unknown written one', () => admin.post(`${S()}/subjects`, subject({ kind: 'ORAL', writtenSubject: 'NOPE' })), 422, 'CONFIGURATION_INVALID', '/writtenSubject'],
    ['an oral subject naming an oral one', () => admin.post(`${S()}/subjects`, subject({ kind: 'ORAL', writtenSubject: 'O' })), 422, 'CONFIGURATION_INVALID', '/writtenSubject'],
    ['a written subject naming a written one', () => admin.post(`${S()}/subjects`, subject({ writtenSubject: 'W' })), 422, 'CONFIGURATION_INVALID', '/writtenSubject'],
    ['a written subject made oral while an oral one builds on it', () => admin.put(`${A}/subjects/${W.written}`, { code: 'W', name: '笔试', kind: 'ORAL', feeFen: '7000' }), 422, 'CONFIGURATION_INVALID', '/kind'],
    ['a subject code in use', () => admin.post(`${S()}/subjects`, subject({ code: 'W' })), 409, 'CONFIG_CODE_TAKEN'],
    ['a fee change on a billed subject', () => admin.put(`${A}/subjects/${W.written}`, { code: 'W', name: '笔试', kind: 'WRITTEN', feeFen: '7100' }), 409, 'SUBJECT_FEE_LOCKED'],
    ['capacity below the seat held', () => admin.put(`${S()}/capacity`, { site: 'A', slot: 'AM', subject: 'W', seats: 0 }), 409, 'CAPACITY_BELOW_TAKEN'],
    ['capacity at an unknown site', () => admin.put(`${S()}/capacity`, { site: 'NOPE', slot: 'AM', subject: 'W', seats: 5 }), 422, 'CONFIGURATION_INVALID', '/site'],
    ['negative capacity', () => admin.put(`${S()}/capacity`, { site: 'A', slot: 'AM', subject: 'W', seats: -1 }), 400, 'VALIDATION_FAILED'],
    ['deleting a subject with a registration', () => admin.delete(`${A}/subjects/${W.written}`), 409, 'CONFIG_IN_USE'],
    ['deleting a written subject an oral one builds on', () => admin.delete(`${A}/subjects/${W.written}`), 409, 'CONFIG_IN_USE'],
    ['deleting a site with a registration', () => admin.delete(`${A}/sites/${W.site}`), 409, 'CONFIG_IN_USE'],
    ['deleting a slot with a registration', () => admin.delete(`${A}/slots/${W.slot}`), 409, 'CONFIG_IN_USE'],
    ['deleting capacity with a registration', () => admin.delete(`${A}/seat-pools/${W.pool}`), 409, 'CONFIG_IN_USE'],
    ['deleting a sitting with registrations', () => admin.delete(S()), 409, 'CONFIG_IN_USE'],
    ['deleting an exam with sittings', () => admin.delete(`${A}/exams/${W.exam}`), 409, 'CONFIG_IN_USE'],
    ['an unknown exam', () => admin.get(`${A}/exams/999999999`), 404, 'EXAM_NOT_FOUND'],
    ['a sitting for an unknown exam', () => admin.post(`${A}/exams/999999999/sittings`, { code: 'Z', name: '无' }), 404, 'EXAM_NOT_FOUND'],
    ['an unknown window', () => admin.put(`${A}/windows/999999999`, { kind: 'PRINT', opens: 'P1D', closes: 'P2D' }), 404, 'WINDOW_NOT_FOUND'],
    ['an unknown site', () => admin.delete(`${A}/sites/999999999`), 404, 'SITE_NOT_FOUND'],
    ['an unknown slot', () => admin.delete(`${A}/slots/999999999`), 404, 'SLOT_NOT_FOUND'],
    ['unknown capacity', () => admin.delete(`${A}/seat-pools/999999999`), 404, 'SEAT_POOL_NOT_FOUND'],
    ['an unknown sitting', () => admin.get(`${A}/sittings/999999999/export`), 404, 'SITTING_NOT_FOUND'],
    ['an unknown field', () => admin.post(`${S()}/sites`, { code: 'B', name: '乙', extra: 1 }), 400, 'VALIDATION_FAILED'],
    ['a file with a roster', () => admin.post(`${A}/sittings/import`, { ...minimalFile('R1'), candidates: [{ idNumber: '110105199003071239', name: '张三' }] }), 422, 'CONFIGURATION_INVALID', '/candidates'],
    ['a file that is no file', () => admin.post(`${A}/sittings/import`, { hello: 'world' }), 422, 'CONFIGURATION_INVALID', '/'],
    ['finance reconfiguring a subject', () => finance.put(`${A}/subjects/${W.oral}`, { code: 'O', name: '口试', kind: 'ORAL', feeFen: '1', writtenSubject: 'W' }), 403, 'STAFF_FORBIDDEN'],
    ['finance importing a sitting', () => finance.post(`${A}/sittings/import`, minimalFile('F1')), 403, 'STAFF_FORBIDDEN'],
    ['read-only adding a site', () => readOnly.post(`${S()}/sites`, { code: 'RO', name: '只读' }), 403, 'STAFF_FORBIDDEN'],
    ['read-only deleting a window', () => readOnly.delete(`${A}/windows/${W.window}`), 403, 'STAFF_FORBIDDEN'],
  ];
  it.each(cases)('%s', async (_what, send, status, code, path) => {
    const before = await snapshot();
    const r = await send();
    expect([r.status, r.body?.error?.code], r.text).toEqual([status, code]);
    expect(r.body.error.messageZh).toMatch(/[\u4e00-\u9fff]/);
    expect(r.body.error.messageEn).toMatch(/[a-z]/);
    expect(r.body.error.messageZh).not.toContain('{');
    if (path) expect(r.body.error.details.problems.map((p: { path: string }) => p.path)).toContain(path);
    expect(await snapshot(), 'nothing changed').toBe(before);
  });

  it('renaming a sitting to a code in use (CONFIG_CODE_TAKEN)', async () => {
    const other = await expectOk(admin.post(`${A}/exams/${W.exam}/sittings`, { code: 'OTHER', name: '另一个' }), 201);
    const before = await snapshot();
    const r = await admin.put(`${A}/sittings/${other.sittingId}`, { code: 'S1', name: '重名' });
    expect([r.status, r.body.error.code, r.body.error.messageZh]).toEqual([409, 'CONFIG_CODE_TAKEN', '代码 S1 已被使用，请换一个代码。']);
    expect(await snapshot()).toBe(before);
  });

  it('a cancelled sitting is not configured any more (ALREADY_CANCELLED)', async () => {
    const x = await expectOk(admin.post(`${A}/exams/${W.exam}/sittings`, { code: 'GONE', name: '已取消' }), 201);
    await t.db.updateTable('sitting').set({ cancelled_at: clock.now() }).where('id', '=', BigInt(x.sittingId)).execute();
    const before = await snapshot();
    const r = await admin.post(`${A}/sittings/${x.sittingId}/sites`, { code: 'B', name: '乙' });
    expect([r.status, r.body.error.code]).toEqual([409, 'ALREADY_CANCELLED']);
    expect(await snapshot()).toBe(before);
  });

  it('read-only and finance do not even read the configuration (exam.read is the administrators\')', async () => {
    for (const b of [readOnly, finance]) {
      for (const url of [`${A}/exams`, S(), `${S()}/export`]) expect((await b.get(url)).status).toBe(403);
    }
  });
});

describe('changes that are allowed, each audited with who, when, before and after (ADM-1, ADM-4)', () => {
  it('a fee change where nobody is billed; before and after in the log', async () => {
    clock.advance(MINUTE);
    const r = await expectOk(admin.put(`${A}/subjects/${W.oral}`, { code: 'O', name: '口试（新）', kind: 'ORAL', feeFen: '5500', writtenSubject: 'W' }), 200);
    expect(r).toMatchObject({ subjectId: W.oral, feeFen: '5500', writtenSubject: 'W', feeLocked: false });
    const [entry] = await t.db.selectFrom('audit_log').selectAll().where('action', '=', 'subject.update').where('object_id', '=', W.oral).execute();
    expect(entry).toMatchObject({ actor_type: 'STAFF', actor_id: adminId, actor_role: 'AUTHORITY_ADMIN', object_type: 'subject', at: clock.now() });
    expect(entry!.summary).toMatchObject({ before: { feeFen: '5000', title: '口试', writtenSubject: 'W' }, after: { feeFen: '5500', title: '口试（新）' } });
  });

  it('exam settings with a hotline number and a fixed password: applied; the log keeps a digest, never the text or the password', async () => {
    const text = '咨询电话 13812345678，邮箱 help@exam.example';
    const r = await expectOk(admin.put(`${A}/exams/${W.exam}`, { ...EXAM, agreementText: text, initialPassword: { rule: 'FIXED', password: '246810' } }), 200);
    expect(r.settings).toMatchObject({ agreementText: text, initialPassword: { rule: 'FIXED', password: '246810' }, seatHoldMinutes: 1440, payWithoutSignIn: false });
    const [entry] = await t.db.selectFrom('audit_log').select('summary').where('action', '=', 'exam.update').orderBy('id', 'desc').limit(1).execute();
    const logged = JSON.stringify(entry!.summary);
    for (const secret of ['13812345678', 'help@exam.example', '246810']) expect(logged).not.toContain(secret);
    expect(entry!.summary).toMatchObject({ after: { agreementText: { length: text.length }, initialPassword: { rule: 'FIXED', passwordSet: true } }, before: { agreementText: '缴费协议' } });
    await expectOk(admin.put(`${A}/exams/${W.exam}`, EXAM), 200);
  });

  it('windows, sites, slots, subjects and capacity come and go; the sitting shows them', async () => {
    const w = await expectOk(admin.post(`${S()}/windows`, { kind: 'SITE_MANAGEMENT', site: 'A', opens: '2026-03-26 09:00:00', closes: '2026-03-28 17:00:00' }), 201);
    expect(w).toMatchObject({ kind: 'SITE_MANAGEMENT', site: 'A', siteId: W.site, opens: '2026-03-26 09:00:00', opensAt: '2026-03-26T01:00:00.000Z' });
    await expectOk(admin.put(`${A}/windows/${w.windowId}`, { kind: 'PAYMENT', opens: '2026-03-26 09:00:00', closes: '2026-03-26 20:00:00' }), 200);
    const site = await expectOk(admin.post(`${S()}/sites`, { code: 'B', name: '乙考点' }), 201);
    const slot = await expectOk(admin.post(`${S()}/slots`, { code: 'PM', starts: '2026-04-11 14:00:00', ends: '2026-04-11 16:00:00' }), 201);
    const extra = await expectOk(admin.post(`${S()}/subjects`, subject({ code: 'X', exclusionGroup: '组' })), 201);
    const pool = await expectOk(admin.put(`${S()}/capacity`, { site: 'B', slot: 'PM', subject: 'X', seats: 40 }), 200);
    expect(pool).toMatchObject({ seats: 40, free: 40, site: 'B', slot: 'PM', subject: 'X' });
    expect(await t.db.selectFrom('seat').select('id').where('pool_id', '=', BigInt(pool.poolId)).execute()).toHaveLength(40);
    expect(await expectOk(admin.put(`${S()}/capacity`, { site: 'B', slot: 'PM', subject: 'X', seats: 25 }), 200)).toMatchObject({ poolId: pool.poolId, seats: 25 });
    expect(await t.db.selectFrom('seat').select('id').where('pool_id', '=', BigInt(pool.poolId)).execute()).toHaveLength(25);
    await expectOk(admin.put(`${A}/sites/${site.siteId}`, { code: 'B2', name: '乙考点（新址）' }), 200);
    const view = await expectOk(admin.get(S()), 200);
    expect(view.capacity.map((p: { site: string }) => p.site)).toContain('B2');
    // Deleting a subject takes its empty capacity; deleting a site its site-management windows.
    await expectOk(admin.delete(`${A}/subjects/${extra.subjectId}`), 204);
    expect(await t.db.selectFrom('seat_pool').select('id').where('id', '=', BigInt(pool.poolId)).execute()).toEqual([]);
    await expectOk(admin.delete(`${A}/slots/${slot.slotId}`), 204);
    await expectOk(admin.delete(`${A}/sites/${site.siteId}`), 204);
    await expectOk(admin.delete(`${A}/windows/${w.windowId}`), 204);
    const after = await expectOk(admin.get(S()), 200);
    expect([after.sites.length, after.slots.length, after.subjects.length, after.windows.length, after.capacity.length]).toEqual([1, 1, 2, 1, 1]);
    const actions = (await t.db.selectFrom('audit_log').select('action').where('actor_id', '=', adminId).orderBy('id', 'desc').limit(12).execute()).map((e) => e.action).reverse();
    expect(actions).toEqual(['window.create', 'window.update', 'site.create', 'slot.create', 'subject.create', 'capacity.set', 'capacity.set', 'site.update', 'subject.delete', 'slot.delete', 'site.delete', 'window.delete']);
  });

  it('lists the exams with their settings and sittings; a sitting is renamed', async () => {
    const list = await expectOk(admin.get(`${A}/exams`), 200);
    const cfg = list.find((e: { settings: { code: string } }) => e.settings.code === 'CFG');
    expect(cfg).toMatchObject({ examId: W.exam, settings: { ...EXAM, seatHoldMinutes: 1440, payWithoutSignIn: false, repaymentNeedsApproval: false } });
    expect(cfg.sittings).toContainEqual({ sittingId: W.sitting, code: 'S1', name: '第一次', cancelledAt: null });
    expect(await expectOk(admin.get(`${A}/exams/${W.exam}`), 200)).toEqual(cfg);
    const renamed = await expectOk(admin.put(S(), { code: 'S1', name: '第一次（改）' }), 200);
    expect(renamed).toMatchObject({ sittingId: W.sitting, examId: W.exam, examCode: 'CFG', name: '第一次（改）' });
    const [entry] = await t.db.selectFrom('audit_log').select('summary').where('action', '=', 'sitting.update').where('object_id', '=', W.sitting).execute();
    expect(entry!.summary).toMatchObject({ before: { title: '第一次' }, after: { title: '第一次（改）' } });
  });

  it('an empty sitting and an exam without sittings or candidates can be deleted', async () => {
    const e = await expectOk(admin.post(`${A}/exams`, { ...EXAM, code: 'TMP' }), 201);
    const s = await expectOk(admin.post(`${A}/exams/${e.examId}/sittings`, { code: 'T', name: '临时' }), 201);
    await expectOk(admin.post(`${A}/sittings/${s.sittingId}/sites`, { code: 'Z', name: '丙' }), 201);
    await expectOk(admin.delete(`${A}/sittings/${s.sittingId}`), 204);
    await expectOk(admin.delete(`${A}/exams/${e.examId}`), 204);
    expect((await admin.get(`${A}/exams/${e.examId}`)).status).toBe(404);
  });
});

/** A small valid file, for refusals that are about something else. */
function minimalFile(examCode: string) {
  return {
    seed: 'test', authority: { code: 'ELSEWHERE', name: '别处' }, exam: { ...EXAM, code: examCode },
    sitting: { code: 'M1', name: '最小', windows: [], subjects: [{ code: 'W', name: '笔试', kind: 'WRITTEN', feeFen: 100 }], sites: [], slots: [], capacity: [] },
    candidates: [],
  };
}

const SEEDS = fs.readdirSync(new URL('../fixtures/seeds/', import.meta.url)).filter((f) => f.endsWith('.json'));
const readSeed = (f: string) => JSON.parse(fs.readFileSync(new URL(`../fixtures/seeds/${f}`, import.meta.url), 'utf8'));
/** A seed file as a sitting file: without its roster, CET4 results and institutions (ADM-2 imports those). */
const sittingFileOf = (seed: ReturnType<typeof readSeed>) => ({ ...seed, candidates: [], cet4Scores: undefined, institutions: undefined });
const freshAdmin = async () => staffBrowser(app, await makeStaff(t.db, await makeExam(t.db), 'AUTHORITY_ADMIN'));
const withoutOrigin = ({ seed: _s, authority: _a, ...rest }: Record<string, unknown>) => rest;

describe('the sitting file: export and import (ADM-1)', () => {
  it.each(SEEDS)('%s: import → export → import into a fresh authority → export gives the same file', async (file) => {
    const seed = readSeed(file);
    const first = await freshAdmin();
    const imported = await expectOk(first.post(`${A}/sittings/import`, sittingFileOf(seed)), 201);
    expect(imported).toMatchObject({ examCreated: true, subjects: seed.sitting.subjects.length, pools: seed.sitting.capacity.length });
    const exported = await first.get(`${A}/sittings/${imported.sittingId}/export`);
    expect(exported.status).toBe(200);
    expect(exported.headers['content-disposition']).toContain(`${seed.exam.code}-${seed.sitting.code}.json`);
    expect(exported.body.sitting.capacity).toEqual(seed.sitting.capacity);
    expect(exported.body.sitting.sites).toEqual(seed.sitting.sites);
    expect(exported.body.sitting.subjects.map((s: { code: string }) => s.code)).toEqual(seed.sitting.subjects.map((s: { code: string }) => s.code));
    expect(exported.body.candidates).toEqual([]);

    const second = await freshAdmin();
    const again = await expectOk(second.post(`${A}/sittings/import`, exported.body), 201);
    const reexported = await expectOk(second.get(`${A}/sittings/${again.sittingId}/export`), 200);
    expect(withoutOrigin(reexported)).toEqual(withoutOrigin(exported.body));
  });

  it('into an exam that exists: only with the same settings, and only as a new sitting; every problem listed, nothing created', async () => {
    const b = await freshAdmin();
    const made = await expectOk(b.post(`${A}/sittings/import`, minimalFile('SAME')), 201);
    const file = await expectOk(b.get(`${A}/sittings/${made.sittingId}/export`), 200);
    const count = async () => (await sql<{ n: number }>`SELECT (SELECT count(*) FROM sitting) + (SELECT count(*) FROM exam) + (SELECT count(*) FROM audit_log) AS n`.execute(t.db)).rows[0]!.n;
    const before = await count();
    const sameCode = await b.post(`${A}/sittings/import`, file);
    expect([sameCode.status, sameCode.body.error.code, sameCode.body.error.details.problems]).toEqual([422, 'CONFIGURATION_INVALID', [{ path: '/sitting/code', reason: expect.stringContaining('already has a sitting') }]]);
    const differs = await b.post(`${A}/sittings/import`, { ...file, exam: { ...file.exam, billTimeoutMinutes: 45 }, sitting: { ...file.sitting, code: 'M2' } });
    expect(differs.body.error.details.problems).toEqual([{ path: '/exam/billTimeoutMinutes', reason: expect.stringContaining('differs') }]);
    const broken = await b.post(`${A}/sittings/import`, {
      ...file, sitting: {
        ...file.sitting, code: 'M3',
        windows: [{ kind: 'REGISTRATION', opens: '2026-03-20 09:00:00', closes: '2026-03-19 09:00:00' }],
        capacity: [{ site: 'NOPE', slot: 'NONE', subject: 'W', seats: 1 }],
        subjects: [...file.sitting.subjects, { code: 'W', name: '重复', kind: 'WRITTEN', feeFen: 1 }],
      },
    });
    expect(broken.status).toBe(422);
    expect(broken.body.error.details.problems.map((p: { path: string }) => p.path).sort()).toEqual(
      ['/sitting/capacity/0/site', '/sitting/capacity/0/slot', '/sitting/subjects/1/code', '/sitting/windows/0/closes']);
    expect(broken.body.error.details.count).toBe(4);
    expect(await count()).toBe(before);
    const next = await expectOk(b.post(`${A}/sittings/import`, { ...file, sitting: { ...file.sitting, code: 'M2' } }), 201);
    expect(next).toMatchObject({ examId: made.examId, examCreated: false });
  });

  it('two imports racing for the same new exam: one sitting, one exam, the other refused', async () => {
    const b = await freshAdmin();
    const [x, y] = await Promise.all([b.post(`${A}/sittings/import`, minimalFile('RACE')), b.post(`${A}/sittings/import`, minimalFile('RACE'))]);
    expect([x.status, y.status].sort()).toEqual([201, expect.any(Number)].sort());
    const loser = x.status === 201 ? y : x;
    expect([[409, 'CONFIG_CODE_TAKEN'], [422, 'CONFIGURATION_INVALID']]).toContainEqual([loser.status, loser.body.error.code]);
    expect(await t.db.selectFrom('exam').select('id').where('code', '=', 'RACE').execute()).toHaveLength(1);
    expect(await t.db.selectFrom('sitting as s').innerJoin('exam as e', 'e.id', 's.exam_id').select('s.id').where('e.code', '=', 'RACE').execute()).toHaveLength(1);
  });
});

describe('the audit log: search, export, append-only (ADM-4)', () => {
  it('searches by object, actor, action, outcome and time, newest first, paged', async () => {
    const byObject = await expectOk(admin.get(`${A}/audit-log?objectType=subject&objectId=${W.oral}`), 200);
    expect(byObject.map((e: { action: string }) => e.action)).toEqual(['subject.update', 'subject.create']);
    expect(byObject[0].object).toEqual({ type: 'subject', id: W.oral });
    const ids = byObject.map((e: { entryId: string }) => BigInt(e.entryId));
    expect(ids[0] > ids[1]).toBe(true);

    const all = await expectOk(admin.get(`${A}/audit-log?actorId=${adminId}&action=capacity.set&limit=200`), 200);
    expect(all.length).toBeGreaterThanOrEqual(3);
    const page1 = await expectOk(admin.get(`${A}/audit-log?actorId=${adminId}&action=capacity.set&limit=2`), 200);
    const page2 = await expectOk(admin.get(`${A}/audit-log?actorId=${adminId}&action=capacity.set&limit=2&beforeId=${page1[1].entryId}`), 200);
    expect([...page1, ...page2].map((e: { entryId: string }) => e.entryId)).toEqual(all.slice(0, page1.length + page2.length).map((e: { entryId: string }) => e.entryId));

    clock.advance(MINUTE);
    const from = clock.now().toISOString();
    await expectOk(admin.post(`${S()}/sites`, { code: 'T', name: '时间' }), 201);
    const to = new Date(clock.now().getTime() + 1000).toISOString();
    const inRange = await expectOk(admin.get(`${A}/audit-log?from=${from}&to=${to}&action=site.create`), 200);
    expect(inRange.map((e: { summary: { after: { code: string } } }) => e.summary.after.code)).toEqual(['T']);
    expect(await expectOk(admin.get(`${A}/audit-log?to=${from}&action=site.create`), 200)).not.toContainEqual(expect.objectContaining({ entryId: inRange[0].entryId }));
    expect(await expectOk(admin.get(`${A}/audit-log?outcome=FAILURE&action=site.create`), 200)).toEqual([]);
    const bad = await admin.get(`${A}/audit-log?objectId=${encodeURIComponent("1' OR 1=1")}`);
    expect([bad.status, bad.body.error.code]).toEqual([400, 'VALIDATION_FAILED']);
  });

  it('exports the same search as CSV: the same entries, newest first, Excel-ready', async () => {
    const query = `actorId=${adminId}&limit=500`;
    const list = await expectOk(admin.get(`${A}/audit-log?${query.replace('500', '200')}`), 200);
    const csv = await admin.get(`${A}/audit-log/export?format=csv&${query}`);
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="audit-log-\d{4}-\d{2}-\d{2}\.csv"$/);
    expect(csv.headers['x-exampay-truncated']).toBe('false');
    expect(csv.text.startsWith('\uFEFFentryId,at,atBeijing,actorType,actorId,actorRole,actorLogin,action,objectType,objectId,outcome,ip,summary\r\n')).toBe(true);
    const lines = csv.text.slice(1).trimEnd().split('\r\n').slice(1);
    expect(lines.map((l) => l.split(',')[0])).toEqual(list.map((e: { entryId: string }) => e.entryId));
    expect(lines[0]).toContain('AUTHORITY_ADMIN');
    const truncated = await admin.get(`${A}/audit-log/export?actorId=${adminId}&limit=2`);
    expect([truncated.headers['x-exampay-truncated'], truncated.text.trimEnd().split('\r\n').length]).toEqual(['true', 3]);
    expect((await admin.get(`${A}/audit-log/export?limit=50001`)).status).toBe(400);
    expect((await finance.get(`${A}/audit-log/export`)).status).toBe(403);
  });

  it('no route edits the log, and the database refuses UPDATE and DELETE of it', async () => {
    const auditRoutes = routeTable(app).filter((r) => r.url.includes('audit'));
    expect([...new Set(auditRoutes.map((r) => r.url))].sort()).toEqual(['/api/v1/admin/audit-log', '/api/v1/admin/audit-log/export']);
    expect(new Set(auditRoutes.flatMap((r) => [r.method].flat()))).toEqual(new Set(['GET', 'HEAD']));
    const before = await snapshot();
    for (const r of [await admin.put(`${A}/audit-log`, {}), await admin.delete(`${A}/audit-log`), await admin.post(`${A}/audit-log`, {})]) expect(r.status).toBe(404);
    await expect(sql`UPDATE audit_log SET outcome = 'FAILURE' WHERE actor_id = ${adminId}`.execute(t.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM audit_log WHERE actor_id = ${adminId}`.execute(t.db)).rejects.toThrow(/append-only/);
    expect(await snapshot()).toBe(before);
  });
});

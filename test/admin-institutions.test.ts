/**
 * Learning centres and schools made in the console (ADM-1; seeds 000 and 002 hold them): added,
 * renamed and deleted by the authority's administrators over HTTP, each change with its audit
 * entry; a code used twice, a bad kind or an institution in use is refused with its code and
 * changes nothing; another authority's institution is 404; finance and read-only are 403.
 */
import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCandidate, makeExam, type ExamFixture } from './support/fixtures.ts';
import type { Browser } from './support/http.ts';
import { makeStaff, staffBrowser } from './support/staff-fixtures.ts';
import { buildTestApp } from './support/test-app.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';

let t: TestDatabase;
let app: FastifyInstance;
let home: ExamFixture;
let admin: Browser;
let otherAdmin: Browser;
let finance: Browser;
let readOnly: Browser;
let adminId: bigint;
const A = '/api/v1/admin';

beforeAll(async () => {
  t = await createTestDatabase();
  ({ app } = await buildTestApp(t));
  home = await makeExam(t.db);
  const a = await makeStaff(t.db, home, 'AUTHORITY_ADMIN');
  adminId = a.staffId;
  admin = await staffBrowser(app, a);
  otherAdmin = await staffBrowser(app, await makeStaff(t.db, await makeExam(t.db), 'AUTHORITY_ADMIN'));
  finance = await staffBrowser(app, await makeStaff(t.db, home, 'FINANCE'));
  readOnly = await staffBrowser(app, await makeStaff(t.db, home, 'READ_ONLY'));
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

/** The institutions and the audit log, as one comparable value. */
async function snapshot(): Promise<string> {
  const parts = await Promise.all(['institution', 'audit_log'].map(async (tbl) =>
    (await sql<{ d: string | null }>`SELECT md5(string_agg(x::text, '|' ORDER BY x::text)) AS d FROM ${sql.table(tbl)} x`.execute(t.db)).rows[0]!.d ?? ''));
  return parts.join(' ');
}

describe('institutions in the console', () => {
  it('adds, renames and deletes a learning centre, each change audited with before and after', async () => {
    const made = await admin.post(`${A}/institutions`, { code: 'BJ01', name: '北京学习中心', kind: 'LEARNING_CENTRE' });
    expect(made.status, made.text).toBe(201);
    expect(made.body).toEqual({ institutionId: expect.stringMatching(/^\d+$/), code: 'BJ01', name: '北京学习中心', kind: 'LEARNING_CENTRE' });
    const id = made.body.institutionId as string;
    const listed = await readOnly.get(`${A}/institutions`);
    expect(listed.body).toContainEqual({ institutionId: id, code: 'BJ01', name: '北京学习中心', kind: 'LEARNING_CENTRE' });

    const renamed = await admin.put(`${A}/institutions/${id}`, { code: 'BJ01', name: '北京海淀学习中心', kind: 'LEARNING_CENTRE' });
    expect(renamed.status, renamed.text).toBe(200);
    expect(renamed.body.name).toBe('北京海淀学习中心');
    const gone = await admin.delete(`${A}/institutions/${id}`);
    expect(gone.status, gone.text).toBe(204);
    expect(await t.db.selectFrom('institution').select('id').where('id', '=', BigInt(id)).execute()).toEqual([]);

    const audit = await t.db.selectFrom('audit_log').select(['action', 'object_id', 'summary']).where('actor_id', '=', adminId).where('action', 'like', 'institution.%').orderBy('id').execute();
    expect(audit.map((e) => [e.action, e.object_id])).toEqual([['institution.create', id], ['institution.update', id], ['institution.delete', id]]);
    expect(audit[1]!.summary).toMatchObject({ before: { code: 'BJ01', title: '北京学习中心' }, after: { code: 'BJ01', title: '北京海淀学习中心' } });
  });

  it('refuses a code used twice, a kind it does not know, and an institution in use — with codes, in both languages, changing nothing', async () => {
    const school = await admin.post(`${A}/institutions`, { code: 'SCH1', name: '第一中学', kind: 'SCHOOL' });
    expect(school.status).toBe(201);
    const id = school.body.institutionId as string;
    const c = await makeCandidate(t.db, home);
    await t.db.updateTable('candidate').set({ institution_id: BigInt(id) }).where('id', '=', c.candidateId).execute();
    const before = await snapshot();
    const cases: [Promise<{ status: number; body: { error: { code: string; messageZh: string; messageEn: string; details?: Record<string, unknown> } } }>, number, string][] = [
      [admin.post(`${A}/institutions`, { code: 'SCH1', name: '又一个', kind: 'SCHOOL' }), 409, 'CONFIG_CODE_TAKEN'],
      [admin.post(`${A}/institutions`, { code: 'X1', name: '大学', kind: 'UNIVERSITY' }), 400, 'VALIDATION_FAILED'],
      [admin.post(`${A}/institutions`, { code: 'bad code', name: '空格', kind: 'SCHOOL' }), 400, 'VALIDATION_FAILED'],
      [admin.delete(`${A}/institutions/${id}`), 409, 'CONFIG_IN_USE'],
      [otherAdmin.put(`${A}/institutions/${id}`, { code: 'SCH1', name: '抢走', kind: 'SCHOOL' }), 404, 'INSTITUTION_NOT_FOUND'],
      [otherAdmin.delete(`${A}/institutions/${id}`), 404, 'INSTITUTION_NOT_FOUND'],
      [finance.post(`${A}/institutions`, { code: 'F1', name: '财务建的', kind: 'SCHOOL' }), 403, 'STAFF_FORBIDDEN'],
      [readOnly.put(`${A}/institutions/${id}`, { code: 'SCH1', name: '只读改的', kind: 'SCHOOL' }), 403, 'STAFF_FORBIDDEN'],
    ];
    for (const [p, status, code] of cases) {
      const r = await p;
      expect([r.status, r.body.error.code]).toEqual([status, code]);
      expect(r.body.error.messageZh.length * r.body.error.messageEn.length).toBeGreaterThan(0);
    }
    const inUse = await admin.delete(`${A}/institutions/${id}`);
    expect(inUse.body.error.details).toEqual({ candidates: 1, staff: 0, registrations: 0, bills: 0 });
    expect(await snapshot()).toBe(before);
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrate } from '../src/db/migrate.ts';
import { resealPersonalDataJob } from '../src/jobs/reseal-personal-data.job.ts';
import { candidateIdNumber, candidatePhone, findCandidateByIdNumber, sealCandidateIdentity, sealIdNumber } from '../src/modules/accounts/candidate-identity.ts';
import { hashPassword } from '../src/modules/accounts/password.ts';
import { personalDataKeyProblems } from '../src/modules/accounts/personal-data-keys.ts';
import type { AppContext } from '../src/modules/context.ts';
import { generatePersonalDataKeyText, parsePersonalDataKeys, sealedKeyVersion } from '../src/shared/personal-data.ts';
import { withDatabase } from './support/global-setup.ts';
import { Browser } from './support/http.ts';
import { makeCandidate, makeExam, type ExamFixture } from './support/fixtures.ts';
import { buildTestApp } from './support/test-app.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';
import { TEST_PERSONAL_DATA } from './support/test-keys.ts';

let t: TestDatabase;
let exam: ExamFixture;
let other: ExamFixture;
beforeAll(async () => {
  t = await createTestDatabase();
  exam = await makeExam(t.db);
  other = await makeExam(t.db);
});
afterAll(async () => t.drop());

const ctx = () => ({ db: t.db, personalData: TEST_PERSONAL_DATA });

describe('finding a candidate by ID number: one door, through the lookup hash (OPS-6)', () => {
  it('finds the account whatever the case and surrounding spaces, only in its own authority', async () => {
    const c = await makeCandidate(t.db, exam);
    for (const typed of [c.idNumber, c.idNumber.toLowerCase(), ` ${c.idNumber} `]) {
      expect((await findCandidateByIdNumber(ctx(), { authorityCode: exam.authorityCode, idNumber: typed }))?.id).toBe(c.candidateId);
    }
    expect(await findCandidateByIdNumber(ctx(), { authorityCode: other.authorityCode, idNumber: c.idNumber })).toBeUndefined();
    const row = await t.db.selectFrom('candidate').selectAll().where('id', '=', c.candidateId).executeTakeFirstOrThrow();
    expect(candidateIdNumber(TEST_PERSONAL_DATA, row)).toBe(c.idNumber);
    expect(candidatePhone(TEST_PERSONAL_DATA, row)).toBe(c.phone);
  });

  it('an ID number with a lower-case x signs in to the account stored with X', async () => {
    const id = '11010519491231002X';
    const inserted = await t.db.insertInto('candidate').values({
      authority_id: exam.authorityId, exam_id: exam.examId, ...sealCandidateIdentity(TEST_PERSONAL_DATA, { idNumber: id }), name: '老张',
      password_hash: await hashPassword('Xcase2026ok'), must_change_password: false,
    }).returning('id').executeTakeFirstOrThrow();
    const { app } = await buildTestApp(t);
    const r = await new Browser(app).signIn(exam.authorityCode, id.toLowerCase(), 'Xcase2026ok');
    await app.close();
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ candidateId: String(inserted.id), idNumberMasked: '1101**********002X', phoneMasked: null });
  });

  it('one account per ID number and authority, as before (unique lookup hash); another authority may hold the same number', async () => {
    const id = '110105198001011237';
    const row = (e: ExamFixture, typed: string) => ({ authority_id: e.authorityId, exam_id: e.examId, ...sealCandidateIdentity(TEST_PERSONAL_DATA, { idNumber: typed }), name: '重复', password_hash: 'x' });
    await t.db.insertInto('candidate').values(row(exam, id)).execute();
    await expect(t.db.insertInto('candidate').values(row(exam, ` ${id} `)).execute()).rejects.toThrow(/candidate_id_number_hash/);
    await t.db.insertInto('candidate').values(row(other, id)).execute();
  });
});

describe('the keys against the data at rest', () => {
  it('the right keys pass the start-up check; a wrong hash key, a wrong or missing encryption key stop it', async () => {
    await makeCandidate(t.db, exam);
    expect(await personalDataKeyProblems(ctx())).toEqual([]);
    const fresh = generatePersonalDataKeyText();
    const enc = `1:${Buffer.alloc(32, 0x11).toString('base64')}`;
    const wrongHash = parsePersonalDataKeys(enc, fresh.hash);
    expect(await personalDataKeyProblems({ db: t.db, personalData: wrongHash })).toEqual([expect.stringMatching(/PERSONAL_DATA_HASH_KEY is not the key the stored lookup hashes were made with/)]);
    const wrongKey = parsePersonalDataKeys(fresh.encryption, Buffer.alloc(32, 0x22).toString('base64'));
    expect(await personalDataKeyProblems({ db: t.db, personalData: wrongKey })).toEqual([expect.stringMatching(/does not open with personal-data key version 1/)]);
    const onlyV2 = parsePersonalDataKeys(generatePersonalDataKeyText(2).encryption, Buffer.alloc(32, 0x22).toString('base64'));
    expect((await personalDataKeyProblems({ db: t.db, personalData: onlyV2 })).join('\n')).toMatch(/candidate\.id_number_sealed holds values sealed with key version 1, which PERSONAL_DATA_KEYS does not contain/);
  });

  it('rotation: with a version 2 key added, the job re-seals every ID number and phone with it; every account is still found by its ID number; then version 1 can go', async () => {
    const t2 = await createTestDatabase();
    try {
      const e = await makeExam(t2.db);
      const people = [await makeCandidate(t2.db, e), await makeCandidate(t2.db, e), await makeCandidate(t2.db, e)];
      await t2.db.insertInto('cet4_score').values({ authority_id: e.authorityId, ticket_no: '110011191100101', ...sealIdNumber(TEST_PERSONAL_DATA, people[0]!.idNumber), name: 'n', score: 500 }).execute();
      const v1 = `1:${Buffer.alloc(32, 0x11).toString('base64')}`;
      const v2 = generatePersonalDataKeyText(2).encryption;
      const hash = Buffer.alloc(32, 0x22).toString('base64');
      const rotated = parsePersonalDataKeys(`${v1},${v2}`, hash);
      const jobCtx = { db: t2.db, personalData: rotated } as unknown as AppContext;

      expect(await resealPersonalDataJob.execute(jobCtx)).toEqual({ resealed: 3 + 3 + 1 });
      expect(await resealPersonalDataJob.execute(jobCtx)).toEqual({ resealed: 0 });
      const rows = await t2.db.selectFrom('candidate').select(['id_number_sealed', 'phone_sealed']).execute();
      const scores = await t2.db.selectFrom('cet4_score').select('id_number_sealed').execute();
      expect([...rows.flatMap((r) => [r.id_number_sealed, r.phone_sealed!]), ...scores.map((s) => s.id_number_sealed)].map(sealedKeyVersion)).toEqual(Array(7).fill(2));

      const v2only = parsePersonalDataKeys(v2, hash);
      expect(await personalDataKeyProblems({ db: t2.db, personalData: v2only })).toEqual([]);
      for (const p of people) {
        const found = await findCandidateByIdNumber({ db: t2.db, personalData: v2only }, { authorityCode: e.authorityCode, idNumber: p.idNumber });
        expect(candidateIdNumber(v2only, found!)).toBe(p.idNumber);
        expect(candidatePhone(v2only, found!)).toBe(p.phone);
      }
    } finally {
      await t2.drop();
    }
  });
});

describe('a database written before encryption (migration 011)', () => {
  it('is refused with what to do, and left as it was', async () => {
    const admin = new pg.Client({ connectionString: inject('pgAdminUrl') });
    await admin.connect();
    const name = `t_pre011_${process.pid}`;
    await admin.query(`DROP DATABASE IF EXISTS ${name}`);
    await admin.query(`CREATE DATABASE ${name}`);
    const pool = new pg.Pool({ connectionString: withDatabase(inject('pgAdminUrl'), name) });
    // DROP … WITH (FORCE) below ends connections pool.end() may still be closing.
    pool.on('error', () => undefined);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'exampay-pre011-'));
    try {
      const migrations = path.join(path.dirname(fileURLToPath(import.meta.url)), '../src/db/migrations');
      const files = fs.readdirSync(migrations).filter((f) => /^\d{3}_/.test(f));
      for (const f of files.filter((f) => f < '011')) fs.copyFileSync(path.join(migrations, f), path.join(dir, f));
      await migrate(pool, dir);
      await pool.query(`INSERT INTO authority (code, name) VALUES ('OLD', '旧') ;
        INSERT INTO exam (authority_id, code, name, initial_password_rule) SELECT id, 'E', '旧考试', 'ID_LAST6' FROM authority;
        INSERT INTO candidate (authority_id, exam_id, id_number, name, password_hash) SELECT a.id, e.id, '110105199003071239', '旧考生', 'x' FROM authority a, exam e`);
      for (const f of files.filter((f) => f >= '011')) fs.copyFileSync(path.join(migrations, f), path.join(dir, f));
      await expect(migrate(pool, dir)).rejects.toThrow(/011_personal_data\.sql failed: this database holds plaintext ID numbers .* delete the embedded database folder \(DATA_DIR\/postgres, \.\/data\/postgres by default\) or drop and recreate the database in DATABASE_URL, and start again/);
      expect((await pool.query('SELECT id_number FROM candidate')).rows).toEqual([{ id_number: '110105199003071239' }]);
    } finally {
      await pool.end();
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

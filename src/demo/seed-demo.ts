import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { sealCandidateIdentity } from '../modules/accounts/candidate-identity.ts';
import type { StaffRole } from '../db/schema.ts';
import { hashPassword, initialPassword } from '../modules/accounts/password.ts';
import { validateIdNumber } from '../shared/id-document.ts';
import type { PersonalDataKeys } from '../shared/personal-data.ts';
import { residentIdCheckChar } from '../shared/resident-id.ts';

export interface DemoAccount {
  name: string;
  idNumber: string;
  password: string;
}

export const DEMO_PEOPLE = [
  { name: '张三', first17: '11010519900307123', phone: '13800138000' },
  { name: '李四', first17: '31010419951115234', phone: '13912345678' },
  { name: '王五', first17: '43010220000229345', phone: '15873100001' },
];

/**
 * On an empty database, the demo of the foundation: one authority, one exam (网络教育统考, the
 * seed 000 shape: initial password = last 6 of the ID, bills close after 30 minutes), one
 * sitting, three subjects and three candidates with registrations. Returns the accounts, or
 * nothing when the database already has data.
 */
export async function seedDemo(ctx: { db: Db; personalData: PersonalDataKeys }, now: Date): Promise<DemoAccount[] | undefined> {
  return ctx.db.transaction().execute(async (trx) => {
    // Several processes starting at once on an empty database seed it once.
    await sql`SELECT pg_advisory_xact_lock(727002)`.execute(trx);
    if (await trx.selectFrom('authority').select('id').limit(1).executeTakeFirst()) return undefined;
    const authority = await trx.insertInto('authority').values({ code: 'DEMO', name: '示范省教育考试院 Demo Examinations Authority' }).returning('id').executeTakeFirstOrThrow();
    const exam = await trx.insertInto('exam').values({
      authority_id: authority.id,
      code: 'TONGKAO',
      name: '网络教育统考',
      initial_password_rule: 'ID_LAST6',
      initial_password_fixed: null,
      bill_timeout_minutes: 30,
      channels: ['alipay'],
      agreement_text: '本人确认所选科目及费用无误；缴费成功后不因个人原因退费。',
    }).returningAll().executeTakeFirstOrThrow();
    const sitting = await trx.insertInto('sitting').values({ exam_id: exam.id, code: '2026-03', name: '2026年3月' }).returning('id').executeTakeFirstOrThrow();
    // Registration (and with it payment) open from yesterday for 30 days.
    const day = 24 * 3600_000;
    await trx.insertInto('sitting_window').values({ sitting_id: sitting.id, kind: 'REGISTRATION', opens_at: new Date(now.getTime() - day), closes_at: new Date(now.getTime() + 30 * day) }).execute();
    const subjects = await trx.insertInto('subject').values([
      { sitting_id: sitting.id, code: 'ENG-B', name: '大学英语B', kind: 'WRITTEN', fee_fen: 8000n },
      { sitting_id: sitting.id, code: 'CS', name: '计算机应用基础', kind: 'WRITTEN', fee_fen: 8000n },
      { sitting_id: sitting.id, code: 'CHN-B', name: '大学语文B', kind: 'WRITTEN', fee_fen: 6500n },
    ]).returning('id').execute();
    const accounts: DemoAccount[] = [];
    for (const person of DEMO_PEOPLE) {
      // The same check as every other way in (ACC-1): a demo with an impossible number would teach the wrong thing.
      const id = validateIdNumber('RESIDENT_ID', person.first17 + residentIdCheckChar(person.first17), now);
      if (!id.ok) throw new Error(`demo person ${person.name}: ${id.error.code}`);
      const idNumber = id.value.number;
      const password = initialPassword(exam, idNumber);
      const candidate = await trx.insertInto('candidate').values({
        authority_id: authority.id, exam_id: exam.id, ...sealCandidateIdentity(ctx.personalData, { idNumber, phone: person.phone }), name: person.name,
        password_hash: await hashPassword(password),
      }).returning('id').executeTakeFirstOrThrow();
      await trx.insertInto('registration').values(subjects.map((s) => ({ candidate_id: candidate.id, sitting_id: sitting.id, subject_id: s.id, created_at: now }))).execute();
      accounts.push({ name: person.name, idNumber, password });
    }
    return accounts;
  });
}

export interface DemoStaff {
  authorityCode: string;
  loginName: string;
  role: StaffRole;
  institution: string | null;
  password: string;
}

/** Every demo staff account starts with this password and must change it at first sign-in. */
export const DEMO_STAFF_PASSWORD = 'Staff2026demo';

/**
 * Staff for the demo (ADM-5): for authority DEMO one account per role and a learning centre
 * (示范学习中心) with 张三 and 李四 as its candidates; for each seed system with institutions
 * (000's learning centres, 002's school) an authority admin and one staff member per institution.
 * Only authorities without staff get any, so it is safe at every start; returns what it created.
 */
export async function seedDemoStaff(db: Db, now: Date): Promise<DemoStaff[]> {
  return db.transaction().execute(async (trx) => {
    await sql`SELECT pg_advisory_xact_lock(727003)`.execute(trx);
    const created: DemoStaff[] = [];
    const hash = await hashPassword(DEMO_STAFF_PASSWORD);
    const authorities = await trx.selectFrom('authority as a')
      .select(['a.id', 'a.code', (eb) => eb.exists(eb.selectFrom('staff_account as s').select('s.id').whereRef('s.authority_id', '=', 'a.id')).as('has_staff')])
      .orderBy('a.id').execute();
    for (const a of authorities.filter((x) => !x.has_staff)) {
      if (a.code === 'DEMO') {
        const centre = await trx.insertInto('institution').values({ authority_id: a.id, code: 'DEMO-LC', name: '示范学习中心', kind: 'LEARNING_CENTRE' }).returning('id').executeTakeFirstOrThrow();
        await trx.updateTable('candidate').set({ institution_id: centre.id }).where('authority_id', '=', a.id).where('name', 'in', ['张三', '李四']).execute();
      }
      const institutions = await trx.selectFrom('institution').select(['id', 'code', 'name']).where('authority_id', '=', a.id).orderBy('code').execute();
      if (a.code !== 'DEMO' && institutions.length === 0) continue;
      const accounts: { login: string; name: string; role: StaffRole; institution?: (typeof institutions)[number] }[] = a.code === 'DEMO'
        ? [{ login: 'admin', name: '考试院管理员', role: 'AUTHORITY_ADMIN' }, { login: 'finance', name: '财务处', role: 'FINANCE' }, { login: 'viewer', name: '监督检查', role: 'READ_ONLY' }]
        : [{ login: 'admin', name: '考试院管理员', role: 'AUTHORITY_ADMIN' }];
      for (const i of institutions) accounts.push({ login: i.code.toLowerCase(), name: `${i.name}老师`, role: 'INSTITUTION_STAFF', institution: i });
      for (const s of accounts) {
        await trx.insertInto('staff_account').values({
          authority_id: a.id, institution_id: s.institution?.id ?? null, login_name: s.login, display_name: s.name, role: s.role, password_hash: hash, created_at: now,
        }).execute();
        created.push({ authorityCode: a.code, loginName: s.login, role: s.role, institution: s.institution?.name ?? null, password: DEMO_STAFF_PASSWORD });
      }
    }
    return created;
  });
}

import type { FastifyInstance } from 'fastify';
import type { Db } from '../../src/db/database.ts';
import type { StaffRole } from '../../src/db/schema.ts';
import { surfaceOf } from '../../src/modules/accounts/authorization.ts';
import { hashPassword } from '../../src/modules/accounts/password.ts';
import { Browser } from './http.ts';

let seq = 0;
const STAFF_PASSWORD = 'Staff2026pass';
let cachedHash: Promise<string> | undefined;

export async function makeInstitution(db: Db, authorityId: bigint, kind: 'LEARNING_CENTRE' | 'SCHOOL' = 'LEARNING_CENTRE') {
  const n = ++seq;
  const row = await db.insertInto('institution').values({ authority_id: authorityId, code: `I${n}`, name: `学习中心${n}`, kind }).returning(['id', 'code']).executeTakeFirstOrThrow();
  return { institutionId: row.id, code: row.code };
}

export interface StaffFixture {
  staffId: bigint;
  authorityId: bigint;
  authorityCode: string;
  loginName: string;
  password: string;
  role: StaffRole;
  institutionId: bigint | null;
}

/** A staff account; its password is already changed unless asked (then the initial one is `password`). */
export async function makeStaff(db: Db, a: { authorityId: bigint; authorityCode: string }, role: StaffRole, opts: { institutionId?: bigint; mustChangePassword?: boolean } = {}): Promise<StaffFixture> {
  const n = ++seq;
  const loginName = `${role.toLowerCase().replace('_', '-').slice(0, 12)}${n}`;
  cachedHash ??= hashPassword(STAFF_PASSWORD);
  const institutionId = role === 'INSTITUTION_STAFF' ? opts.institutionId ?? null : null;
  if (role === 'INSTITUTION_STAFF' && institutionId === null) throw new Error('institution staff need an institution');
  const row = await db.insertInto('staff_account').values({
    authority_id: a.authorityId, institution_id: institutionId, login_name: loginName, display_name: `工作人员${n}`, role,
    password_hash: await cachedHash, must_change_password: opts.mustChangePassword ?? false, created_at: new Date('2026-03-01T00:00:00Z'),
  }).returning('id').executeTakeFirstOrThrow();
  return { staffId: row.id, authorityId: a.authorityId, authorityCode: a.authorityCode, loginName, password: STAFF_PASSWORD, role, institutionId };
}

export const prefixOf = (role: StaffRole) => (surfaceOf(role) === 'admin' ? '/api/v1/admin' : '/api/v1/institution');

/** A browser signed in as this staff member, on the API its role uses. */
export async function staffBrowser(app: FastifyInstance, s: StaffFixture): Promise<Browser> {
  const b = new Browser(app);
  const r = await b.post(`${prefixOf(s.role)}/session`, { authority: s.authorityCode, loginName: s.loginName, password: s.password, ...(await b.captcha()) });
  if (r.status !== 200) throw new Error(`staff sign-in failed: ${JSON.stringify(r.body)}`);
  return b;
}

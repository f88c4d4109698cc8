import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { seedConfigurations } from '../src/demo/seed-configurations.ts';
import { DEMO_STAFF_PASSWORD, seedDemo, seedDemoStaff } from '../src/demo/seed-demo.ts';
import { ManualClock } from '../src/shared/clock.ts';
import { createTestDatabase, type TestDatabase } from './support/test-db.ts';
import { buildTestApp } from './support/test-app.ts';
import { Browser } from './support/http.ts';
import { TEST_PERSONAL_DATA } from './support/test-keys.ts';

let t: TestDatabase;
let app: FastifyInstance;
const clock = new ManualClock('2026-03-15T01:00:00Z');
beforeAll(async () => {
  t = await createTestDatabase();
  ({ app } = await buildTestApp(t, { clock }));
});
afterAll(async () => {
  await app.close();
  await t.drop();
});

const staffSignIn = async (prefix: string, authority: string, loginName: string) => {
  const b = new Browser(app);
  const r = await b.post(`${prefix}/session`, { authority, loginName, password: DEMO_STAFF_PASSWORD, ...(await b.captcha()) });
  expect(r.status, JSON.stringify(r.body)).toBe(200);
  expect((await b.post(`${prefix}/me/password`, { currentPassword: DEMO_STAFF_PASSWORD, newPassword: 'Changed2026x' })).status).toBe(204);
  return b;
};

describe('demo staff (npm start)', () => {
  it('one account per role for DEMO with a learning centre, an admin and institution staff for the seed systems; once only', async () => {
    await seedDemo({ db: t.db, personalData: TEST_PERSONAL_DATA }, clock.now());
    await seedConfigurations({ db: t.db, personalData: TEST_PERSONAL_DATA }, clock.now());
    const staff = await seedDemoStaff(t.db, clock.now());
    expect(staff.filter((s) => s.authorityCode === 'DEMO').map((s) => [s.loginName, s.role, s.institution])).toEqual([
      ['admin', 'AUTHORITY_ADMIN', null], ['finance', 'FINANCE', null], ['viewer', 'READ_ONLY', null], ['demo-lc', 'INSTITUTION_STAFF', '示范学习中心'],
    ]);
    expect(staff.filter((s) => s.authorityCode !== 'DEMO').map((s) => `${s.authorityCode}/${s.loginName}`)).toEqual(['TK000/admin', 'TK000/bj-hd', 'TK000/gz-th', 'CET002/admin', 'CET002/u01']);
    expect(await seedDemoStaff(t.db, clock.now())).toEqual([]);

    const centre = await staffSignIn('/api/v1/institution', 'DEMO', 'demo-lc');
    expect((await centre.post('/api/v1/institution/candidates/search', {})).body.map((c: { name: string }) => c.name)).toEqual(['张三', '李四']);
    const admin = await staffSignIn('/api/v1/admin', 'DEMO', 'admin');
    expect((await admin.post('/api/v1/admin/candidates/search', {})).body).toHaveLength(3);
  });

  it('seed 002: 刘洋 files his review (未复核) and the school\'s staff approve it; he can then register CET6', async () => {
    const liu = new Browser(app);
    await liu.signIn('CET002', '370102200410216591', '216591');
    expect((await liu.post('/api/v1/me/password', { currentPassword: '216591', newPassword: 'LiuYang_2026x' })).status).toBe(204); // CET002: letters, digits and a special character (ACC-3)
    const sittingId = (await liu.get('/api/v1/sittings')).body[0].sittingId as string;
    const filed = await liu.post(`/api/v1/sittings/${sittingId}/cet6-review`, { ticketNo: '370020251104521' });
    expect(filed.body.status).toBe('PENDING');

    const school = await staffSignIn('/api/v1/institution', 'CET002', 'u01');
    const queue = (await school.get('/api/v1/institution/reviews')).body;
    expect(queue).toEqual([expect.objectContaining({ reviewId: filed.body.reviewId, candidate: expect.objectContaining({ name: '刘洋' }), cet4Record: expect.objectContaining({ sameName: true, sameIdNumber: false, score: 468 }) })]);
    expect((await school.post(`/api/v1/institution/reviews/${filed.body.reviewId}/decision`, { decision: 'APPROVE' })).body.status).toBe('APPROVED');
    const options = (await liu.get(`/api/v1/sittings/${sittingId}/registration-options`)).body;
    expect(options.subjects.find((s: { code: string }) => s.code === 'CET6')).toMatchObject({ canRegister: true });
  });
});

import type { FastifyInstance } from 'fastify';
import type { Browser as Chromium, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sealIdNumber } from '../../src/modules/accounts/candidate-identity.ts';
import { artifactPath, launchChromium, signInToConsole } from '../support/browser.ts';
import { makeCandidate, makeExam, type ExamFixture } from '../support/fixtures.ts';
import { Browser } from '../support/http.ts';
import { makeInstitution, makeStaff, type StaffFixture } from '../support/staff-fixtures.ts';
import { buildTestApp } from '../support/test-app.ts';
import { createTestDatabase, type TestDatabase } from '../support/test-db.ts';
import { TEST_PERSONAL_DATA } from '../support/test-keys.ts';

let t: TestDatabase;
let app: FastifyInstance;
let chromium: Chromium;
let baseUrl: string;
let exam: ExamFixture;

beforeAll(async () => {
  chromium = await launchChromium();
  t = await createTestDatabase();
  ({ app } = await buildTestApp(t));
  // Fastify answers with the address it bound: http://127.0.0.1:<port>.
  baseUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  exam = await makeExam(t.db, { fees: [3000n, 3000n] });
  await t.db.updateTable('subject').set({ requires_review: true }).where('id', '=', exam.subjectIds[1]!).execute();
  await t.db.updateTable('exam').set({ cet6_review_threshold: 425 }).where('id', '=', exam.examId).execute();
});
afterAll(async () => {
  await chromium?.close();
  await app?.close();
  await t?.drop();
});

/** A candidate of the school whose CET4 record has their name but another ID number: 未复核. */
async function pendingReview(institutionId: bigint, ticketNo: string) {
  const c = await makeCandidate(t.db, exam);
  await t.db.updateTable('candidate').set({ institution_id: institutionId }).where('id', '=', c.candidateId).execute();
  const { name } = await t.db.selectFrom('candidate').select('name').where('id', '=', c.candidateId).executeTakeFirstOrThrow();
  await t.db.insertInto('cet4_score').values({ authority_id: exam.authorityId, ticket_no: ticketNo, ...sealIdNumber(TEST_PERSONAL_DATA, '110105199901011234'), name, score: 468 }).execute();
  const b = new Browser(app);
  await b.signIn(exam.authorityCode, c.idNumber, c.password);
  const filed = await b.post(`/api/v1/sittings/${exam.sittingId}/cet6-review`, { ticketNo });
  expect(filed.status).toBe(201);
  return { name, browser: b, reviewId: filed.body.reviewId as string };
}

async function signInToReviews(page: Page, surface: 'admin' | 'institution', s: StaffFixture) {
  await signInToConsole(page, `${baseUrl}/${surface}/reviews`, s);
}

describe('the CET6 review queue in the console (REG-4, ORG-2)', () => {
  it('a school approves one review and rejects another with a reason; the candidates see each outcome; another school sees neither', async () => {
    const school = await makeInstitution(t.db, exam.authorityId, 'SCHOOL');
    const otherSchool = await makeInstitution(t.db, exam.authorityId, 'SCHOOL');
    const approveMe = await pendingReview(school.institutionId, '320010251100001');
    const rejectMe = await pendingReview(school.institutionId, '320010251100002');

    const other = await chromium.newPage({ viewport: { width: 1280, height: 800 } });
    await signInToReviews(other, 'institution', await makeStaff(t.db, exam, 'INSTITUTION_STAFF', { institutionId: otherSchool.institutionId }));
    await expect.poll(() => other.textContent('main')).toContain('没有待处理的复核');
    await other.close();

    const page = await chromium.newPage({ viewport: { width: 1280, height: 800 } });
    await signInToReviews(page, 'institution', await makeStaff(t.db, exam, 'INSTITUTION_STAFF', { institutionId: school.institutionId }));
    const row = (name: string) => page.locator('tr', { hasText: name });
    await expect.poll(() => row(approveMe.name).count()).toBe(1);
    expect(await row(approveMe.name).textContent()).toContain('468');
    await page.screenshot({ path: artifactPath('console-reviews-desktop.png'), fullPage: true });

    await row(approveMe.name).getByRole('button', { name: '通过' }).click();
    await expect.poll(() => row(approveMe.name).count()).toBe(0);
    await row(rejectMe.name).getByRole('button', { name: '驳回' }).click();
    const dialog = page.getByRole('dialog');
    // No reason, no rejection: the button waits for one (the server requires it too).
    expect(await dialog.getByRole('button', { name: '驳回' }).isDisabled()).toBe(true);
    await dialog.getByLabel('驳回原因（考生可见）').fill('证件号与四级成绩不符，请携带证明复核');
    await dialog.getByRole('button', { name: '驳回' }).click();
    await expect.poll(() => row(rejectMe.name).count()).toBe(0);

    await page.getByText('已驳回', { exact: true }).first().click();
    await expect.poll(() => row(rejectMe.name).textContent()).toContain('证件号与四级成绩不符');

    const seen = async (b: Browser) => (await b.get(`/api/v1/sittings/${exam.sittingId}/cet6-review`)).body as { status: string; rejectReason: string | null }[];
    expect(await seen(approveMe.browser)).toEqual([expect.objectContaining({ status: 'APPROVED' })]);
    expect(await seen(rejectMe.browser)).toEqual([expect.objectContaining({ status: 'REJECTED', rejectReason: '证件号与四级成绩不符，请携带证明复核' })]);
    await page.close();
  });
});

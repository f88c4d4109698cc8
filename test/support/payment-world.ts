import type { AddressInfo } from 'node:net';
import { AlipayAdapter } from '../../src/channels/alipay/alipay.adapter.ts';
import { startTestSandbox, type TestSandbox } from '../../src/sandbox/sandbox.test-kit.ts';
import { runAllJobs } from '../../src/jobs/schedule.ts';
import { confirmBill } from '../../src/modules/billing/confirm-bill.ts';
import { acceptAgreement } from '../../src/modules/billing/accept-agreement.ts';
import { startPayment } from '../../src/modules/payments/start-payment.ts';
import { ManualClock } from '../../src/shared/clock.ts';
import type { Bill } from '../../src/db/schema.ts';
import { createTestDatabase, type TestDatabase } from './test-db.ts';
import { buildTestApp } from './test-app.ts';
import { makeCandidate, makeExam, type CandidateFixture, type ExamFixture } from './fixtures.ts';

/**
 * Everything real, in one test process: ExamPay listening on 127.0.0.1, the sandbox gateway on
 * its own port speaking Alipay's protocol, the official-SDK adapter between them, PostgreSQL,
 * and one manual clock that all of them read.
 */
export async function startPaymentWorld(opts: { fees?: bigint[]; adapterTimeoutMs?: number } = {}) {
  const t: TestDatabase = await createTestDatabase({ poolSize: 30 });
  const clock = new ManualClock('2026-03-15T01:00:00Z');
  const sb: TestSandbox = await startTestSandbox({ clock, apiHangMs: 5_000 });
  const m = sb.merchants[0]!;
  const alipay = new AlipayAdapter({
    appId: m.appId, sellerId: m.sellerId, privateKeyPem: m.privateKeyPem, alipayPublicKeyPem: sb.alipayKeys.publicKeyPem,
    gateway: sb.alipayGateway, timeoutMs: opts.adapterTimeoutMs ?? 1_000,
  }, { clock });
  const { app, ctx } = await buildTestApp(t, { clock, channels: [alipay] });
  await app.listen({ host: '127.0.0.1', port: 0 });
  ctx.publicBaseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const exam: ExamFixture = await makeExam(t.db, { fees: opts.fees ?? [8000n, 6500n] });

  return {
    t, db: t.db, clock, sandbox: sb.control, sb, app, ctx, exam, alipay, baseUrl: ctx.publicBaseUrl,
    runJobs: () => runAllJobs(ctx),
    candidate: (o?: Parameters<typeof makeCandidate>[2]): Promise<CandidateFixture> => makeCandidate(t.db, exam, o),
    /** A candidate's bill, agreed and sent to Alipay: PAYING with one open order. */
    async payingBill(c?: CandidateFixture): Promise<{ bill: Bill; candidate: CandidateFixture; payUrl: string }> {
      const candidate = c ?? (await makeCandidate(t.db, exam));
      const confirmed = await confirmBill(ctx, { candidateId: candidate.candidateId, registrationIds: candidate.registrationIds });
      if (!confirmed.ok) throw new Error(confirmed.error.code);
      await acceptAgreement(ctx, { candidateId: candidate.candidateId, billNo: confirmed.value.bill_no });
      const started = await startPayment(ctx, { candidateId: candidate.candidateId, billNo: confirmed.value.bill_no, channel: 'alipay', actor: 'test' });
      if (!started.ok) throw new Error(started.error.code);
      return { bill: await this.bill(confirmed.value.bill_no), candidate, payUrl: started.value.payUrl };
    },
    bill: (billNo: string) => t.db.selectFrom('bill').selectAll().where('bill_no', '=', billNo).executeTakeFirstOrThrow(),
    async close() {
      await app.close();
      await sb.close();
      await t.drop();
    },
  };
}
export type PaymentWorld = Awaited<ReturnType<typeof startPaymentWorld>>;

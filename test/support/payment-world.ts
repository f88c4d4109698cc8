import { mintSandboxMaterial, sandboxAdapters, sandboxOptions, type SandboxMaterial } from '../../src/channels/sandbox-setup.ts';
import { buildSandboxApp } from '../../src/sandbox/sandbox.ts';
import type { AlipayAdapter } from '../../src/channels/alipay/alipay.adapter.ts';
import { runAllJobs } from '../../src/jobs/schedule.ts';
import { confirmBill } from '../../src/modules/billing/confirm-bill.ts';
import { acceptAgreement } from '../../src/modules/billing/accept-agreement.ts';
import { startPayment } from '../../src/modules/payments/start-payment.ts';
import { ManualClock } from '../../src/shared/clock.ts';
import type { Bill } from '../../src/db/schema.ts';
import { createTestDatabase, type TestDatabase } from './test-db.ts';
import { buildTestApp } from './test-app.ts';
import { makeCandidate, makeExam, type CandidateFixture, type ExamFixture } from './fixtures.ts';
import { freePort } from './free-port.ts';

// Minting keys and certificates takes a moment; one set serves every world of a test file.
let material: SandboxMaterial | undefined;

/**
 * Everything real, in one test process: ExamPay listening on 127.0.0.1, the sandbox gateway on
 * its own port speaking Alipay's protocol, the official-SDK adapter between them, PostgreSQL,
 * and one manual clock that all of them read.
 */
export async function startPaymentWorld(opts: { fees?: bigint[]; adapterTimeoutMs?: number; channels?: string[] } = {}) {
  const t: TestDatabase = await createTestDatabase({ poolSize: 30 });
  const clock = new ManualClock('2026-03-15T01:00:00Z');
  material ??= mintSandboxMaterial(clock.now(), { alipayAppId: '2021000000000001', alipaySellerId: '2088000000000001' });
  // The same setup as `npm start`: one sandbox speaking every channel's protocol, the real adapters.
  let sandboxBase = '';
  const { app: sandboxApp, sandbox } = await buildSandboxApp({ clock, publicBaseUrl: () => sandboxBase, prefix: '/sandbox', apiHangMs: 5_000, ...sandboxOptions(material) });
  await sandboxApp.listen({ host: '127.0.0.1', port: 0 });
  sandboxBase = `http://127.0.0.1:${(sandboxApp.server.address() as { port: number }).port}/sandbox`;
  const port = await freePort();
  const publicBaseUrl = `http://127.0.0.1:${port}`;
  const channels = sandboxAdapters(material, { sandboxBase, publicBaseUrl, clock, db: t.db, timeoutMs: opts.adapterTimeoutMs ?? 1_000 });
  const alipay = channels[0] as AlipayAdapter;
  const { app, ctx } = await buildTestApp(t, { clock, channels, publicBaseUrl });
  await app.listen({ host: '127.0.0.1', port });
  /** What tests need of the sandbox's Alipay side (its signing key, the merchant ids). */
  const sb = {
    alipayKeys: material.alipay.channel,
    merchants: [{ appId: material.alipay.appId, sellerId: material.alipay.sellerId }],
    baseUrl: sandboxBase,
    close: () => sandboxApp.close(),
  };
  const exam: ExamFixture = await makeExam(t.db, { fees: opts.fees ?? [8000n, 6500n], channels: opts.channels ?? ['alipay', 'wechatpay', 'unionpay'] });

  return {
    t, db: t.db, clock, sandbox: sandbox.control, sb, material: material!, app, ctx, exam, alipay, baseUrl: ctx.publicBaseUrl,
    runJobs: () => runAllJobs(ctx),
    candidate: (o?: Parameters<typeof makeCandidate>[2]): Promise<CandidateFixture> => makeCandidate(t.db, exam, o),
    /** A candidate's bill, agreed and sent to Alipay: PAYING with one open order. */
    async payingBill(c?: CandidateFixture, channel = 'alipay'): Promise<{ bill: Bill; candidate: CandidateFixture; payUrl: string }> {
      const candidate = c ?? (await makeCandidate(t.db, exam));
      const confirmed = await confirmBill(ctx, { candidateId: candidate.candidateId, registrationIds: candidate.registrationIds });
      if (!confirmed.ok) throw new Error(confirmed.error.code);
      await acceptAgreement(ctx, { candidateId: candidate.candidateId, billNo: confirmed.value.bill_no });
      const started = await startPayment(ctx, { candidateId: candidate.candidateId, billNo: confirmed.value.bill_no, channel, actor: 'test' });
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

import { createTestPayment } from '../create-test-payment.test-kit.ts';
import { ManualClock } from '../../shared/clock.ts';
import {
  startNotifyReceiver, startTestSandbox, type NotifyReceiver, type TestSandbox,
} from '../../sandbox/sandbox.test-kit.ts';
import type { CreatePaymentInput, NotificationResult } from '../channel.ts';
import { AlipayAdapter, type AlipayAdapterConfig } from './alipay.adapter.ts';

/**
 * Test rig: the Alipay adapter talking over real HTTP to a sandbox on 127.0.0.1, a merchant
 * notify receiver, and a manual clock shared by both. Not used in production.
 */
export interface AlipayRig {
  clock: ManualClock;
  sbx: TestSandbox;
  receiver: NotifyReceiver;
  adapter: AlipayAdapter;
  config: AlipayAdapterConfig;
  /** Another adapter for the same merchant with changes to its config. */
  adapterWith(changes: Partial<AlipayAdapterConfig>): AlipayAdapter;
  /** Creates a payment for a fresh bill (100.00 yuan, 30 min) and returns its bill number. */
  create(changes?: Partial<CreatePaymentInput>): Promise<{ billNo: string; payUrl: string }>;
  /** Every notification received so far, parsed by the adapter. */
  parsed(): NotificationResult[];
  close(): Promise<void>;
}

export async function startAlipayRig(opts: { timeoutMs?: number; merchantCount?: number; apiHangMs?: number } = {}): Promise<AlipayRig> {
  const clock = new ManualClock('2026-03-15T01:00:00Z');
  const sbx = await startTestSandbox({ clock, merchantCount: opts.merchantCount, apiHangMs: opts.apiHangMs });
  const receiver = await startNotifyReceiver();
  const m = sbx.merchants[0]!;
  const config: AlipayAdapterConfig = {
    appId: m.appId,
    sellerId: m.sellerId,
    privateKeyPem: m.privateKeyPem,
    alipayPublicKeyPem: sbx.alipayKeys.publicKeyPem,
    gateway: sbx.alipayGateway,
    timeoutMs: opts.timeoutMs ?? 3_000,
  };
  const adapter = new AlipayAdapter(config, { clock });
  return {
    clock, sbx, receiver, adapter, config,
    adapterWith: (changes) => new AlipayAdapter({ ...config, ...changes }, { clock }),
    create: (changes = {}) => createTestPayment(adapter, clock, { subject: '2026年3月 统考 — 大学英语B', notifyUrl: receiver.url }, changes),
    parsed: () => receiver.received.map((n) => adapter.parseNotification({ body: n.body, headers: n.headers })),
    async close() {
      await receiver.close();
      await sbx.close();
    },
  };
}

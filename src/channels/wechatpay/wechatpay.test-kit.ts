import { createTestPayment } from '../create-test-payment.test-kit.ts';
import { ManualClock } from '../../shared/clock.ts';
import { startNotifyReceiver, type NotifyReceiver, type ReceivedNotification } from '../../sandbox/sandbox.test-kit.ts';
import {
  startWechatpaySandbox, type WechatpayTestSandbox,
} from '../../sandbox/wechatpay/wechatpay-sandbox.test-kit.ts';
import type { CreatePaymentInput, NotificationResult } from '../channel.ts';
import { WechatpayAdapter, type WechatpayAdapterConfig } from './wechatpay.adapter.ts';

/**
 * Test rig: the WeChat Pay adapter talking over real HTTP to the sandbox on 127.0.0.1, and a
 * merchant notify receiver that — like the real notify route — parses each callback with the
 * adapter the moment it arrives and answers with `notificationAnswer`. One manual clock for all.
 * Not used in production.
 */
export interface WechatpayRig {
  clock: ManualClock;
  sbx: WechatpayTestSandbox;
  receiver: NotifyReceiver;
  adapter: WechatpayAdapter;
  config: WechatpayAdapterConfig;
  /** Another adapter for the same merchant with changes to its config. */
  adapterWith(changes: Partial<WechatpayAdapterConfig>): WechatpayAdapter;
  /** The config of sandbox merchant `i` (0 = the rig's own). */
  configFor(i: number): WechatpayAdapterConfig;
  /** Creates a payment for a fresh bill (100.00 yuan, 30 min) and returns its bill number. */
  create(changes?: Partial<CreatePaymentInput>): Promise<{ billNo: string; payUrl: string }>;
  /** Each callback received so far, as the adapter parsed it on arrival. */
  parsed(): NotificationResult[];
  /** Overrides the merchant's answer (default: the adapter's notificationAnswer). */
  respond: ((n: ReceivedNotification, parsed: NotificationResult) => { status: number; body: string }) | null;
  close(): Promise<void>;
}

export async function startWechatpayRig(
  opts: { timeoutMs?: number; merchantCount?: number; apiHangMs?: number; ownApiV3Keys?: boolean } = {},
): Promise<WechatpayRig> {
  const clock = new ManualClock('2026-03-15T01:00:00Z');
  const sbx = await startWechatpaySandbox({ clock, merchantCount: opts.merchantCount, apiHangMs: opts.apiHangMs, ownApiV3Keys: opts.ownApiV3Keys });
  const receiver = await startNotifyReceiver();
  receiver.url = receiver.url.replace('/notify/alipay', '/notify/wechatpay');
  const configFor = (i: number): WechatpayAdapterConfig => {
    const m = sbx.merchants[i]!;
    return {
      mchid: m.mchid,
      appid: m.appid,
      merchantPrivateKeyPem: m.privateKeyPem,
      merchantSerial: m.merchantSerial,
      platformPublicKeyPem: sbx.platformKeys.publicKeyPem,
      platformSerial: sbx.platformSerial,
      apiV3Key: m.apiV3Key,
      baseUrl: sbx.wechatpayBase,
      timeoutMs: opts.timeoutMs ?? 3_000,
    };
  };
  const config = configFor(0);
  const adapter = new WechatpayAdapter(config, { clock });
  const results: NotificationResult[] = [];
  const rig: WechatpayRig = {
    clock, sbx, receiver, adapter, config, configFor,
    adapterWith: (changes) => new WechatpayAdapter({ ...config, ...changes }, { clock }),
    create: (changes = {}) => createTestPayment(adapter, clock, { subject: '2026年3月 统考 — 大学英语B', notifyUrl: receiver.url }, changes),
    parsed: () => [...results],
    respond: null,
    async close() {
      await receiver.close();
      await sbx.close();
    },
  };
  receiver.answer = (n) => {
    const parsed = adapter.parseNotification({ body: n.body, headers: n.headers });
    results.push(parsed);
    if (rig.respond) return rig.respond(n, parsed);
    const a = adapter.notificationAnswer(parsed.ok);
    return { status: a.status, body: a.body };
  };
  return rig;
}

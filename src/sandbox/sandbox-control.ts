import type { Faults } from './faults.ts';
import type { NotificationView } from './notify-dispatcher.ts';
import { snapshotOrder, type SandboxChannel, type SandboxLedger, type SandboxOrder } from './order-book.ts';
import type { PayOutcome, SandboxCore } from './sandbox-core.ts';

/**
 * The sandbox's programmatic handle, for tests and tools: act as the payer, inject faults, run
 * the notification schedule, read the books. Orders are named by bill number (out_trade_no);
 * pass `channel` / `merchantId` when one bill number was sent to several channels or merchants.
 */
export interface OrderSelector {
  channel?: SandboxChannel;
  merchantId?: string;
}

export type PayResult = PayOutcome | { ok: false; reason: 'NOT_FOUND'; message: string };

export interface SandboxControl {
  /** The payer opens the cashier (Alipay: scans the QR), creating the trade. False if over or unknown. */
  open(billNo: string, which?: OrderSelector): boolean;
  /** The payer pays: money is captured and notifications are scheduled, as the faults say. */
  pay(billNo: string, opts?: OrderSelector & { method?: string }): Promise<PayResult>;
  /** A payment attempt fails: nothing captured, nothing notified, the trade keeps waiting. */
  fail(billNo: string, which?: OrderSelector): { ok: boolean; reason?: string };
  /** The payer walks away: nothing happens at all. */
  abandon(billNo: string, which?: OrderSelector): void;
  /** Replaces the faults of one bill, or of all bills with `'*'`; `{}` clears. */
  setFaults(billNo: string, faults: Faults): void;
  clearFaults(): void;
  /** Expires due orders, then makes one attempt for each notification whose time has come (`reverse`: newest first). */
  deliverDueNotifications(opts?: { reverse?: boolean }): Promise<number>;
  /** Runs `deliverDueNotifications` every `intervalMs` of real time (default 1 s). */
  start(intervalMs?: number): void;
  stop(): Promise<void>;
  ledger(): SandboxLedger;
  /** The channel loses this capture from its books (reconciliation tests); false if unknown. */
  forgetCapture(captureNo: string): boolean;
  /** A copy of the order (after applying expiry), or undefined. */
  getOrder(billNo: string, which?: OrderSelector): SandboxOrder | undefined;
  notifications(billNo?: string): NotificationView[];
}

export function createControl(core: SandboxCore): SandboxControl {
  const find = (billNo: string, which: OrderSelector = {}): SandboxOrder | undefined => {
    const matches = core.book.findByBillNo(billNo).filter((o) =>
      (!which.channel || o.channel === which.channel) && (!which.merchantId || o.merchantId === which.merchantId));
    if (matches.length > 1) throw new Error(`bill ${billNo} is at several channels/merchants; pass channel or merchantId`);
    if (matches[0]) core.refresh(matches[0]);
    return matches[0];
  };

  const control: SandboxControl = {
    open(billNo, which) {
      const order = find(billNo, which);
      return order ? core.open(order) : false;
    },
    async pay(billNo, opts = {}) {
      const order = find(billNo, opts);
      if (!order) return { ok: false, reason: 'NOT_FOUND', message: `no order ${billNo}` };
      const outcome = await core.pay(order, opts.method);
      return outcome.ok ? { ...outcome, captures: outcome.captures.map((c) => structuredClone(c)) } : outcome;
    },
    fail(billNo, which) {
      const order = find(billNo, which);
      return order ? core.fail(order) : { ok: false, reason: 'NOT_FOUND' };
    },
    abandon(billNo, which) {
      find(billNo, which);
    },
    setFaults(billNo, faults) {
      core.faults.set(billNo, faults);
    },
    clearFaults() {
      core.faults.clear();
    },
    deliverDueNotifications(opts) {
      return core.deliverDue(opts);
    },
    start(intervalMs) {
      core.dispatcher.start(() => core.deliverDue(), intervalMs);
    },
    stop() {
      return core.dispatcher.stop();
    },
    ledger() {
      return core.book.ledger();
    },
    forgetCapture(captureNo) {
      return core.forgetCapture(captureNo);
    },
    getOrder(billNo, which) {
      const order = find(billNo, which);
      return order && snapshotOrder(order);
    },
    notifications(billNo) {
      return core.dispatcher.view((j) => !billNo || j.spec.billNo === billNo);
    },
  };
  return control;
}

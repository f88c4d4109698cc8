/**
 * Fault injection: how the sandbox misbehaves, per bill number or for all (`'*'`). The bill's
 * own setting wins over the global one, field by field.
 */
export interface Faults {
  /** The channel never sends the asynchronous notification. */
  noNotify?: boolean;
  /** The first delivery attempt of each notification waits this long (clock time). */
  lateNotifyMs?: number;
  /** Each notification is delivered twice, as two independent deliveries (same notify id). */
  duplicateNotify?: boolean;
  /**
   * The notification is delivered before the payer's browser is sent back to the merchant.
   * Default (false): the browser returns first, the notification follows on the next delivery run.
   */
  notifyBeforeReturn?: boolean;
  /**
   * The money is captured, but the cashier shows an error and the next API call about this order
   * (typically the merchant's query or close right after) hangs until the caller times out. The
   * capture is real: later queries report it, and the notification is sent as usual (combine with
   * `noNotify` for the hardest case).
   */
  chargeButTimeout?: boolean;
  /** The payer is charged twice: two captures with distinct trade numbers, each notified. */
  chargeTwice?: boolean;
  /**
   * The payer is charged this amount (fen) instead of the order's — a channel fault no real
   * protocol should allow; it is what "a capture that fails our amount check" needs to exist.
   * Notifications, queries and statements all report the amount charged.
   */
  captureAmountFen?: bigint;
  /** The API gateway is down: answers "service unavailable" (`'error'`) or never answers (`'hang'`). */
  apiDown?: false | 'error' | 'hang';
  /**
   * The order was closed (expired or closed by the merchant) while the payer's bank leg was
   * already under way: paying it still captures the money, which is notified as usual — the
   * channel reports money on an order it said was closed (seed 001: "订单已关闭" yet charged).
   */
  captureAfterClose?: boolean;
}

export class FaultBook {
  private readonly byBill = new Map<string, Faults>();

  /** Replaces the faults for one bill, or for all bills with `'*'`. `{}` clears them. */
  set(billNo: string, faults: Faults): void {
    this.byBill.set(billNo, { ...faults });
  }

  clear(): void {
    this.byBill.clear();
  }

  for(billNo: string | null | undefined): Faults {
    const global = this.byBill.get('*') ?? {};
    const own = billNo ? this.byBill.get(billNo) : undefined;
    return { ...global, ...own };
  }
}

/**
 * Requests the sandbox holds open to simulate a timeout. Real time, not the injected clock: this
 * is the network, and the caller's own timeout is what ends it. All are released when the app
 * closes, so `close()` never waits on them.
 */
export class HangRegistry {
  private readonly waiting = new Set<() => void>();

  /** Resolves after `ms`, on `release()`, or when `until` fires (e.g. the client went away). */
  wait(ms: number, until?: { once(event: 'close', cb: () => void): unknown }): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiting.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiting.add(done);
      until?.once('close', done);
    });
  }

  releaseAll(): void {
    for (const done of [...this.waiting]) done();
  }
}

/**
 * UnionPay names a trade by (merId, orderId, txnTime): the status query and every retry of a
 * refund must repeat the txnTime the order was first sent with, and a second send of the same
 * orderId with another txnTime is refused as a duplicate (respCode 12). The Channel interface
 * passes only our numbers (bill number, refund number), so the adapter keeps each order's
 * txnTime here.
 *
 * In-process memory is right for the sandbox (the sandbox forgets its orders on restart too);
 * a live deployment needs a durable implementation, e.g. a table
 * `(channel, order_id) PRIMARY KEY, sent_at timestamptz` where `claim` is
 * `INSERT … ON CONFLICT DO NOTHING` followed by a `SELECT` (first writer wins).
 */
export interface UnionpayOrderTimes {
  /** The txnTime recorded for `orderId`, recording `now` first if there is none. */
  claim(orderId: string, now: Date): Promise<Date>;
  /** The txnTime recorded for `orderId`, or null when we never sent it. */
  find(orderId: string): Promise<Date | null>;
  /**
   * Records `now` as the txnTime of an order UnionPay never received, if it is still `since`
   * (first writer wins again); returns the time now recorded.
   */
  renew(orderId: string, since: Date, now: Date): Promise<Date>;
}

export function memoryOrderTimes(): UnionpayOrderTimes {
  const times = new Map<string, Date>();
  return {
    async claim(orderId, now) {
      // txnTime has whole seconds: keep what will be sent, so find() gives back the same text.
      if (!times.has(orderId)) times.set(orderId, new Date(Math.floor(now.getTime() / 1000) * 1000));
      return times.get(orderId)!;
    },
    async find(orderId) {
      return times.get(orderId) ?? null;
    },
    async renew(orderId, since, now) {
      if (times.get(orderId)?.getTime() === since.getTime()) times.set(orderId, new Date(Math.floor(now.getTime() / 1000) * 1000));
      return times.get(orderId)!;
    },
  };
}

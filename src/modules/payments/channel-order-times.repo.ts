import type { Db } from '../../db/database.ts';

/**
 * A durable store of when each channel order was first sent (UnionPay's txnTime). First writer
 * wins: a retry after a crash or a second process reads the time the channel already knows.
 * Structurally the `UnionpayOrderTimes` the UnionPay adapter takes.
 */
export function pgOrderTimes(db: Db, channel: string) {
  return {
    async claim(orderId: string, now: Date): Promise<Date> {
      const whole = new Date(Math.floor(now.getTime() / 1000) * 1000); // the wire format has whole seconds
      await db.insertInto('channel_order_time').values({ channel, order_id: orderId, sent_at: whole })
        .onConflict((oc) => oc.columns(['channel', 'order_id']).doNothing()).execute();
      return (await this.find(orderId))!;
    },
    async find(orderId: string): Promise<Date | null> {
      const row = await db.selectFrom('channel_order_time').select('sent_at').where('channel', '=', channel).where('order_id', '=', orderId).executeTakeFirst();
      return row?.sent_at ?? null;
    },
    async renew(orderId: string, since: Date, now: Date): Promise<Date> {
      const whole = new Date(Math.floor(now.getTime() / 1000) * 1000);
      await db.updateTable('channel_order_time').set({ sent_at: whole })
        .where('channel', '=', channel).where('order_id', '=', orderId).where('sent_at', '=', since).execute();
      return (await this.find(orderId))!;
    },
  };
}

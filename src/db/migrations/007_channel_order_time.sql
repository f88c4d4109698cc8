-- UnionPay names a trade by (merId, orderId, txnTime): queries and refund retries must repeat the
-- txnTime of the first send. Kept here so a restart never loses the way to ask about a payment.
CREATE TABLE channel_order_time (
  channel   text NOT NULL,
  order_id  text NOT NULL,
  sent_at   timestamptz NOT NULL,
  PRIMARY KEY (channel, order_id)
);

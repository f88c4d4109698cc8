-- The SQL of settling one Alipay TRADE_SUCCESS notification (POST /notify/alipay → settleCapture),
-- statement for statement as ExamPay sends it (captured with log_statement = all; compare with
-- `npm run bench -- --show-sql`): the settle transaction, then the notification's record.
-- (A colon inside a literal would read as a pgbench variable: E'\072' is that colon.)
-- The bills were prepared PAYING with one open order each (bench/lib/paying-bills.ts); bill,
-- order and registration i have ids base + i, and pgbench's bills are numbered '8' || i.
\set i :offset + :client_id * :stride + :k
\set k :k + 1
\set bid :bill_base + :i
\set aid :attempt_base + :i
\set rid :registration_base + :i
begin;
select * from "payment_attempt" where "out_trade_no" = '8' || lpad(:i::text, 20, '0');
select * from "bill" where "id" = :bid for update;
select "outcome" from "channel_payment" where "channel" = 'alipay' and "channel_trade_no" = 'T' || :i::text;
insert into "channel_payment" ("bill_id", "attempt_id", "channel", "channel_trade_no", "amount_fen", "paid_at", "outcome", "reported_by", "recorded_at") values (:bid, :aid, 'alipay', 'T' || :i::text, 8000, now(), 'SETTLED', 'notify', now()) returning * \gset cp_
insert into "journal_entry" ("kind", "at", "channel", "sitting_id", "bill_id", "channel_payment_id", "refund_id") values ('CAPTURE_SETTLED', now(), 'alipay', :sitting, :bid, :cp_id, NULL) returning "id" \gset je_
insert into "ledger_posting" ("entry_id", "account", "amount_fen") values (:je_id, E'clearing\072alipay', 8000), (:je_id, 'fees:' || :sitting::text, -8000);
update "payment_attempt" set "state" = 'CLOSED', "closed_at" = now() where "id" = :aid and "state" = 'OPEN';
update "bill" set "paid_at" = now(), "channel" = 'alipay', "channel_trade_no" = 'T' || :i::text, "next_query_at" = NULL, "state" = 'PAID', "updated_at" = now() where "id" = :bid and "state" = 'PAYING' returning *;
insert into "bill_transition" ("bill_id", "from_state", "to_state", "cause", "actor", "at", "detail") values (:bid, 'PAYING', 'PAID', 'CHANNEL_PAID', E'notify\072alipay', now(), jsonb_build_object('channel', 'alipay', 'reportedBy', 'notify', 'channelTradeNo', 'T' || :i::text));
select "registration_id" from "bill_item" where "bill_id" = :bid;
update "registration" set "paid_at" = now() where "id" in (:rid);
UPDATE seat SET state = 'SOLD' WHERE registration_id = ANY(ARRAY[:rid]::bigint[]) AND state = 'HELD';
select "r"."id", "r"."status", "r"."slot_id", "s"."id" as "seat_id" from "registration" as "r" left join "seat" as "s" on "s"."registration_id" = "r"."id" and "s"."state" = 'SOLD' where "r"."id" in (:rid);
commit;
insert into "channel_notification" ("channel", "received_at", "accepted", "outcome", "detail", "bill_no", "notify_id", "remote_addr") values ('alipay', now(), true, 'SETTLED', '', '8' || lpad(:i::text, 20, '0'), 'bench' || :i::text, '127.0.0.1');

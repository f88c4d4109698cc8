-- The SQL of one candidate's seat hold + bill creation, statement for statement as ExamPay sends
-- it (captured from the server's log with log_statement = all; `npm run bench -- --show-sql`
-- prints the capture again to compare). ExamPay binds values as parameters; pgbench binds its
-- :variables the same way (-M extended). Two HTTP requests = two transactions, each preceded by
-- the session look-up; after the bill, the six reads of the bill's detail that the response shows.
-- Per client: candidate n = offset + client_id * stride + k, k counting this client's transactions.
\set n :offset + :client_id * :stride + :k
\set k :k + 1
\set cid :cand_base + :n
\if :hot
\set pool :hot_pool
\set site :hot_site
\set slot :hot_slot
\set subject :hot_subject
\else
\set p random(0, :npools - 1)
\set pool :pool_base + :p
\set site :site_base + :p / :nslots
\set slot :slot_base + :p % :nslots
\set subject :spread_subject
\endif
-- POST /api/v1/registrations
select "c".*, "s"."last_seen_at", "s"."expires_at" from "candidate_session" as "s" inner join "candidate" as "c" on "c"."id" = "s"."candidate_id" where "s"."id_hash" = sha256(convert_to('bench-session-' || :n::text || '-' || :secret::text, 'UTF8'));
begin;
select "id", "login", "email_verified_at" from "candidate" where "id" = :cid for update;
select "s"."id", "s"."sitting_id", "e"."id" as "exam_id", "e"."roster_restricted" from "subject" as "s" inner join "sitting" as "st" on "st"."id" = "s"."sitting_id" inner join "exam" as "e" on "e"."id" = "st"."exam_id" where "s"."id" = :subject and "e"."id" in (select "ax"."id" from "exam" as "ax" inner join "candidate" as "ac" on "ac"."authority_id" = "ax"."authority_id" where "ac"."id" = :cid and ("ax"."id" = "ac"."exam_id" or ("ac"."login" = 'EMAIL' and "ax"."account_style" = 'EMAIL')));
select "kind", "site_id", "opens_at", "closes_at" from "sitting_window" where "sitting_id" = :sitting;
select "s"."id", "s"."kind", "s"."written_subject_id", "s"."exclusion_group", "s"."requires_review", "s"."cancelled_at", "st"."cancelled_at" as "sitting_cancelled_at" from "subject" as "s" inner join "sitting" as "st" on "st"."id" = "s"."sitting_id" where "s"."sitting_id" = :sitting;
select "subject_id", "status" from "candidate_subject_standing" where "candidate_id" = :cid;
select "subject_id", "paid_at" from "registration" where "candidate_id" = :cid and "sitting_id" = :sitting and "status" = 'ACTIVE';
select "id" from "eligibility_review" where "candidate_id" = :cid and "sitting_id" = :sitting and "status" = 'APPROVED';
select "r"."id" from "registration" as "r" inner join "sitting" as "st" on "st"."id" = "r"."sitting_id" inner join "exam" as "e" on "e"."id" = "st"."exam_id" inner join "subject" as "s" on "s"."id" = "r"."subject_id" left join "repayment_approval" as "a" on "a"."registration_id" = "r"."id" and "a"."status" = 'APPROVED' where "r"."candidate_id" = :cid and "r"."sitting_id" = :sitting and "r"."status" = 'CANCELLED' and "r"."paid_at" is not null and "r"."cancelled_reason" in ('AUTHORITY_CANCELLED', 'AUTHORITY_CHANGED', 'REFUNDED') and "e"."repayment_needs_approval" = true and "s"."cancelled_at" is null and "a"."registration_id" is null limit 1;
select "id", "site_id", "slot_id" from "seat_pool" where "subject_id" = :subject;
insert into "registration" ("candidate_id", "sitting_id", "subject_id", "site_id", "slot_id", "created_at") values (:cid, :sitting, :subject, :site, :slot, now()) returning "id" \gset reg_
UPDATE seat SET state = 'HELD', registration_id = :reg_id, held_at = now() WHERE id = (SELECT id FROM seat WHERE pool_id = :pool AND state = 'FREE' ORDER BY seat_no LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING id, seat_no;
commit;
-- POST /api/v1/bills
select "c".*, "s"."last_seen_at", "s"."expires_at" from "candidate_session" as "s" inner join "candidate" as "c" on "c"."id" = "s"."candidate_id" where "s"."id_hash" = sha256(convert_to('bench-session-' || :n::text || '-' || :secret::text, 'UTF8'));
begin;
select "r"."id", "r"."candidate_id", "r"."sitting_id", "r"."subject_id", "r"."site_id", "r"."seat_released_reason", "r"."owner", "r"."status", "r"."paid_at", "s"."fee_fen", "e"."bill_timeout_minutes", "e"."roster_restricted" from "registration" as "r" inner join "subject" as "s" on "s"."id" = "r"."subject_id" inner join "sitting" as "st" on "st"."id" = "r"."sitting_id" inner join "exam" as "e" on "e"."id" = "st"."exam_id" where "r"."id" in (:reg_id) order by "r"."id" for update of "r";
select "e"."audit_required" from "sitting" as "st" inner join "exam" as "e" on "e"."id" = "st"."exam_id" where "st"."id" = :sitting;
select "kind", "site_id", "opens_at", "closes_at" from "sitting_window" where "sitting_id" = :sitting;
select "s"."id", "s"."kind", "s"."written_subject_id", "s"."exclusion_group", "s"."requires_review", "s"."cancelled_at", "st"."cancelled_at" as "sitting_cancelled_at" from "subject" as "s" inner join "sitting" as "st" on "st"."id" = "s"."sitting_id" where "s"."sitting_id" = :sitting;
select "subject_id", "status" from "candidate_subject_standing" where "candidate_id" = :cid;
select "subject_id", "paid_at" from "registration" where "candidate_id" = :cid and "sitting_id" = :sitting and "status" = 'ACTIVE';
select "id" from "eligibility_review" where "candidate_id" = :cid and "sitting_id" = :sitting and "status" = 'APPROVED';
select "r"."id" from "registration" as "r" inner join "sitting" as "st" on "st"."id" = "r"."sitting_id" inner join "exam" as "e" on "e"."id" = "st"."exam_id" inner join "subject" as "s" on "s"."id" = "r"."subject_id" left join "repayment_approval" as "a" on "a"."registration_id" = "r"."id" and "a"."status" = 'APPROVED' where "r"."candidate_id" = :cid and "r"."sitting_id" = :sitting and "r"."status" = 'CANCELLED' and "r"."paid_at" is not null and "r"."cancelled_reason" in ('AUTHORITY_CANCELLED', 'AUTHORITY_CHANGED', 'REFUNDED') and "e"."repayment_needs_approval" = true and "s"."cancelled_at" is null and "a"."registration_id" is null limit 1;
select distinct "subject_id" from "seat_pool" where "subject_id" in (:subject);
select "registration_id" from "seat" where "registration_id" in (:reg_id) and "state" = 'HELD';
select "registration_id" from "bill_item" where "registration_id" in (:reg_id) and "live" = true;
insert into "bill" ("bill_no", "candidate_id", "sitting_id", "amount_fen", "expires_at", "created_at", "updated_at") values ('9' || lpad(:n::text, 20, '0'), :cid, :sitting, 8000, now() + interval '30 minutes', now(), now()) returning * \gset bill_
insert into "bill_item" ("bill_id", "registration_id", "subject_id", "amount_fen") values (:bill_id, :reg_id, :subject, 8000);
commit;
select "i"."registration_id", "s"."code" as "subject_code", "s"."name" as "subject_name", "s"."kind", "i"."amount_fen", "i"."refunded_fen" from "bill_item" as "i" inner join "subject" as "s" on "s"."id" = "i"."subject_id" where "i"."bill_id" = :bill_id order by "i"."id";
select "out_trade_no", "channel", "state", "pay_url", "qr_content", "created_at", "closed_at" from "payment_attempt" where "bill_id" = :bill_id order by "seq";
select "from_state", "to_state", "cause", "actor", "at", "detail" from "bill_transition" where "bill_id" = :bill_id order by "id";
select "e"."channels" from "sitting" as "st" inner join "exam" as "e" on "e"."id" = "st"."exam_id" where "st"."id" = :sitting;
select "channel", "channel_trade_no", "amount_fen", "paid_at", "outcome", "reported_by" from "channel_payment" where "bill_id" = :bill_id order by "id";
select "f"."refund_no", "f"."channel", "f"."amount_fen", "f"."reason", "f"."state", "f"."created_at", "f"."succeeded_at", "f"."flagged_at", "f"."note", "i"."registration_id", "s"."name" as "subject_name" from "refund" as "f" left join "bill_item" as "i" on "i"."id" = "f"."bill_item_id" left join "subject" as "s" on "s"."id" = "i"."subject_id" where "f"."bill_id" = :bill_id order by "f"."id";

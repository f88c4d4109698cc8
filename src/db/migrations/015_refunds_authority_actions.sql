-- Issue "Payment channels for real", item 4: refunds beyond duplicate and late captures
-- (REF-1 … REF-4). See docs/refunds.md.

-- REF-2: a sitting, or one subject of it, cancelled by the authority takes no new registrations.
ALTER TABLE sitting ADD COLUMN cancelled_at timestamptz;
ALTER TABLE subject ADD COLUMN cancelled_at timestamptz;

-- REF-3 (seed 004 "经考区同意，重新进行缴费"): registering a subject again after its fee was
-- refunded needs the authority's approval where the exam says so.
ALTER TABLE exam ADD COLUMN repayment_needs_approval boolean NOT NULL DEFAULT false;

-- Why a registration ended. A refunded registration is CANCELLED (so registration_one_per_subject
-- lets a new one be made, REF-3) and keeps its paid_at: "CANCELLED with paid_at" = refunded.
-- Keeps 012's INSTITUTION (an institution deleted its own unpaid registration, REG-8).
ALTER TABLE registration DROP CONSTRAINT registration_cancelled_reason_check;
ALTER TABLE registration ADD CONSTRAINT registration_cancelled_reason_check
  CHECK (cancelled_reason IN ('CANDIDATE', 'UNPAID_TIMEOUT', 'INSTITUTION', 'AUTHORITY_CANCELLED', 'AUTHORITY_CHANGED', 'REFUNDED'));

-- An open bill whose registration the authority cancelled or changed is closed for that reason.
ALTER TABLE bill DROP CONSTRAINT bill_closed_cause_check;
ALTER TABLE bill ADD CONSTRAINT bill_closed_cause_check CHECK (closed_cause IN ('EXPIRED', 'CANCELLED', 'AUTHORITY_CANCELLED'));

-- REF-4: refunds per bill item. What has been promised back (every refund row, whatever its
-- state: a failed refund is still owed) is counted on the item and on the capture, and the CHECKs
-- keep each at most what was paid. A trigger on refund keeps the counts, so no code path can
-- forget them; concurrent refunds of one item queue on the item's row and the last one over the
-- limit fails at its own INSERT.
ALTER TABLE bill_item
  ADD COLUMN refunded_fen bigint NOT NULL DEFAULT 0,
  ADD CONSTRAINT bill_item_refund_within_paid CHECK (refunded_fen >= 0 AND refunded_fen <= amount_fen),
  ADD CONSTRAINT bill_item_id_bill UNIQUE (id, bill_id);
ALTER TABLE channel_payment
  ADD COLUMN refunded_fen bigint NOT NULL DEFAULT 0,
  ADD CONSTRAINT channel_payment_refund_within_captured CHECK (refunded_fen >= 0 AND refunded_fen <= amount_fen);
UPDATE channel_payment p SET refunded_fen = r.total
  FROM (SELECT channel_payment_id, sum(amount_fen) AS total FROM refund GROUP BY channel_payment_id) r
 WHERE r.channel_payment_id = p.id;

ALTER TABLE refund DROP CONSTRAINT refund_reason_check;
ALTER TABLE refund ADD CONSTRAINT refund_reason_check
  CHECK (reason IN ('DUPLICATE_PAYMENT', 'LATE_PAYMENT', 'AUTHORITY_CHANGE', 'AUTHORITY_CANCEL', 'PERSONAL', 'STAFF'));
ALTER TABLE refund
  -- The item whose money goes back; null for an unwanted capture (given back whole).
  ADD COLUMN bill_item_id bigint,
  -- Why, in the words of whoever decided (shown to the candidate for authority decisions).
  ADD COLUMN note text,
  -- Who decided: 'system', 'staff:42', 'job:…'.
  ADD COLUMN requested_by text NOT NULL DEFAULT 'system',
  ADD FOREIGN KEY (bill_item_id, bill_id) REFERENCES bill_item (id, bill_id),
  ADD CONSTRAINT refund_item_iff_settled_money CHECK ((bill_item_id IS NULL) = (reason IN ('DUPLICATE_PAYMENT', 'LATE_PAYMENT'))),
  ADD CONSTRAINT refund_personal_has_reason CHECK (reason <> 'PERSONAL' OR length(btrim(coalesce(note, ''))) > 0);
CREATE INDEX refund_bill_item ON refund (bill_item_id) WHERE bill_item_id IS NOT NULL;

CREATE FUNCTION count_refund() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE captured_outcome text;
BEGIN
  UPDATE channel_payment SET refunded_fen = refunded_fen + NEW.amount_fen
   WHERE id = NEW.channel_payment_id RETURNING outcome INTO captured_outcome;
  IF NEW.bill_item_id IS NOT NULL THEN
    -- An item's money is the capture that paid the bill; an unwanted capture is not an item's.
    IF captured_outcome <> 'SETTLED' THEN
      RAISE EXCEPTION 'refund % names an item but not the capture that paid its bill', NEW.refund_no;
    END IF;
    UPDATE bill_item SET refunded_fen = refunded_fen + NEW.amount_fen WHERE id = NEW.bill_item_id;
  ELSIF captured_outcome = 'SETTLED' THEN
    -- Money that paid a bill goes back item by item (REF-4), never as one lump.
    RAISE EXCEPTION 'refund % gives back money that paid a bill without naming the item', NEW.refund_no;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER refund_counted AFTER INSERT ON refund FOR EACH ROW EXECUTE FUNCTION count_refund();

-- What a refund gives back, and from where, is fixed once written; only its progress changes.
CREATE FUNCTION refuse_refund_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.amount_fen IS DISTINCT FROM OLD.amount_fen OR NEW.bill_item_id IS DISTINCT FROM OLD.bill_item_id
     OR NEW.channel_payment_id IS DISTINCT FROM OLD.channel_payment_id OR NEW.bill_id IS DISTINCT FROM OLD.bill_id THEN
    RAISE EXCEPTION 'refund % cannot change its amount or what it refunds', OLD.refund_no;
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER refund_fixed BEFORE UPDATE ON refund FOR EACH ROW EXECUTE FUNCTION refuse_refund_rewrite();
CREATE TRIGGER refund_kept BEFORE DELETE ON refund FOR EACH ROW EXECUTE FUNCTION refuse_history_change();

-- PAY-11: refunding money that paid a bill is booked when it is decided (the sitting's fees
-- become money owed to the payer) and again when the channel gives it back.
ALTER TABLE journal_entry DROP CONSTRAINT journal_entry_kind_check;
ALTER TABLE journal_entry ADD CONSTRAINT journal_entry_kind_check
  CHECK (kind IN ('CAPTURE_SETTLED', 'CAPTURE_UNWANTED', 'REFUND_DECIDED', 'REFUND_SUCCEEDED'));
ALTER TABLE journal_entry DROP CONSTRAINT journal_entry_check;
ALTER TABLE journal_entry ADD CONSTRAINT journal_entry_names_what_it_books CHECK (
  (kind IN ('CAPTURE_SETTLED', 'CAPTURE_UNWANTED') AND channel_payment_id IS NOT NULL AND refund_id IS NULL)
  OR (kind IN ('REFUND_DECIDED', 'REFUND_SUCCEEDED') AND refund_id IS NOT NULL)
);
CREATE UNIQUE INDEX journal_entry_one_decision_per_refund ON journal_entry (refund_id) WHERE kind = 'REFUND_DECIDED';

-- REF-2: what the authority (or staff, for REF-1) decided, by whom and why. A sitting or subject
-- cancellation is RUNNING until its background job has cancelled every registration in scope.
CREATE TABLE authority_action (
  id                       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind                     text NOT NULL CHECK (kind IN ('CANCEL_REGISTRATION', 'CHANGE_REGISTRATION', 'CANCEL_SUBJECT', 'CANCEL_SITTING', 'PERSONAL_REFUND')),
  sitting_id               bigint NOT NULL REFERENCES sitting(id),
  subject_id               bigint REFERENCES subject(id),
  registration_id          bigint REFERENCES registration(id),
  note                     text NOT NULL CHECK (length(btrim(note)) > 0),
  actor                    text NOT NULL,
  state                    text NOT NULL CHECK (state IN ('RUNNING', 'DONE')),
  created_at               timestamptz NOT NULL,
  finished_at              timestamptz,
  -- The job's claim (pushed ahead while a process works on it; due again if that process dies).
  next_run_at              timestamptz,
  cancelled_registrations  integer NOT NULL DEFAULT 0,
  refunds_created          integer NOT NULL DEFAULT 0,
  last_error               text,
  CHECK ((state = 'DONE') = (finished_at IS NOT NULL)),
  CHECK (state = 'DONE' OR next_run_at IS NOT NULL),
  CHECK (kind <> 'CANCEL_SUBJECT' OR subject_id IS NOT NULL),
  CHECK (kind NOT IN ('CANCEL_REGISTRATION', 'CHANGE_REGISTRATION', 'PERSONAL_REFUND') OR registration_id IS NOT NULL)
);
CREATE INDEX authority_action_due ON authority_action (next_run_at) WHERE state = 'RUNNING';
-- The cancellation job's scan: a sitting's (or a subject's) active registrations, candidate by
-- candidate. Partial, so registrations it has ended drop out of it.
CREATE INDEX registration_active_sitting ON registration (sitting_id, candidate_id) WHERE status = 'ACTIVE';
CREATE INDEX registration_active_subject ON registration (subject_id, candidate_id) WHERE status = 'ACTIVE';

-- REF-2: what the candidate is told, in both languages, written when it happened.
CREATE TABLE candidate_notice (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  candidate_id  bigint NOT NULL REFERENCES candidate(id),
  action_id     bigint NOT NULL REFERENCES authority_action(id),
  sitting_id    bigint NOT NULL REFERENCES sitting(id),
  -- The decision's kind (authority_action.kind), for clients that show an icon or filter.
  kind          text NOT NULL CHECK (kind IN ('CANCEL_REGISTRATION', 'CHANGE_REGISTRATION', 'CANCEL_SUBJECT', 'CANCEL_SITTING', 'PERSONAL_REFUND')),
  title_zh      text NOT NULL,
  title_en      text NOT NULL,
  body_zh       text NOT NULL,
  body_en       text NOT NULL,
  created_at    timestamptz NOT NULL
);
-- A job retry never writes a second notice: the notice is written in the transaction that ends
-- the registrations, which locks them and skips those already ended.
CREATE INDEX candidate_notice_action ON candidate_notice (action_id, candidate_id);
CREATE INDEX candidate_notice_candidate ON candidate_notice (candidate_id, id DESC);
CREATE TABLE candidate_notice_refund (
  notice_id  bigint NOT NULL REFERENCES candidate_notice(id),
  refund_id  bigint NOT NULL REFERENCES refund(id),
  PRIMARY KEY (notice_id, refund_id)
);

-- REF-3: the authority's answer about paying again for a refunded registration.
CREATE TABLE repayment_approval (
  registration_id  bigint PRIMARY KEY REFERENCES registration(id),
  status           text NOT NULL CHECK (status IN ('APPROVED', 'REJECTED')),
  decided_by       text NOT NULL,
  decided_at       timestamptz NOT NULL,
  note             text
);

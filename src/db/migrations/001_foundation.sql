-- Foundation: the minimal exam data a bill needs, candidates and sessions, bills with their
-- transition log, channel orders, captures, refunds and the notification log.
-- Issue "Registration" extends these tables (windows, sites, slots, seats); it does not replace them.

CREATE TABLE authority (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE exam (
  id                        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  authority_id              bigint NOT NULL REFERENCES authority(id),
  code                      text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name                      text NOT NULL,
  -- ACC-2: the password a roster account starts with.
  initial_password_rule     text NOT NULL CHECK (initial_password_rule IN ('ID_LAST6', 'FIXED')),
  initial_password_fixed    text CHECK (initial_password_rule <> 'FIXED' OR initial_password_fixed IS NOT NULL),
  -- PAY-3: an unpaid bill closes this long after it was made.
  bill_timeout_minutes      integer NOT NULL DEFAULT 30 CHECK (bill_timeout_minutes BETWEEN 1 AND 1440),
  -- PAY-5: which channels the exam offers, in the order shown.
  channels                  text[] NOT NULL DEFAULT '{alipay}',
  -- Seed 001: public payment platform accepts bank cards only.
  bank_card_only            boolean NOT NULL DEFAULT false,
  agreement_text            text NOT NULL DEFAULT '',
  created_at                timestamptz NOT NULL DEFAULT now(),
  UNIQUE (authority_id, code)
);

CREATE TABLE sitting (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  exam_id     bigint NOT NULL REFERENCES exam(id),
  code        text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (exam_id, code)
);

CREATE TABLE subject (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sitting_id  bigint NOT NULL REFERENCES sitting(id),
  code        text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name        text NOT NULL,
  kind        text NOT NULL DEFAULT 'WRITTEN' CHECK (kind IN ('WRITTEN', 'ORAL')),
  fee_fen     bigint NOT NULL CHECK (fee_fen >= 0),
  created_at  timestamptz NOT NULL DEFAULT now(),
  UNIQUE (sitting_id, code)
);

CREATE TABLE candidate (
  id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  authority_id          bigint NOT NULL REFERENCES authority(id),
  -- The exam whose account rules (initial password) this roster account follows.
  exam_id               bigint NOT NULL REFERENCES exam(id),
  id_type               text NOT NULL DEFAULT 'RESIDENT_ID'
                        CHECK (id_type IN ('RESIDENT_ID', 'PASSPORT', 'HK_MACAO_PERMIT', 'TAIWAN_PERMIT')),
  -- Issue "Accounts and security" moves this to encrypted-at-rest + keyed hash (OPS-6).
  id_number             text NOT NULL,
  name                  text NOT NULL,
  password_hash         text NOT NULL,
  must_change_password  boolean NOT NULL DEFAULT true,
  created_at            timestamptz NOT NULL DEFAULT now(),
  UNIQUE (authority_id, id_number)
);

CREATE TABLE candidate_session (
  -- sha256 of the cookie value: a leaked table does not hand out sessions.
  id_hash       bytea PRIMARY KEY,
  candidate_id  bigint NOT NULL REFERENCES candidate(id),
  created_at    timestamptz NOT NULL,
  last_seen_at  timestamptz NOT NULL,
  expires_at    timestamptz NOT NULL
);
CREATE INDEX candidate_session_candidate ON candidate_session (candidate_id);

CREATE TABLE registration (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  candidate_id  bigint NOT NULL REFERENCES candidate(id),
  sitting_id    bigint NOT NULL REFERENCES sitting(id),
  subject_id    bigint NOT NULL REFERENCES subject(id),
  -- REG-8: institution registrations are paid by the institution, never on a candidate's bill.
  owner         text NOT NULL DEFAULT 'CANDIDATE' CHECK (owner IN ('CANDIDATE', 'INSTITUTION')),
  status        text NOT NULL DEFAULT 'ACTIVE' CHECK (status IN ('ACTIVE', 'CANCELLED')),
  paid_at       timestamptz,
  created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX registration_one_per_subject ON registration (candidate_id, subject_id) WHERE status = 'ACTIVE';
CREATE INDEX registration_candidate ON registration (candidate_id);

CREATE TABLE bill (
  id                      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  bill_no                 text NOT NULL UNIQUE,
  candidate_id            bigint NOT NULL REFERENCES candidate(id),
  sitting_id              bigint NOT NULL REFERENCES sitting(id),
  amount_fen              bigint NOT NULL CHECK (amount_fen > 0),
  state                   text NOT NULL DEFAULT 'UNPAID'
                          CHECK (state IN ('UNPAID', 'PAYING', 'PAID', 'CLOSED', 'REFUNDED', 'PARTIALLY_REFUNDED')),
  channel                 text,
  agreement_accepted_at   timestamptz,
  expires_at              timestamptz NOT NULL,
  paying_since            timestamptz,
  paid_at                 timestamptz,
  closed_at               timestamptz,
  -- Why it closed, for the words the candidate reads: EXPIRED or CANCELLED (bill-state.ts causes).
  closed_cause            text CHECK (closed_cause IN ('EXPIRED', 'CANCELLED')),
  -- The settled capture (PAY-7 shows its channel serial number).
  channel_trade_no        text,
  -- The poll job's backoff (PAY-4): when to ask the channel next, and how often it has.
  next_query_at           timestamptz,
  query_attempts          integer NOT NULL DEFAULT 0,
  -- When anyone last asked the channel (确认缴费状态 is throttled on it).
  last_queried_at         timestamptz,
  -- The expiry job's backoff for a bill it could not close yet (channel silent or down).
  next_close_at           timestamptz,
  close_attempts          integer NOT NULL DEFAULT 0,
  -- Staff must look (PAY-4): still PAYING after 24 h, or not closable long after expiry.
  flagged_at              timestamptz,
  flag_reason             text CHECK (flag_reason IN ('PAYING_OVER_24H', 'CANNOT_CLOSE')),
  created_at              timestamptz NOT NULL,
  updated_at              timestamptz NOT NULL,
  -- What the code relies on, enforced where no code path can forget it.
  CHECK (state <> 'PAYING' OR (paying_since IS NOT NULL AND next_query_at IS NOT NULL)),
  CHECK (state NOT IN ('PAID', 'REFUNDED', 'PARTIALLY_REFUNDED') OR (paid_at IS NOT NULL AND channel_trade_no IS NOT NULL AND channel IS NOT NULL)),
  CHECK (state <> 'CLOSED' OR (closed_at IS NOT NULL AND closed_cause IS NOT NULL)),
  CHECK ((flagged_at IS NULL) = (flag_reason IS NULL))
);
CREATE INDEX bill_candidate ON bill (candidate_id, created_at DESC);
-- The jobs scan only live bills; partial indexes keep that scan small at any volume.
CREATE INDEX bill_due_query ON bill (next_query_at) WHERE state = 'PAYING';
CREATE INDEX bill_due_expiry ON bill (coalesce(next_close_at, expires_at)) WHERE state IN ('UNPAID', 'PAYING');

CREATE TABLE bill_item (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  bill_id          bigint NOT NULL REFERENCES bill(id),
  registration_id  bigint NOT NULL REFERENCES registration(id),
  subject_id       bigint NOT NULL REFERENCES subject(id),
  amount_fen       bigint NOT NULL CHECK (amount_fen >= 0),
  -- True while the bill is open or paid. PAY-1: a registration is on at most one live bill,
  -- enforced by the unique index below, so two racing confirmations cannot both take it.
  live             boolean NOT NULL DEFAULT true
);
CREATE UNIQUE INDEX bill_item_one_live ON bill_item (registration_id) WHERE live;
CREATE INDEX bill_item_bill ON bill_item (bill_id);

-- Every change of bill.state, written in the same transaction as the change (PAY-3).
CREATE TABLE bill_transition (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  bill_id     bigint NOT NULL REFERENCES bill(id),
  from_state  text NOT NULL,
  to_state    text NOT NULL,
  cause       text NOT NULL,
  actor       text NOT NULL,
  at          timestamptz NOT NULL,
  detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX bill_transition_bill ON bill_transition (bill_id, id);

-- The transition log is history: rows are added, never changed or removed.
CREATE FUNCTION refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
CREATE TRIGGER bill_transition_append_only BEFORE UPDATE OR DELETE ON bill_transition
  FOR EACH ROW EXECUTE FUNCTION refuse_history_change();

-- A channel order we created for a bill. The first one's merchant order number is the bill
-- number itself; a later one (another channel, or the same channel after it closed the first)
-- gets the bill number + a two-digit sequence, because channels never reuse an order number.
-- Every OPEN order may still capture money, so the jobs query and close each one.
CREATE TABLE payment_attempt (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  bill_id        bigint NOT NULL REFERENCES bill(id),
  seq            integer NOT NULL CHECK (seq BETWEEN 1 AND 99),
  out_trade_no   text NOT NULL UNIQUE,
  channel        text NOT NULL,
  state          text NOT NULL DEFAULT 'OPEN' CHECK (state IN ('OPEN', 'CLOSED')),
  pay_url        text NOT NULL,
  qr_content     text NOT NULL,
  created_at     timestamptz NOT NULL,
  closed_at      timestamptz,
  -- For orders left open on a bill that is no longer open: when to try closing again.
  next_close_at  timestamptz,
  close_attempts integer NOT NULL DEFAULT 0,
  UNIQUE (bill_id, seq),
  -- Lets captures and refunds name (order, bill) together, so they cannot disagree.
  UNIQUE (id, bill_id),
  CHECK (state <> 'CLOSED' OR closed_at IS NOT NULL)
);
CREATE UNIQUE INDEX payment_attempt_one_open_per_channel ON payment_attempt (bill_id, channel) WHERE state = 'OPEN';

-- Money a channel captured. One row per channel trade number, whatever told us first
-- (notify, query, close, reconciliation): the unique key is what makes settlement exactly-once.
CREATE TABLE channel_payment (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  bill_id           bigint NOT NULL REFERENCES bill(id),
  attempt_id        bigint NOT NULL,
  channel           text NOT NULL,
  channel_trade_no  text NOT NULL,
  amount_fen        bigint NOT NULL CHECK (amount_fen > 0),
  paid_at           timestamptz NOT NULL,
  -- SETTLED paid the bill; DUPLICATE came for a bill already paid; LATE came for a closed one.
  outcome           text NOT NULL CHECK (outcome IN ('SETTLED', 'DUPLICATE', 'LATE')),
  reported_by       text NOT NULL,
  recorded_at       timestamptz NOT NULL,
  UNIQUE (channel, channel_trade_no),
  UNIQUE (id, bill_id, channel),
  FOREIGN KEY (attempt_id, bill_id) REFERENCES payment_attempt (id, bill_id)
);
CREATE INDEX channel_payment_bill ON channel_payment (bill_id);
CREATE UNIQUE INDEX channel_payment_one_settled ON channel_payment (bill_id) WHERE outcome = 'SETTLED';

CREATE TABLE refund (
  id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  refund_no           text NOT NULL UNIQUE,
  bill_id             bigint NOT NULL REFERENCES bill(id),
  channel_payment_id  bigint NOT NULL,
  channel             text NOT NULL,
  amount_fen          bigint NOT NULL CHECK (amount_fen > 0),
  reason              text NOT NULL CHECK (reason IN ('DUPLICATE_PAYMENT', 'LATE_PAYMENT', 'AUTHORITY_CHANGE', 'STAFF')),
  state               text NOT NULL DEFAULT 'PENDING' CHECK (state IN ('PENDING', 'SUCCEEDED', 'FAILED')),
  attempts            integer NOT NULL DEFAULT 0,
  next_attempt_at     timestamptz NOT NULL,
  last_error          text,
  created_at          timestamptz NOT NULL,
  succeeded_at        timestamptz,
  -- A refund the channel refused, or that stays unconfirmed too long, needs a person.
  flagged_at          timestamptz,
  FOREIGN KEY (channel_payment_id, bill_id, channel) REFERENCES channel_payment (id, bill_id, channel),
  CHECK (state <> 'SUCCEEDED' OR succeeded_at IS NOT NULL)
);
CREATE INDEX refund_due ON refund (next_attempt_at) WHERE state = 'PENDING';
-- A duplicate or late capture is given back once, in full.
CREATE UNIQUE INDEX refund_one_per_unwanted_capture ON refund (channel_payment_id) WHERE reason IN ('DUPLICATE_PAYMENT', 'LATE_PAYMENT');
CREATE INDEX refund_flagged ON refund (flagged_at) WHERE flagged_at IS NOT NULL;
CREATE INDEX refund_bill ON refund (bill_id);

-- Every notification that reached us, accepted or not (PAY-9: forged ones are logged).
-- The raw body is kept only for accepted ones; rejected ones keep a short excerpt.
CREATE TABLE channel_notification (
  id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  channel       text NOT NULL,
  received_at   timestamptz NOT NULL,
  accepted      boolean NOT NULL,
  outcome       text NOT NULL,
  detail        text NOT NULL DEFAULT '',
  bill_no       text,
  notify_id     text,
  remote_addr   text
);
CREATE INDEX channel_notification_bill ON channel_notification (bill_no);

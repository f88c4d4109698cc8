-- PAY-10 reconciliation (对账): one run per channel and Beijing day, and what it found.
-- Days are 'YYYY-MM-DD' text (a Beijing calendar day), never a date the driver might shift.

CREATE TABLE reconciliation_run (
  id                     bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  channel                text NOT NULL,
  day                    text NOT NULL CHECK (day ~ '^\d{4}-\d{2}-\d{2}$'),
  -- PENDING: waiting for its time or a retry; RUNNING: claimed by a process until claimed_until;
  -- DONE: the statement was matched; FAILED: gave up retrying, staff re-run it.
  status                 text NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'RUNNING', 'DONE', 'FAILED')),
  attempts               integer NOT NULL DEFAULT 0,
  next_attempt_at        timestamptz NOT NULL,
  claimed_until          timestamptz,
  last_error             text,
  requested_by           text NOT NULL,
  started_at             timestamptz,
  finished_at            timestamptz,
  -- What the last completed run counted (fen, never floats).
  statement_payments     integer NOT NULL DEFAULT 0,
  statement_payment_fen  bigint NOT NULL DEFAULT 0,
  statement_refunds      integer NOT NULL DEFAULT 0,
  statement_refund_fen   bigint NOT NULL DEFAULT 0,
  our_captures           integer NOT NULL DEFAULT 0,
  our_capture_fen        bigint NOT NULL DEFAULT 0,
  our_refunds            integer NOT NULL DEFAULT 0,
  our_refund_fen         bigint NOT NULL DEFAULT 0,
  matched                integer NOT NULL DEFAULT 0,
  mismatches             integer NOT NULL DEFAULT 0,
  auto_resolved          integer NOT NULL DEFAULT 0,
  created_at             timestamptz NOT NULL,
  -- A re-run of a day updates its run; it never makes a second one.
  UNIQUE (channel, day),
  CHECK (status <> 'DONE' OR finished_at IS NOT NULL),
  CHECK (status <> 'RUNNING' OR claimed_until IS NOT NULL)
);
CREATE INDEX reconciliation_run_due ON reconciliation_run (next_attempt_at) WHERE status IN ('PENDING', 'RUNNING');

CREATE TABLE reconciliation_mismatch (
  id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  run_id            bigint NOT NULL REFERENCES reconciliation_run(id),
  channel           text NOT NULL,
  day               text NOT NULL,
  kind              text NOT NULL CHECK (kind IN ('MISSING_AT_US', 'MISSING_AT_CHANNEL', 'AMOUNT_DIFFERS')),
  reason            text NOT NULL,
  -- The movement: 'P:<channel trade no>' or 'R:<refund no>'.
  line_key          text NOT NULL,
  bill_no           text NOT NULL,
  channel_trade_no  text NOT NULL,
  refund_no         text,
  our_amount_fen    bigint,
  their_amount_fen  bigint,
  -- When the channel (or, for MISSING_AT_CHANNEL, our books) says the money moved.
  at                timestamptz NOT NULL,
  resolution        text NOT NULL CHECK (resolution IN ('OPEN', 'AUTO_SETTLED', 'AUTO_REFUNDED', 'RESOLVED_BY_STAFF')),
  -- AUTO_REFUNDED: the refund the settlement created for the money.
  auto_refund_no    text,
  detail            text NOT NULL DEFAULT '',
  resolved_note     text,
  resolved_by       text,
  resolved_at       timestamptz,
  created_at        timestamptz NOT NULL,
  -- Idempotent per (channel, day): a re-run finds the same movement and adds nothing.
  UNIQUE (channel, day, kind, line_key),
  CHECK ((resolution = 'RESOLVED_BY_STAFF') = (resolved_by IS NOT NULL AND resolved_at IS NOT NULL AND resolved_note IS NOT NULL)),
  CHECK (resolution <> 'AUTO_REFUNDED' OR auto_refund_no IS NOT NULL)
);
CREATE INDEX reconciliation_mismatch_open ON reconciliation_mismatch (created_at) WHERE resolution = 'OPEN';
CREATE INDEX reconciliation_mismatch_run ON reconciliation_mismatch (run_id);

-- What a run reads of our books: the day's captures and refunds by the channel's own time.
CREATE INDEX channel_payment_channel_paid ON channel_payment (channel, paid_at);
CREATE INDEX refund_channel_succeeded ON refund (channel, succeeded_at) WHERE state = 'SUCCEEDED';
-- The daily job asks, per channel, when it was first sent an order.
CREATE INDEX payment_attempt_channel_created ON payment_attempt (channel, created_at);

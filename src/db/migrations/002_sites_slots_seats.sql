-- Issue "Registration", part 1: sites, slots, sitting windows and seats (REG-1, REG-6).

-- 考点/校区
CREATE TABLE site (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sitting_id  bigint NOT NULL REFERENCES sitting(id),
  code        text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  name        text NOT NULL,
  UNIQUE (sitting_id, code)
);

-- 考试时间/场次
CREATE TABLE slot (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sitting_id  bigint NOT NULL REFERENCES sitting(id),
  code        text NOT NULL CHECK (code ~ '^[A-Za-z0-9_-]{1,32}$'),
  starts_at   timestamptz NOT NULL,
  ends_at     timestamptz NOT NULL CHECK (ends_at > starts_at),
  UNIQUE (sitting_id, code)
);

-- Capacity per site × slot × subject (REG-6). Its seats are rows of `seat`.
CREATE TABLE seat_pool (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  site_id     bigint NOT NULL REFERENCES site(id),
  slot_id     bigint NOT NULL REFERENCES slot(id),
  subject_id  bigint NOT NULL REFERENCES subject(id),
  capacity    integer NOT NULL CHECK (capacity >= 0),
  UNIQUE (site_id, slot_id, subject_id)
);

-- One row per seat. A hold claims one FREE row with FOR UPDATE SKIP LOCKED, so concurrent holds
-- on one pool each take a different row instead of queueing behind a single counter row's lock
-- (see modules/registration/seat-holds.sql.ts for the statements and why).
CREATE TABLE seat (
  id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  pool_id          bigint NOT NULL REFERENCES seat_pool(id),
  seat_no          integer NOT NULL CHECK (seat_no >= 1),
  state            text NOT NULL DEFAULT 'FREE' CHECK (state IN ('FREE', 'HELD', 'SOLD')),
  registration_id  bigint,
  held_at          timestamptz,
  UNIQUE (pool_id, seat_no),
  CHECK ((state = 'FREE') = (registration_id IS NULL)),
  CHECK (state = 'FREE' OR held_at IS NOT NULL)
);
-- The hold's search: the lowest-numbered free seats of a pool, and nothing else.
CREATE INDEX seat_free ON seat (pool_id, seat_no) WHERE state = 'FREE';
-- A registration holds or owns at most one seat.
CREATE UNIQUE INDEX seat_one_per_registration ON seat (registration_id) WHERE registration_id IS NOT NULL;

ALTER TABLE registration
  ADD COLUMN site_id bigint REFERENCES site(id),
  ADD COLUMN slot_id bigint REFERENCES slot(id),
  -- Why the seat went, for the words the candidate reads (REG-7: choose a slot again).
  ADD COLUMN seat_released_at timestamptz,
  ADD COLUMN seat_released_reason text CHECK (seat_released_reason IN ('PAYMENT_TIMEOUT', 'CANCELLED', 'CHANGED'));
ALTER TABLE seat ADD FOREIGN KEY (registration_id) REFERENCES registration(id);

-- A sitting's dated windows (REG-1), all checked at the server. A kind may have several
-- windows (payment slots such as 3/15 09:00–20:00 and 3/16 09:00–15:00); SITE_MANAGEMENT
-- windows belong to one site (payment still allowed there after registration closes).
CREATE TABLE sitting_window (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  sitting_id  bigint NOT NULL REFERENCES sitting(id),
  kind        text NOT NULL CHECK (kind IN ('REGISTRATION', 'PAYMENT', 'SITE_MANAGEMENT', 'PRINT')),
  site_id     bigint REFERENCES site(id),
  opens_at    timestamptz NOT NULL,
  closes_at   timestamptz NOT NULL CHECK (closes_at > opens_at),
  CHECK ((kind = 'SITE_MANAGEMENT') = (site_id IS NOT NULL))
);
CREATE INDEX sitting_window_sitting ON sitting_window (sitting_id, kind);

-- REG-7 per exam (seed 000): when a bill closes unpaid at its timeout (30 min), its seats are
-- released and the candidate chooses a slot again. The close waits for the channel's answer
-- first, so a seat is never released while money may still be on its way.
ALTER TABLE exam ADD COLUMN release_seats_on_bill_expiry boolean NOT NULL DEFAULT false;
